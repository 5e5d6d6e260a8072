"""Reading one essay file: every format, every encoding, and every way a file can be bad.

Every input is built here, in tmp_path: .docx with python-docx, .odt with odfpy,
PDFs written byte by byte, RTF and HTML as text.
"""

from __future__ import annotations

import codecs
import io
import os
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
from documents import ESSAY, docx_bytes, encrypted_pdf_bytes, odt_bytes, pdf_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import essaycheck.io.formats
from essaycheck.errors import EssayReadError
from essaycheck.io.essays import MAX_ESSAY_BYTES, Essay, essay_from_bytes, read_essay


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def read_error(path: Path) -> str:
    with pytest.raises(EssayReadError) as caught:
        read_essay(path, name=path.name)
    return str(caught.value)


# --- each format ------------------------------------------------------------------------


def test_txt_is_read_with_its_encoding_and_format(tmp_path: Path) -> None:
    essay = read_essay(write(tmp_path, "ana.txt", ESSAY.encode()))

    assert essay == Essay(str(tmp_path / "ana.txt"), ESSAY, "utf-8", None, "txt")


def test_markdown_is_read_as_text_markup_and_all(tmp_path: Path) -> None:
    essay = read_essay(write(tmp_path, "ana.md", b"# Versailles\n\nIt was *signed* in 1919.\n"))

    assert (essay.text, essay.format) == ("# Versailles\n\nIt was *signed* in 1919.\n", "md")


def test_docx_paragraphs_and_table_cells_are_read_in_document_order(tmp_path: Path) -> None:
    data = docx_bytes(["Versailles", ESSAY], table=[["Cause", "Effect"], ["War", "Treaty"]])

    essay = read_essay(write(tmp_path, "ana.docx", data))

    assert essay.text == f"Versailles\n{ESSAY}\nCause\nEffect\nWar\nTreaty\nAfter the table."
    assert (essay.format, essay.encoding) == ("docx", None)


def test_docx_merged_table_cell_is_read_once(tmp_path: Path) -> None:
    document = docx.Document()
    grid = document.add_table(rows=1, cols=3)
    grid.cell(0, 0).merge(grid.cell(0, 1)).text = "Merged"
    grid.cell(0, 2).text = "Alone"
    document.save(tmp_path / "ana.docx")

    assert read_essay(tmp_path / "ana.docx").text == "Merged\nAlone"


def test_odt_headings_and_paragraphs_are_read_in_document_order(tmp_path: Path) -> None:
    data = odt_bytes("Versailles", [ESSAY, "It ended the war."])

    essay = read_essay(write(tmp_path, "ana.odt", data))

    assert essay.text == f"Versailles\n{ESSAY}\nIt ended the war."
    assert (essay.format, essay.encoding) == ("odt", None)


def test_hand_written_pdf_has_a_text_layer_pypdf_reads() -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes([ESSAY])))

    assert len(reader.pages) == 1
    assert reader.pages[0].extract_text().strip() == ESSAY


def test_pdf_text_layer_is_read_line_by_line(tmp_path: Path) -> None:
    essay = read_essay(write(tmp_path, "ana.pdf", pdf_bytes([ESSAY, "It ended the war."])))

    assert essay.text.split("\n")[:2] == [ESSAY, "It ended the war."]
    assert (essay.format, essay.encoding) == ("pdf", None)


def test_pdf_with_only_an_owner_password_is_read(tmp_path: Path) -> None:
    data = encrypted_pdf_bytes("", owner_password="teacher-cannot-print")

    assert read_essay(write(tmp_path, "ana.pdf", data)).text.strip() == ESSAY


def test_rtf_text_is_read_with_its_escapes(tmp_path: Path) -> None:
    rtf = (
        rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Helvetica;}}\f0 "
        rb"He said \'93peace\'94.\par The caf\'e9 \u8212? closed.\par}"
    )

    essay = read_essay(write(tmp_path, "ana.rtf", rtf))

    assert essay.text.strip() == "He said \u201cpeace\u201d.\nThe caf\u00e9 \u2014 closed."
    assert (essay.format, essay.encoding) == ("rtf", None)


@pytest.mark.parametrize("suffix", ["html", "htm"])
def test_html_visible_text_is_read_one_block_a_line(tmp_path: Path, suffix: str) -> None:
    page = b"""<!DOCTYPE html><html><head><title>Tab title</title>
    <style>p { color: red }</style><script>alert("hidden")</script></head>
    <body><h1>Versailles</h1><p>The treaty   was
    signed in <b>1919</b>.</p><!-- a comment --><div>It ended<br>the war.</div>
    <ul><li>Reparations</li><li>Land</li></ul>
    <table><tr><td>Cause</td><td>Effect</td></tr></table></body></html>"""

    essay = read_essay(write(tmp_path, f"ana.{suffix}", page))

    assert essay.text == (
        "Versailles\nThe treaty was signed in 1919.\nIt ended\nthe war.\n"
        "Reparations\nLand\nCause Effect"
    )
    assert (essay.format, essay.encoding) == (suffix, "utf-8")


def test_html_page_whose_head_is_never_closed_still_gives_its_body(tmp_path: Path) -> None:
    page = b"<html><head><title>Essay</title><meta charset='utf-8'><body><p>Versailles</p>"

    assert read_essay(write(tmp_path, "ana.html", page)).text == "Versailles"


def test_html_declared_charset_is_used(tmp_path: Path) -> None:
    page = "<meta charset='windows-1251'><p>Версальский договор</p>".encode("cp1251")

    essay = read_essay(write(tmp_path, "ana.html", page))

    assert (essay.text, essay.encoding) == ("Версальский договор", "cp1251")


def test_suffix_case_does_not_matter(tmp_path: Path) -> None:
    essay = read_essay(write(tmp_path, "ANA.DOCX", docx_bytes(["Versailles", ESSAY])))

    assert (essay.text, essay.format) == (f"Versailles\n{ESSAY}", "docx")


def test_standard_input_is_read_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO("Caf\u00e9 \u201cessay\u201d.\r\n".encode("cp1252")))
    monkeypatch.setattr("sys.stdin", stdin)

    essay = read_essay("-")

    assert (essay.name, essay.text, essay.encoding) == (
        "-",
        "Caf\u00e9 \u201cessay\u201d.\n",
        "cp1252",
    )


def test_moodle_file_name_gives_the_student(tmp_path: Path) -> None:
    path = write(tmp_path, "Ana Díaz_123456_assignsubmission_file_essay.txt", ESSAY.encode())

    assert read_essay(path).student == "Ana Díaz"


# --- encodings --------------------------------------------------------------------------

CURLY = "He said \u201cpeace\u201d \u2014 it\u2019s over.\nThe caf\u00e9 closed."
ACCENTED = "Le caf\u00e9 \u00e9tait ferm\u00e9 \u00e0 c\u00f4t\u00e9 de la gare.\nFin."


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (CURLY.encode("utf-8"), CURLY, "utf-8"),
        (CURLY.encode("utf-8-sig"), CURLY, "utf-8-sig"),
        (CURLY.encode("utf-16"), CURLY, "utf-16"),
        (codecs.BOM_UTF16_BE + CURLY.encode("utf-16-be"), CURLY, "utf-16"),
        (CURLY.encode("cp1252"), CURLY, "cp1252"),
        (ACCENTED.encode("latin-1"), ACCENTED, "latin-1"),
        (b"Plain ASCII essay.", "Plain ASCII essay.", "utf-8"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "cp1252", "latin-1", "ascii"],
)
def test_text_encoding_is_detected_and_recorded(
    tmp_path: Path, data: bytes, text: str, encoding: str
) -> None:
    essay = read_essay(write(tmp_path, "ana.txt", data))

    assert (essay.text, essay.encoding) == (text, encoding)


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"], ids=["windows", "old-mac", "unix"])
def test_newlines_become_line_feeds(tmp_path: Path, newline: str) -> None:
    data = newline.join(["One.", "Two.", ""]).encode()

    assert read_essay(write(tmp_path, "ana.txt", data)).text == "One.\nTwo.\n"


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["txt", "md", "html", "rtf", "docx", "odt", "pdf"])
def test_empty_file_is_an_error(tmp_path: Path, suffix: str) -> None:
    message = read_error(write(tmp_path, f"ana.{suffix}", b""))

    assert message == f"ana.{suffix}: is empty. There is nothing to mark."


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("ana.txt", b" \n\t\r\n "),
        ("ana.docx", docx_bytes([" ", ""])),
        ("ana.odt", odt_bytes("", [" "])),
        ("ana.html", b"<html><head><title>Only a title</title></head><body> </body></html>"),
        ("ana.html", b"<!-- only a comment -->"),
    ],
    ids=["whitespace-txt", "blank-docx", "blank-odt", "blank-html", "comment-only-html"],
)
def test_file_without_text_is_empty(tmp_path: Path, name: str, data: bytes) -> None:
    assert read_error(write(tmp_path, name, data)) == f"{name}: is empty. There is nothing to mark."


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("ana.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        ("ana.md", b"PK\x03\x04\x14\x00\x00\x00\x08\x00"),
        ("ana.html", bytes(range(256)) * 4),
    ],
    ids=["png-as-txt", "zip-as-md", "noise-as-html"],
)
def test_binary_file_with_a_text_extension_is_an_error(
    tmp_path: Path, name: str, data: bytes
) -> None:
    assert read_error(write(tmp_path, name, data)) == (
        f"{name}: looks like a binary file, not text. "
        "Save the essay as plain text (.txt) and try again."
    )


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("ana.docx", docx_bytes(["Versailles", ESSAY])[:2000], "Word document"),
        ("ana.odt", odt_bytes("Versailles", [ESSAY])[:900], "OpenDocument text (.odt)"),
        ("ana.pdf", pdf_bytes([ESSAY])[:200], "PDF"),
        ("ana.docx", b"This is not a Word file at all.", "Word document"),
        ("ana.pdf", b"%PDF-1.4\nnot really", "PDF"),
        ("ana.rtf", rb"{\rtf1\ansi \uc He said\par}", "RTF document"),
    ],
    ids=[
        "truncated-docx",
        "truncated-odt",
        "truncated-pdf",
        "text-as-docx",
        "garbage-pdf",
        "rtf-uc-without-its-number",
    ],
)
def test_corrupt_document_is_an_error(tmp_path: Path, name: str, data: bytes, kind: str) -> None:
    message = read_error(write(tmp_path, name, data))

    assert message.startswith(f"{name}: is not a readable {kind}: it is corrupt or truncated (")
    assert message.endswith("). Ask the student to save it again and resubmit it.")


def test_docx_that_is_really_an_odt_is_corrupt(tmp_path: Path) -> None:
    message = read_error(write(tmp_path, "ana.docx", odt_bytes("Versailles", [ESSAY])))

    assert message.startswith("ana.docx: is not a readable Word document")


def test_odt_whose_content_is_not_xml_is_corrupt(tmp_path: Path) -> None:
    source = zipfile.ZipFile(io.BytesIO(odt_bytes("Versailles", [ESSAY])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as damaged:
        for info in source.infolist():
            body = source.read(info)
            damaged.writestr(info, body[:-40] if info.filename == "content.xml" else body)

    message = read_error(write(tmp_path, "ana.odt", out.getvalue()))

    assert message.startswith("ana.odt: is not a readable OpenDocument text (.odt)")
    assert "not well-formed XML" in message


def test_old_word_doc_renamed_docx_is_an_error(tmp_path: Path) -> None:
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)

    assert read_error(write(tmp_path, "ana.docx", ole2)) == (
        "ana.docx: is an old Word .doc or a password-protected Word file, not a .docx. "
        "Ask the student to save it as .docx without a password."
    )


def test_encrypted_pdf_is_an_error(tmp_path: Path) -> None:
    assert read_error(write(tmp_path, "ana.pdf", encrypted_pdf_bytes("secret"))) == (
        "ana.pdf: the PDF is password-protected: ask the student for an unprotected copy."
    )


def test_pdf_without_a_text_layer_is_an_error(tmp_path: Path) -> None:
    assert read_error(write(tmp_path, "ana.pdf", pdf_bytes([]))) == (
        "ana.pdf: the PDF is scanned: no text layer; ask for the original document "
        "(.docx, .odt or .txt), or run OCR on it first."
    )


def test_file_over_the_size_cap_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "ana.txt"
    with path.open("wb") as handle:  # sparse: 11 MB long, nothing written
        handle.truncate(11 * 1024 * 1024)
    assert MAX_ESSAY_BYTES == 10 * 1024 * 1024

    assert read_error(path) == (
        "ana.txt: is 11 MB, over the 10 MB limit for one essay, so it was not read. "
        "Check that it is the essay (not a video or a scan), or ask the student for a "
        "smaller copy."
    )


def test_docx_that_would_unpack_past_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(essaycheck.io.formats, "MAX_UNPACKED_BYTES", 1024)

    message = read_error(write(tmp_path, "ana.docx", docx_bytes(["Versailles", ESSAY])))

    assert message.startswith("ana.docx: would unpack to ")
    assert "over the 1 KB limit, so it was not opened." in message


def test_unreadable_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "ana.txt", ESSAY.encode())
    path.chmod(0)
    if os.geteuid() == 0:  # root reads whatever the permissions say: refuse it here
        real_open = Path.open

        def deny(self: Path, *args: object, **kwargs: object) -> object:
            if self == path:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

        monkeypatch.setattr(Path, "open", deny)

    try:
        message = read_error(path)
    finally:
        path.chmod(0o644)

    assert message == "ana.txt: cannot be read (Permission denied). Check its permissions."


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("ana.pages", ".pages files are"),
        ("ana.doc", ".doc files are"),
        ("ana", "a file without an extension is"),
    ],
    ids=["pages", "doc", "no-suffix"],
)
def test_unsupported_suffix_is_an_error(tmp_path: Path, name: str, kind: str) -> None:
    assert read_error(write(tmp_path, name, ESSAY.encode())) == (
        f"{name}: {kind} not supported. Save the essay as .docx, .odt, .pdf, .rtf, "
        ".html, .md or .txt and try again."
    )


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    assert read_error(tmp_path / "ana.txt") == "ana.txt: no such file. Check the path."


def test_folder_is_not_an_essay(tmp_path: Path) -> None:
    (tmp_path / "essays.txt").mkdir()

    assert read_error(tmp_path / "essays.txt") == (
        "essays.txt: is a folder; use `essaycheck mark` to mark a folder of essays."
    )


def test_zip_is_not_one_essay(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "class.zip", "w") as archive:
        archive.writestr("ana.txt", ESSAY)

    assert read_error(tmp_path / "class.zip") == (
        "class.zip: is a zip of submissions, not one essay. "
        "Mark the class with `essaycheck mark`, or unzip it to check one essay."
    )


# --- no library error escapes -------------------------------------------------------------

VALID = {
    "docx": docx_bytes(["Versailles", ESSAY], table=[["a", "b"]]),
    "odt": odt_bytes("Versailles", [ESSAY]),
    "pdf": pdf_bytes([ESSAY]),
    "rtf": rb"{\rtf1\ansi\ansicpg1252 He said \'93peace\'94.\par}",
    "html": b"<html><body><p>Versailles</p></body></html>",
    "txt": CURLY.encode("cp1252"),
}


@settings(
    max_examples=300,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    fmt=st.sampled_from(sorted(VALID)),
    cut=st.integers(min_value=0, max_value=100_000),
    flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8),
)
def test_damaged_files_raise_only_essay_read_errors(
    fmt: str, cut: int, flips: list[tuple[int, int]]
) -> None:
    data = bytearray(VALID[fmt][:cut])
    for position, byte in flips:
        if data:
            data[position % len(data)] = byte

    try:
        essay = essay_from_bytes(bytes(data), f"ana.{fmt}", fmt)
    except EssayReadError as err:
        assert str(err).startswith(f"ana.{fmt}: ")
    else:
        assert essay.text.strip()

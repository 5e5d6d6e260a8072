"""The readers' limits: every crafted or oversized essay is a clean error, fast.

Each test builds its input here, small: the limits are lowered with monkeypatch
where the real ones would need megabytes. Every error names the file, says what
is wrong and what to do next.
"""

from __future__ import annotations

import errno
import io
import json
import logging
import struct
import time
import warnings
import zipfile
from collections.abc import Callable

import pypdf
import pytest
from documents import ESSAY, assemble_pdf, docx_bytes, odt_bytes, pdf_bytes

import essaycheck.io.formats as formats
from essaycheck.errors import EssayReadError
from essaycheck.io.encodings import decode_text
from essaycheck.io.formats import extract_text, unreadable_error

DOCX_BODY = "word/document.xml"
ODT_BODY = "content.xml"


def read_error(data: bytes, name: str) -> str:
    with pytest.raises(EssayReadError) as caught:
        extract_text(data, name, name.rsplit(".", 1)[1])
    return str(caught.value)


def with_part(package: bytes, member: str, body: bytes) -> bytes:
    """Return the zip ``package`` with ``member`` replaced by (or added as) ``body``."""
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as changed:
        for info in source.infolist():
            if info.filename != member:
                changed.writestr(info, source.read(info))
        changed.writestr(member, body)
    return out.getvalue()


def docx_with_body(inner: str) -> bytes:
    """A .docx whose <w:body> holds ``inner``, as WordprocessingML."""
    data = docx_bytes(["Versailles", ESSAY])
    document = zipfile.ZipFile(io.BytesIO(data)).read(DOCX_BODY).decode()
    head = document.partition("<w:body>")[0]
    return with_part(data, DOCX_BODY, f"{head}<w:body>{inner}</w:body></w:document>".encode())


def odt_with_text(inner: str) -> bytes:
    """An .odt whose <office:text> holds ``inner``, as ODF XML."""
    data = odt_bytes("Versailles", [ESSAY])
    content = zipfile.ZipFile(io.BytesIO(data)).read(ODT_BODY).decode()
    head = content.partition("<office:text>")[0]
    tail = "</office:text></office:body></office:document-content>"
    return with_part(data, ODT_BODY, f"{head}<office:text>{inner}{tail}".encode())


def understate(package: bytes, member: str, size: int) -> bytes:
    """Return ``package`` with the central directory claiming ``member`` unpacks to ``size``."""
    data = bytearray(package)
    entry = data.index(b"PK\x01\x02")  # the first central directory entry
    while True:
        name_length = struct.unpack_from("<H", data, entry + 28)[0]
        if data[entry + 46 : entry + 46 + name_length].decode() == member:
            struct.pack_into("<I", data, entry + 24, size)
            return bytes(data)
        entry = data.index(b"PK\x01\x02", entry + 4)


def pdf_with_cmap(codes: dict[str, str], shown: str) -> bytes:
    """A one-page PDF whose font maps each code (hex) to UTF-16BE (hex), showing ``shown``."""
    pairs = " ".join(f"<{code}> <{utf16}>" for code, utf16 in codes.items())
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /X def "
        f"1 begincodespacerange <00> <FF> endcodespacerange {len(codes)} beginbfchar "
        f"{pairs} endbfchar endcmap CMapName currentdict /CMap defineresource pop end end"
    ).encode()
    content = f"BT /F1 12 Tf 72 720 Td <{shown}> Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap),
    ]
    return assemble_pdf(objects)


def pdf_of_pages(count: int) -> bytes:
    writer = pypdf.PdfWriter()
    page = pypdf.PdfReader(io.BytesIO(pdf_bytes([ESSAY]))).pages[0]
    for _ in range(count):
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def never_called(*args: object, **kwargs: object) -> None:
    pytest.fail("the library parsed a file that should have been refused before it")


def timed(read: Callable[[], object]) -> float:
    start = time.perf_counter()
    with pytest.raises(EssayReadError):
        read()
    return time.perf_counter() - start


# --- 1. characters of text ---------------------------------------------------------------


def test_essay_char_limit_is_below_spacy_max_length() -> None:
    assert formats.MAX_ESSAY_CHARS <= 1_000_000


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("ana.txt", lambda text: text.encode()),
        ("ana.docx", lambda text: docx_bytes(["Versailles", text])),
        ("ana.odt", lambda text: odt_bytes("Versailles", [text])),
        ("ana.pdf", lambda text: pdf_bytes([text])),
    ],
    ids=["txt", "docx", "odt", "pdf"],
)
def test_text_over_the_char_limit_is_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, build: Callable[[str], bytes]
) -> None:
    monkeypatch.setattr(formats, "MAX_ESSAY_CHARS", 100)

    message = read_error(build("Versailles was signed. " * 10), name)

    assert message.startswith(f"{name}: holds ")
    assert "characters of text, and the limit for one essay is 100, so it was not read." in (
        message
    )
    assert message.endswith(
        "Check that it is one essay (not a book or a whole portfolio), or split it and "
        "mark the parts as separate essays."
    )


def test_text_at_the_char_limit_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "MAX_ESSAY_CHARS", 100)

    assert extract_text(b"x" * 100, "ana.txt", "txt").text == "x" * 100


def test_txt_over_the_char_limit_gives_the_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "MAX_ESSAY_CHARS", 100)

    assert read_error(b"x" * 101, "ana.txt") == (
        "ana.txt: holds 101 characters of text, and the limit for one essay is 100, so it "
        "was not read. Check that it is one essay (not a book or a whole portfolio), or "
        "split it and mark the parts as separate essays."
    )


def test_pdf_stops_reading_pages_once_over_the_char_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(formats, "MAX_ESSAY_CHARS", 100)
    read = []
    real = pypdf.PageObject.extract_text

    def counting(page: pypdf.PageObject, *args: object, **kwargs: object) -> str:
        read.append(page)
        return real(page)

    monkeypatch.setattr(pypdf.PageObject, "extract_text", counting)

    message = read_error(pdf_of_pages(10), "ana.pdf")

    assert message.startswith("ana.pdf: holds over 100 characters of text")
    assert len(read) == 3  # 44 characters a page: the third goes over


def test_odt_spaces_that_would_be_over_the_char_limit_are_refused() -> None:
    data = odt_with_text('<text:p>Gap:<text:s text:c="2000000000"/>end.</text:p>')

    assert read_error(data, "ana.odt").startswith(
        f"ana.odt: holds over {formats.MAX_ESSAY_CHARS:,} characters of text"
    )


# --- 2. what a .docx or .odt unpacks to -----------------------------------------------------


def test_xml_limit_is_far_below_the_unpacked_limit() -> None:
    assert formats.MAX_XML_BYTES <= formats.MAX_UNPACKED_BYTES // 4


@pytest.mark.parametrize(
    ("name", "data", "library"),
    [
        ("ana.docx", docx_with_body("<w:p><w:r><w:t>" + "Versailles " * 200_000 + "</w:t></w:r></w:p>"), "docx.Document"),  # noqa: E501
        ("ana.odt", odt_with_text("<text:p>" + "Versailles " * 200_000 + "</text:p>"), "odf.opendocument.load"),  # noqa: E501
    ],
    ids=["docx", "odt"],
)  # fmt: skip
def test_xml_bomb_is_refused_by_its_headers_before_parsing(
    monkeypatch: pytest.MonkeyPatch, name: str, data: bytes, library: str
) -> None:
    # python-docx's template alone holds 800 KB of XML (its styles)
    monkeypatch.setattr(formats, "MAX_XML_BYTES", 1024 * 1024)
    monkeypatch.setattr(library, never_called)
    assert len(data) < 64 * 1024  # 2.2 MB of XML, compressed

    message = read_error(data, name)

    fmt = name.rsplit(".", 1)[1]
    assert message.startswith(f"{name}: its XML (the text and its layout) would unpack to ")
    assert message.endswith(
        f"over the 1 MB limit, so it was not opened. Ask the student to save it again "
        f"as .{fmt} and resubmit it."
    )


def test_xml_under_another_name_is_counted_while_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # python-docx parses whatever [Content_Types].xml calls XML, whatever its name:
    # the headers' count of .xml parts misses it, the read does not.
    hidden = b"<w:p>" + b"<w:t>Versailles</w:t>" * 20_000 + b"</w:p>"
    data = with_part(docx_bytes(["Versailles", ESSAY]), "word/media/document.bin", hidden)
    monkeypatch.setattr(formats, "MAX_XML_BYTES", 1024 * 1024)
    monkeypatch.setattr("docx.Document", never_called)

    assert read_error(data, "ana.docx") == (
        "ana.docx: its XML (the text and its layout) unpacks to more than the 1 MB limit, "
        "so it was not opened. Ask the student to save it again as .docx and resubmit it."
    )


def test_header_that_understates_a_part_cannot_make_more_of_it_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = "<w:p><w:r><w:t>" + "Versailles " * 20_000 + "</w:t></w:r></w:p>"
    data = understate(docx_with_body(body), DOCX_BODY, 1000)
    monkeypatch.setattr("docx.Document", never_called)

    message = read_error(data, "ana.docx")

    assert message.startswith("ana.docx: is not a readable Word document: it is corrupt")
    assert "word/document.xml" in message


def test_package_with_too_many_parts_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "MAX_PACKAGE_PARTS", 20)
    data = docx_bytes(["Versailles", ESSAY])
    for number in range(20):
        data = with_part(data, f"word/media/image{number}.png", b"\x89PNG")

    message = read_error(data, "ana.docx")

    assert message.startswith("ana.docx: holds ")
    assert message.endswith(
        "files inside (a .docx holds a few dozen), over the 20 limit, so it was not opened. "
        "Ask the student to save it again as .docx and resubmit it."
    )


def test_elements_over_the_limit_are_refused_before_parsing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(formats, "MAX_ELEMENTS", 5000)
    monkeypatch.setattr("odf.opendocument.load", never_called)

    assert read_error(odt_with_text("<text:p/>" * 5000), "ana.odt") == (
        "ana.odt: holds over 5,000 elements of markup (a long dissertation has tens of "
        "thousands), so it was not read. Ask the student to save it again as .odt and "
        "resubmit it."
    )


def test_package_with_an_encrypted_part_is_an_error() -> None:
    data = bytearray(docx_bytes(["Versailles", ESSAY]))
    entry = data.index(b"PK\x01\x02")
    data[entry + 8] |= 0x1  # the central directory's "encrypted" flag

    assert read_error(bytes(data), "ana.docx") == (
        "ana.docx: parts of it are encrypted. Ask the student to save it again as .docx "
        "without a password and resubmit it."
    )


def test_odt_declaring_entities_is_refused() -> None:
    # One entity can stand for thousands of elements the limits never counted;
    # odfpy parses with defusedxml, which refuses them.
    data = odt_bytes("Versailles", [ESSAY])
    content = zipfile.ZipFile(io.BytesIO(data)).read(ODT_BODY).decode()
    declaration, _, rest = content.partition("?>")
    entities = '<!DOCTYPE x [<!ENTITY p "<text:p>Versailles</text:p>">]>'
    rest = rest.replace("</office:text>", "&p;" * 50 + "</office:text>")
    bomb = with_part(data, ODT_BODY, f"{declaration}?>{entities}{rest}".encode())

    message = read_error(bomb, "ana.odt")

    assert message.startswith(
        "ana.odt: is not a readable OpenDocument text (.odt): it is corrupt or truncated ("
    )
    assert "Entities" in message


# --- 3 and 4. characters that are not Unicode --------------------------------------------


def test_rtf_emoji_as_word_writes_it_is_read_as_the_emoji() -> None:
    # Word writes U+1F600 as its UTF-16 surrogates, as signed 16-bit \u values,
    # each followed by a one-character fallback (\'3f, a question mark).
    rtf = rb"{\rtf1\ansi\ansicpg1252\uc1 Happy \u-10179\'3f\u-8704\'3f face.\par}"

    extracted = extract_text(rtf, "ana.rtf", "rtf")

    assert extracted.text.strip() == "Happy \U0001f600 face."
    assert extracted.warnings == ()


def test_pdf_with_lone_surrogates_reads_them_as_replacement_characters() -> None:
    data = pdf_with_cmap({"01": "0041", "02": "D83D", "03": "0042"}, "010203")
    assert "\ud83d" in pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()

    extracted = extract_text(data, "ana.pdf", "pdf")

    assert extracted.text.strip() == "A\ufffdB"
    assert json.dumps(extracted.text, ensure_ascii=False).encode("utf-8")
    assert extracted.warnings == (
        "1 character(s) of the file are not Unicode (broken UTF-16 surrogates) and were "
        "read as \ufffd. Check the text there.",
    )


def test_pdf_surrogate_pair_is_read_as_its_character() -> None:
    data = pdf_with_cmap({"01": "0041", "02": "D83DDE00"}, "0102")

    assert extract_text(data, "ana.pdf", "pdf").text.strip() == "A\U0001f600"


# --- 5 and 6. nesting and time ------------------------------------------------------------


def nesting_message(name: str, fmt: str) -> str:
    return (
        f"{name}: its elements are nested more than {formats.MAX_NESTING_DEPTH} deep (no "
        f"real document is), so it was not read. Ask the student to save it again as "
        f".{fmt} and resubmit it."
    )


@pytest.mark.parametrize(
    ("name", "data", "fmt"),
    [
        ("ana.odt", odt_with_text("<text:p>" + "<text:span>" * 50_000 + "deep" + "</text:span>" * 50_000 + "</text:p>"), "odt"),  # noqa: E501
        ("ana.odt", odt_with_text("<text:section>" * 2000 + "<text:p>deep</text:p>" + "</text:section>" * 2000), "odt"),  # noqa: E501
        ("ana.docx", docx_with_body("<w:customXml>" * 5000 + "<w:p/>" + "</w:customXml>" * 5000), "docx"),  # noqa: E501
        ("ana.docx", docx_with_body("<w:tbl><w:tr><w:tc>" * 100 + "<w:p/>" + "</w:tc></w:tr></w:tbl><w:p/>" * 100), "docx"),  # noqa: E501
        ("ana.html", b"<div>" * 20_000 + b"deep" + b"</div>" * 20_000, "docx"),
        ("ana.html", b"<div>" * 100_000 + b"deep", "docx"),
        ("ana.html", b"<div>" * 200 + b"deep", "docx"),
    ],
    ids=["odt-spans-50000", "odt-sections-2000", "docx-5000", "docx-tables-100", "html-20000",
         "html-100000-unclosed", "html-200"],
)  # fmt: skip
def test_deep_nesting_is_refused_quickly(name: str, data: bytes, fmt: str) -> None:
    start = time.perf_counter()
    with pytest.raises(EssayReadError) as caught:
        extract_text(data, name, name.rsplit(".", 1)[1])

    assert str(caught.value) == nesting_message(name, fmt)
    assert time.perf_counter() - start < 2


def test_nesting_within_the_limit_is_read() -> None:
    tables = "<w:tbl><w:tr><w:tc>" * 10 + "<w:p><w:r><w:t>deep</w:t></w:r></w:p>"
    docx = docx_with_body(tables + "</w:tc></w:tr></w:tbl><w:p/>" * 10)
    spans = "<text:span>" * 100 + "deep" + "</text:span>" * 100
    html = b"<div>" * 100 + b"deep" + b"</div>" * 100

    assert extract_text(docx, "ana.docx", "docx").text.strip() == "deep"
    assert extract_text(odt_with_text(f"<text:p>{spans}</text:p>"), "a.odt", "odt").text == "deep"
    assert extract_text(html, "ana.html", "html").text == "deep"


def test_html_with_many_elements_is_refused_quickly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "MAX_ELEMENTS", 1000)
    page = b"<p>x" * 5000

    assert timed(lambda: extract_text(page, "ana.html", "html")) < 2
    assert read_error(page, "ana.html").startswith("ana.html: holds over 1,000 elements")


def test_html_walk_keeps_blocks_cells_and_pre() -> None:
    page = (
        b"<body><p>One   two</p>tail <b>bold</b><table><tr><td>a</td><td>b</td></tr>"
        b"</table><pre>  kept\n  as is</pre><script>hidden()</script>after</body>"
    )

    assert extract_text(page, "ana.html", "html").text == (
        "One two\ntail bold\na b\nkept\nas is\nafter"
    )


def test_docx_vertically_merged_column_of_many_rows_is_read_quickly() -> None:
    # python-docx's row.cells climbs the rows for each merged cell: quadratic, and
    # a RecursionError past a thousand rows.
    restart = "<w:tr><w:tc><w:tcPr><w:vMerge w:val='restart'/></w:tcPr><w:p><w:r><w:t>Merged</w:t></w:r></w:p></w:tc></w:tr>"  # noqa: E501
    continued = "<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc></w:tr>" * 3000
    table = f"<w:tbl><w:tblGrid><w:gridCol/></w:tblGrid>{restart}{continued}</w:tbl>"

    start = time.perf_counter()
    text = extract_text(docx_with_body(table), "ana.docx", "docx").text

    assert text.strip() == "Merged"
    assert time.perf_counter() - start < 2


def test_pdf_with_too_many_pages_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "MAX_PDF_PAGES", 3)

    assert read_error(pdf_of_pages(4), "ana.pdf") == (
        "ana.pdf: the PDF has 4 pages, and essaycheck reads at most 3, so it was not read. "
        "Check that it is the essay (not a book or a whole portfolio), or ask the student "
        "for the essay alone."
    )


def test_pdf_with_too_many_drawing_instructions_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(formats, "MAX_PDF_CONTENT_BYTES", 100)

    assert read_error(pdf_of_pages(3), "ana.pdf") == (
        "ana.pdf: the PDF's pages hold over 1 KB of drawing instructions (text, lines and "
        "shapes), more than essaycheck reads, so it was not read. Ask the student for the "
        "original document (.docx, .odt or .txt)."
    )


# --- 7. a stray byte in UTF-8 --------------------------------------------------------------

UTF8_ESSAY = (
    "The Treaty of Versailles was signed in 1919. \u201cIt was harsh,\u201d wrote Keynes "
    "\u2014 and Germany\u2019s economy suffered. The caf\u00e9s of Berlin emptied.\n"
)


@pytest.mark.parametrize("position", [10, 100, 200])
def test_one_stray_byte_in_utf8_is_replaced_not_garbled(position: int) -> None:
    data = UTF8_ESSAY.encode() * 2
    data = data[:position] + b"\x93" + data[position:]
    expected = (UTF8_ESSAY.encode() * 2)[:position].decode() + "\ufffd"

    extracted = extract_text(data, "ana.txt", "txt")

    assert extracted.encoding == "utf-8"
    assert extracted.text.startswith(expected)
    assert extracted.text.count("\u201c") == 2
    assert extracted.warnings == (
        f"1 byte of the file is not valid UTF-8 (the first, 0x93, at offset {position}) "
        "and was read as \ufffd; the rest is UTF-8. Check the text there, or save the file "
        "again as UTF-8.",
    )


def test_stray_byte_after_a_utf8_bom_is_replaced() -> None:
    data = b"\xef\xbb\xbf" + UTF8_ESSAY.encode()[:50] + b"\xff" + UTF8_ESSAY.encode()[50:]

    decoded = decode_text(data, "ana.txt")

    assert (decoded.encoding, decoded.text.count("\ufffd")) == ("utf-8-sig", 1)
    assert decoded.text.startswith("The Treaty")


def test_html_with_a_stray_byte_keeps_its_utf8() -> None:
    page = b"<p>" + UTF8_ESSAY.encode() + b"\x85</p>"

    extracted = extract_text(page, "ana.html", "html")

    assert extracted.text == UTF8_ESSAY.strip() + " \ufffd"
    assert extracted.warnings[0].startswith("1 byte of the file is not valid UTF-8")


def test_cp1252_with_an_accidental_utf8_sequence_is_still_cp1252() -> None:
    # "ß" then a closing quote is DF 94 in cp1252, which is also valid UTF-8 ("Ɣ").
    text = "Er sagte \u201egro\u00df\u201d, sp\u00e4ter \u00fcber M\u00fcller und K\u00f6ln."
    decoded = decode_text(text.encode("cp1252"), "ana.txt")

    assert (decoded.text, decoded.encoding, decoded.warnings) == (text, "cp1252", ())


def test_mostly_invalid_utf8_is_left_to_the_detector() -> None:
    data = "caf\u00e9 cr\u00e8me br\u00fbl\u00e9e \u2014 ".encode("cp1252") + "\u00e9".encode()

    assert decode_text(data, "ana.txt").encoding == "cp1252"


# --- 8. pypdf's own messages -------------------------------------------------------------


def damaged_pdf() -> bytes:
    """A PDF whose byte offsets are two off: pypdf repairs it, and logs that it did."""
    return pdf_bytes([ESSAY]).replace(b"%PDF-1.4\n", b"%PDF-1.4\n\n\n", 1)


def test_pypdf_logs_repairs_when_used_directly(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        pypdf.PdfReader(io.BytesIO(damaged_pdf())).pages[0].extract_text()

    assert any(record.name.startswith("pypdf") for record in caplog.records)


def test_pdf_reader_keeps_pypdf_log_messages_quiet(caplog: pytest.LogCaptureFixture) -> None:
    level = logging.getLogger("pypdf").level

    with caplog.at_level(logging.DEBUG):
        text = extract_text(damaged_pdf(), "ana.pdf", "pdf").text

    assert text.strip() == ESSAY
    assert [record for record in caplog.records if record.name.startswith("pypdf")] == []
    assert logging.getLogger("pypdf").level == level


def test_pdf_reader_keeps_pypdf_warnings_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    real = pypdf.PageObject.extract_text

    def deprecated(page: pypdf.PageObject, *args: object, **kwargs: object) -> str:
        warnings.warn("this pypdf call is deprecated", DeprecationWarning, stacklevel=2)
        return real(page)

    monkeypatch.setattr(pypdf.PageObject, "extract_text", deprecated)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        text = extract_text(pdf_bytes([ESSAY]), "ana.pdf", "pdf").text

    assert (text.strip(), caught) == (ESSAY, [])


# --- 9. errors from the system -------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "reason", "remedy"),
    [
        (errno.EACCES, "Permission denied", "Check its permissions."),
        (errno.EIO, "Input/output error", "The disk or drive it is on may be failing: copy it to another drive and try again."),  # noqa: E501
        (errno.ESTALE, "Stale file handle", "It is on a network or cloud drive that did not answer: reconnect the drive, or copy the file to this computer, and try again."),  # noqa: E501
        (errno.EMFILE, "Too many open files", "Too many files are open at once: mark with fewer --jobs, or close other programs, and try again."),  # noqa: E501
        (errno.EROFS, "Read-only file system", "Check the drive it is on, or copy it to another folder, and try again."),  # noqa: E501
    ],
    ids=["permission", "io", "network", "open-files", "other"],
)  # fmt: skip
def test_os_error_says_what_the_system_said_and_what_to_do(
    number: int, reason: str, remedy: str
) -> None:
    message = str(unreadable_error("ana.txt", OSError(number, reason)))

    assert message == f"ana.txt: cannot be read ({reason}). {remedy}"


def test_os_error_without_a_number_still_says_what_happened() -> None:
    assert str(unreadable_error("class/", OSError("device vanished"), "listed")) == (
        "class/: cannot be listed (device vanished). Check the drive it is on, or copy it to "
        "another folder, and try again."
    )

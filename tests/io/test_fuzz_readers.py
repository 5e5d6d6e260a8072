"""Fuzzing each reader: mutated files are read or refused cleanly, and quickly.

Each target starts from a small valid file built here and mutates it with
hypothesis: bytes flipped, inserted, deleted or cut off; for .docx and .odt also
inside the zip, in an XML part that is packed again; for RTF and HTML also
markup stitched together from pieces that have broken readers before. Whatever
comes in, the reader returns text that is valid Unicode or raises EssayReadError
naming the file; never another exception, never slowly. Derandomized, so every
run tries the same inputs.
"""

from __future__ import annotations

import io
import json
import struct
import time
import zipfile

from documents import ESSAY, docx_bytes, odt_bytes, pdf_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from essaycheck.errors import EssayReadError
from essaycheck.io.formats import extract_text

SECONDS = 5
"""The most one small input may take to read; they take milliseconds."""

FUZZ = settings(
    derandomize=True,
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SEEDS = {
    "txt": "He said \u201cpeace\u201d \u2014 it\u2019s over.\r\nThe caf\u00e9 closed.".encode(),
    "md": "# Versailles\n\nIt was *signed* in 1919 \u2014 caf\u00e9.\n".encode("cp1252"),
    "rtf": (
        rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Helvetica;}}\f0\uc1 "
        rb"He said \'93peace\'94 \u-10179\'3f\u-8704\'3f.\par The caf\'e9 \u8212? closed.\par}"
    ),
    "html": (
        b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>T</title></head><body>"
        b"<h1>Versailles</h1><p>The treaty <b>was</b> signed.</p><pre> a\n b</pre>"
        b"<table><tr><td>x</td><td>y</td></tr></table><script>s()</script></body></html>"
    ),
    "docx": docx_bytes(["Versailles", ESSAY], table=[["Cause", "Effect"], ["War", "Treaty"]]),
    "odt": odt_bytes("Versailles", [ESSAY, "It ended the war."]),
    "pdf": pdf_bytes([ESSAY, "It ended the war."]),
}
RTF_PIECES = [
    "{", "}", r"\par ", r"\u-10179?", r"\u-8704\'3f", r"\u65535?", r"\u99999999 ", r"\'e9",
    r"\'zz", r"\uc0 ", r"\uc5 ", r"\ansicpg1251 ", r"\ansicpg99999 ", r"\bin4 ", r"\*\pict ",
    r"{\fonttbl{\f0 Arial;}}", r"\f0 ", "text ", "\\", "\u00e9", "\r\n", r"\uc ", r"\u ",
]  # fmt: skip
HTML_PIECES = [
    "<div>", "</div>", "<p>", "</p>", "<pre>", "</pre>", "<td>", "<table><tr>", "<script>",
    "</script>", "<style>", "<!--", "-->", "<![CDATA[", "]]>", "&amp;", "&#xD800;",
    "&#1114112;", "<br/>", "<meta charset='x-unknown'>", "<meta charset='utf-16'>",
    "<?xml version='1.0' encoding='latin-1'?>", "<!DOCTYPE html>", "<b", " a='1'", ">",
    "text ", "\u00e9", "\udcff", "\x00", "<svg><foreignObject>", "<template>", "<title>",
]  # fmt: skip
MAIN_PARTS = {"docx": "word/document.xml", "odt": "content.xml"}


def mutations() -> st.SearchStrategy[list[tuple[str, int, bytes]]]:
    """Edits to apply to a file: (what, where, bytes), up to eight of them."""
    edit = st.tuples(
        st.sampled_from(["flip", "insert", "delete", "cut"]),
        st.integers(min_value=0, max_value=1 << 20),
        st.binary(min_size=1, max_size=16),
    )
    return st.lists(edit, max_size=8)


def mutate(data: bytes, edits: list[tuple[str, int, bytes]]) -> bytes:
    mutated = bytearray(data)
    for what, where, some in edits:
        at = where % (len(mutated) + 1)
        if what == "flip" and mutated:
            mutated[at % len(mutated)] = some[0]
        elif what == "insert":
            mutated[at:at] = some
        elif what == "delete":
            del mutated[at : at + len(some)]
        elif what == "cut":
            del mutated[at:]
    return bytes(mutated)


def repack(package: bytes, member: str, edits: list[tuple[str, int, bytes]]) -> bytes:
    """Return ``package`` with ``member`` mutated and the zip written again, valid."""
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as changed:
        for info in source.infolist():
            body = source.read(info)
            changed.writestr(info, mutate(body, edits) if info.filename == member else body)
    return out.getvalue()


def assert_read_or_refused(data: bytes, fmt: str) -> None:
    name = f"ana.{fmt}"
    start = time.perf_counter()
    try:
        extracted = extract_text(data, name, fmt)
    except EssayReadError as err:
        assert str(err).startswith(f"{name}: ")
    else:
        # Valid Unicode: it can be printed, and written as JSON and HTML.
        assert extracted.text.encode("utf-8").decode("utf-8") == extracted.text
        written = json.dumps({"text": extracted.text}, ensure_ascii=False).encode("utf-8")
        assert json.loads(written) == {"text": extracted.text}
        assert all(isinstance(warning, str) for warning in extracted.warnings)
    assert time.perf_counter() - start < SECONDS


def test_every_seed_is_read() -> None:
    for fmt, data in SEEDS.items():
        assert extract_text(data, f"ana.{fmt}", fmt).text.strip(), fmt


@FUZZ
@given(edits=mutations())
def test_fuzz_txt(edits: list[tuple[str, int, bytes]]) -> None:
    assert_read_or_refused(mutate(SEEDS["txt"], edits), "txt")


@FUZZ
@given(data=st.binary(max_size=400))
def test_fuzz_md_random_bytes(data: bytes) -> None:
    assert_read_or_refused(data, "md")


@FUZZ
@given(edits=mutations())
def test_fuzz_rtf(edits: list[tuple[str, int, bytes]]) -> None:
    assert_read_or_refused(mutate(SEEDS["rtf"], edits), "rtf")


@FUZZ
@given(pieces=st.lists(st.sampled_from(RTF_PIECES), max_size=60))
def test_fuzz_rtf_markup(pieces: list[str]) -> None:
    assert_read_or_refused(("{\\rtf1 " + "".join(pieces)).encode("utf-8"), "rtf")


@FUZZ
@given(edits=mutations())
def test_fuzz_html(edits: list[tuple[str, int, bytes]]) -> None:
    assert_read_or_refused(mutate(SEEDS["html"], edits), "html")


@FUZZ
@given(pieces=st.lists(st.sampled_from(HTML_PIECES), max_size=80))
def test_fuzz_html_markup(pieces: list[str]) -> None:
    assert_read_or_refused("".join(pieces).encode("utf-8", "surrogatepass"), "html")


@FUZZ
@given(edits=mutations())
def test_fuzz_docx_bytes(edits: list[tuple[str, int, bytes]]) -> None:
    assert_read_or_refused(mutate(SEEDS["docx"], edits), "docx")


@FUZZ
@given(edits=mutations())
def test_fuzz_docx_xml(edits: list[tuple[str, int, bytes]]) -> None:
    assert_read_or_refused(repack(SEEDS["docx"], MAIN_PARTS["docx"], edits), "docx")


@FUZZ
@given(fmt=st.sampled_from(["docx", "odt"]), edits=mutations())
def test_fuzz_zip_headers(fmt: str, edits: list[tuple[str, int, bytes]]) -> None:
    # The central directory, where zipfile reads the names, sizes and offsets, is
    # the end of the file; where it starts, its last record says.
    seed = SEEDS[fmt]
    directory = struct.unpack_from("<I", seed, seed.rindex(b"PK\x05\x06") + 16)[0]
    assert_read_or_refused(seed[:directory] + mutate(seed[directory:], edits), fmt)


@FUZZ
@given(edits=mutations())
def test_fuzz_odt_bytes(edits: list[tuple[str, int, bytes]]) -> None:
    assert_read_or_refused(mutate(SEEDS["odt"], edits), "odt")


@FUZZ
@given(
    member=st.sampled_from(["content.xml", "styles.xml", "META-INF/manifest.xml"]),
    edits=mutations(),
)
def test_fuzz_odt_xml(member: str, edits: list[tuple[str, int, bytes]]) -> None:
    assert_read_or_refused(repack(SEEDS["odt"], member, edits), "odt")


@FUZZ
@given(edits=mutations())
def test_fuzz_pdf(edits: list[tuple[str, int, bytes]]) -> None:
    assert_read_or_refused(mutate(SEEDS["pdf"], edits), "pdf")

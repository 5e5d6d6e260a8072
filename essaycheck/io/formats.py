r"""extract_text(): the text of an essay file, one reader per format.

Each reader takes the file's bytes and returns its text; none lets a library's
exception escape: a file the library cannot read is an EssayReadError that says
what to ask the student for. Newlines come back as ``\n``; deciding whether the
text is empty is left to the caller.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from xml.sax import SAXException

from essaycheck.errors import EssayReadError
from essaycheck.io.encodings import decode_text

if TYPE_CHECKING:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

# Each format's library is imported by its reader, when a file of that format is
# read: checking a .txt essay then never pays for pypdf, python-docx, lxml or bs4.

MAX_ESSAY_BYTES = 10 * 1024 * 1024
"""The largest essay file read, in bytes; checked before reading."""
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
"""The most a .docx, .odt or .zip may unpack to, in bytes, by its own headers."""

TEXT_FORMATS = ("txt", "md")

# An OLE2 compound file: an old .doc, or a password-protected .docx (Office
# wraps an encrypted package in one).
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError)
# Not "head" itself: html.parser does not close an unclosed <head>, so a careless
# page can have its whole body inside it.
_HIDDEN_HTML = ("script", "style", "noscript", "template", "title")
_BLOCK_HTML = (
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tr", "ul",
)  # fmt: skip
_CELL_HTML = ("td", "th")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Extracted:
    """The text of a file and, for a text format, the encoding it was decoded with."""

    text: str
    encoding: str | None = None


def extract_text(data: bytes, name: str, fmt: str) -> Extracted:
    """Return the text in a file's bytes, read as format ``fmt``.

    Args:
        data: the whole file.
        name: how messages name the file.
        fmt: the file's suffix, lower case, without the dot (one of FORMATS).

    Raises:
        EssayReadError: the format is not supported, or the file is corrupt,
            encrypted, scanned or not text.
    """
    reader = READERS.get(fmt)
    if reader is None:
        raise unsupported_error(name, fmt)
    extracted = reader(data, name)
    return Extracted(normalise_newlines(extracted.text), extracted.encoding)


def unsupported_error(name: str, fmt: str) -> EssayReadError:
    """Return the error for a file whose suffix names no format essaycheck reads."""
    kind = f".{fmt} files are" if fmt else "a file without an extension is"
    return EssayReadError(
        f"{name}: {kind} not supported. Save the essay as {SUPPORTED_LIST} and try again."
    )


def normalise_newlines(text: str) -> str:
    r"""Turn Windows (``\r\n``) and old Mac (``\r``) line ends into ``\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- text formats ---------------------------------------------------------------


def read_plain(data: bytes, name: str) -> Extracted:
    """Read a .txt or .md file in whatever encoding it was saved."""
    text, encoding = decode_text(data, name)
    return Extracted(text, encoding)


def read_rtf(data: bytes, name: str) -> Extracted:
    r"""Read an RTF file with striprtf.

    RTF spells non-ASCII characters as escapes (``\'e9``, ``\u8220``) in the
    code page the file declares, so the file's own encoding is not recorded.
    """
    from striprtf.striprtf import rtf_to_text

    markup, _ = decode_text(data, name)
    try:
        # errors="replace": one byte the declared code page lacks costs a character,
        # not the essay. Unknown code pages raise LookupError; a \u escape out of
        # Unicode's range raises ValueError.
        text: str = rtf_to_text(markup, errors="replace")  # type: ignore[no-untyped-call]
        return Extracted(text)
    except (LookupError, ValueError) as err:
        raise _corrupt_error(name, "RTF document", _detail(err)) from err


def read_html(data: bytes, name: str) -> Extracted:
    """Read the visible text of an HTML page: scripts and styles dropped, blocks on lines."""
    from bs4 import BeautifulSoup
    from bs4.dammit import EncodingDetector
    from bs4.element import NavigableString
    from bs4.exceptions import ParserRejectedMarkup

    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    markup, encoding = decode_text(data, name, declared=declared)
    try:
        soup = BeautifulSoup(markup, "html.parser")
    except ParserRejectedMarkup as err:
        raise _corrupt_error(name, "HTML page", _detail(err)) from err
    for hidden in soup.find_all(_HIDDEN_HTML):
        hidden.decompose()
    for string in soup.find_all(string=True):
        # Only plain text: comments and doctypes stay out of get_text() as they are.
        if type(string) is NavigableString and string.find_parent("pre") is None:
            string.replace_with(_SPACES.sub(" ", string))
    for block in soup.find_all(_BLOCK_HTML):
        block.insert_before("\n")
        block.insert_after("\n")
    for cell in soup.find_all(_CELL_HTML):
        cell.insert_after(" ")
    lines = (line.strip() for line in soup.get_text().splitlines())
    return Extracted("\n".join(line for line in lines if line), encoding)


# --- binary formats -------------------------------------------------------------


def read_docx(data: bytes, name: str) -> Extracted:
    """Read a Word .docx with python-docx: its paragraphs and table cells, in order."""
    import docx
    from docx.exceptions import PythonDocxError
    from docx.opc.exceptions import OpcError
    from lxml.etree import LxmlError

    if data.startswith(_OLE2):
        raise EssayReadError(
            f"{name}: is an old Word .doc or a password-protected Word file, not a .docx. "
            "Ask the student to save it as .docx without a password."
        )
    _check_unpacked_size(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
        return Extracted("\n".join(_docx_lines(document)))
    # python-docx reads parts by name (KeyError when one is missing) and trusts
    # the package's XML: a damaged [Content_Types].xml surfaces as AttributeError.
    except (*_ZIP_ERRORS, KeyError, AttributeError, OpcError, PythonDocxError, LxmlError) as err:
        raise _corrupt_error(name, "Word document", _detail(err)) from err


class _BlockContainer(Protocol):
    def iter_inner_content(self) -> Iterator[Paragraph | Table]: ...


def _docx_lines(container: _BlockContainer) -> Iterator[str]:
    from docx.table import Table

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                seen: set[int] = set()
                for cell in row.cells:
                    # A merged cell comes back once per grid column it spans;
                    # python-docx has no public identity for it but its element.
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        yield from _docx_lines(cell)
        else:
            yield block.text


def read_odt(data: bytes, name: str) -> Extracted:
    """Read an OpenDocument .odt with odfpy: its headings and paragraphs, in order."""
    from odf import opendocument

    _check_unpacked_size(data, name)
    kind = "OpenDocument text (.odt)"
    printed = io.StringIO()
    try:
        # odfpy prints a part it cannot parse to stdout and carries on without it:
        # capture that, so it neither spoils our output nor passes as an empty essay.
        with contextlib.redirect_stdout(printed):
            document = opendocument.load(io.BytesIO(data))
        if printed.getvalue():
            raise _corrupt_error(name, kind, "a part of it is not well-formed XML")
        return Extracted("\n".join(_odt_lines(document.body)))
    # odfpy checks a file's structure with assert statements, reads parts by name
    # (KeyError), honours the XML's declared encoding (LookupError), and on odd
    # structures fails as TypeError or AttributeError; the XML parser raises
    # SAXException.
    except (
        *_ZIP_ERRORS, LookupError, SAXException, AssertionError, TypeError, AttributeError
    ) as err:  # fmt: skip
        raise _corrupt_error(name, kind, _detail(err)) from err


def _odt_lines(element: Any) -> Iterator[str]:
    from odf import teletype
    from odf.namespaces import TEXTNS

    for child in element.childNodes:
        if getattr(child, "qname", None) in ((TEXTNS, "p"), (TEXTNS, "h")):
            yield teletype.extractText(child)
        elif child.nodeType == child.ELEMENT_NODE:
            yield from _odt_lines(child)


def read_pdf(data: bytes, name: str) -> Extracted:
    """Read a PDF's text layer with pypdf, page after page."""
    import pypdf
    from pypdf.errors import DependencyError, PyPdfError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise _encrypted_error(name)
        pages = [page.extract_text() for page in reader.pages]
    except DependencyError as err:  # AES-encrypted, and no AES library installed
        raise _encrypted_error(name) from err
    # pypdf raises its own PyPdfError for what it recognises as broken, but a
    # damaged file can also surface as a builtin error from deep in its parser.
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError,
            AssertionError, RecursionError, zlib.error) as err:  # fmt: skip
        raise _corrupt_error(name, "PDF", _detail(err)) from err
    text = "\n".join(pages)
    if pages and not text.strip():
        raise EssayReadError(
            f"{name}: the PDF is scanned: no text layer; ask for the original document "
            "(.docx, .odt or .txt), or run OCR on it first."
        )
    return Extracted(text)


def _encrypted_error(name: str) -> EssayReadError:
    return EssayReadError(
        f"{name}: the PDF is password-protected: ask the student for an unprotected copy."
    )


def _detail(err: BaseException) -> str:
    return str(err) or type(err).__name__


def _corrupt_error(name: str, kind: str, detail: str) -> EssayReadError:
    return EssayReadError(
        f"{name}: is not a readable {kind}: it is corrupt or truncated ({detail}). "
        "Ask the student to save it again and resubmit it."
    )


def _check_unpacked_size(data: bytes, name: str) -> None:
    """Refuse a .docx or .odt whose parts would unpack to more than MAX_UNPACKED_BYTES."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(info.file_size for info in package.infolist())
    except _ZIP_ERRORS:
        return  # not a zip at all: the reader says so in its own words
    if unpacked > MAX_UNPACKED_BYTES:
        raise EssayReadError(
            f"{name}: would unpack to {format_size(unpacked)}, over the "
            f"{format_size(MAX_UNPACKED_BYTES)} limit, so it was not opened. "
            "Ask the student to save it again and resubmit it."
        )


def format_size(size: int) -> str:
    """Format a size in bytes for a message: ``10 MB``, ``10.5 MB``, ``12 KB``."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MB"


Reader = Callable[[bytes, str], Extracted]

READERS: dict[str, Reader] = {
    "docx": read_docx,
    "odt": read_odt,
    "pdf": read_pdf,
    "rtf": read_rtf,
    "html": read_html,
    "htm": read_html,
    "md": read_plain,
    "txt": read_plain,
}
"""Every format essaycheck reads: file suffix (lower case, no dot) -> its reader.

A new input format is one reader function and one row here; FORMATS, the
messages and the meta-test of the README and ``--help`` follow from it.
"""
ALIASES = frozenset({"htm"})
"""Suffixes read like another one, left out of the lists shown to people."""
FORMATS = tuple(READERS)
"""Every format read, by file suffix without the dot."""
SHOWN_FORMATS = tuple(fmt for fmt in READERS if fmt not in ALIASES)
"""The formats read, as people are told them (no aliases)."""
SUPPORTED_LIST = ", ".join(f".{fmt}" for fmt in SHOWN_FORMATS[:-1]) + f" or .{SHOWN_FORMATS[-1]}"
"""The formats read, for messages: ``.docx, .odt, .pdf, .rtf, .html, .md or .txt``."""

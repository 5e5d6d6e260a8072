r"""extract_text(): the text of an essay file, one reader per format.

Each reader takes the file's bytes and returns its text; none lets a library's
exception escape: a file the library cannot read is an EssayReadError that says
what to ask the student for. Newlines come back as ``\n``; deciding whether the
text is empty is left to the caller.

Every reader is bounded, so that one crafted file cannot stop a class: the
file's size (MAX_ESSAY_BYTES), what a .docx or .odt unpacks to and how much XML
it holds, how deep any markup nests, a PDF's pages and drawing instructions, and
the characters of text that come out (MAX_ESSAY_CHARS). Within them, each reader
takes a few seconds at most.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import io
import logging
import lzma
import re
import struct
import threading
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import IO, TYPE_CHECKING, Any, Protocol
from xml.sax import SAXException

from essaycheck.errors import EssayReadError
from essaycheck.io.encodings import decode_text

if TYPE_CHECKING:
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph
    from pypdf import PdfReader

# Each format's library is imported by its reader, when a file of that format is
# read: checking a .txt essay then never pays for pypdf, python-docx, lxml or bs4.

MAX_ESSAY_BYTES = 10 * 1024 * 1024
"""The largest essay file read, in bytes; checked before reading."""
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
"""The most a .docx, .odt or .zip may unpack to, in bytes, by its own headers."""
MAX_ESSAY_CHARS = 300_000
"""The most characters of text one essay may hold; checked on the extracted text.

spaCy refuses a text over 1,000,000 characters (its ``nlp.max_length``), and
reading and marking time grow with the length: pypdf takes about 15 seconds for
a million characters. A long essay is 20,000 to 60,000 characters and even a
dissertation is well under 200,000, so this refuses only what is not one essay
(a book, a whole portfolio, a data dump).
"""
MAX_XML_BYTES = 20 * 1024 * 1024
"""The most the XML parts of a .docx or .odt may unpack to, together, in bytes.

A long thesis holds a few MB of XML. Parsing takes 15 to 25 times the XML's size
in memory, so this keeps one essay under about half a GB. Checked from the zip's
headers, and again while the parts are read, before any library parses them.
"""
MAX_ELEMENTS = 200_000
"""The most elements an HTML page, or a .docx or .odt in all its XML parts, may hold.

A dissertation, styles and all, has tens of thousands. python-docx and odfpy
spend 10 to 20 microseconds on each element, so this keeps one file within about
four seconds.
"""
MAX_PACKAGE_PARTS = 10_000
"""The most files (parts) a .docx or .odt may hold; Word writes a few dozen, plus its pictures."""
MAX_NESTING_DEPTH = 128
"""How deep elements may nest in a .docx, an .odt or an HTML page.

Word, LibreOffice and HTML exports nest 10 to 40 deep, tables in tables and text
boxes included. Deeper nesting comes only from a crafted file, and would run the
readers' libraries out of Python's recursion (libxml2 itself stops at 256).
"""
MAX_PDF_PAGES = 1000
"""The most pages a PDF may have; a dissertation has a few hundred."""
MAX_PDF_CONTENT_BYTES = 1024 * 1024
"""The most the pages of a PDF may hold in drawing instructions, unpacked, in bytes.

pypdf parses those of text at about 0.25 to 0.5 MB a second, so this keeps a PDF
within a few seconds; a page of text takes 3 to 10 KB, so it is 100 or more pages.
"""

TEXT_FORMATS = ("txt", "md")

# An OLE2 compound file: an old .doc, or a password-protected .docx (Office
# wraps an encrypted package in one).
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# What zipfile raises for a damaged package or part: a bad header or CRC, a
# damaged deflate, bzip2 (OSError) or lzma stream, a stream that ends early, a
# compression method it lacks, a short or out-of-range field in a header (struct.error,
# OverflowError).
_ZIP_ERRORS = (
    zipfile.BadZipFile, zlib.error, lzma.LZMAError, OSError, EOFError, NotImplementedError,
    ValueError, struct.error, OverflowError,
)  # fmt: skip
_ENCRYPTED = 0x1
_CHUNK_BYTES = 64 * 1024
_XML_NAMES = (".xml", ".rels")
# An ODF <text:s text:c="N"/> stands for N spaces, which odfpy builds as one string.
_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_ODF_SPACES = f"{{{_ODF_TEXT}}}s"
_ODF_SPACE_COUNT = f"{{{_ODF_TEXT}}}c"
_ODF_BLOCKS = ((_ODF_TEXT, "p"), (_ODF_TEXT, "h"))
# Not "head" itself: parsers differ on where a careless page's unclosed head ends.
_HIDDEN_HTML = ("script", "style", "noscript", "template", "title")
_BLOCK_HTML = frozenset((
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tr", "ul",
))  # fmt: skip
_CELL_HTML = frozenset(("td", "th"))
_SPACES = re.compile(r"\s+")
_SURROGATES = re.compile("[\ud800-\udfff]")
# pypdf logs every repair it makes to a damaged PDF; see _quiet_pypdf.
_PYPDF_QUIET = threading.Lock()


@dataclass(frozen=True)
class Extracted:
    """The text of a file, the encoding a text format was decoded with, and warnings.

    Attributes:
        text: the file's text.
        encoding: the encoding a text format (.txt, .md, .html) was decoded with;
            None for the other formats.
        warnings: what about the reading the essay's result should mention
            (bytes or characters that had to be replaced).
    """

    text: str
    encoding: str | None = None
    warnings: tuple[str, ...] = ()


def extract_text(data: bytes, name: str, fmt: str) -> Extracted:
    """Return the text in a file's bytes, read as format ``fmt``.

    Characters that are not Unicode (lone UTF-16 surrogates, as a damaged PDF or
    RTF gives) become U+FFFD, so the text can be printed and written as JSON; a
    pair of surrogates becomes the character it spells.

    Args:
        data: the whole file.
        name: how messages name the file.
        fmt: the file's suffix, lower case, without the dot (one of FORMATS).

    Raises:
        EssayReadError: the format is not supported, the file is corrupt,
            encrypted, scanned or not text, or it is over one of the limits.
    """
    reader = READERS.get(fmt)
    if reader is None:
        raise unsupported_error(name, fmt)
    extracted = reader(data, name)
    if len(extracted.text) > MAX_ESSAY_CHARS:
        raise _too_long_error(name, len(extracted.text))
    text, replaced = _valid_unicode(extracted.text)
    notes = extracted.warnings
    if replaced:
        notes += (
            f"{replaced} character(s) of the file are not Unicode (broken UTF-16 "
            "surrogates) and were read as \ufffd. Check the text there.",
        )
    return replace(extracted, text=normalise_newlines(text), warnings=notes)


def unsupported_error(name: str, fmt: str) -> EssayReadError:
    """Return the error for a file whose suffix names no format essaycheck reads."""
    kind = f".{fmt} files are" if fmt else "a file without an extension is"
    return EssayReadError(
        f"{name}: {kind} not supported. Save the essay as {SUPPORTED_LIST} and try again."
    )


_OS_REMEDY = "Check the drive it is on, or copy it to another folder, and try again."
_PERMISSION_REMEDY = "Check its permissions."
_NETWORK_REMEDY = (
    "It is on a network or cloud drive that did not answer: reconnect the drive, "
    "or copy the file to this computer, and try again."
)
_FILES_REMEDY = (
    "Too many files are open at once: mark with fewer --jobs, or close other programs, "
    "and try again."
)
_NETWORK_ERRORS = (
    errno.ESTALE, errno.ETIMEDOUT, errno.EHOSTDOWN, errno.EHOSTUNREACH, errno.ENETDOWN,
    errno.ENETUNREACH, errno.ECONNRESET, errno.ECONNABORTED, errno.ENOTCONN,
)  # fmt: skip
_OS_REMEDIES = {
    errno.EACCES: _PERMISSION_REMEDY,
    errno.EPERM: _PERMISSION_REMEDY,
    errno.EIO: "The disk or drive it is on may be failing: copy it to another drive and try again.",
    errno.ENOENT: "Check the path.",
    errno.ELOOP: "It is a link that leads back to itself: replace the link with the file.",
    errno.ENAMETOOLONG: "Its path is too long: move it to a folder with a shorter path.",
    errno.EMFILE: _FILES_REMEDY,
    errno.ENFILE: _FILES_REMEDY,
    errno.ENOMEM: "The computer ran out of memory: close other programs and try again.",
    **dict.fromkeys(_NETWORK_ERRORS, _NETWORK_REMEDY),
}


def unreadable_error(name: str, err: OSError, done: str = "read") -> EssayReadError:
    """Return the error for a file the system could not read: the OS's reason and a remedy.

    Args:
        name: how the message names the file.
        err: the system's error.
        done: what could not be done to it (``read``, ``listed``).
    """
    reason = err.strerror or str(err) or type(err).__name__
    remedy = _OS_REMEDIES.get(err.errno or 0, _OS_REMEDY)
    return EssayReadError(f"{name}: cannot be {done} ({reason}). {remedy}")


def normalise_newlines(text: str) -> str:
    r"""Turn Windows (``\r\n``) and old Mac (``\r``) line ends into ``\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _valid_unicode(text: str) -> tuple[str, int]:
    """Join surrogate pairs into their characters and replace lone surrogates.

    Returns the text and how many lone surrogates were replaced with U+FFFD.
    """
    if _SURROGATES.search(text) is None:
        return text, 0
    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return joined, joined.count("\ufffd") - text.count("\ufffd")


# --- text formats ---------------------------------------------------------------


def read_plain(data: bytes, name: str) -> Extracted:
    """Read a .txt or .md file in whatever encoding it was saved."""
    decoded = decode_text(data, name)
    return Extracted(decoded.text, decoded.encoding, decoded.warnings)


def read_rtf(data: bytes, name: str) -> Extracted:
    r"""Read an RTF file with striprtf.

    RTF spells non-ASCII characters as escapes (``\'e9``, ``\u8220``) in the
    code page the file declares, so the file's own encoding is not recorded.
    Word writes a character outside the Basic Multilingual Plane (an emoji) as
    two negative ``\u`` escapes, a UTF-16 surrogate pair: extract_text joins them.
    """
    from striprtf.striprtf import rtf_to_text

    decoded = decode_text(data, name)
    try:
        # errors="replace": one byte the declared code page lacks costs a character,
        # not the essay. Unknown code pages raise LookupError; a \u escape out of
        # Unicode's range raises ValueError, a \u or \uc without its number TypeError.
        text: str = rtf_to_text(decoded.text, errors="replace")  # type: ignore[no-untyped-call]
    except (LookupError, ValueError, TypeError) as err:
        raise _corrupt_error(name, "RTF document", _detail(err)) from err
    return Extracted(text, warnings=decoded.warnings)


def read_html(data: bytes, name: str) -> Extracted:
    """Read the visible text of an HTML page: scripts and styles dropped, blocks on lines.

    The page is parsed by lxml (libxml2, in C), in time linear in its size; its
    elements are then walked without recursion.
    """
    from bs4.dammit import EncodingDetector
    from lxml import etree

    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    decoded = decode_text(data, name, declared=declared)
    # Parsed from UTF-8 bytes said to be UTF-8, so that a <meta charset> or an XML
    # declaration in the page cannot make libxml2 decode it a second time.
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    root = etree.fromstring(decoded.text.encode("utf-8", "replace"), parser)
    _check_html_log(parser.error_log, name)
    text = _html_text(root, name) if root is not None else ""  # None: no element at all
    lines = (line.strip() for line in text.splitlines())
    return Extracted("\n".join(line for line in lines if line), decoded.encoding, decoded.warnings)


def _check_html_log(errors: Any, name: str) -> None:
    """Refuse a page libxml2 stopped reading at one of its own limits.

    libxml2 mends broken HTML without complaint, but past its limits (elements
    nested 256 deep, say) it stops, and what it read so far would pass for the
    whole page.
    """
    for error in errors:
        if error.type_name == "ERR_RESOURCE_LIMIT":
            if "depth" in error.message.lower():
                raise _nesting_error(name, "docx")
            raise _corrupt_error(name, "HTML page", error.message)


def _html_text(root: Any, name: str) -> str:
    r"""Return the visible text under an lxml element, blocks set off by ``\n``.

    Runs of whitespace become one space, except inside <pre>; a table cell is
    followed by a space.
    """
    parts: list[str] = []
    # Each entry is an element to visit (with its depth and whether it is inside
    # <pre>) or, as a str, text to emit once the elements before it are done.
    pending: list[tuple[Any, int, bool] | str] = [(root, 1, False)]
    elements = 1
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        element, depth, in_pre = item
        pending.append(_html_string(element.tail, in_pre))
        tag = element.tag if isinstance(element.tag, str) else ""
        if not tag or tag in _HIDDEN_HTML:  # an entity or a hidden element: only its tail
            continue
        inner_pre = in_pre or tag == "pre"
        if tag in _BLOCK_HTML:
            parts.append("\n")
            pending.append("\n")
        elif tag in _CELL_HTML:
            pending.append(" ")
        parts.append(_html_string(element.text, inner_pre))
        if len(element):
            # Counted before the children are touched: lxml makes a Python object
            # for each one it hands out.
            elements += len(element)
            if elements > MAX_ELEMENTS:
                raise _elements_error(name, "docx")
            if depth >= MAX_NESTING_DEPTH:
                raise _nesting_error(name, "docx")
            pending.extend((child, depth + 1, inner_pre) for child in reversed(element))
    return "".join(parts)


def _html_string(text: str | None, in_pre: bool) -> str:
    if not text:
        return ""
    return text if in_pre else _SPACES.sub(" ", text)


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
    _check_package(data, name, _DOCX)
    try:
        document = docx.Document(io.BytesIO(data))
        return Extracted("\n".join(_docx_lines(document)))
    # python-docx reads parts by name (KeyError when one is missing) and trusts
    # the package's XML: a damaged [Content_Types].xml surfaces as AttributeError.
    except (*_ZIP_ERRORS, KeyError, AttributeError, OpcError, PythonDocxError, LxmlError) as err:
        raise _corrupt_error(name, _DOCX.kind, _detail(err)) from err


class _BlockContainer(Protocol):
    def iter_inner_content(self) -> Iterator[Paragraph | Table]: ...


def _docx_lines(container: _BlockContainer) -> Iterator[str]:
    from docx.table import Table

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            for cell in _docx_cells(block):
                yield from _docx_lines(cell)
        else:
            yield block.text


def _docx_cells(table: Table) -> Iterator[_Cell]:
    """Yield each cell of a table once, row by row; a merged cell where it starts.

    Not ``row.cells``: that repeats a merged cell once per grid column it spans,
    and finds a vertically merged one by climbing the rows above, recursively
    (quadratic in the rows, and a RecursionError past about a thousand).
    python-docx has no public list of a row's ``<w:tc>`` elements.
    """
    from docx.table import _Cell

    for row in table.rows:
        for tc in row._tr.tc_lst:
            if tc.vMerge != "continue":  # a continuation of a cell above: Word leaves it empty
                yield _Cell(tc, table)


def read_odt(data: bytes, name: str) -> Extracted:
    """Read an OpenDocument .odt with odfpy: its headings and paragraphs, in order."""
    from odf import opendocument

    _check_package(data, name, _ODT)
    printed = io.StringIO()
    try:
        # odfpy prints a part it cannot parse to stdout and carries on without it:
        # capture that, so it neither spoils our output nor passes as an empty essay.
        with contextlib.redirect_stdout(printed):
            document = opendocument.load(io.BytesIO(data))
        if printed.getvalue():
            raise _corrupt_error(name, _ODT.kind, "a part of it is not well-formed XML")
        return Extracted("\n".join(_odt_lines(document.body)))
    # odfpy checks a file's structure with assert statements, reads parts by name
    # (KeyError), honours the XML's declared encoding (LookupError), and on odd
    # structures fails as TypeError or AttributeError; the XML parser raises
    # SAXException.
    except (
        *_ZIP_ERRORS, LookupError, SAXException, AssertionError, TypeError, AttributeError
    ) as err:  # fmt: skip
        raise _corrupt_error(name, _ODT.kind, _detail(err)) from err


def _odt_lines(body: Any) -> Iterator[str]:
    """Yield the text of each heading and paragraph under ``body``, in document order."""
    from odf import teletype

    pending = list(reversed(body.childNodes))
    while pending:
        node = pending.pop()
        if getattr(node, "qname", None) in _ODF_BLOCKS:
            yield teletype.extractText(node)
        elif node.nodeType == node.ELEMENT_NODE:
            pending.extend(reversed(node.childNodes))


def read_pdf(data: bytes, name: str) -> Extracted:
    """Read a PDF's text layer with pypdf, page after page."""
    import pypdf
    from pypdf.errors import DependencyError, PyPdfError

    with _quiet_pypdf():
        try:
            reader = pypdf.PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise _encrypted_error(name)
            pages = _pdf_pages(reader, name)
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


def _pdf_pages(reader: PdfReader, name: str) -> list[str]:
    """Return the text of each page of a PDF, within the PDF limits and MAX_ESSAY_CHARS.

    Each page's drawing instructions are measured before pypdf parses them:
    parsing them is what takes pypdf the time.
    """
    count = len(reader.pages)
    if count > MAX_PDF_PAGES:
        raise EssayReadError(
            f"{name}: the PDF has {count:,} pages, and essaycheck reads at most "
            f"{MAX_PDF_PAGES:,}, so it was not read. Check that it is the essay (not a book "
            "or a whole portfolio), or ask the student for the essay alone."
        )
    texts: list[str] = []
    content = chars = 0
    for page in reader.pages:
        instructions = page.get_contents()
        content += len(instructions.get_data()) if instructions is not None else 0
        if content > MAX_PDF_CONTENT_BYTES:
            raise EssayReadError(
                f"{name}: the PDF's pages hold over {format_size(MAX_PDF_CONTENT_BYTES)} "
                "of drawing instructions (text, lines and shapes), more than essaycheck "
                "reads, so it was not read. Ask the student for the original document "
                "(.docx, .odt or .txt)."
            )
        texts.append(page.extract_text())
        chars += len(texts[-1])
        if chars > MAX_ESSAY_CHARS:  # the rest need not be parsed to know
            raise _too_long_error(name, None)
    return texts


@contextlib.contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """Keep pypdf's log messages and warnings off stderr while a PDF is read.

    pypdf logs each repair it makes to a damaged file ("incorrect startxref
    pointer"); a teacher can do nothing with them, and the reader's own error
    says what matters. The lock keeps two threads from restoring each other's
    level.
    """
    logger = logging.getLogger("pypdf")
    with _PYPDF_QUIET, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        level = logger.level
        logger.setLevel(logging.CRITICAL + 1)
        try:
            yield
        finally:
            logger.setLevel(level)


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


def _too_long_error(name: str, chars: int | None) -> EssayReadError:
    limit = f"{MAX_ESSAY_CHARS:,}"
    held = f"{chars:,}" if chars else f"over {limit}"
    return EssayReadError(
        f"{name}: holds {held} characters of text, and the limit for one essay is {limit}, "
        "so it was not read. Check that it is one essay (not a book or a whole portfolio), "
        "or split it and mark the parts as separate essays."
    )


def _elements_error(name: str, fmt: str) -> EssayReadError:
    return EssayReadError(
        f"{name}: holds over {MAX_ELEMENTS:,} elements of markup (a long dissertation has "
        "tens of thousands), so it was not read. Ask the student to save it again as "
        f".{fmt} and resubmit it."
    )


def _nesting_error(name: str, fmt: str) -> EssayReadError:
    return EssayReadError(
        f"{name}: its elements are nested more than {MAX_NESTING_DEPTH} deep (no real "
        f"document is), so it was not read. Ask the student to save it again as .{fmt} "
        "and resubmit it."
    )


# --- packages: .docx and .odt ---------------------------------------------------


@dataclass(frozen=True)
class _Package:
    """A zipped document format.

    Attributes:
        kind: how messages name the format.
        fmt: its suffix, for "save it again as ...".
        lxml_parses: whether its library parses the XML with lxml, as the checks do.
    """

    kind: str
    fmt: str
    lxml_parses: bool


_DOCX = _Package("Word document", "docx", lxml_parses=True)
_ODT = _Package("OpenDocument text (.odt)", "odt", lxml_parses=False)


def _check_package(data: bytes, name: str, package: _Package) -> None:
    """Refuse a .docx or .odt that would take too much memory or time to parse.

    First by the zip's headers: MAX_PACKAGE_PARTS, every part within
    MAX_UNPACKED_BYTES, the XML parts within MAX_XML_BYTES. Then by reading each
    XML part, streamed through lxml without building it, before any library
    parses it: MAX_XML_BYTES actually read, MAX_ELEMENTS, MAX_NESTING_DEPTH, and
    (in an .odt) spaces within MAX_ESSAY_CHARS. A part is XML by its name (.xml,
    .rels) or, whatever its name, by its first bytes: python-docx parses any part
    that ``[Content_Types].xml`` calls XML.

    Raises:
        EssayReadError: over a limit, or the zip or an XML part is damaged.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            _check_headers(infos, name, package)
            budget = _XmlBudget(name, package)
            for info in infos:
                budget.scan(archive, info)
    except _ZIP_ERRORS as err:
        raise _corrupt_error(name, package.kind, _detail(err)) from err


def _check_headers(infos: list[zipfile.ZipInfo], name: str, package: _Package) -> None:
    """Refuse a package whose zip headers declare too many parts or too many bytes."""
    if len(infos) > MAX_PACKAGE_PARTS:
        raise EssayReadError(
            f"{name}: holds {len(infos):,} files inside (a .{package.fmt} holds a few dozen), "
            f"over the {MAX_PACKAGE_PARTS:,} limit, so it was not opened. Ask the student to "
            f"save it again as .{package.fmt} and resubmit it."
        )
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_UNPACKED_BYTES:
        raise EssayReadError(
            f"{name}: would unpack to {format_size(unpacked)}, over the "
            f"{format_size(MAX_UNPACKED_BYTES)} limit, so it was not opened. "
            "Ask the student to save it again and resubmit it."
        )
    xml = sum(info.file_size for info in infos if info.filename.lower().endswith(_XML_NAMES))
    if xml > MAX_XML_BYTES:
        raise _xml_size_error(name, package, f"would unpack to {format_size(xml)}, over the")


class _XmlBudget:
    """What the XML parts of one package have used of the limits, as they are read."""

    def __init__(self, name: str, package: _Package) -> None:
        self.name = name
        self.package = package
        self.size = 0
        self.elements = 0
        self.spaces = 0

    def scan(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        """Read one part and, if it is XML, count it against the limits."""
        from lxml import etree

        if info.flag_bits & _ENCRYPTED:
            raise EssayReadError(
                f"{self.name}: parts of it are encrypted. Ask the student to save it again "
                f"as .{self.package.fmt} without a password and resubmit it."
            )
        named = info.filename.lower().endswith(_XML_NAMES)
        with archive.open(info) as part:
            chunk = part.read(_CHUNK_BYTES)
            if not (named or _looks_like_xml(chunk)) or not chunk:
                return
            target = _XmlShape(self)
            parser = etree.XMLParser(
                target=target, resolve_entities=False, no_network=True, load_dtd=False
            )
            try:
                _feed(parser, part, chunk, self)
            # python-docx parses with lxml too, so it fails on such a part in the
            # same way, if it reads the part at all; odfpy parses with expat, which
            # might read on where lxml stopped measuring, so an .odt is refused.
            except etree.XMLSyntaxError as err:
                if named and not self.package.lxml_parses:
                    detail = f"{info.filename} is not well-formed XML: {err}"
                    raise _corrupt_error(self.name, self.package.kind, detail) from err

    def add_bytes(self, count: int) -> None:
        """Count bytes of XML read."""
        self.size += count
        if self.size > MAX_XML_BYTES:
            raise _xml_size_error(self.name, self.package, "unpacks to more than the")

    def add_element(self, depth: int) -> None:
        """Count an element that starts ``depth`` levels down."""
        self.elements += 1
        if depth > MAX_NESTING_DEPTH:
            raise _nesting_error(self.name, self.package.fmt)
        if self.elements > MAX_ELEMENTS:
            raise _elements_error(self.name, self.package.fmt)

    def add_spaces(self, count: str) -> None:
        """Count the spaces an ODF ``<text:s text:c="N"/>`` stands for."""
        self.spaces += int(count)
        if self.spaces > MAX_ESSAY_CHARS:
            raise _too_long_error(self.name, None)


def _feed(parser: Any, part: IO[bytes], chunk: bytes, budget: _XmlBudget) -> None:
    """Feed a part to the parser a chunk at a time, counting the bytes as they come."""
    while chunk:
        budget.add_bytes(len(chunk))
        parser.feed(chunk)
        chunk = part.read(_CHUNK_BYTES)
    parser.close()


class _XmlShape:
    """An lxml parser target that counts elements and their depth, building nothing."""

    def __init__(self, budget: _XmlBudget) -> None:
        self.budget = budget
        self.depth = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth += 1
        self.budget.add_element(self.depth)
        if tag == _ODF_SPACES:
            self.budget.add_spaces(attrib.get(_ODF_SPACE_COUNT, "1"))

    def end(self, tag: str) -> None:
        self.depth -= 1

    def close(self) -> None:
        return None


def _looks_like_xml(chunk: bytes) -> bool:
    """Whether a part's first bytes look like XML, in UTF-8 or UTF-16."""
    if chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    return chunk.removeprefix(codecs.BOM_UTF8).lstrip().startswith(b"<")


def _xml_size_error(name: str, package: _Package, size_said: str) -> EssayReadError:
    return EssayReadError(
        f"{name}: its XML (the text and its layout) {size_said} "
        f"{format_size(MAX_XML_BYTES)} limit, so it was not opened. Ask the student to "
        f"save it again as .{package.fmt} and resubmit it."
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

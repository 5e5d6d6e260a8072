"""decode_text(): turn a text file's bytes into str, whatever encoding it was saved in.

The order is: a byte-order mark; strict UTF-8; an encoding the document
declares (HTML's ``<meta charset>``), if it decodes; UTF-8 again, with its few
invalid bytes replaced, when nearly all of the file is UTF-8; then
charset-normalizer, asked first whether Windows-1252 / Latin-1 fit (the
encodings teachers meet most, and the ones it confuses with Central European
code pages on short texts), then about every code page it knows.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

from essaycheck.errors import EssayReadError

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
WESTERN = ["cp1252", "latin_1"]
UTF8_MAJORITY = 3
"""How many valid non-ASCII UTF-8 characters each invalid byte needs, for UTF-8 to win.

A file in a one-byte code page (cp1252, Latin-1, ...) almost never holds a valid
multi-byte UTF-8 sequence: its accented letters and curly quotes are single bytes,
mostly followed by ASCII. So a file whose non-ASCII text is at least three parts
valid UTF-8 to one invalid byte is UTF-8 with a stray byte (pasted from elsewhere,
or damaged), and a code-page detector would garble every one of its characters.
"""
# Bytes 0x80-0x9f are punctuation in cp1252 (curly quotes, dashes) and unused
# control characters in Latin-1; everywhere else the two agree.
_CP1252_ONLY = bytes(range(0x80, 0xA0))
_LABELS = {"iso8859-1": "latin-1"}
# What errors="surrogateescape" turns each undecodable byte into.
_ESCAPED = re.compile("[\udc80-\udcff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")


@dataclass(frozen=True)
class Decoded:
    """A text file's text, the encoding it was decoded with, and what was replaced.

    Attributes:
        text: the decoded text (a BOM removed, newlines untouched).
        encoding: the encoding's name: ``utf-8``, ``utf-8-sig``, ``utf-16``,
            ``cp1252``, ``latin-1``, ...
        warnings: what the essay's result should mention: bytes that were not
            valid in the encoding and were replaced with U+FFFD.
    """

    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def decode_text(data: bytes, name: str, declared: str | None = None) -> Decoded:
    """Decode a text file's bytes, in whatever encoding it was saved.

    Args:
        data: the file's bytes.
        name: how messages name the file.
        declared: an encoding the document names for itself, tried after a BOM.

    Raises:
        EssayReadError: the bytes are not text in any encoding (a binary file).
    """
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return _decode_marked(data, name, encoding)
    if b"\x00" in data:
        raise _binary_error(name)
    for candidate in ("utf-8", _declared(declared)):
        if candidate is None:
            continue
        try:
            return Decoded(data.decode(candidate), _label(candidate))
        except UnicodeDecodeError:
            continue
    mostly = _decode_mostly_utf8(data, "utf-8")
    if mostly is not None:
        return mostly
    match = from_bytes(data, cp_isolation=WESTERN).best() or from_bytes(data).best()
    if match is None:
        raise _binary_error(name)
    if match.encoding in WESTERN:
        return _decode_western(data)
    return Decoded(str(match), _label(match.encoding))


def _decode_marked(data: bytes, name: str, encoding: str) -> Decoded:
    """Decode a file that starts with a byte-order mark, in the encoding it marks."""
    try:
        return Decoded(data.decode(encoding), encoding)
    except UnicodeDecodeError as err:
        mostly = _decode_mostly_utf8(data, encoding) if encoding == "utf-8-sig" else None
        if mostly is None:
            raise _binary_error(name) from err
        return mostly


def _decode_mostly_utf8(data: bytes, encoding: str) -> Decoded | None:
    """Decode UTF-8 with its invalid bytes replaced, if UTF8_MAJORITY says it is UTF-8.

    Args:
        data: bytes that are not valid UTF-8 throughout.
        encoding: ``utf-8``, or ``utf-8-sig`` for bytes that start with its BOM.

    Returns:
        The text, U+FFFD for each invalid byte, and a warning that says where the
        first one was; None if the file is not mostly UTF-8.
    """
    text = data.decode(encoding, "surrogateescape")
    invalid = len(_ESCAPED.findall(text))
    valid = len(_NON_ASCII.findall(text)) - invalid
    if invalid == 0 or valid < UTF8_MAJORITY * invalid:
        return None
    first = _first_invalid(data, encoding)
    plural = "s" if invalid > 1 else ""
    warning = (
        f"{invalid} byte{plural} of the file {'are' if invalid > 1 else 'is'} not valid "
        f"UTF-8 (the first, 0x{data[first]:02x}, at offset {first}) and "
        f"{'were' if invalid > 1 else 'was'} read as \ufffd; the rest is UTF-8. "
        "Check the text there, or save the file again as UTF-8."
    )
    return Decoded(_ESCAPED.sub("\ufffd", text), encoding, (warning,))


def _first_invalid(data: bytes, encoding: str) -> int:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as err:
        return err.start
    return 0


def _declared(encoding: str | None) -> str | None:
    """Return a declared encoding worth trusting, or None."""
    try:
        label = _label(encoding) if encoding else None
    except LookupError:
        return None
    # Pages that claim Latin-1 or ASCII are usually cp1252 (browsers read them so);
    # the detection below tells the two apart.
    return None if label in ("latin-1", "ascii") else label


def _decode_western(data: bytes) -> Decoded:
    if len(data.translate(None, _CP1252_ONLY)) != len(data):
        try:
            return Decoded(data.decode("cp1252"), "cp1252")
        except UnicodeDecodeError:  # one of the five bytes cp1252 leaves undefined
            pass
    return Decoded(data.decode("latin-1"), "latin-1")


def _label(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return _LABELS.get(name, name)


def _binary_error(name: str) -> EssayReadError:
    return EssayReadError(
        f"{name}: looks like a binary file, not text. "
        "Save the essay as plain text (.txt) and try again."
    )

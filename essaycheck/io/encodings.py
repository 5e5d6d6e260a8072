"""decode_text(): turn a text file's bytes into str, whatever encoding it was saved in.

The order is: a byte-order mark; strict UTF-8; an encoding the document
declares (HTML's ``<meta charset>``), if it decodes; then charset-normalizer,
asked first whether Windows-1252 / Latin-1 fit (the encodings teachers meet
most, and the ones it confuses with Central European code pages on short
texts), then about every code page it knows.
"""

from __future__ import annotations

import codecs

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
# Bytes 0x80-0x9f are punctuation in cp1252 (curly quotes, dashes) and unused
# control characters in Latin-1; everywhere else the two agree.
_CP1252_ONLY = bytes(range(0x80, 0xA0))
_LABELS = {"iso8859-1": "latin-1"}


def decode_text(data: bytes, name: str, declared: str | None = None) -> tuple[str, str]:
    """Decode a text file's bytes; return the text and the encoding used.

    Args:
        data: the file's bytes.
        name: how messages name the file.
        declared: an encoding the document names for itself, tried after a BOM.

    Returns:
        The decoded text (a BOM removed, newlines untouched) and the encoding's
        name: ``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp1252``, ``latin-1``, ...

    Raises:
        EssayReadError: the bytes are not text in any encoding (a binary file).
    """
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as err:
                raise _binary_error(name) from err
    if b"\x00" in data:
        raise _binary_error(name)
    for candidate in ("utf-8", _declared(declared)):
        if candidate is None:
            continue
        try:
            return data.decode(candidate), _label(candidate)
        except UnicodeDecodeError:
            continue
    match = from_bytes(data, cp_isolation=WESTERN).best() or from_bytes(data).best()
    if match is None:
        raise _binary_error(name)
    if match.encoding in WESTERN:
        return _decode_western(data)
    return str(match), _label(match.encoding)


def _declared(encoding: str | None) -> str | None:
    """Return a declared encoding worth trusting, or None."""
    try:
        label = _label(encoding) if encoding else None
    except LookupError:
        return None
    # Pages that claim Latin-1 or ASCII are usually cp1252 (browsers read them so);
    # the detection below tells the two apart.
    return None if label in ("latin-1", "ascii") else label


def _decode_western(data: bytes) -> tuple[str, str]:
    if len(data.translate(None, _CP1252_ONLY)) != len(data):
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:  # one of the five bytes cp1252 leaves undefined
            pass
    return data.decode("latin-1"), "latin-1"


def _label(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return _LABELS.get(name, name)


def _binary_error(name: str) -> EssayReadError:
    return EssayReadError(
        f"{name}: looks like a binary file, not text. "
        "Save the essay as plain text (.txt) and try again."
    )

"""Small text helpers the renderers share: essay text is data, never markup or formulas."""

from __future__ import annotations

# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters that could turn essay text into Markdown markup or HTML.
_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|~&"})


def one_line(text: str) -> str:
    """Collapse every run of whitespace, newlines included, into one space."""
    return " ".join(text.split())


def capitalised(text: str) -> str:
    """The text with its first letter upper-case."""
    return text[:1].upper() + text[1:]


def markdown_text(text: str) -> str:
    """One line of text, escaped so that Markdown shows it as it is."""
    return one_line(text).translate(_MARKDOWN_SPECIAL)


def csv_cell(text: str) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text

"""Small text helpers the renderers share: essay text is data, never markup or formulas."""

from __future__ import annotations

import re

# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters that could turn essay text into Markdown markup or HTML.
_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|~&"})
# What a terminal would act on rather than show: control characters (escape
# sequences can set the window title or write the clipboard), and the marks that
# reorder text right to left. Tabs and newlines stay.
UNSAFE_FOR_TERMINAL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
REPLACEMENT = "\ufffd"


def terminal_safe(text: str) -> str:
    """The text with everything a terminal would act on replaced by U+FFFD."""
    return UNSAFE_FOR_TERMINAL.sub(REPLACEMENT, text)


def json_safe(text: str) -> str:
    r"""JSON text with the same characters written as ``\uXXXX`` escapes: the same data."""
    return UNSAFE_FOR_TERMINAL.sub(lambda found: f"\\u{ord(found[0]):04x}", text)


def one_line(text: str) -> str:
    """Collapse every run of whitespace, newlines included, into one space."""
    return " ".join(text.split())


def capitalised(text: str) -> str:
    """The text with its first letter upper-case."""
    return text[:1].upper() + text[1:]


def markdown_text(text: str) -> str:
    """One line of text, escaped so that Markdown shows it as it is."""
    return terminal_safe(one_line(text)).translate(_MARKDOWN_SPECIAL)


def csv_cell(text: str) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def unhinted_point(point_id: str) -> str:
    """What a student is told of a missing point that has no hint, when claims are hidden."""
    return f"a key point the rubric calls {point_id} is missing: ask your teacher for a hint"

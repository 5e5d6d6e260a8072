"""The layout of a source: paragraphs, headings, bullet and numbered items, table rows.

A teacher's sources are not all prose. Revision notes have headings with bullets
under them, a mark scheme lists its "key elements" with the marks each earns, a
summary may be written as fragments. This module reads the layout only (no
parsing): each block of text knows the heading it sits under and whether it is
a list item, so the claim builder can turn "- wanted rapid industrialisation"
under "Stalin" into "Stalin wanted rapid industrialisation."
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

SourceKind = Literal["source", "model-answer", "mark-scheme"]
SOURCE_KINDS: tuple[SourceKind, ...] = ("source", "model-answer", "mark-scheme")

_BULLET = re.compile(r"^\s*(?:[-*•‣◦▪–—+]|\(?\d{1,2}[.)]|\(?[a-hA-H][.)]|\(?[ivx]{1,4}\))\s+")
_MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s+")
_MARKS = re.compile(
    r"\s*(?:[(\[]\s*(\d{1,2})\s*(?:marks?|m|pts?|points?)?\s*[)\]]|[-–—,]\s*(\d{1,2})\s*marks?)\s*\.?$",
    re.IGNORECASE,
)
# Lines of a mark scheme that tell the marker what to do rather than what to find.
_INSTRUCTION = re.compile(
    r"^(?:award|give|accept|do not accept|don't accept|reject|credit|allow|do not allow|"
    r"max(?:imum)?\b|total\b|up to \d|\d+\s*marks?\b|marks?\b|level \d|band \d|"
    r"indicative content|key (?:elements?|points?|ideas?)|question \d|q\d|"
    r"(?:answers?|students?|candidates?) (?:may|should|must|could)|mark scheme|"
    r"notes? for (?:markers?|teachers?))",
    re.IGNORECASE,
)
_MARK_SCHEME_WORDS = re.compile(
    r"\b(?:marks?|award|credit|accept|indicative content|key elements?|mark scheme)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(
    r"\b(?:I|I'm|I will|in this essay|this essay|in conclusion|to conclude|my view)\b"
)
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")
MAX_HEADING_WORDS = 8


@dataclass(frozen=True)
class Block:
    """A stretch of source text that reads as one unit.

    Attributes:
        text: the text, line breaks inside a paragraph joined.
        heading: the nearest heading above it, if any.
        is_item: whether it is a list item, a table row or a mark-scheme element.
        marks: the marks a mark scheme gives it ("(2 marks)"), if it says.
        paragraph: the block's paragraph number (items under one heading share one).
    """

    text: str
    heading: str | None = None
    is_item: bool = False
    marks: float | None = None
    paragraph: int = 0


def guess_kind(text: str) -> SourceKind:
    """Guess whether a text is a source, a model answer or a mark scheme."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return "source"
    scheme = sum(
        bool(_MARK_SCHEME_WORDS.search(line) or _MARKS.search(line) or _INSTRUCTION.match(line))
        for line in lines
    )
    if scheme >= 2 or (scheme and scheme / len(lines) >= 0.2):
        return "mark-scheme"
    if len(_FIRST_PERSON.findall(text)) >= 2:
        return "model-answer"
    return "source"


def read_blocks(text: str, kind: SourceKind = "source") -> list[Block]:
    """Split a source into blocks: paragraphs, items, and the headings above them."""
    blocks: list[Block] = []
    heading: str | None = None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    paragraph: list[str] = []
    number = 0

    def flush() -> None:
        nonlocal number
        if paragraph:
            blocks.append(Block(" ".join(paragraph), heading, paragraph=number))
            paragraph.clear()
            number += 1

    for index, raw in enumerate(lines):
        line = raw.strip()
        if _TABLE_RULE.match(line):
            # The row above the rule names the columns: it is not a point.
            if blocks and blocks[-1].is_item and "|" in lines[index - 1]:
                blocks.pop()
            flush()
            continue
        if not line:
            flush()
            continue
        if kind == "mark-scheme" and _INSTRUCTION.match(_BULLET.sub("", line)):
            flush()
            continue
        following = _next_line(lines, index)
        if _is_heading(line, following, paragraph):
            flush()
            heading = _MARKDOWN_HEADING.sub("", line).rstrip(":").strip() or heading
            number += 1
            continue
        item = _item_text(line, kind)
        if item is not None:
            flush()
            text_, marks = _marks(item)
            if text_:
                blocks.append(Block(text_, heading, True, marks, number))
            continue
        paragraph.append(line)
    flush()
    return blocks


def _next_line(lines: list[str], index: int) -> str | None:
    for line in lines[index + 1 :]:
        if line.strip():
            return line.strip()
    return None


def _is_heading(line: str, following: str | None, paragraph: list[str]) -> bool:
    """A short line without closing punctuation that introduces what follows."""
    if _MARKDOWN_HEADING.match(line):
        return True
    if paragraph or _BULLET.match(line) or "|" in line:
        return False
    words = line.rstrip(":").split()
    if not words or len(words) > MAX_HEADING_WORDS:
        return False
    if line.endswith(":"):
        return True
    if line[-1] in ".!?;,\"'’”)":
        return False
    # A short line is a heading when a list or a new paragraph follows it.
    return following is not None and (
        bool(_BULLET.match(following)) or following[0].isupper() or following.startswith("|")
    )


def _item_text(line: str, kind: SourceKind) -> str | None:
    """The text of a bullet, numbered item or table row; None for a prose line."""
    if "|" in line or "\t" in line:
        cells = [c.strip() for c in re.split(r"\||\t", line) if c.strip()]
        if len(cells) >= 2:
            return ": ".join(cells[:2]) if len(cells) == 2 else "; ".join(cells)
    if _BULLET.match(line):
        return _BULLET.sub("", line).strip()
    if kind == "mark-scheme" and _MARKS.search(line):
        return line
    return None


def _marks(text: str) -> tuple[str, float | None]:
    match = _MARKS.search(text)
    if not match:
        return text.strip(), None
    value = match.group(1) or match.group(2)
    return text[: match.start()].strip(), float(value)

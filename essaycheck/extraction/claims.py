"""Claims from parsed sentences: one self-contained claim per clause.

A sentence joining two claims ("he believed X, as well as Y"; "she argued for X
and that Y") becomes two; pronouns ("he", "his", "it", "they", a subject "this")
and person descriptions ("the 58-year-old") are replaced by what they refer to,
found in the sentences before; discourse filler ("on the other hand", "this
shows that", a model answer's "In this essay I will argue that"), a reporting
verb's stray comma ("notes, that") and framing sentences ("Another debate that
occurred ...", "Stalin took the opposite line") are dropped; truncated sentences
and questions are skipped. Tokens left out between two kept ones leave a space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Span, Token

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})
MIN_CONTENT_WORDS = 4
MIN_SPLIT_CONTENT_WORDS = 3
MIN_ITEM_CONTENT_WORDS = 2


def word_set(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string."""
    return frozenset(words.split())


_LEADING_FILLER = re.compile(
    r"^(?:(?:also|however|moreover|furthermore|therefore|thus|hence|finally|lastly|firstly|"
    r"secondly|thirdly|first|second|third|in addition|additionally|in comparison|"
    r"in contrast|by contrast|on the other hand|by this|as a result|overall|in conclusion|"
    r"to conclude|in summary|in other words|ultimately|consequently|meanwhile|but|and|so|"
    r"this (?:also )?(?:highlights|shows|suggests|means|demonstrates|indicates|proves) that|"
    r"it (?:is|was) (?:thought|believed|argued|said|claimed|suggested|clear|evident|"
    r"important to note|worth noting) that|"
    r"the (?:source|text|author|writer) (?:says|argues|suggests|states|shows|explains) that|"
    r"(?:in this (?:essay|answer),?\s+)?(?:i|we) (?:will |would |shall |can )?"
    r"(?:think|believe|argue|show|explain|suggest|contend|conclude) that)"
    r"[,\s]+)+",
    re.IGNORECASE,
)
_INNER_FILLER = re.compile(
    r",\s*(?:on the other hand|however|therefore|in turn|by contrast|in comparison),",
    re.IGNORECASE,
)
_FRAMING = re.compile(
    r"^(?:another|one|the (?:main|first|second|third|final|last|key|central|other|next))\s+"
    r"(?:\w+\s+)?(?:debate|question|issue|topic|area|point|argument|theme|disagreement|"
    r"difference|aspect)s?\b|^(?:in )?this (?:essay|answer|section|paragraph|source)\b|"
    r"^(?:i|we) will\b|^let us\b",
    re.IGNORECASE,
)
_VAGUE_OBJECTS = word_set(
    "idea ideas view views opinion opinions vision line lines side stance position approach"
)
_VAGUE_ADJECTIVES = word_set(
    "conflicting different opposing contrasting differing opposite contrary"
)
_TRUNCATED = ("...", "…")
# "John Layer notes, that ...": no comma between a reporting verb and its "that".
_REPORTING_COMMA = re.compile(
    r"\b((?:argu|believ|claim|not|observ|stat|suggest|writ|add|explain|say|said|thought|"
    r"think|wrote|point(?:s|ed)? out)\w*),\s+that\b",
    re.IGNORECASE,
)
_FRAME_VERBS = frozenset(
    [
        "highlight",
        "show",
        "suggest",
        "mean",
        "demonstrate",
        "indicate",
        "prove",
        "reveal",
        "think",
        "believe",
        "say",
        "argue",
        "claim",
        "suggest",
        "explain",
        "contend",
        "conclude",
    ]
)


@dataclass(frozen=True)
class Claim:
    """One claim a teacher could mark, with the tokens it came from.

    Attributes:
        text: the claim as a sentence.
        tokens: the parsed tokens it came from (for ids and hints).
        person: the person the claim is about (its subject), if any.
        is_attributed: whether the claim is what the person argued, believed or wanted.
        order: its position in the source.
        paragraph: the source paragraph it came from.
        sentence: the source sentence it came from (its claims share the number).
        marks: the marks a mark scheme gives it.
        is_fine: whether it is a finer unit of a claim (``--detail fine`` only).
        replaced: the words that stand for its pronouns (token index, words).
    """

    text: str
    tokens: tuple[Token, ...]
    person: str | None
    is_attributed: bool
    order: int
    paragraph: int = 0
    sentence: int = 0
    marks: float | None = None
    is_fine: bool = False
    replaced: tuple[tuple[int, str], ...] = ()


def clauses(sentence: Span, least: int = MIN_CONTENT_WORDS) -> list[list[Token]]:
    """The sentence's claims as token lists: split at semicolons and at joined clauses.

    A claim needs ``least`` content words (fewer, down to three, when it was split).
    """
    if sentence.text.rstrip().endswith(_TRUNCATED) or sentence.text.rstrip().endswith("?"):
        return []
    parts: list[list[Token]] = [[]]
    for token in sentence:
        if token.text == ";":
            parts.append([])
        elif not token.is_space:
            parts[-1].append(token)
    found = []
    for part in parts:
        if not any(t.pos_ in {"VERB", "AUX"} for t in part) or is_framing(part):
            continue
        pieces = [piece for core in _unframed(part) for piece in split_coordination(core)]
        enough = least if len(pieces) == 1 else min(least, MIN_SPLIT_CONTENT_WORDS)
        found += [piece for piece in pieces if content_words(piece) >= enough]
    return found


def _unframed(part: list[Token]) -> list[list[Token]]:
    """Handle "This highlights that X", "By this, it was thought that X": the claim is X."""
    root = head_of(part)
    subjects = [c for c in root.children if c.dep_ in SUBJECT_DEPS]
    complements = [c for c in root.children if c.dep_ == "ccomp"]
    is_frame = root.lemma_.lower() in _FRAME_VERBS and (
        any(c.lower_ in {"this", "that", "which", "i", "we"} for c in subjects)
        or (any(c.lower_ == "it" for c in subjects) and root.tag_ == "VBN")
    )
    if not is_frame or not complements:
        return [part]
    heads = [complements[0], *(c for c in root.children if c.dep_ == "conj")]
    cores = []
    for head in heads:
        inside = {t.i for t in head.subtree}
        cores.append(
            [t for t in part if t.i in inside and not (t.dep_ == "mark" and t.head == head)]
        )
    if len(cores) > 1 and min(content_words(core) for core in cores) < MIN_CONTENT_WORDS:
        # "This shows that people wanted change, and because ..., X was favoured": a
        # conclusion whose parts are too slight to stand alone stays one claim.
        inside = {t.i for core in cores for t in core}
        joiners = {c.i for c in root.children if c.dep_ in {"cc", "punct"} and c.text != "."}
        start, end = min(inside), max(inside)
        return [[t for t in part if t.i in inside or (t.i in joiners and start < t.i < end)]]
    return cores


def is_framing(tokens: list[Token]) -> bool:
    """Whether a clause only frames the argument ("Another debate was ...")."""
    text = _LEADING_FILLER.sub("", "".join(t.text_with_ws for t in tokens).strip())
    if _FRAMING.match(text):
        return True
    root = head_of(tokens)
    objects = [c for c in root.children if c.dep_ in {"dobj", "attr"}]
    return any(
        o.lower_ in _VAGUE_OBJECTS and any(a.lower_ in _VAGUE_ADJECTIVES for a in o.children)
        for o in objects
    )


def head_of(tokens: list[Token] | tuple[Token, ...]) -> Token:
    """The token of the list whose head lies outside it (the clause's root)."""
    inside = {token.i for token in tokens}
    tops = [t for t in tokens if t.head.i not in inside or t.head == t] or [tokens[0]]
    return next((t for t in tops if t.pos_ in {"VERB", "AUX"}), tops[0])


def split_coordination(part: list[Token]) -> list[list[Token]]:
    """Split "X and Y" / "X, as well as Y" into two claims when Y is a clause."""
    inside = {token.i for token in part}
    root = head_of(part)
    for token in part:
        if token.dep_ != "conj" or token.pos_ not in {"VERB", "AUX"}:
            continue
        if not _on_main_line(token.head, root, inside):
            continue
        joiners = {
            t.i for c in token.head.children if c.dep_ == "cc" and c.i < token.i for t in c.subtree
        }
        commas = {
            c.i
            for c in token.head.children
            if c.dep_ == "punct" and c.text == "," and token.head.i < c.i < token.i
        }
        later = any(c.dep_ == "conj" and c.i > token.i for c in token.children)
        if not joiners and not (commas and later):
            continue
        joiners |= commas
        joined = {t.i for t in token.subtree}
        first = [t for t in part if t.i not in joined and t.i not in joiners]
        second = _with_frame(token, root, part, joined)
        if second and content_words(first) >= 3 and content_words(second) >= 3:
            return [*split_coordination(first), second]
    return [part]


def _on_main_line(token: Token, root: Token, inside: set[int]) -> bool:
    """Whether ``token`` is the root or a clausal complement on the root's spine."""
    while token != root:
        if token.dep_ not in {"ccomp", "acomp", "xcomp", "conj"} or token.head.i not in inside:
            return False
        token = token.head
    return True


def _with_frame(joined: Token, root: Token, part: list[Token], subtree: set[int]) -> list[Token]:
    """The second claim: its own clause, or the words it shares with the first claim.

    "X lost his post and was exiled" shares the subject; "X argued for A and that
    B" shares the subject and the verb. Returns [] when the shared words cannot
    be told apart (an expletive "there" or "it" subject).
    """
    children = list(joined.children)
    has_subject = any(c.dep_ in SUBJECT_DEPS for c in children)
    has_that = any(c.dep_ == "mark" and c.lower_ == "that" for c in children)
    if has_subject and not has_that:
        return [t for t in part if t.i in subtree]
    subjects = [c for c in root.children if c.dep_ in SUBJECT_DEPS]
    if not subjects or any(c.dep_ == "expl" or c.lower_ in {"there"} for c in subjects):
        return []
    frame = {t.i for c in subjects for t in c.subtree}
    head = joined
    while head.dep_ == "conj" and head != root:
        head = head.head
    shares_verb = head != root or has_that
    has_aux = any(c.dep_ in {"aux", "auxpass"} for c in children)
    if shares_verb:
        frame.add(root.i)
    for child in root.children:
        if child.dep_ == "neg" or (not has_aux and _aux_fits(child, joined, shares_verb)):
            frame.add(child.i)
    return [t for t in part if t.i in frame or t.i in subtree]


def _aux_fits(child: Token, joined: Token, shares_verb: bool) -> bool:
    """Whether the first verb's auxiliary also belongs to the joined verb."""
    if child.dep_ not in {"aux", "auxpass"}:
        return False
    if shares_verb or child.tag_ == "MD":
        return True
    if child.dep_ == "auxpass":
        return joined.tag_ == "VBN"
    return joined.tag_ in {"VB", "VBG", "VBN"}


def render(tokens: list[Token] | tuple[Token, ...], replacements: dict[int, str]) -> str:
    """Join tokens into a clean sentence; "" when nothing claim-like is left."""
    words = []
    for number, token in enumerate(tokens):
        word = replacements.get(token.i, token.text)
        following = tokens[number + 1].i if number + 1 < len(tokens) else token.i + 1
        # A line break is a token of its own (skipped), and words left out between two
        # kept ones ("Stalin[, on the other hand,] became") leave a gap: both are a space.
        if word:
            words.append(word + (token.whitespace_ or (" " if following != token.i + 1 else "")))
    return tidy("".join(words))


def tidy(text: str) -> str:
    """Drop filler, fix spacing and punctuation, capitalise, end with a full stop."""
    text = _INNER_FILLER.sub("", text.strip())
    text = _LEADING_FILLER.sub("", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"\s{2,}", " ", text).strip(" ,;:-–—'’‘“”")
    # A straight quote is stripped only when it is left without its pair.
    if text.count('"') % 2:
        text = text.strip('"') if text.startswith('"') or text.endswith('"') else text
    if text.count("‘") > len(re.findall(r"’(?![A-Za-z])", text)):
        text = text.replace("‘", "", 1)
    if text.count("“") > text.count("”"):
        text = text.replace("“", "", 1)
    if not text or text.endswith("?"):
        return ""
    text = re.sub(r"\b(believed|believes|believe) (\w+ing)\b", r"\1 in \2", text)
    text = _REPORTING_COMMA.sub(r"\1 that", text)
    text = text.rstrip(".!").rstrip(" ,;:") + "."
    if len(text) < 2:
        return ""
    return text[0].upper() + text[1:]


def is_filler(tokens: list[Token] | tuple[Token, ...] | set[Token]) -> bool:
    """Whether the words only link the argument ("on the other hand", "in comparison")."""
    text = " ".join(t.text for t in sorted(tokens, key=lambda t: t.i))
    return bool(text.strip()) and _LEADING_FILLER.sub("", text.strip() + " ") == ""


def content_words(tokens: list[Token] | tuple[Token, ...]) -> int:
    """How many content words (letters, not stop words) the tokens hold."""
    return sum(1 for t in tokens if t.is_alpha and not t.is_stop)

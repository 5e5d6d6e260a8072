"""Fragments to sentences: notes, bullets and table cells made into claims.

"Stalin" as a heading with "- wanted rapid industrialisation" under it becomes
"Stalin wanted rapid industrialisation."; "collective farms less productive"
becomes "Collective farms were less productive."; "Trotsky: permanent
revolution" becomes "Trotsky argued for permanent revolution.". A bare noun
phrase with nothing to say what it is about is not a claim, and is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from spacy.tokens import Doc, Span, Token

from essaycheck.extraction.coreference import Context

_FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})
_LABEL = re.compile(r"^([^:–—]{2,60}?)\s*(?::|\s[-–—]\s)\s*(.+)$")
_PREDICATE_TAGS = frozenset({"JJ", "JJR", "JJS", "VBN", "VBG", "RBR"})
_LEADS = re.compile(
    r"^(?:reference to|mention of|mentions?|identifies|identify|explains?|describes?|"
    r"states?|recognises?|recognizes?|shows? that|says? that|notes? that|that)\s+",
    re.IGNORECASE,
)


def complete(
    text: str, heading: str | None, context: Context, past: bool, parse: Callable[[str], Doc]
) -> str | None:
    """Return the fragment as a full sentence; None when it is one already or says nothing."""
    text = _LEADS.sub("", text.strip()).strip().rstrip(".;,")
    label = _LABEL.match(text)
    if label:
        rest = label.group(2)
        made = complete(rest, label.group(1), context, past, parse)
        return made or (f"{rest[0].upper()}{rest[1:]}." if is_clause(parse(rest)) else None)
    doc = parse(text)
    words = [t for t in doc if not t.is_punct and not t.is_space]
    if not words or is_clause(doc):
        return None
    first = words[0]
    about = _subject_for(heading, context)
    if first.tag_ in _FINITE and about:
        return f"{about} {_lower_first(text, parse)}."
    if first.tag_ == "VB" or (first.lower_ == "to" and len(words) > 1 and words[1].tag_ == "VB"):
        if heading is None:
            return None
        rest = re.sub(r"^to\s+", "", text, flags=re.IGNORECASE)
        if is_person(heading, context, parse):
            return f"{heading} wanted to {_lower_first(rest, parse)}."
        return f"The aim of {_lower_first(heading, parse)} was to {_lower_first(rest, parse)}."
    chunk = _leading_noun_phrase(doc)
    if chunk is not None and chunk < len(doc) and doc[chunk].tag_ in _PREDICATE_TAGS:
        subject = doc[:chunk]
        verb = _copula(subject.root, past)
        return f"{subject.text} {verb} {doc[chunk:].text}."
    if heading is None:
        return None
    if is_person(heading, context, parse):
        return f"{heading} argued for {_lower_first(text, parse)}."
    verb = "involved" if past else "involves"
    return f"{heading} {verb} {_lower_first(text, parse)}."


def has_label(text: str) -> bool:
    """Whether the text reads "label: rest" ("Stalin: socialism in one country")."""
    return _LABEL.match(text.strip()) is not None


def is_past(doc: Doc) -> bool:
    """Whether the source tells its story in the past tense."""
    past = sum(t.tag_ == "VBD" for t in doc)
    present = sum(t.tag_ in {"VBZ", "VBP"} for t in doc)
    return past >= present


def is_clause(doc: Doc | Span) -> bool:
    """Whether the text holds a finite verb with its own subject."""
    return any(
        (t.tag_ in _FINITE and any(c.dep_ in {"nsubj", "nsubjpass", "expl"} for c in t.children))
        or (
            t.dep_ in {"aux", "auxpass"}
            and t.tag_ in _FINITE
            and any(c.dep_ in {"nsubj", "nsubjpass"} for c in t.head.children)
        )
        for t in doc
    )


def _subject_for(heading: str | None, context: Context) -> str | None:
    if heading:
        return heading
    return context.person or context.group or context.thing


def is_person(heading: str, context: Context, parse: Callable[[str], Doc]) -> bool:
    """Whether a heading or label names a person ("Stalin", "Leon Trotsky")."""
    doc = parse(heading)
    if any(ent.label_ == "PERSON" and ent.text == doc.text for ent in doc.ents):
        return True
    return all(word in context.people for word in heading.split()) or (
        len(doc) <= 3
        and all(t.pos_ == "PROPN" for t in doc)
        and len(doc) >= 1
        and not any(ent.label_ in {"GPE", "ORG", "NORP", "DATE"} for ent in doc.ents)
    )


def _leading_noun_phrase(doc: Doc) -> int | None:
    """Where the first noun phrase at the start of the fragment ends, if it starts with one."""
    for chunk in doc.noun_chunks:
        if chunk.start == 0:
            return chunk.end
        break
    return None


def _copula(head: Token, past: bool) -> str:
    plural = head.tag_ in {"NNS", "NNPS"} or any(c.dep_ == "conj" for c in head.children)
    if past:
        return "were" if plural else "was"
    return "are" if plural else "is"


def _lower_first(text: str, parse: Callable[[str], Doc]) -> str:
    """Lower-case the first letter unless the first word is a name or an acronym."""
    first = text.split(" ", 1)[0]
    if not first[:1].isupper() or first[1:].lower() != first[1:] or first == "I":
        return text
    doc = parse(text)
    if len(doc) and doc[0].pos_ == "PROPN" and doc[0].ent_type_:
        return text
    return text[0].lower() + text[1:]

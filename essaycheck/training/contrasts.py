"""Contradictions made from a claim itself, to teach the entailment model what "the opposite" is.

Labelled data says when a text states a key point and when it does not; it
rarely holds a text that states the opposite. ``negate`` makes one from any
simple claim by negating its main verb, from the parse: "Assisted suicide
reduces suffering" becomes "Assisted suicide does not reduce suffering",
"Plants can make food" becomes "Plants cannot make food". A claim whose main
verb is negated already, or that the rules cannot negate cleanly, gives None:
a wrong contradiction teaches worse than none.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

# "do" in the tense and person of the verb it supports
_DO = {"VBZ": "does", "VBP": "do", "VB": "do", "VBD": "did"}
_CONTRACTED = {"can": "cannot", "ca": "cannot"}


def negate(doc: Doc | Span) -> str | None:
    """The claim with its main verb negated, or None when it cannot be done cleanly."""
    sentences = list(doc.sents) if isinstance(doc, Doc) else [doc]
    if len(sentences) != 1:
        return None
    root = sentences[0].root
    if not root.tag_.startswith(("VB", "MD")) or _is_negated(root):
        return None
    auxiliaries = [c for c in root.children if c.dep_ in {"aux", "auxpass"} and c.i < root.i]
    if auxiliaries:
        if any(_is_negated(a) for a in auxiliaries):
            return None
        return _rebuild(doc, {auxiliaries[0].i: _with_not(auxiliaries[0])})
    if root.lemma_ == "be":
        return _rebuild(doc, {root.i: _with_not(root)})
    helper = _DO.get(root.tag_)
    if helper is None or not root.lemma_.isalpha():
        return None
    helper = helper.capitalize() if root.is_sent_start else helper
    lemma = root.lemma_ if not root.is_sent_start else root.lemma_.lower()
    return _rebuild(doc, {root.i: f"{helper} not {lemma}{root.whitespace_}"})


def _is_negated(token: Token) -> bool:
    return any(child.dep_ == "neg" for child in token.children)


def _with_not(token: Token) -> str:
    word = _CONTRACTED.get(token.lower_)
    if word is not None:
        word = word.capitalize() if token.text[0].isupper() else word
        return f"{word}{token.whitespace_}"
    return f"{token.text} not{token.whitespace_}"


def _rebuild(doc: Doc | Span, replaced: dict[int, str]) -> str:
    return "".join(replaced.get(token.i, token.text_with_ws) for token in doc).strip()

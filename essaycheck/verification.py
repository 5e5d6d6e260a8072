"""Verify candidate evidence: does it make the point's claim, or deny it, or credit someone else?

Similarity cannot see that "Trotsky never argued for spreading revolution abroad"
says the opposite of a point, or that "Stalin called for permanent revolution"
gives Trotsky's claim to Stalin; a history teacher marks both as wrong. This
module parses the few candidate evidence windows (never the whole essay) with
spaCy's en_core_web_sm and raises an Objection when:

- **negated**: most of the content words the evidence shares with the point sit
  under a different number of negations ("not", "never", "no", "without",
  "rejected", ...) in the evidence than in the point, odd against even;
- **misattributed**: the point credits its claim to a person named in the
  rubric (its subject, or the owner of its subject: "Stalin's policy"), and the
  evidence makes another person the subject (one of the rubric's people, or a
  name the tagger recognises as a person) without crediting the point's person
  anywhere in it. "He" and "his" are resolved to the last of the rubric's people
  named before them in the essay.

Windows with none of the cue words are passed without parsing, so marking stays fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from spacy.language import Language
from spacy.tokens import Doc, Token

from essaycheck.rubric import Rubric

ObjectionKind = Literal["negated", "misattributed"]

_NEGATORS = {"not", "n't", "never", "no", "without", "nor", "neither", "nobody", "nothing"}
_NEGATING_VERBS = {"reject", "oppose", "deny", "refuse", "dismiss", "abandon", "disagree"}
_NOT_A_NEGATION_AFTER = {"only", "just", "merely", "simply", "alone"}
_NEGATION_CUE = re.compile(
    r"\b(?:not|never|no|without|nor|neither|nobody|nothing|reject\w*|oppos\w*|den(?:y|ied|ies)"
    r"|refus\w*|dismiss\w*|abandon\w*|disagree\w*)\b|n't",
    re.IGNORECASE,
)
_SUBJECT_DEPS = {"nsubj", "nsubjpass", "agent", "csubj"}
_PRONOUNS = {"he", "she", "his", "her", "him"}
# A negation does not reach into coordinated clauses or reasons and conditions:
# in "it did not go down well because pay was lower", "lower pay" is asserted.
_CLAUSE_BREAKS = {"conj", "parataxis", "advcl", "mark"}


@dataclass(frozen=True)
class Objection:
    """Why a window does not count as evidence for a point."""

    kind: ObjectionKind
    message: str

    def to_dict(self) -> dict[str, str]:
        """Return the objection as JSON-ready data."""
        return {"kind": self.kind, "message": self.message}


@dataclass(frozen=True)
class PointClaim:
    """Who a key point credits its claim to, and which of its words are negated."""

    agent: str | None
    negated: frozenset[str]
    lemmas: frozenset[str]


@dataclass(frozen=True)
class PreparedClaims:
    """The rubric's people and every point's claim, parsed once per rubric."""

    people: frozenset[str]
    claims: tuple[PointClaim, ...]
    people_pattern: re.Pattern[str] | None


class ClaimVerifier:
    """Check candidate evidence for negation and misattribution.

    Args:
        nlp: a pipeline with a dependency parser (en_core_web_sm).
    """

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self._docs: dict[str, Doc] = {}

    def prepare(self, rubric: Rubric) -> PreparedClaims:
        """Parse every key point: its agent, its polarity, its content words."""
        docs = list(self.nlp.pipe(point.text for point in rubric))
        agents = [_agent(doc) for doc in docs]
        people = frozenset(agent for agent in agents if agent)
        names = {person.lower() for person in people}
        claims = tuple(
            PointClaim(agent, _negated_lemmas(doc), _lemmas(doc) - names)
            for doc, agent in zip(docs, agents, strict=True)
        )
        pattern = (
            re.compile(r"\b(" + "|".join(re.escape(p) for p in sorted(people)) + r")\b", re.I)
            if people
            else None
        )
        return PreparedClaims(people, claims, pattern)

    def objection(
        self, prepared: PreparedClaims, index: int, text: str, context: str
    ) -> Objection | None:
        """Return why ``text`` does not make point ``index``'s claim, or None if it may.

        Args:
            prepared: the rubric's parsed claims.
            index: the point's position in the rubric.
            text: the candidate evidence.
            context: the essay text before the evidence (to resolve "he").
        """
        claim = prepared.claims[index]
        if _NEGATION_CUE.search(text) or claim.negated:
            doc = self._parse(text)
            shared = claim.lemmas & _lemmas(doc)
            negated = _negated_lemmas(doc)
            flipped = {stem for stem in shared if (stem in negated) != (stem in claim.negated)}
            if shared and len(flipped) * 2 > len(shared):
                return Objection("negated", f"your essay says the opposite: “{_one_line(text)}”")
        if claim.agent is None or prepared.people_pattern is None:
            return None
        if not re.search(r"\b(?:[A-Z][a-z]+|he|she|his|her)\b", text):
            return None
        doc = self._parse(text)
        named = _named_roles(doc, prepared.people, _last_person(context, prepared))
        if claim.agent in named.credited:
            return None
        others = sorted(named.subjects - {claim.agent})
        if others:
            return Objection(
                "misattributed",
                f"the rubric credits this to {claim.agent}; your essay gives it to {others[0]}",
            )
        return None

    def _parse(self, text: str) -> Doc:
        if text not in self._docs:
            if len(self._docs) > 10_000:
                self._docs.clear()
            self._docs[text] = self.nlp(text)
        return self._docs[text]


@dataclass(frozen=True)
class _Roles:
    subjects: frozenset[str]
    credited: frozenset[str]


def _agent(doc: Doc) -> str | None:
    """The person a point credits its claim to: its main subject or its owner."""
    for sentence in doc.sents:
        root = sentence.root
        for child in root.children:
            if child.dep_ not in _SUBJECT_DEPS:
                continue
            for token in (child, *(c for c in child.children if c.dep_ == "poss")):
                if token.pos_ == "PROPN" and token.ent_type_ not in {"GPE", "LOC", "ORG"}:
                    return token.text
            if child.dep_ == "nsubj" and child.pos_ == "PROPN":
                return child.text
    return None


def _named_roles(doc: Doc, people: frozenset[str], previous: str | None) -> _Roles:
    """Which of the rubric's people the text makes a subject, and which it credits at all."""
    subjects: set[str] = set()
    credited: set[str] = set()
    current = previous
    for token in doc:
        name = _person(token, people)
        if token.lower_ in _PRONOUNS and current:
            name = current
        elif name:
            current = name
        if not name:
            continue
        if token.dep_ in _SUBJECT_DEPS or (
            token.dep_ == "poss" and token.head.dep_ in _SUBJECT_DEPS
        ):
            subjects.add(name)
            credited.add(name)
        elif token.dep_ == "poss" or (token.dep_ == "pobj" and token.head.lower_ in {"by", "to"}):
            credited.add(name)
    return _Roles(frozenset(subjects), frozenset(credited))


def _person(token: Token, people: frozenset[str]) -> str | None:
    """The rubric's person this token names, or another person who is a subject.

    A proper noun counts as a person when the tagger says so or names no place,
    group or organisation: the small English model misses many historical names.
    """
    for person in people:
        if token.text.lower() == person.lower():
            return person
    is_named = token.pos_ == "PROPN" and token.ent_type_ in {"PERSON", ""}
    if is_named and token.dep_ in _SUBJECT_DEPS and token.text[:1].isupper():
        return token.text
    return None


def _last_person(context: str, prepared: PreparedClaims) -> str | None:
    if prepared.people_pattern is None:
        return None
    found = prepared.people_pattern.findall(context[-1000:])
    if not found:
        return None
    last = found[-1].lower()
    return next(person for person in prepared.people if person.lower() == last)


def _lemmas(doc: Doc) -> frozenset[str]:
    """The lemmas of the content words."""
    return frozenset(t.lemma_.lower() for t in doc if t.is_alpha and not t.is_stop)


def _negated_lemmas(doc: Doc) -> frozenset[str]:
    """The content words' lemmas under an odd number of negations."""
    negated: set[str] = set()
    for token in doc:
        scope = _negation_scope(token)
        if scope is not None:
            negated ^= scope
    return frozenset(negated)


def _negation_scope(token: Token) -> set[str] | None:
    """The content lemmas a negation word governs, or None if the token negates nothing."""
    lower = token.lower_
    following = token.doc[token.i + 1].lower_ if token.i + 1 < len(token.doc) else ""
    if lower in {"not", "n't"} and following in _NOT_A_NEGATION_AFTER:
        return None
    if token.dep_ == "neg" or lower in {"never", "nor", "neither", "nobody", "nothing"}:
        head = token.head
    elif lower == "no" and token.dep_ == "det":
        head = token.head.head if token.head.dep_ in _SUBJECT_DEPS else token.head
    elif (lower == "without" and token.dep_ == "prep") or (
        token.pos_ == "VERB" and token.lemma_.lower() in _NEGATING_VERBS
    ):
        head = token
    else:
        return None
    return _scope_lemmas(head)


def _scope_lemmas(head: Token) -> set[str]:
    """Content lemmas a negated head governs: not its subject, not coordinated clauses."""
    lemmas: set[str] = set()
    stack = [head]
    while stack:
        token = stack.pop()
        if token.is_alpha and not token.is_stop:
            lemmas.add(token.lemma_.lower())
        stack.extend(
            child
            for child in token.children
            if child.dep_ not in _CLAUSE_BREAKS
            and not (token is head and child.dep_ in _SUBJECT_DEPS)
        )
    return lemmas


def _one_line(text: str) -> str:
    return " ".join(text.split())

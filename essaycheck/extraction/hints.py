"""Hints: the question a teacher would ask a student who missed a point.

"Why would ... have been unpopular with the peasants?", "How could the USSR create a
socialist base?", "What did Trotsky argue the Soviets should do?". A hint names a
person only when the point is that person's claim, and leaves out the words that
answer it: the reason, the means, the object, the verdict or the thing named.
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from essaycheck.extraction.claims import Claim, word_set
from essaycheck.extraction.coreference import possessive
from essaycheck.extraction.naming import is_reason, question_root
from essaycheck.extraction.questions import (
    attribute_question,
    described_question,
    is_passive,
    is_purpose,
    label_question,
    lead_word,
    prep_question,
    seen_as_question,
    wanted_verb,
    words_of,
)
from essaycheck.extraction.words import GENERIC_NOUNS, IDIOMS

_MEANS = frozenset({"through", "by", "via"})


def hint(claim: Claim) -> str:
    """A question that points a student at the claim without stating it."""
    tokens = claim.tokens
    inside = {t.i for t in tokens}
    root = question_root(tokens, inside)
    subject = _subject(claim, root, inside)
    if claim.is_attributed and claim.person:
        return _person_question(claim.person, root, inside)
    for question in (seen_as_question(claim, inside), label_question(root, inside, subject)):
        if question:
            return question
    reason = next((c for c in root.children if c.i in inside and is_reason(c)), None)
    means = next(
        (c for c in root.children if c.dep_ == "prep" and c.lower_ in _MEANS and c.i in inside),
        None,
    )
    if subject and (reason is not None or means is not None):
        dropped = {t.i for t in (reason or means).subtree}  # type: ignore[union-attr]
        wh = "Why" if reason is not None else "How"
        question = _inverted(root, inside - dropped, subject, claim)
        if question:
            return f"{wh} {question}?"
    objects = [
        c
        for c in root.children
        if c.dep_ == "dobj" and c.i in inside and (root.lemma_.lower(), c.lower_) not in IDIOMS
    ]
    if subject and objects:
        question = _inverted(root, inside - {t.i for t in objects[0].subtree}, subject, claim)
        if question:
            return f"What {question}?"
    wanted = wanted_verb(root, inside)
    lead = lead_word(root)
    if subject and lead and not objects and wanted is None:
        question = prep_question(root, inside, subject, lead)
        if question:
            return question
    if subject and wanted is not None and lead:
        # "people wanted to see change" -> "What did people want to see?"
        verb = root.lemma_ if lead in {"did", "does", "do"} else root.text
        return f"What {lead} {subject} {verb} to {wanted.lemma_}?"
    for question in (
        described_question(root, inside, subject),
        attribute_question(root, inside, subject),
    ):
        if question:
            return question
    if claim.person and subject == claim.person:
        return f"What did {claim.person} stand for, according to the source?"
    topic = _short(subject) if subject else "this part of the source"
    if root.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in root.children):
        return f"What happened to {topic}, and why does it matter?"
    return f"How would you describe {topic}, and what shows it?"


def _short(subject: str) -> str:
    """At most six words of a subject, cut before a verb's or a clause's words."""
    words = subject.split()
    if len(words) <= 6:
        return subject
    cut = next(
        (i for i, w in enumerate(words) if i and w.lower() in {"to", "that", "which", "who"}), 6
    )
    return " ".join(words[: min(cut, 6)]).rstrip(",")


def _person_question(person: str, root: Token, inside: set[int]) -> str:
    verb = root.lemma_.lower()
    complement = _complement(root, inside)
    if complement is not None:
        subjects = [c for c in complement.children if c.dep_ in {"nsubj", "nsubjpass"}]
        aux = [c for c in complement.children if c.dep_ == "aux" and c.tag_ == "MD"]
        if subjects and subjects[0].pos_ != "PRON":
            said = words_of(subjects[0], {t.i for t in subjects[0].subtree if t.i <= subjects[0].i})
            verdict = _verdict(complement, subjects[0])
            if verdict is not None:
                # "militant labor units might be mandatory": the subject is the answer.
                modal = aux[0].lower_ + " be" if aux else complement.lower_
                purpose = next((c for c in complement.children if is_purpose(c)), None)
                tail = f" {words_of(purpose, inside)}" if purpose is not None else ""
                return f"What did {person} {verb} {modal} {verdict.text}{tail}?"
            if is_passive(complement) or any(c.dep_ == "neg" for c in complement.children):
                return f"What did {person} {verb} about {said}?"
            if aux:
                action = "be" if complement.lemma_ == "be" else "do"
                return f"What did {person} {verb} {said} {aux[0].lower_} {action}?"
        if complement.dep_ == "xcomp" and complement.head == root and complement.pos_ == "VERB":
            # "Trotsky wanted to help communists abroad" -> "What did Trotsky want to do?"
            return f"What did {person} {verb} to do?"
        about = _about(complement, inside)
        if about:
            return f"What did {person} {verb} about {about}?"
    objects = [c for c in root.children if c.dep_ == "dobj" and c.i in inside]
    prep = next(
        (c for c in root.children if c.dep_ == "prep" and c.i in inside and c.i > root.i), None
    )
    if prep is not None and not objects:
        objects = [c for c in prep.children if c.dep_ == "pobj"]
        if objects and any(c.dep_ == "amod" for c in objects[0].children):
            return f"What kind of {objects[0].lemma_} did {person} {verb} {prep.lower_}?"
        return f"What did {person} {verb} {prep.lower_}?"
    if objects and any(c.dep_ in {"advcl", "xcomp"} and c.i in inside for c in root.children):
        return f"What did {person} {verb}, and why?"
    return f"What did {person} {verb}?"


_NECESSARY = word_set(
    "mandatory necessary needed required essential vital crucial indispensable compulsory"
)


def _verdict(complement: Token, subject: Token) -> Token | None:
    """Handle "militant labor units might be mandatory": a named thing judged needed.

    The subject, named by its own modifiers, is the answer; the adjective is asked about.
    """
    if complement.lemma_ != "be":
        return None
    named = any(c.dep_ in {"amod", "compound"} for c in subject.children)
    adjectives = [
        c for c in complement.children if c.dep_ == "acomp" and c.lemma_.lower() in _NECESSARY
    ]
    return adjectives[0] if named and adjectives else None


def _complement(root: Token, inside: set[int]) -> Token | None:
    """What a person's claim verb introduces: "argued (for X and) that Y", "believed in Y"."""
    for child in root.children:
        if child.i not in inside:
            continue
        if child.dep_ in {"ccomp", "xcomp"}:
            return child
        if child.dep_ == "conj" and any(c.dep_ == "mark" for c in child.children):
            return child
        if child.dep_ == "prep":
            verbs = [c for c in child.children if c.dep_ == "pcomp" and c.pos_ == "VERB"]
            if verbs:
                return verbs[0]
    doc = root.doc
    # A split claim keeps its own verb, whose head lay in the other claim.
    return next(
        (
            doc[i]
            for i in sorted(inside)
            if doc[i].pos_ == "VERB" and doc[i] != root and doc[i].head.i not in inside
        ),
        None,
    )


def _about(verb: Token, inside: set[int]) -> str:
    """The thing a clause is about, to name in a question: "making peasants farm" -> peasants."""
    for token in verb.subtree:
        if token.i not in inside or token.ent_type_ == "PERSON":
            continue
        if token.pos_ == "NOUN" and token.dep_ in {"dobj", "nsubj", "nsubjpass"}:
            if token.lemma_.lower() in GENERIC_NOUNS:
                continue
            words = [t for t in token.lefts if t.i in inside and t.dep_ in {"amod", "compound"}]
            return " ".join(["the", *(t.text for t in words), token.text])
    return ""


def _subject(claim: Claim, root: Token, inside: set[int]) -> str:
    subjects = [c for c in root.children if c.dep_ in {"nsubj", "nsubjpass"} and c.i in inside]
    if not subjects:
        # A split claim shares its subject with the first: "... and was forced into exile".
        subjects = [
            t for t in claim.tokens if t.dep_ in {"nsubj", "nsubjpass"} and t.head.i not in inside
        ]
    if not subjects:
        return ""
    head = subjects[0]
    replaced = dict(claim.replaced)
    if head.pos_ == "PRON" and head.i not in replaced:
        return claim.person or ""
    words = words_of(head, inside, replaced)
    first = min((t for t in head.subtree if t.i in inside), key=lambda t: t.i, default=head)
    is_name = first.pos_ == "PROPN" and first.i != first.sent.start
    if not is_name and not first.ent_type_ and first.i not in replaced:
        # "Chlorophyll absorbs ..." -> "What does chlorophyll absorb?"
        words = words[:1].lower() + words[1:] if not words[:2].isupper() else words
    return words


def _inverted(root: Token, keep: set[int], subject: str, claim: Claim) -> str:
    """The clause as a question after a wh-word: "could the USSR create a socialist base"."""
    keep = keep - {t.i for c in root.children if is_purpose(c) for t in c.subtree}
    subject_ids = {
        t.i for c in root.children if c.dep_ in {"nsubj", "nsubjpass"} for t in c.subtree
    }
    start = min(subject_ids, default=root.i)
    # Words before the subject ("In his view", "From late 1924") stay out of the question.
    rest_ids = sorted(i for i in keep - subject_ids if i > start and not root.doc[i].is_punct)
    if any(
        root.doc[i].tag_ in {"VBD", "VBZ", "VBP"} and root.doc[i].dep_ not in {"aux", "auxpass"}
        for i in rest_ids
        if i != root.i
    ):
        return ""
    swap = dict(claim.replaced)
    named = [t.text for t in claim.tokens if t.ent_type_ == "PERSON"]
    person = claim.person or (named[0] if named else None)
    if person:
        swap.update({i: person for i in rest_ids if root.doc[i].lower_ in {"him", "he", "she"}})
        swap.update({i: possessive(person) for i in rest_ids if root.doc[i].lower_ == "his"})
    words = {i: swap.get(i, root.doc[i].text) for i in rest_ids}
    auxes = [c for c in root.children if c.dep_ in {"aux", "auxpass"} and c.i in keep]
    if auxes:
        lead = auxes[0].lower_
        words.pop(auxes[0].i, None)
    elif root.lemma_ == "be":
        lead = root.lower_
        words.pop(root.i, None)
    else:
        lead = {"VBD": "did", "VBZ": "does", "VBP": "do"}.get(root.tag_, "")
        if not lead:
            return ""
        words[root.i] = root.lemma_
    rest = [w for w in words.values() if w and w.lower() not in _FILLER_WORDS]
    text = " ".join([lead, subject, *rest])
    text = re.sub(r"\s+([,.;:’']s?\b)", r"\1", text)
    return re.sub(r"\s+", " ", text.replace(" ,", ",")).strip(" ,")


_FILLER_WORDS = frozenset({"also", "however", "therefore", "thus", "easily"})


__all__ = ["hint"]

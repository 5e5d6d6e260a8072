"""Questions for particular ways of saying a thing, used by the hints.

"X was seen as Y" (how, and why), "X became synonymous with the policy of Y" (what
policy), "X voted for Y" (who), "X takes place in Y" (where), "X were unhappy about Y"
(how did X feel), and the small helpers they share: the question's first word, a noun
phrase's words with its pronouns made plain.
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from essaycheck.extraction.claims import Claim, word_set
from essaycheck.extraction.coreference import possessive
from essaycheck.extraction.words import IDIOMS, LABEL_NOUNS, LINKING_VERBS, SEEING_VERBS


def described_question(root: Token, inside: set[int], subject: str) -> str:
    """Ask about an adjective said of the subject, without naming the adjective.

    "Peasants were unhappy about collective farms" -> "How did peasants feel about
    collective farms?"; "Collective farms were less productive" -> "What were collective
    farms like?"; "X seemed defeatist" -> "How did X seem?".
    """
    adjectives = [
        c
        for c in root.children
        if c.i in inside
        and c.dep_ in {"acomp", "oprd"}
        and (c.pos_ == "ADJ" or (c.pos_ == "NOUN" and not any(d.dep_ == "det" for d in c.children)))
    ]
    tense = {"VBD": "did", "VBZ": "does", "VBP": "do"}.get(root.tag_, "")
    if not subject or not adjectives or not tense or root.lemma_ not in LINKING_VERBS:
        return ""
    for prep in adjectives[0].children:
        if prep.dep_ == "prep" and prep.lower_ in {"about", "with", "towards", "toward"}:
            return f"How {tense} {subject} feel {words_of(prep, inside)}?"
    if root.lemma_ == "be":
        return f"What {root.lower_} {subject} like?"
    return f"How {tense} {subject} {root.lemma_}?"


_QUOTE_MARKS = frozenset({'"', "“", "‘", "'", "``"})


def is_passive(verb: Token) -> bool:
    """Whether the verb, or the verb it leads to ("would have to be organised"), is passive."""
    while True:
        if any(c.dep_ == "auxpass" for c in verb.children):
            return True
        following = [c for c in verb.children if c.dep_ == "xcomp" and c.pos_ in {"VERB", "AUX"}]
        if not following:
            return False
        verb = following[0]


def lead_word(verb: Token) -> str:
    """The word a question about the verb starts with: "did", "was", "could"."""
    auxes = [c for c in verb.children if c.dep_ in {"aux", "auxpass"} and c.lower_ != "to"]
    if auxes:
        return auxes[0].lower_
    if verb.lemma_ == "be":
        return verb.lower_
    return {"VBD": "did", "VBZ": "does", "VBP": "do"}.get(verb.tag_, "")


def wanted_verb(root: Token, inside: set[int]) -> Token | None:
    """The verb a "want to" or "have to" leads to, when it has its own object."""
    for child in root.children:
        if (
            child.dep_ == "xcomp"
            and child.i in inside
            and child.pos_ == "VERB"
            and any(c.dep_ in {"dobj", "ccomp"} and c.i in inside for c in child.children)
        ):
            return child
    return None


# Verbs that say where something is or happens: "takes place in", "is found in".
_PLACE_VERBS = word_set("occur happen live locate find sit lie grow store")
_PLACES = frozenset({"in", "inside", "within", "at", "on"})


def prep_question(root: Token, inside: set[int], subject: str, lead: str) -> str:
    """Ask for the object of the phrase that completes the verb.

    "X voted for Stalin" -> "Who did X vote for?"; "Glucose is used in respiration" ->
    "What is glucose used in?"; "Photosynthesis takes place in the chloroplasts" ->
    "Where does photosynthesis take place?"; "X was admired by the army" -> "Who was X
    admired by?".
    """
    bare = [
        c
        for c in root.children
        if c.dep_ == "dobj" and (root.lemma_.lower(), c.lower_) in IDIOMS and c.i in inside
    ]
    after = sorted(
        (
            c
            for c in root.children
            if c.dep_ in {"prep", "agent"} and c.i > root.i and c.i in inside
        ),
        key=lambda c: c.i,
    )
    if not after or any(c.dep_ == "dobj" and c not in bare for c in root.children):
        return ""
    prep = after[0]
    objects = [c for c in prep.children if c.dep_ == "pobj"]
    means = prep.lower_ == "through" or (prep.lower_ == "by" and prep.dep_ != "agent")
    if not objects or objects[0].ent_type_ in {"DATE", "TIME"} or means:
        return ""
    verb = root.lemma_ if lead in {"did", "does", "do"} else root.text
    if root.lemma_ == "be" and lead == root.lower_:
        verb = ""
    idiom = bare[0].text if bare else ""
    if prep.lower_ in _PLACES and (bare or root.lemma_.lower() in _PLACE_VERBS):
        words = " ".join(w for w in (lead, subject, verb, idiom) if w)
        return f"Where {words}?"
    # "Trotsky was admired by the Red Army" -> "Who was Trotsky admired by?"
    is_person = objects[0].ent_type_ in {"PERSON", "ORG", "NORP"} or objects[0].lower_ in {
        "him",
        "her",
        "them",
    }
    wh = "Who" if is_person else "What"
    words = " ".join(w for w in (lead, subject, verb, idiom, prep.lower_) if w)
    return f"{wh} {words}?"


def attribute_question(root: Token, inside: set[int], subject: str) -> str:
    """Handle "Trotsky was the leading voice for X": "What was Trotsky the leading voice for?"."""
    if root.lemma_ != "be" or not subject:
        return ""
    for attr in (c for c in root.children if c.dep_ == "attr" and c.i in inside):
        preps = [c for c in attr.children if c.dep_ == "prep" and c.i > attr.i and c.i in inside]
        if attr.pos_ != "NOUN" or not preps or not any(c.dep_ == "pobj" for c in preps[0].children):
            continue
        named = {t.i for t in attr.subtree if t.i in inside and t.i < preps[0].i}
        return f"What {root.lower_} {subject} {words_of(attr, named)} {preps[0].lower_}?"
    return ""


def _person_of(claim: Claim) -> str | None:
    named = [t for t in claim.tokens if t.ent_type_ == "PERSON" and t.dep_ != "compound"]
    if claim.person or not named:
        return claim.person
    names = [c.text for c in named[0].children if c.dep_ == "compound" and c.i < named[0].i]
    return " ".join([*names, named[0].text])


def seen_as_question(claim: Claim, inside: set[int]) -> str:
    """Handle "X was seen as Y", "people came to see X as Y": ask how, and why."""
    for verb in claim.tokens:
        if verb.pos_ != "VERB" or verb.lemma_.lower() not in SEEING_VERBS:
            continue
        if not any(c.dep_ == "prep" and c.lower_ == "as" for c in verb.children):
            continue
        agents = [c for c in verb.children if c.dep_ == "agent" and c.i in inside]
        patients = [c for c in verb.children if c.dep_ == "nsubjpass" and c.i in inside]
        objects = [c for c in verb.children if c.dep_ == "dobj" and c.i in inside]
        head, chain = verb, [verb.lemma_]
        while not any(c.dep_ == "nsubj" for c in head.children) and head.dep_ in {
            "advcl",
            "xcomp",
        }:
            head = head.head
            chain.insert(0, head.lemma_ + " to")
        subjects = [c for c in head.children if c.dep_ == "nsubj" and c.i in inside]
        seer = agents[0] if agents else (subjects[0] if subjects and not patients else None)
        seen = patients[0] if patients else (objects[0] if objects else None)
        if seer is None or seen is None:
            continue
        if agents:
            seers = [c for c in seer.children if c.dep_ == "pobj"]
            if not seers:
                continue
            seer, chain = seers[0], [verb.lemma_]
        lead = "did" if agents else lead_word(head)
        if not lead:
            continue
        who = _named(seer, claim, inside)
        whom = _named(seen, claim, inside)
        return f"How {lead} {who} {' '.join(chain)} {whom}, and why?"
    return ""


def _named(token: Token, claim: Claim, inside: set[int]) -> str:
    """The words for a noun phrase in a question, its pronouns made plain."""
    person = _person_of(claim)
    replaced = dict(claim.replaced)
    low = token.lower_
    if token.i in replaced:
        return replaced[token.i]
    if low in {"him", "her", "he", "she"} and person:
        return person
    if low == "it":
        others = [
            t
            for t in claim.tokens
            if t.dep_ in {"nsubj", "nsubjpass"} and t.i < token.i and t.pos_ in {"NOUN", "PROPN"}
        ]
        if others:
            return _named_phrase(others[0], claim, inside)
    return _named_phrase(token, claim, inside)


def _named_phrase(token: Token, claim: Claim, inside: set[int]) -> str:
    person = _person_of(claim)
    swap = dict(claim.replaced)
    if person:
        swap.update({t.i: possessive(person) for t in token.subtree if t.lower_ in {"his", "her"}})
    left = {t.i for t in token.subtree if t.i <= token.i and t.i in inside}
    return words_of(token, left, swap)


def label_question(root: Token, inside: set[int], subject: str) -> str:
    """Handle "X became synonymous with the policy of 'Y'": "What policy did X become ... with?"."""
    lead = lead_word(root)
    if not subject or not lead:
        return ""
    heads = [root, *(c for c in root.children if c.dep_ == "acomp" and c.i in inside)]
    for head in heads:
        for prep in (c for c in head.children if c.dep_ == "prep" and c.i in inside):
            for noun in (c for c in prep.children if c.dep_ == "pobj"):
                if noun.lemma_.lower() not in LABEL_NOUNS:
                    continue
                following = noun.doc[noun.i + 1] if noun.i + 1 < len(noun.doc) else None
                has_name = any(c.dep_ in {"prep", "appos", "acl"} for c in noun.children) or (
                    following is not None and following.text in _QUOTE_MARKS
                )
                if not has_name:
                    continue
                verb = root.lemma_ if lead in {"did", "does", "do"} else root.text
                if root.lemma_ == "be" and lead == root.lower_:
                    verb = ""
                adjective = head.text if head is not root else ""
                words = " ".join(w for w in (lead, subject, verb, adjective, prep.lower_) if w)
                return f"What {noun.lemma_} {words}?"
    return ""


def words_of(token: Token, inside: set[int], replaced: dict[int, str] | None = None) -> str:
    """The words of the token's phrase that lie inside the claim, replacements put in."""
    words = [t for t in token.subtree if t.i in inside]
    swap = replaced or {}
    text = "".join(
        swap.get(t.i, t.text) + t.whitespace_ for t in words if swap.get(t.i, t.text)
    ).strip()
    if words and words[0].is_stop and words[0].i not in swap:
        text = text[:1].lower() + text[1:]
    return re.sub(r"\s+([,.;:])", r"\1", text).strip(" ,")


def is_purpose(token: Token) -> bool:
    """Whether a clause gives a purpose ("in order to ...", "so as to ..."), part of the answer."""
    if token.dep_ == "prep" and token.lower_ == "in":
        return any(c.lower_ == "order" for c in token.children)
    return token.dep_ == "advcl" and any(
        c.dep_ == "aux" and c.lower_ == "to" for c in token.children
    )


__all__ = [
    "attribute_question",
    "described_question",
    "is_passive",
    "is_purpose",
    "label_question",
    "lead_word",
    "prep_question",
    "seen_as_question",
    "wanted_verb",
    "words_of",
]

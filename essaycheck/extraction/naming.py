"""Ids that name a point's concept, from the claim's own words only.

A quoted slogan, a verdict on a thing ("Trotsky's vision could appear defeatist" ->
``defeatist-vision``, "seen as arrogant" -> ``trotsky-arrogant``, "the policy was
favoured" -> ``favoured-policy``), a verb and its manner ("farm collectively" ->
``collective-farming``), a verb and its object (``promote-communism``), or the most
specific noun phrase (``socialism-in-one-country``, ``control-of-appointments``). A
claim that joins clauses is named by the clause that gives the reason. Since only
the claim's words are read, editing another sentence of the source does not rename it.
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from essaycheck.extraction.claims import Claim, head_of, word_set
from essaycheck.extraction.coreference import CLAIM_VERBS
from essaycheck.extraction.words import (
    ACTION_NOUNS,
    CAUSATIVES,
    GENERIC_NOUNS,
    IDIOMS,
    LABEL_NOUNS,
    LINKING_VERBS,
    PARTITIVES,
    PLAIN_ADVERBS,
    SEEING_VERBS,
    VERDICT_VERBS,
)

MAX_ID_WORDS = 3
_QUOTED = re.compile(r"(?<![A-Za-z])[‘'\"“`]([A-Za-z][A-Za-z ,\-]{3,60}?)[’'\"”](?![A-Za-z])")
_NOT_TOPICS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "MONEY"})
# Nouns of discourse ("In comparison, ...", "in addition"), not of the point's concept.
_DISCOURSE_NOUNS = word_set(
    "comparison contrast addition conclusion summary sum particular general short turn "
    "effect fact light spite"
)
# Modifiers that do not tell a concept apart: "other countries", "many people".
_VAGUE_MODIFIERS = word_set(
    "other many some several various certain such same own further hard real big huge serious"
)
_REASONS = frozenset({"because", "as", "since", "so", "therefore", "due"})


def assign_ids(claims: list[Claim]) -> list[str]:
    """One unique, readable id per claim, in order."""
    ids: list[str] = []
    for claim in claims:
        candidates = id_candidates(claim)
        chosen = next((c for c in candidates if c not in ids), None)
        if chosen is None:
            base = candidates[0] if candidates else "point"
            suffix = 2
            while f"{base}-{suffix}" in ids:
                suffix += 1
            chosen = f"{base}-{suffix}"
        ids.append(chosen)
    return ids


def id_candidates(claim: Claim) -> list[str]:
    """Readable ids for a claim, best first: a quoted phrase, a manner, key noun phrases."""
    candidates = [
        slug(match) for match in _QUOTED.findall(claim.text) if 2 <= len(match.split()) <= 5
    ]
    tokens = claim.tokens
    inside = {t.i for t in tokens}
    candidates += _manners(tokens)
    candidates += _judgements(tokens, inside)
    phrases = []
    for token in tokens:
        if token.pos_ not in {"NOUN", "PROPN"} or token.ent_type_ == "PERSON":
            continue
        if token.dep_ == "compound" and token.head.i in inside:
            continue
        if token.lower_ in _DISCOURSE_NOUNS and token.dep_ == "pobj" and token.head.i in inside:
            continue
        modifiers: list[Token] = []
        for left in reversed([t for t in token.lefts if t.i in inside]):
            if left.dep_ not in {"amod", "compound", "nmod"} or left.ent_type_ == "PERSON":
                break
            if left.lower_ in _VAGUE_MODIFIERS:
                break
            if any(t.text == "," for t in left.doc[left.i : token.i]):
                break
            modifiers.insert(0, left)
        words = [*modifiers, token][-MAX_ID_WORDS:]
        phrase = _with_of_phrase(token, inside)
        if phrase and token.lemma_.lower() not in GENERIC_NOUNS:
            phrases.append((len(phrase), token.i, phrase))
        weight = (
            len(modifiers) * 2
            - 2 * _is_subordinate(token)
            + (token.dep_ in {"dobj", "pobj", "attr", "oprd"})
            - 3 * (token.lemma_.lower() in GENERIC_NOUNS)
            - 2 * (token.pos_ == "PROPN" or token.ent_type_ in _NOT_TOPICS)
        )
        phrases.append((weight, token.i, words))
    for _, _, words in sorted(phrases, key=lambda item: (-item[0], item[1])):
        # "militarised labour units" -> unit; "control of appointments" stays plural.
        candidates.append(
            slug(
                " ".join(
                    t.lemma_ if t.tag_ == "NNS" and t.head not in words else t.text for t in words
                )
            )
        )
    root = head_of(tokens)
    actions = _actions(tokens)
    # "People wanted change, and because ..., Stalin's policy was favoured" is named by
    # the clause that gives the reason, not by the first verb and its object.
    leads = question_root(tokens, inside) is root
    claimed = [a for a in actions if not a.startswith(slug(root.lemma_) + "-")]
    if not claimed and root.lemma_.lower() in CLAIM_VERBS:
        # "argued that X did not need to wait, because it could build socialism by itself":
        # the reason names what was argued.
        claimed = [a for a in _actions(tokens, subordinate=True) if a not in actions]
    quoted = len([c for c in candidates if c in _quoted_slugs(claim.text)])
    if leads and actions and _bare_object(root):
        candidates[quoted:quoted] = actions[:1]
    elif leads and claimed and root.lemma_.lower() in CLAIM_VERBS and not _manners(tokens):
        # "argued that the Soviets should promote Communism abroad" -> promote-communism.
        candidates[quoted:quoted] = claimed[:1]
    candidates += actions
    name = slug(claim.person.split()[-1]) if claim.person else ""
    if name and candidates and not candidates[0].startswith(name + "-"):
        personal = slug(f"{name} {candidates[0]}")
        if "-" not in candidates[0]:
            candidates.insert(0, personal)
        else:
            candidates.append(personal)
    if root.pos_ == "VERB" and not (candidates and candidates[0].startswith(root.lemma_)):
        candidates.append(slug(root.lemma_ + " " + (candidates[0] if candidates else "")))
    # "It was too expensive to heat", "it" being the old library: the claim is about
    # what its pronoun stands for, with the verdict said of it.
    verdicts = [t for t in tokens if t.dep_ in {"acomp", "oprd"} and t.pos_ == "ADJ"]
    for _, meant in claim.replaced:
        if meant and meant.split()[-1][:1].isalpha():
            head = meant.split()[-1].strip("'’").removesuffix("'s")
            if verdicts:
                candidates.append(slug(f"{verdicts[0].text} {head}"))
            candidates.append(slug(" ".join(w for w in meant.split() if w.lower() != "the")))
    found = [c for c in dict.fromkeys(candidates) if c]
    # A name of two or three words says more than one word does.
    return sorted(found, key=lambda c: "-" not in c)


def _judgements(tokens: tuple[Token, ...], inside: set[int]) -> list[str]:
    """Handle "Trotsky's vision could appear defeatist" -> ``defeatist-vision``.

    A one-word verdict (an adjective or noun complement) on a bare noun subject
    names the point; a subject with its own modifiers ("militant labor units") is
    named better by them.
    """
    found = []
    for token in tokens:
        if token.dep_ not in {"acomp", "oprd"} or token.pos_ not in {"ADJ", "NOUN"}:
            continue
        if any(c.dep_ != "prep" for c in token.children):
            continue
        verb = token.head
        if verb.lemma_.lower() not in LINKING_VERBS:
            continue
        while verb.i in inside:
            subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}]
            if subjects or verb.head == verb or verb.dep_ not in {"advcl", "xcomp", "ccomp"}:
                break
            verb = verb.head
        subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"} and c.i in inside]
        if not subjects or subjects[0].pos_ != "NOUN":
            continue
        subject = subjects[0]
        if subject.lemma_.lower() in GENERIC_NOUNS or any(
            c.dep_ in {"amod", "compound"} and c.i < subject.i for c in subject.children
        ):
            continue
        named = subject.lower_ if subject.tag_ == "NNS" else subject.lemma_
        found.append(slug(f"{token.text} {named}"))
    return found + _seen_as(tokens, inside) + _passive_verdicts(tokens, inside)


def _seen_as(tokens: tuple[Token, ...], inside: set[int]) -> list[str]:
    """Handle "his opponents could paint it as defeatist" -> ``defeatist-plan``."""
    found = []
    for token in tokens:
        prep = token.head
        # The parser reads "seen as arrogant" as an "as" with an adjective under it.
        is_object = token.dep_ == "pobj" or (token.dep_ == "amod" and token.pos_ == "ADJ")
        if not is_object or prep.lower_ != "as" or any(True for _ in token.children):
            continue
        if token.pos_ not in {"ADJ", "NOUN"} or prep.head.lemma_.lower() not in SEEING_VERBS:
            continue
        if token.pos_ == "NOUN" and token.tag_ != "NN":
            continue
        verb = prep.head
        judged = [c for c in verb.children if c.dep_ in {"dobj", "nsubjpass"} and c.i in inside]
        if judged and judged[0].lower_ == "it":
            # "X rested on ..., so they could paint it as ...": "it" is the first subject.
            judged = [t for t in tokens if t.dep_ in {"nsubj", "nsubjpass"} and t.pos_ == "NOUN"][
                :1
            ]
        if judged and judged[0].ent_type_ == "PERSON":
            # "Trotsky was seen as arrogant" -> trotsky-arrogant.
            found.append(slug(f"{judged[0].text} {token.text}"))
        elif judged and judged[0].pos_ == "NOUN" and judged[0].lemma_.lower() not in GENERIC_NOUNS:
            found.append(slug(f"{token.text} {judged[0].lemma_}"))
    return found


def _passive_verdicts(tokens: tuple[Token, ...], inside: set[int]) -> list[str]:
    """Handle "Stalin's policy was favoured" -> ``favoured-policy``."""
    found = []
    for token in tokens:
        if token.tag_ != "VBN" or token.lemma_.lower() not in VERDICT_VERBS:
            continue
        if not any(c.dep_ == "auxpass" for c in token.children):
            continue
        subjects = [c for c in token.children if c.dep_ == "nsubjpass" and c.i in inside]
        if not subjects or subjects[0].pos_ != "NOUN":
            continue
        subject = subjects[0]
        if subject.lemma_.lower() in GENERIC_NOUNS or any(
            c.dep_ in {"amod", "compound"} and c.i < subject.i for c in subject.children
        ):
            continue
        found.append(slug(f"{token.text} {subject.lemma_}"))
    return found


def _is_subordinate(token: Token) -> bool:
    """Whether the token sits in a reason, relative or other subordinate clause."""
    while token.head != token:
        if token.dep_ in {"advcl", "relcl", "acl", "csubj"}:
            return True
        token = token.head
    return False


def _with_of_phrase(token: Token, inside: set[int]) -> list[Token]:
    """Handle "socialism in one country": a noun and a short phrase that completes its name.

    Also "control of appointments" (a noun of action and its object), and "the policy of
    socialism in one country", where the phrase after "policy" completes the name.
    """
    label = token.head.head if token.head.lower_ == "of" else None
    if label is not None and label.lemma_.lower() in LABEL_NOUNS:
        for prep in label.children:
            if prep.dep_ == "prep" and prep.lower_ == "in" and prep.i > token.i:
                words = [token, *prep.subtree]
                if len(words) <= 4 and all(w.i in inside and not w.is_punct for w in words):
                    return words
    if token.lemma_.lower() in LABEL_NOUNS | GENERIC_NOUNS | PARTITIVES:
        return []
    for prep in token.children:
        if prep.dep_ == "prep" and prep.lower_ == "of" and prep.i in inside:
            objects = [c for c in prep.children if c.dep_ == "pobj" and c.pos_ == "NOUN"]
            plain = objects and not any(True for _ in objects[0].children)
            if plain and token.tag_ == "NN" and token.lemma_.lower() in ACTION_NOUNS:
                return [token, prep, objects[0]]
    doc = token.doc
    after = doc[token.i + 1 : token.i + 5]
    # The parser may hang "in one country" on the verb; the words still name it.
    if (
        len(after) == 4
        and after[0].lower_ in {"in", "of"}
        and after[1].dep_ == "nummod"
        and after[2].pos_ == "NOUN"
        and all(t.i in inside for t in after[:3])
    ):
        return [token, *after[:3]]
    for prep in token.children:
        if prep.dep_ != "prep" or prep.lower_ not in {"in", "of"} or prep.i not in inside:
            continue
        words = [token, *prep.subtree]
        whole = len(words) <= 4 and all(w.i in inside and not w.is_punct for w in words)
        if whole and any(w.dep_ in {"nummod", "amod"} for w in words[2:]):
            return words
    return []


def _quoted_slugs(text: str) -> set[str]:
    return {slug(match) for match in _QUOTED.findall(text)}


def _bare_object(root: Token) -> bool:
    """Whether the main verb's object is a plain noun ("end the isolation")."""
    if root.lemma_.lower() in CLAIM_VERBS:
        return False
    objects = [
        c
        for c in root.children
        if c.dep_ == "dobj" and c.pos_ == "NOUN" and (root.lemma_.lower(), c.lower_) not in IDIOMS
    ]
    return bool(objects) and not any(c.dep_ in {"amod", "compound"} for c in objects[0].children)


def _actions(tokens: tuple[Token, ...], subordinate: bool = False) -> list[str]:
    """Handle "promised to modernise the USSR" -> ``modernise-ussr``: a verb and its object.

    Verbs in a reason or other subordinate clause count only when ``subordinate``.
    """
    found: list[str] = []
    for token in tokens:
        if token.pos_ != "VERB" or token.lemma_.lower() in {"be", "have"}:
            continue
        if token.lemma_.lower() in CAUSATIVES and any(
            c.dep_ in {"ccomp", "xcomp"} for c in token.children
        ):
            continue
        if _is_subordinate(token) and not (subordinate and _gives_reason(token)):
            continue
        for child in token.children:
            if (token.lemma_.lower(), child.lower_) in IDIOMS:
                continue
            if child.dep_ == "dobj" and child.pos_ in {"NOUN", "PROPN"}:
                found.append(
                    slug(f"{token.lemma_} {child.lemma_ if child.tag_ == 'NNS' else child.text}")
                )
    return found[::-1]


def _gives_reason(token: Token) -> bool:
    """Whether the token sits in a clause that gives a reason ("because it could ...")."""
    while token.head != token:
        if is_reason(token):
            return True
        token = token.head
    return False


def _manners(tokens: tuple[Token, ...]) -> list[str]:
    """Handle "farm collectively" -> ``collective-farming``: a verb named by its manner."""
    found = []
    for token in tokens:
        if token.pos_ != "VERB":
            continue
        verb = token
        if token.lemma_.lower() in CAUSATIVES:
            verb = next((c for c in token.children if c.dep_ in {"ccomp", "xcomp"}), token)
        for child in [*token.children, *verb.children]:
            word = child.lower_
            if child.dep_ == "advmod" and word.endswith("ly") and word not in PLAIN_ADVERBS:
                found.append(slug(f"{word[:-2]} {_gerund(verb.lemma_.lower())}"))
    return list(dict.fromkeys(found))


def _gerund(verb: str) -> str:
    if verb.endswith("e") and not verb.endswith("ee"):
        return verb[:-1] + "ing"
    return verb + "ing"


def slug(text: str) -> str:
    """Lower-case words joined by hyphens, at most 64 characters."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words)[:64].strip("-")


def question_root(tokens: tuple[Token, ...], inside: set[int]) -> Token:
    """The clause to ask about: in a claim joining clauses, the one giving a reason."""
    root = head_of(tokens)
    tops = [t for t in tokens if t.pos_ in {"VERB", "AUX"} and t.head.i not in inside]
    reasoned = [t for t in tops if any(c.i in inside and is_reason(c) for c in t.children)]
    return reasoned[-1] if len(tops) > 1 and reasoned else root


def is_reason(token: Token) -> bool:
    """Whether a clause or phrase gives a reason ("because ...", "as ...", "since ...")."""
    if token.dep_ != "advcl" and not (token.dep_ == "prep" and token.lower_ in {"because"}):
        return False
    return any(c.dep_ == "mark" and c.lower_ in _REASONS for c in token.children) or (
        token.dep_ == "prep"
    )


__all__ = [
    "assign_ids",
    "id_candidates",
    "is_reason",
    "question_root",
    "slug",
]

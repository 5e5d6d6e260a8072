"""Ids that name a point's concept, and hints that ask about it without answering.

An id comes from the claim's own words only (a quoted slogan, its most specific
noun phrase, or a verb and its manner: "farm collectively" -> ``collective-farming``),
so editing another sentence of the source does not rename it. A hint is the
question a teacher would ask a student who missed the point: "Why would ... have
been unpopular with the peasants?", "How could the USSR create a socialist base?",
"What did Trotsky argue the Soviets should do?". It names a person only when the
point is that person's claim, and leaves out the words that answer it.
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from essaycheck.extraction.claims import Claim, head_of, word_set
from essaycheck.extraction.coreference import CLAIM_VERBS, possessive

MAX_ID_WORDS = 3
_QUOTED = re.compile(r"(?<![A-Za-z])[‘'\"“`]([A-Za-z][A-Za-z ,\-]{3,60}?)[’'\"”](?![A-Za-z])")
_NOT_TOPICS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "MONEY"})
_GENERIC_NOUNS = word_set(
    "idea voice question way risk line thing time year view people leader point hand step "
    "change debate argument issue name fact part kind lot number danger source case "
    "result reason example side order road issue issues"
)
# Nouns of discourse ("In comparison, ...", "in addition"), not of the point's concept.
_DISCOURSE_NOUNS = word_set(
    "comparison contrast addition conclusion summary sum particular general short turn "
    "effect fact light spite"
)
# Modifiers that do not tell a concept apart: "other countries", "many people".
_VAGUE_MODIFIERS = word_set("other many some several various certain such same own further")
_REASONS = frozenset({"because", "as", "since", "so", "therefore", "due"})
_MEANS = frozenset({"through", "by", "via"})


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
        if phrase and token.lemma_.lower() not in _GENERIC_NOUNS:
            phrases.append((len(phrase), token.i, phrase))
        weight = (
            len(modifiers) * 2
            - 2 * _is_subordinate(token)
            + (token.dep_ in {"dobj", "pobj", "attr", "oprd"})
            - 3 * (token.lemma_.lower() in _GENERIC_NOUNS)
            - 2 * (token.pos_ == "PROPN" or token.ent_type_ in _NOT_TOPICS)
        )
        phrases.append((weight, token.i, words))
    for _, _, words in sorted(phrases, key=lambda item: (-item[0], item[1])):
        candidates.append(slug(" ".join(t.lemma_ if t.tag_ == "NNS" else t.text for t in words)))
    root = head_of(tokens)
    actions = _actions(tokens)
    if actions and _bare_object(root):
        quoted = len([c for c in candidates if c in _quoted_slugs(claim.text)])
        candidates[quoted:quoted] = actions[:1]
    elif actions and root.lemma_.lower() in CLAIM_VERBS and not _manners(tokens):
        # "argued that the Soviets should promote Communism abroad" -> promote-communism.
        quoted = len([c for c in candidates if c in _quoted_slugs(claim.text)])
        candidates[quoted:quoted] = actions[:1]
    candidates += actions
    if claim.person and candidates:
        personal = slug(f"{claim.person.split()[-1]} {candidates[0]}")
        if "-" not in candidates[0]:
            candidates.insert(0, personal)
        else:
            candidates.append(personal)
    if root.pos_ == "VERB":
        candidates.append(slug(root.lemma_ + " " + (candidates[0] if candidates else "")))
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
        if any(True for _ in token.children):
            continue
        verb = token.head
        if verb.lemma_.lower() not in _LINKING_VERBS:
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
        if subject.lemma_.lower() in _GENERIC_NOUNS or any(
            c.dep_ in {"amod", "compound"} and c.i < subject.i for c in subject.children
        ):
            continue
        found.append(slug(f"{token.text} {subject.lemma_}"))
    return found


_LINKING_VERBS = word_set("be seem appear become look remain prove sound")


def _is_subordinate(token: Token) -> bool:
    """Whether the token sits in a reason, relative or other subordinate clause."""
    while token.head != token:
        if token.dep_ in {"advcl", "relcl", "acl", "csubj"}:
            return True
        token = token.head
    return False


def _with_of_phrase(token: Token, inside: set[int]) -> list[Token]:
    """Handle "socialism in one country": a noun and a short phrase that completes its name."""
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
    objects = [c for c in root.children if c.dep_ == "dobj" and c.pos_ == "NOUN"]
    return bool(objects) and not any(c.dep_ in {"amod", "compound"} for c in objects[0].children)


def _actions(tokens: tuple[Token, ...]) -> list[str]:
    """Handle "promised to modernise the USSR" -> ``modernise-ussr``: a verb and its object."""
    found: list[str] = []
    for token in tokens:
        if token.pos_ != "VERB" or token.lemma_.lower() in _CAUSATIVES | {"be", "have"}:
            continue
        if _is_subordinate(token):
            continue
        for child in token.children:
            if child.dep_ == "dobj" and child.pos_ in {"NOUN", "PROPN"}:
                found.append(
                    slug(f"{token.lemma_} {child.lemma_ if child.tag_ == 'NNS' else child.text}")
                )
    return found[::-1]


def _manners(tokens: tuple[Token, ...]) -> list[str]:
    """Handle "farm collectively" -> ``collective-farming``: a verb named by its manner."""
    found = []
    for token in tokens:
        if token.pos_ != "VERB":
            continue
        verb = token
        if token.lemma_.lower() in _CAUSATIVES:
            verb = next((c for c in token.children if c.dep_ in {"ccomp", "xcomp"}), token)
        for child in [*token.children, *verb.children]:
            word = child.lower_
            if child.dep_ == "advmod" and word.endswith("ly") and word not in _PLAIN_ADVERBS:
                found.append(slug(f"{word[:-2]} {_gerund(verb.lemma_.lower())}"))
    return list(dict.fromkeys(found))


_CAUSATIVES = frozenset({"make", "force", "have", "let", "help", "get"})
_PLAIN_ADVERBS = word_set(
    "easily quickly really largely likely mainly simply clearly actively only fully early "
    "nearly hardly finally eventually mostly partly highly widely rapidly slowly likely "
    "apparently initially originally particularly especially certainly probably possibly "
    "significantly mistakenly reportedly allegedly recently previously directly newly"
)


def _gerund(verb: str) -> str:
    if verb.endswith("e") and not verb.endswith("ee"):
        return verb[:-1] + "ing"
    return verb + "ing"


def slug(text: str) -> str:
    """Lower-case words joined by hyphens, at most 64 characters."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words)[:64].strip("-")


def hint(claim: Claim) -> str:
    """A question that points a student at the claim without stating it."""
    tokens = claim.tokens
    inside = {t.i for t in tokens}
    root = _question_root(tokens, inside)
    subject = _subject(claim, root, inside)
    if claim.is_attributed and claim.person:
        return _person_question(claim.person, root, inside)
    reason = next((c for c in root.children if c.i in inside and _is_reason(c)), None)
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
    objects = [c for c in root.children if c.dep_ == "dobj" and c.i in inside]
    if subject and objects:
        question = _inverted(root, inside - {t.i for t in objects[0].subtree}, subject, claim)
        if question:
            return f"What {question}?"
    if claim.person and subject == claim.person:
        return f"What did {claim.person} stand for, according to the source?"
    topic = _short(subject) if subject else "this part of the source"
    if root.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in root.children):
        return f"What happened to {topic}, and why does it matter?"
    return f"How would you describe {topic}, and what shows it?"


def _question_root(tokens: tuple[Token, ...], inside: set[int]) -> Token:
    """The clause to ask about: in a claim joining clauses, the one giving a reason."""
    root = head_of(tokens)
    tops = [t for t in tokens if t.pos_ in {"VERB", "AUX"} and t.head.i not in inside]
    reasoned = [t for t in tops if any(c.i in inside and _is_reason(c) for c in t.children)]
    return reasoned[-1] if len(tops) > 1 and reasoned else root


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
        if subjects and aux and subjects[0].pos_ != "PRON":
            said = _words(subjects[0], {t.i for t in subjects[0].subtree if t.i <= subjects[0].i})
            action = "be" if complement.lemma_ == "be" else "do"
            return f"What did {person} {verb} {said} {aux[0].lower_} {action}?"
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
            if token.lemma_.lower() in _GENERIC_NOUNS:
                continue
            words = [t for t in token.lefts if t.i in inside and t.dep_ in {"amod", "compound"}]
            return " ".join(["the", *(t.text for t in words), token.text])
    return ""


def _is_reason(token: Token) -> bool:
    if token.dep_ != "advcl" and not (token.dep_ == "prep" and token.lower_ in {"because"}):
        return False
    return any(c.dep_ == "mark" and c.lower_ in _REASONS for c in token.children) or (
        token.dep_ == "prep"
    )


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
    return _words(head, inside, replaced)


def _words(token: Token, inside: set[int], replaced: dict[int, str] | None = None) -> str:
    words = [t for t in token.subtree if t.i in inside]
    swap = replaced or {}
    text = "".join(
        swap.get(t.i, t.text) + t.whitespace_ for t in words if swap.get(t.i, t.text)
    ).strip()
    if words and words[0].is_stop and words[0].i not in swap:
        text = text[:1].lower() + text[1:]
    return re.sub(r"\s+([,.;:])", r"\1", text).strip(" ,")


def _inverted(root: Token, keep: set[int], subject: str, claim: Claim) -> str:
    """The clause as a question after a wh-word: "could the USSR create a socialist base"."""
    keep = keep - {t.i for c in root.children if _is_purpose(c) for t in c.subtree}
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


def _is_purpose(token: Token) -> bool:
    """Whether a clause gives a purpose ("in order to ...", "so as to ..."), part of the answer."""
    if token.dep_ == "prep" and token.lower_ == "in":
        return any(c.lower_ == "order" for c in token.children)
    return token.dep_ == "advcl" and any(
        c.dep_ == "aux" and c.lower_ == "to" for c in token.children
    )


_FILLER_WORDS = frozenset({"also", "however", "therefore", "thus", "easily"})


__all__ = ["assign_ids", "hint", "id_candidates", "possessive", "slug"]

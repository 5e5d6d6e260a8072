"""Coreference: what "he", "his", "it", "they", a subject "this" and "the 58-year-old" mean.

The referents come from the sentences before: the last person who was a subject,
the last thing and group of things, the last action ("making peasants farm
collectively") for a "this". A person or a plural noun named earlier in the same
sentence comes first ("Trotsky was admired, but he failed ..."; "Stalin appointed
loyal officials, and they voted ..."). A pronoun whose referent is named earlier in
its own clause ("Stalin ... his") is left as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from essaycheck.extraction.claims import head_of, word_set

# Verbs that make a clause a person's claim: what they argued, believed, wanted.
CLAIM_VERBS = word_set(
    "argue believe think hold claim say state insist maintain suggest propose want wish "
    "call champion favour favor advocate support oppose reject fear hope urge warn demand "
    "plan aim intend prefer feel see consider note write promise"
)
# Nouns that describe a person: "the 58-year-old", "the Middlesex bowler".
PERSON_NOUNS = word_set(
    "man woman boy girl player star bowler batsman striker defender midfielder goalkeeper "
    "winner officer father mother son daughter actor actress singer president minister "
    "leader driver coach manager boss teenager victim suspect wife husband king queen "
    "general revolutionary politician writer author scientist old"
)


@dataclass
class Context:
    """What the sentences so far have talked about: the referents of later pronouns."""

    person: str | None = None
    thing: str | None = None
    group: str | None = None
    event: str | None = None
    people: set[str] = field(default_factory=set)


def resolve(tokens: list[Token], context: Context) -> dict[int, str]:
    """Replacements that make the clause self-contained: token index -> words ("" drops)."""
    out: dict[int, str] = {}
    named = False
    start = min(t.i for t in tokens) if tokens else 0
    for token in tokens:
        if token.ent_type_ == "PERSON":
            named = True
        low, dep = token.lower_, token.dep_
        is_subject = dep in {"nsubj", "nsubjpass"}
        # "Trotsky was seen as arrogant, and he failed ...": a person named earlier in
        # the sentence is meant before the person of the sentences before.
        person = _sentence_person(token, start, context) or context.person
        if low == "also" and dep == "advmod":
            # "He also believed ...": on its own, a point adds to nothing.
            out[token.i] = ""
        elif low in {"he", "she"} and is_subject and person and not named:
            out[token.i] = person
            named = True
        elif low in {"him", "her"} and dep in {"dobj", "pobj", "dative"} and person and not named:
            out[token.i] = person
        elif low in {"his", "her"} and dep == "poss" and person and not named:
            # "Stalin ... his" is read as it is; only a name from before is put in.
            out[token.i] = possessive(person)
        elif (
            low == "it"
            and is_subject
            and context.thing
            and not _is_expletive(token)
            and not _has_local_antecedent(token, tokens)
        ):
            out[token.i] = context.thing
        elif low == "its" and dep == "poss" and context.thing:
            out[token.i] = possessive(context.thing)
        elif low == "they" and is_subject and (_sentence_group(token, start) or context.group):
            out[token.i] = _sentence_group(token, start) or context.group or ""
        elif (
            low == "their"
            and dep == "poss"
            and context.group
            and not any(t.i < token.i and t.tag_ in {"NNS", "NNPS"} for t in tokens)
        ):
            out[token.i] = possessive(context.group)
        elif low in {"this", "that"} and is_subject and token.tag_ == "DT" and context.event:
            out[token.i] = context.event
        elif is_subject and context.person and not named and _describes_person(token):
            start = min(t.i for t in token.subtree)
            out.update({t.i: "" for t in token.subtree})
            out[start] = context.person
    return out


def _sentence_person(token: Token, start: int, context: Context) -> str | None:
    """The last person named as a subject in the sentence, before the clause ``start``."""
    before = [
        t
        for t in token.sent
        if t.i < start
        and t.dep_ in {"nsubj", "nsubjpass"}
        and (t.ent_type_ == "PERSON" or t.text in context.people)
    ]
    return _entity_text(before[-1]) if before else None


def _sentence_group(token: Token, start: int) -> str | None:
    """Handle "Stalin appointed loyal officials, and they voted ...": the last plural noun.

    Only a noun that is a subject or an object of a verb, before the clause ``start``.
    """
    before = [
        t
        for t in token.sent
        if t.i < start
        and t.tag_ in {"NNS", "NNPS"}
        and t.dep_ in {"nsubj", "nsubjpass", "dobj"}
        and t.ent_type_ not in {"PERSON", "DATE"}
    ]
    if not before:
        return None
    words = [t for t in before[-1].subtree if t.i <= before[-1].i]
    text = " ".join(t.text for t in words if t.dep_ != "det")
    return f"the {text}"


def resolve_within(
    unit: list[Token], part: list[Token], replaced: dict[int, str]
) -> dict[int, str]:
    """Replacements for a finer unit that leaves out the name its pronouns refer to.

    "Because Stalin promised ..., many people came to see him as ..." gives the unit
    "Many people came to see Stalin as ...".
    """
    names = [t for t in part if t.ent_type_ == "PERSON" and t.dep_ != "compound"]
    kept = {t.i for t in unit}
    out = _things_within(unit, part, replaced)
    if not names or any(t.i in kept for t in names):
        return out
    name = _entity_text(names[0])
    for token in (t for t in unit if t.i not in out):
        low, dep = token.lower_, token.dep_
        if (low in {"he", "she"} and dep in {"nsubj", "nsubjpass"}) or (
            low in {"him", "her"} and dep in {"dobj", "pobj", "dative"}
        ):
            out[token.i] = name
        elif low in {"his", "her"} and dep == "poss":
            out[token.i] = possessive(name)
    return out


def _things_within(
    unit: list[Token], part: list[Token], replaced: dict[int, str]
) -> dict[int, str]:
    """Handle "the farms ..., so that they could ...": a thing left out of the unit.

    "it", "its", "they", "them" and "their" with no noun before them in the unit take
    the nearest subject or object before them in the clause, of the same number.
    """
    out = dict(replaced)
    kept = {t.i for t in unit}
    for token in unit:
        low = token.lower_
        if low not in _THING_PRONOUNS or token.i in out or _is_expletive(token):
            continue
        if any(t.i < token.i and t.pos_ in {"NOUN", "PROPN"} for t in unit):
            continue
        plural = low in {"they", "them", "their"}
        before = [
            t
            for t in part
            if t.i < token.i
            and t.i not in kept
            and t.pos_ in {"NOUN", "PROPN"}
            and t.dep_ in {"nsubj", "nsubjpass", "dobj"}
            and t.ent_type_ != "PERSON"
            and (t.tag_ in {"NNS", "NNPS"}) == plural
        ]
        if before:
            words = [t for t in before[-1].subtree if t.i <= before[-1].i]
            text = " ".join(t.text for t in words if t.dep_ != "det")
            phrase = f"the {text}" if words[0].dep_ == "det" else text
            out[token.i] = possessive(phrase) if low in {"its", "their"} else phrase
    return out


_THING_PRONOUNS = word_set("it its they them their")


def has_open_pronoun(tokens: list[Token], replaced: dict[int, str]) -> bool:
    """Whether a personal pronoun is left that nothing in the tokens explains.

    A pronoun is explained by a replacement, or by a name or noun before it in the
    tokens ("Stalin ... his").
    """
    for token in tokens:
        if token.lower_ not in _PRONOUNS or token.i in replaced:
            continue
        if not any(t.i < token.i and t.pos_ in {"PROPN", "NOUN"} for t in tokens):
            return True
    return False


_PRONOUNS = word_set("he she it they him her them his its their")


def _has_local_antecedent(token: Token, tokens: list[Token]) -> bool:
    """Handle "Trotsky's vision, dependent as it was ...": "it" refers back inside the clause."""
    return any(
        t.i < token.i and t.pos_ in {"NOUN", "PROPN"} and t.dep_ in {"nsubj", "nsubjpass"}
        for t in tokens
    )


def _is_expletive(token: Token) -> bool:
    """Handle "It is clear that ...", "it was thought that ...": an "it" that stands for nothing."""
    return any(
        c.dep_ in {"ccomp", "csubj"} or (c.dep_ == "xcomp" and c.i > token.i)
        for c in token.head.children
    ) or token.head.lemma_ in {"seem", "appear", "rain"}


def _describes_person(token: Token) -> bool:
    words = list(token.subtree)
    return (
        (token.pos_ == "NOUN" or token.lemma_.lower() == "old")
        and words[0].lower_ == "the"
        and (token.lemma_.lower() in PERSON_NOUNS or token.lower_.endswith("-old"))
        and not any(t.ent_type_ in {"PERSON", "ORG", "GPE"} for t in words)
    )


def possessive(name: str) -> str:
    """``Stalin`` -> ``Stalin's``; ``the peasants`` -> ``the peasants'``."""
    return name + ("'" if name.endswith("s") and not name[:1].isupper() else "'s")


def person_of(tokens: list[Token] | tuple[Token, ...], context: Context) -> str | None:
    """The person a clause is about: its subject, named or referred to."""
    root = head_of(tokens)
    for child in root.children:
        if child.dep_ not in {"nsubj", "nsubjpass"}:
            continue
        if (
            child.ent_type_ == "PERSON"
            or child.text in context.people
            or (child.pos_ == "PROPN" and root.lemma_.lower() in CLAIM_VERBS)
        ):
            return _entity_text(child)
        if child.lower_ in {"he", "she"} or _describes_person(child):
            start = min(t.i for t in tokens)
            return _sentence_person(child, start, context) or context.person
    return None


def is_attributed(tokens: list[Token] | tuple[Token, ...], person: str | None) -> bool:
    """Whether the clause says what a person argued, believed or wanted.

    "Trotsky was seen as arrogant" is what others saw, not Trotsky's claim.
    """
    root = head_of(tokens)
    return (
        person is not None
        and root.lemma_.lower() in CLAIM_VERBS
        and not any(c.dep_ == "auxpass" for c in root.children)
    )


def find_people(doc: Doc | Span) -> set[str]:
    """Names of people in a source: named entities, and names that argue or believe."""
    people = {
        _strip_possessive(word)
        for ent in doc.ents
        if ent.label_ == "PERSON"
        for word in ent.text.split()
    }
    for token in doc:
        if (
            token.pos_ == "PROPN"
            and token.dep_ == "nsubj"
            and token.head.lemma_.lower() in CLAIM_VERBS
            and token.ent_type_ not in {"GPE", "ORG", "NORP"}
        ):
            people.add(token.text)
    return people


def update(context: Context, sentence: Span) -> None:
    """Remember what the sentence talked about, for the pronouns of the next ones."""
    people = [ent for ent in sentence.ents if ent.label_ == "PERSON"]
    context.people.update(word for ent in people for word in ent.text.split())
    subjects = [t for t in sentence if t.dep_ in {"nsubj", "nsubjpass"}]
    named = [t for t in subjects if t.ent_type_ == "PERSON" or t.text in context.people]
    if named:
        context.person = _entity_text(named[0])
    elif people and not any(t.lower_ in {"he", "she"} for t in subjects):
        context.person = _strip_possessive(people[-1].text)
    root = sentence.root
    for subject in (c for c in root.children if c.dep_ in {"nsubj", "nsubjpass"}):
        words = list(subject.subtree)
        if subject.pos_ == "PRON" or subject in named or len(words) > 6:
            continue
        text = "".join(t.text_with_ws for t in words).strip()
        if words[0].lower_ in {"the", "this", "these"}:
            text = "the" + text[len(words[0].text) :]
        if subject.tag_ in {"NNS", "NNPS"} or any(c.dep_ == "conj" for c in subject.children):
            context.group = text
        else:
            context.thing = text
    gerunds = [
        t
        for t in sentence
        if t.tag_ == "VBG" and t.dep_ in {"pcomp", "xcomp", "conj", "advcl", "dobj", "csubj"}
    ]
    if gerunds:
        words = list(gerunds[-1].subtree)
        context.event = "".join(t.text_with_ws for t in words).strip().rstrip(".,;")


def _entity_text(token: Token) -> str:
    """The whole name a token is part of: ``Trotsky`` in "Leon Trotsky" -> ``Leon Trotsky``."""
    doc = token.doc
    for ent in doc.ents:
        if ent.start <= token.i < ent.end and ent.label_ == "PERSON":
            return _strip_possessive(ent.text)
    words = [t for t in token.subtree if t.dep_ == "compound" and t.head == token]
    return " ".join([*(w.text for w in words), token.text])


def _strip_possessive(name: str) -> str:
    return re.sub(r"\s*['’]s?$", "", name).strip()

"""Finer units of a claim, for ``--detail fine``: one fact each, as content units are written.

"Pair were left homeless after storms" gives "Pair were left homeless" and "Pair were
left homeless after storms"; "criticised for phones and tablets" gives one unit for
phones and one for tablets. Each unit keeps the clause's subject and verb (and the
phrase a verb needs: "tied to ...", "came to see ..."), adds at most one modifier, and
splits coordinated nouns. What a clause says on the side is a unit of its own: a
relative clause ("the Soviet Union, which stood alone" -> "The Soviet Union stood
alone"), a reduced one ("the Plan, launched in 1928" -> "The Plan was launched in
1928"), an apposition, a reason or time clause with its own subject, and the parts of
a reported clause under its frame ("Trotsky argued that the revolution could not
stop"). A unit that says nothing ("Trotsky argued."), leaves a verb without its
subject, or breaks a quotation is not made.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from essaycheck.extraction.claims import content_words, head_of, is_filler
from essaycheck.extraction.coreference import CLAIM_VERBS
from essaycheck.extraction.words import PARTITIVES

_CORE = frozenset(
    {
        "nsubj",
        "nsubjpass",
        "expl",
        "aux",
        "auxpass",
        "neg",
        "prt",
        "dobj",
        "attr",
        "acomp",
        "oprd",
        "xcomp",
        "ccomp",
        "dative",
        "mark",
    }
)
_OPTIONAL = frozenset({"prep", "agent", "advmod", "npadvmod", "advcl", "tmod", "pcomp"})
_NOUN_MODIFIERS = frozenset({"prep", "acl", "relcl", "appos"})
_COMPLEMENTS = frozenset({"dobj", "attr", "acomp", "oprd", "xcomp", "ccomp", "dative"})
_COMPLETING = frozenset({"prep", "agent", "advcl"})
_QUOTES = frozenset({'"', "“", "”", "‘", "’", "'", "``", "''"})
_BOUND_PREPOSITIONS = frozenset({"to", "on", "upon", "with", "for", "of", "into", "about", "as"})
_NOUN_LEFTS = frozenset({"det", "amod", "compound", "poss", "nummod", "case"})
MIN_DESCRIBED_WORDS = 3
MIN_CLAUSE_WORDS = 2
_FINITE_TAGS = frozenset({"VBZ", "VBD", "VBP", "MD"})
_SUBJECTS = frozenset({"nsubj", "nsubjpass", "expl", "csubj"})
# Clauses that state a fact of their own ("because ...", "when ..."), unlike "if ...".
_CLAUSE_MARKS = frozenset({"because", "since", "when", "after", "before", "although", "though"})
MAX_UNITS = 12
Unit = tuple[list[Token], dict[int, str]]


def finer_units(tokens: list[Token], depth: int = 0) -> list[Unit]:
    """The clause's finer units, in the clause's order, the clause itself last.

    Each unit is its tokens and the words that replace some of them ("was launched").
    A reported clause ("argued that ...") is split too, under its frame (``depth`` 1).
    """
    root = head_of(tokens)
    inside = {t.i for t in tokens}
    subjects = [c.i for c in root.children if c.dep_ in {"nsubj", "nsubjpass"}]
    if any(c.dep_ == "ccomp" and c.i < min(subjects, default=root.i) for c in root.children):
        # "X rested on Y, so his opponents could paint it ...": the parse hid two
        # joined claims under one verb; the clause is kept whole.
        return [(tokens, {})]
    # Words shared with the claim it was split from (its subject) have heads outside it.
    core: set[int] = {
        t.i
        for top in tokens
        if top.head.i not in inside and top is not root
        for t in top.subtree
        if t.i in inside
    } | {root.i}
    optional: list[tuple[Token, set[int]]] = []
    # "There was a danger that ...": what an expletive introduces is the claim itself.
    is_expletive = any(c.dep_ == "expl" for c in root.children)
    for child in root.children:
        if child.i not in inside:
            continue
        if child.dep_ in _CORE:
            kept, modifiers = _trimmed(child, inside, is_expletive)
            core |= kept
            optional += [(child, modifier) for modifier in modifiers]
        elif child.dep_ in _OPTIONAL and not is_filler(list(child.subtree)):
            optional.append((child, {t.i for t in child.subtree if t.i in inside}))
    if not any(c.i in core and c.dep_ in _COMPLEMENTS for c in root.children):
        # A verb without an object is completed by the phrase right after it: "was
        # expelled from the party", "came to see him as ...", "argued for ...".
        after = sorted(
            (min(extra), extra)
            for child, extra in optional
            if child.head == root and child.dep_ in _COMPLETING and min(extra) > root.i
        )
        binds = bool(after) and (
            root.lemma_.lower() in CLAIM_VERBS or _is_bound(root.doc[after[0][0]])
        )
        if binds and not any(root.i < i < after[0][0] and i not in core for i in inside):
            core |= after[0][1]
    # "Trotsky argued." says nothing: a claim verb needs what was claimed.
    bare = root.lemma_.lower() in CLAIM_VERBS and not any(
        c.i in core and c.dep_ in _COMPLEMENTS | _COMPLETING for c in root.children
    )
    units = [] if bare else [core]
    units += [core | extra for _, extra in optional if _has_content(extra - core, tokens)]
    units = [_with_comma(_whole_quotations(unit, tokens), core, tokens) for unit in units]
    split = []
    for unit in units:
        split += _split_nouns(unit, tokens)
    words = {t.i for t in tokens if not t.is_punct}
    ordered: list[set[int]] = []
    for unit in split[: MAX_UNITS - 1]:
        if unit not in ordered and not words <= unit and _is_whole(unit, tokens, root):
            ordered.append(unit)
    found: list[Unit] = [([t for t in tokens if t.i in unit], {}) for unit in ordered]
    found += _reported_units(tokens, root, depth) + _clause_units(tokens, root)
    found += described_units(tokens, root)
    return [*found[: MAX_UNITS - 1], (tokens, {})]


def _reported_units(tokens: list[Token], root: Token, depth: int) -> list[Unit]:
    """Handle "Trotsky argued that the state should help communists to seize power".

    The frame ("Trotsky argued that") is kept and the reported clause is split:
    "Trotsky argued that the state should help communists."
    """
    if depth or root.lemma_.lower() not in CLAIM_VERBS:
        return []
    inside = {t.i for t in tokens}
    reported = [
        c
        for c in root.children
        if c.dep_ == "ccomp" and c.i in inside and any(d.dep_ in _SUBJECTS for d in c.children)
    ]
    if not reported:
        return []
    clause = reported[0]
    frame = (
        {
            t.i
            for c in root.children
            if c.dep_ in {"nsubj", "nsubjpass", "aux", "neg"} and c.i in inside
            for t in c.subtree
        }
        | {root.i}
        | {c.i for c in clause.children if c.dep_ == "mark"}
    )
    said = {t.i for t in clause.subtree}
    words = [t for t in tokens if t.i in said and t.i not in frame]
    units: list[Unit] = []
    for unit, swaps in finer_units(words, depth + 1)[:-1]:
        kept = {t.i for t in unit} | frame
        units.append(([t for t in tokens if t.i in kept], swaps))
    return units


def _clause_units(tokens: list[Token], root: Token) -> list[Unit]:
    """A reason or time clause with its own subject is a fact of its own.

    "Stalin defeated Trotsky because he controlled the party machine" gives "He
    controlled the party machine" (its pronoun is put right later).
    """
    inside = {t.i for t in tokens}
    units: list[Unit] = []
    for clause in root.children:
        marks = [
            c
            for c in clause.children
            if c.dep_ == "mark" or (c.dep_ == "advmod" and c.tag_ == "WRB" and c.i < clause.i)
        ]
        if clause.dep_ != "advcl" or clause.i not in inside or not marks:
            continue
        if any(m.lower_ not in _CLAUSE_MARKS for m in marks):
            continue
        if not any(c.dep_ in _SUBJECTS for c in clause.children):
            continue
        # "mainly because he ...": what comes before the mark qualifies the link.
        after = max(m.i for m in marks)
        words = [t for t in tokens if t.i in {w.i for w in clause.subtree} and t.i > after]
        while words and words[-1].is_punct:
            words.pop()
        # A clause with its own subject is a fact even when short ("it was too costly").
        if content_words(words) >= MIN_CLAUSE_WORDS:
            units.append((words, {}))
    return units


def _is_whole(unit: set[int], tokens: list[Token], root: Token) -> bool:
    """Whether every finite verb of the unit but its root keeps its subject.

    "The rate rises with light intensity limits it" has lost the subject of "limits".
    A verb the parser left without a subject anywhere ("rises ... until another
    factor, such as ..., limits it") was read apart from the words before it: a unit
    that keeps those words must keep the verb too.
    """
    for token in tokens:
        if token == root or token.tag_ not in _FINITE_TAGS:
            continue
        if token.dep_ in {"aux", "auxpass", "conj"}:
            continue
        has_subject = any(c.dep_ in _SUBJECTS for c in token.children)
        if token.i in unit and not any(c.dep_ in _SUBJECTS and c.i in unit for c in token.children):
            return False
        start = min(t.i for t in token.subtree)
        if not has_subject and token.i not in unit and start - 1 in unit and start - 1 > root.i:
            return False
    return True


def _is_bound(word: Token) -> bool:
    """Whether a phrase after a verb completes it: "tied to", "came to see", "run by"."""
    if word.lower_ in _BOUND_PREPOSITIONS or word.dep_ == "agent":
        return True
    return word.dep_ == "aux" and word.lower_ == "to"


def described_units(tokens: list[Token], root: Token) -> list[Unit]:
    """What a clause says of its nouns on the side, each as a unit of its own.

    "the Soviet Union, which stood alone" -> "The Soviet Union stood alone"; "the Plan,
    launched in 1928" -> "The Plan was launched in 1928"; "Lindsay Sandiford, 58," ->
    "Lindsay Sandiford was 58".
    """
    inside = {t.i for t in tokens}
    past = root.tag_ in {"VBD", "VBN"} or any(
        c.tag_ == "VBD" for c in root.children if c.dep_ in {"aux", "auxpass"}
    )
    units: list[Unit] = []
    for noun in tokens:
        if noun.pos_ not in {"NOUN", "PROPN"}:
            continue
        phrase = {t.i for c in noun.lefts if c.dep_ in _NOUN_LEFTS for t in c.subtree} | {noun.i}
        plural = noun.tag_ in {"NNS", "NNPS"}
        be = ("were" if plural else "was") if past else ("are" if plural else "is")
        for child in noun.children:
            side = {t.i for t in child.subtree if t.i in inside and not t.is_punct}
            if not side or len(side) != len([t for t in child.subtree if not t.is_punct]):
                continue
            swaps: dict[int, str] = {}
            if child.dep_ == "relcl":
                pronouns = [
                    c
                    for c in child.children
                    if c.dep_ in {"nsubj", "nsubjpass"} and c.lower_ in {"which", "who", "that"}
                ]
                if not pronouns:
                    continue
                side.discard(pronouns[0].i)
            elif child.dep_ == "acl" and child.tag_ == "VBN" and child.i == min(side):
                swaps[child.i] = f"{be} {child.text}"
            elif child.dep_ == "appos" and noun.pos_ == "PROPN" and noun.ent_type_:
                swaps[min(side)] = f"{be} {root.doc[min(side)].text}"
            elif child.dep_ == "appos" and noun.pos_ == "NOUN" and _is_person(child):
                # "the 58-year-old actor Tom Hanks" -> "Tom Hanks was the 58-year-old actor"
                described = _text(root.doc, phrase)
                name = [t for t in tokens if t.i in side]
                role = [t for t in tokens if t.i in phrase]
                if content_words([*name, *role]) >= MIN_DESCRIBED_WORDS:
                    last = name[-1]
                    units.append((name, {last.i: f"{last.text} {be} {_lowered(described)}"}))
                continue
            else:
                continue
            unit = phrase | side
            words = [t for t in tokens if t.i in unit]
            if content_words(words) >= MIN_DESCRIBED_WORDS:
                units.append((words, swaps))
        if _is_person(noun):
            units += _role_units(noun, tokens, inside, "was" if past else "is")
    return units


def _is_person(token: Token) -> bool:
    return token.pos_ == "PROPN" and token.ent_type_ == "PERSON"


def _role_units(noun: Token, tokens: list[Token], inside: set[int], be: str) -> list[Unit]:
    """A person's role, written before their name, as a unit of its own.

    "Manchester United's manager Jose Mourinho said ..." -> "Jose Mourinho was
    Manchester United's manager" (in the clause's tense); "police arrested former
    teacher John Smith" -> "John Smith was a former teacher".
    """
    roles = [c for c in noun.lefts if c.dep_ == "compound" and c.pos_ == "NOUN"]
    if not roles:
        return []
    role = roles[-1]
    described = {t.i for t in role.subtree}
    name = [t for t in noun.lefts if t.i > role.i and t.dep_ == "compound"] + [noun]
    if not described <= inside or any(t.pos_ != "PROPN" for t in name):
        return []
    if content_words([*name, *(t for t in tokens if t.i in described)]) < MIN_DESCRIBED_WORDS:
        return []
    text = _text(noun.doc, described)
    has_determiner = any(t.dep_ in {"det", "poss"} for t in role.subtree)
    article = "" if has_determiner else ("an " if text[0].lower() in "aeiou" else "a ")
    return [(name, {noun.i: f"{noun.text} {be} {article}{_lowered(text)}"})]


def _text(doc: Doc, indices: set[int]) -> str:
    """The text of the tokens at ``indices``, which follow one another."""
    return doc[min(indices) : max(indices) + 1].text


def _lowered(text: str) -> str:
    """A phrase moved from the start of a sentence: "The actor" -> "the actor"."""
    first = text.split(" ", 1)[0]
    return text[0].lower() + text[1:] if first.lower() in {"the", "a", "an"} else text


def _trimmed(
    child: Token, inside: set[int], keep_all: bool = False
) -> tuple[set[int], list[set[int]]]:
    """A core argument without its noun's right-hand modifiers, which become optional.

    A subject keeps its "of" phrase ("the isolation of the Soviet Union"), and so does
    a noun of quantity ("a wave of uprisings"); ``keep_all`` keeps every modifier.
    """
    words = {t.i for t in child.subtree if t.i in inside}
    if child.pos_ not in {"NOUN", "PROPN", "PRON", "NUM"} or keep_all:
        return words, []
    is_subject = child.dep_ in {"nsubj", "nsubjpass"}
    modifiers = [
        {t.i for t in c.subtree if t.i in inside}
        for c in child.children
        if c.dep_ in _NOUN_MODIFIERS
        and c.i > child.i
        and not (c.lower_ == "of" and child.lemma_.lower() in PARTITIVES)
        # A subject keeps what tells it apart ("the people put in charge of them").
        and not (is_subject and c.dep_ != "appos")
    ]
    for modifier in modifiers:
        words -= modifier
    return words, modifiers


def _whole_quotations(unit: set[int], tokens: list[Token]) -> set[int]:
    """A quotation is kept whole or not at all: "tied to the slogan 'socialism in one ...'"."""
    marks = [
        t.i
        for t in tokens
        if t.text in _QUOTES
        and not (
            t.text == "’"
            and t.i
            and tokens[0].doc[t.i - 1].is_alpha
            and t.i + 1 < len(t.doc)
            and t.doc[t.i + 1].is_alpha
        )
    ]
    for start, end in zip(marks[::2], marks[1::2], strict=False):
        between = {t.i for t in tokens if start < t.i < end}
        if unit & between:
            unit = unit | between | {start, end}
    return unit


def _with_comma(unit: set[int], core: set[int], tokens: list[Token]) -> set[int]:
    """Keep the comma after an opening phrase: "When Lenin died in 1924, the leaders ..."."""
    start = min(core)
    commas = {
        t.i
        for t in tokens
        if t.text == "," and t.i < start and t.i - 1 in unit and t.i + 1 in unit | core
    }
    return unit | commas


def _has_content(unit: set[int], tokens: list[Token]) -> bool:
    return content_words([t for t in tokens if t.i in unit]) > 0


def _split_nouns(unit: set[int], tokens: list[Token]) -> list[set[int]]:
    """One unit per conjunct of a coordinated noun ("phones and tablets")."""
    by_index = {t.i: t for t in tokens}
    for i in sorted(unit):
        token = by_index[i]
        conjuncts = [c for c in token.children if c.dep_ == "conj" and c.i in unit]
        if token.pos_ not in {"NOUN", "PROPN"} or not conjuncts:
            continue
        if any(c.pos_ not in {"NOUN", "PROPN", "NUM"} for c in conjuncts):
            continue
        joiners = {c.i for c in token.children if c.dep_ in {"cc", "punct"} and c.i in unit}
        members = [token, *conjuncts]
        # The first noun's own modifiers ("rapid industrialisation and a strong army")
        # go with it; its determiner is shared.
        own = {
            t.i
            for c in token.children
            if c.i < token.i and c.dep_ in {"amod", "compound", "nummod", "poss", "advmod"}
            for t in c.subtree
        } | {token.i}
        result = []
        for keep in members:
            drop = set(joiners)
            for other in members:
                if other is token and keep is not token:
                    drop |= own
                elif other is not token and other is not keep:
                    drop |= {t.i for t in other.subtree}
            result.append(unit - drop)
        return result
    return [unit]

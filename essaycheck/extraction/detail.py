"""Finer units of a claim, for ``--detail fine``: one fact each, as content units are written.

"Pair were left homeless after storms" gives "Pair were left homeless" and "Pair were
left homeless after storms"; "criticised for phones and tablets" gives one unit for
phones and one for tablets. Each unit keeps the clause's subject and verb, adds at most
one modifier, and splits coordinated nouns.
"""

from __future__ import annotations

from spacy.tokens import Token

from essaycheck.extraction.claims import content_words, head_of

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
MAX_UNITS = 12


def finer_units(tokens: list[Token]) -> list[list[Token]]:
    """The clause's finer units as token lists, in the clause's order, the clause itself last."""
    root = head_of(tokens)
    inside = {t.i for t in tokens}
    # Words shared with the claim it was split from (its subject) have heads outside it.
    core: set[int] = {
        t.i
        for top in tokens
        if top.head.i not in inside and top is not root
        for t in top.subtree
        if t.i in inside
    } | {root.i}
    optional: list[set[int]] = []
    for child in root.children:
        if child.i not in inside:
            continue
        if child.dep_ in _CORE:
            kept, modifiers = _trimmed(child, inside)
            core |= kept
            optional += modifiers
        elif child.dep_ in _OPTIONAL:
            optional.append({t.i for t in child.subtree if t.i in inside})
    units = [core] + [core | extra for extra in optional if _has_content(extra, tokens)]
    split = []
    for unit in units:
        split += _split_nouns(unit, tokens)
    ordered: list[set[int]] = []
    for unit in split[: MAX_UNITS - 1]:
        if unit not in ordered and unit != inside:
            ordered.append(unit)
    return [[t for t in tokens if t.i in unit] for unit in ordered] + [tokens]


def _trimmed(child: Token, inside: set[int]) -> tuple[set[int], list[set[int]]]:
    """A core argument without its noun's right-hand modifiers, which become optional."""
    words = {t.i for t in child.subtree if t.i in inside}
    if child.pos_ not in {"NOUN", "PROPN", "PRON", "NUM"}:
        return words, []
    modifiers = [
        {t.i for t in c.subtree if t.i in inside}
        for c in child.children
        if c.dep_ in _NOUN_MODIFIERS and c.i > child.i
    ]
    for modifier in modifiers:
        words -= modifier
    return words, modifiers


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
        result = []
        for keep in members:
            drop = set(joiners)
            for other in members:
                if other is token and keep is not token:
                    drop.add(token.i)
                elif other is not token and other is not keep:
                    drop |= {t.i for t in other.subtree}
            result.append(unit - drop)
        return result
    return [unit]

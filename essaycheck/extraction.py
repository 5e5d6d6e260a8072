"""build_rubric(): extract the key points of a source text for a teacher to review.

Each key point is one claim. Sentences are parsed with spaCy's en_core_web_sm;
a sentence that joins two claims ("he believed X, as well as Y"; "she argued
for X and that Y") becomes two points; a leading "he" or "his" is replaced by
the person it refers to, so the point reads on its own; discourse filler ("on
the other hand", "this shows that") is dropped; truncated sentences and near
duplicates are skipped; and each point gets a readable id from its key phrase.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from essaycheck.engine.pipelines import load_parser_nlp
from essaycheck.errors import RubricError
from essaycheck.rubric import KeyPoint, Rubric

MIN_CONTENT_WORDS = 5
MIN_SPLIT_CONTENT_WORDS = 3
DUPLICATE_OVERLAP = 0.6
MAX_ID_WORDS = 3
_SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj", "expl"}
_FRAME_DEPS = {"aux", "auxpass", "neg"}
_PRONOUNS = {"he": "{}", "she": "{}", "his": "{}'s", "her": "{}'s"}
_LEADING_FILLER = re.compile(
    r"^(?:(?:also|however|moreover|furthermore|therefore|thus|finally|in addition|"
    r"in comparison|in contrast|on the other hand|by this|as a result|overall|"
    r"this (?:highlights|shows|suggests|means|demonstrates|indicates) that)[,\s]+)+",
    re.IGNORECASE,
)
_INNER_FILLER = re.compile(r",\s*(?:on the other hand|however|therefore|in turn),", re.IGNORECASE)
_QUOTED = re.compile(r"(?<![A-Za-z])[‘'\"“]([A-Za-z][A-Za-z ,\-]{3,60}?)[’'\"”](?![A-Za-z])")
_TRUNCATED = ("...", "…")
# Named entities that say when or how much, not what a claim is about.
_NOT_TOPICS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "MONEY"}
# Nouns too general to name a key point on their own.
_GENERIC_NOUNS = {
    "idea",
    "voice",
    "question",
    "way",
    "risk",
    "line",
    "thing",
    "time",
    "year",
    "view",
    "people",
    "leader",
    "point",
    "hand",
    "step",
    "change",
    "debate",
    "argument",
    "issue",
    "name",
    "fact",
    "part",
    "kind",
    "lot",
    "number",
}


@dataclass(frozen=True)
class Claim:
    """One extracted claim, with the tokens it came from."""

    text: str
    tokens: tuple[Token, ...]
    person: str | None


def build_rubric(text: str, title: str, source: str = "") -> Rubric:
    """Extract a rubric of key points from a source text.

    Raises:
        RubricError: the source holds no claim that could become a key point.
    """
    # The parser ends a sentence at "..." but not at "…", so a truncated sentence
    # would run into the next one.
    doc = load_parser_nlp()(text.replace("…", "..."))
    claims = _deduplicate(_claims(doc))
    if not claims:
        raise RubricError(
            f"{source or 'the source'}: no key points found. A source needs "
            "full sentences that make claims; write the rubric by hand instead."
        )
    ids = _ids(claims)
    points = tuple(
        KeyPoint(id=point_id, text=claim.text, hint=_hint(claim, point_id))
        for point_id, claim in zip(ids, claims, strict=True)
    )
    return Rubric(title=title, points=points, source=source)


def _claims(doc: Doc) -> list[Claim]:
    claims: list[Claim] = []
    person: str | None = None
    people = {word for ent in doc.ents if ent.label_ == "PERSON" for word in ent.text.split()}
    for sentence in doc.sents:
        if sentence.text.rstrip().endswith(_TRUNCATED):
            continue
        for part in _clauses(sentence):
            pieces = _split_coordination(part)
            enough = MIN_CONTENT_WORDS if len(pieces) == 1 else MIN_SPLIT_CONTENT_WORDS
            for tokens in pieces:
                text = _render(tokens, person)
                if text and _content_words(tokens) >= enough:
                    claims.append(Claim(text, tuple(tokens), person))
        person = _last_person(sentence, people) or person
    return claims


def _clauses(sentence: Span) -> list[list[Token]]:
    """Split a sentence at semicolons into its independent parts."""
    parts: list[list[Token]] = [[]]
    for token in sentence:
        if token.text == ";":
            parts.append([])
        elif not token.is_space:
            parts[-1].append(token)
    return [part for part in parts if any(t.pos_ in {"VERB", "AUX"} for t in part)]


def _split_coordination(part: list[Token], is_split: bool = False) -> list[list[Token]]:
    """Split "X and Y" / "X, as well as Y" into two claims when Y is a clause."""
    inside = {token.i for token in part}
    root = next((t for t in part if t.head.i not in inside or t.head == t), part[0])
    for token in part:
        if token.dep_ != "conj" or token.pos_ not in {"VERB", "AUX"}:
            continue
        if not _on_main_line(token.head, root, inside):
            continue
        joiners = {
            t.i for c in token.head.children if c.dep_ == "cc" and c.i < token.i for t in c.subtree
        }
        if not joiners:
            continue
        joined = {t.i for t in token.subtree}
        first = [t for t in part if t.i not in joined and t.i not in joiners]
        second = _with_frame(token, root, part, joined)
        if second and _content_words(first) >= 3 and _content_words(second) >= 3:
            return [*_split_coordination(first), second]
    return [part]


def _on_main_line(token: Token, root: Token, inside: set[int]) -> bool:
    """Whether ``token`` is the root or a clausal complement on the root's spine."""
    while token != root:
        if token.dep_ not in {"ccomp", "acomp", "xcomp", "conj"} or token.head.i not in inside:
            return False
        token = token.head
    return True


def _with_frame(joined: Token, root: Token, part: list[Token], subtree: set[int]) -> list[Token]:
    """The second claim: its own clause, or the words it shares with the first claim.

    "X lost his post and was exiled" shares the subject; "X argued for A and that
    B" shares the subject and the verb. Returns [] when the shared words cannot
    be told apart (an expletive "there" or "it" subject).
    """
    children = list(joined.children)
    has_subject = any(c.dep_ in _SUBJECT_DEPS for c in children)
    has_that = any(c.dep_ == "mark" and c.lower_ == "that" for c in children)
    if has_subject and not has_that:
        return [t for t in part if t.i in subtree]
    subjects = [c for c in root.children if c.dep_ in _SUBJECT_DEPS]
    if not subjects or any(
        c.dep_ == "expl" or c.lower_ in {"it", "this", "there"} for c in subjects
    ):
        return []
    frame = {t.i for c in subjects for t in c.subtree}
    head = joined
    while head.dep_ == "conj" and head != root:
        head = head.head
    shares_verb = head != root or has_that
    has_aux = any(c.dep_ in {"aux", "auxpass"} for c in children)
    if shares_verb:
        frame.add(root.i)
    for child in root.children:
        if child.dep_ == "neg" or (
            child.dep_ in {"aux", "auxpass"} and (shares_verb or not has_aux)
        ):
            frame.add(child.i)
    return [t for t in part if t.i in frame or t.i in subtree]


def _render(tokens: list[Token], person: str | None) -> str:
    """Join tokens into a clean, self-contained sentence."""
    words = []
    for index, token in enumerate(tokens):
        word = token.text
        if (
            person
            and token.lower_ in _PRONOUNS
            and token.dep_ in (*_SUBJECT_DEPS, "poss")
            and not any(t.ent_type_ == "PERSON" for t in tokens[:index])
        ):
            word = _PRONOUNS[token.lower_].format(person)
            if index == 0 or tokens[index - 1].text in {".", ":"}:
                word = word[0].upper() + word[1:]
        # A line break is a token of its own, skipped by _clauses; keep it as a space.
        follows_space = token.i + 1 < len(token.doc) and token.doc[token.i + 1].is_space
        words.append(word + (token.whitespace_ or (" " if follows_space else "")))
    text = "".join(words).strip()
    text = _INNER_FILLER.sub("", text)
    text = _LEADING_FILLER.sub("", text)
    text = re.sub(r"\s+([,.;:])", r"\1", text)
    text = re.sub(r"\s{2,}", " ", text).strip(" ,;:'’‘\"")
    if text.endswith("?"):
        return ""
    text = re.sub(r"\b(believed|believes|believe) (\w+ing)\b", r"\1 in \2", text)
    text = text.rstrip(".!").rstrip(" ,;:") + "."
    if len(text) < 2:
        return ""
    return text[0].upper() + text[1:]


def _content_words(tokens: list[Token] | tuple[Token, ...]) -> int:
    return sum(1 for t in tokens if t.is_alpha and not t.is_stop)


def _last_person(sentence: Span, people: set[str]) -> str | None:
    """The person a following "he" most likely means: the last person who was a subject."""
    subjects = [t.text for t in sentence if t.dep_ in _SUBJECT_DEPS and t.text in people]
    named = [t.text for t in sentence if t.text in people]
    found = subjects or named
    return found[-1] if found else None


def _lemmas(claim: Claim) -> set[str]:
    return {t.lemma_.lower() for t in claim.tokens if t.is_alpha and not t.is_stop}


def _deduplicate(claims: list[Claim]) -> list[Claim]:
    kept: list[Claim] = []
    for claim in claims:
        words = _lemmas(claim)
        if any(_overlap(words, _lemmas(other)) >= DUPLICATE_OVERLAP for other in kept):
            continue
        kept.append(claim)
    return kept


def _overlap(first: set[str], second: set[str]) -> float:
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


def _ids(claims: list[Claim]) -> list[str]:
    ids: list[str] = []
    spread = Counter(lemma for claim in claims for lemma in _lemmas(claim))
    for claim in claims:
        candidates = _id_candidates(claim, spread)
        chosen = next((c for c in candidates if c not in ids), None)
        if chosen is None:
            base = candidates[0] if candidates else "point"
            suffix = 2
            while f"{base}-{suffix}" in ids:
                suffix += 1
            chosen = f"{base}-{suffix}"
        ids.append(chosen)
    return ids


def _id_candidates(claim: Claim, spread: Counter[str]) -> list[str]:
    """Readable ids for a claim, best first: a quoted phrase, then key noun phrases.

    A noun phrase ranks higher with more modifiers and as an object, lower when
    its head is a generic noun or recurs across many claims (``spread``), since
    such a word cannot tell this claim from the others.
    """
    candidates = [
        _slug(match) for match in _QUOTED.findall(claim.text) if 2 <= len(match.split()) <= 5
    ]
    inside = {t.i for t in claim.tokens}
    doc = claim.tokens[0].doc
    claim_people = {
        word for ent in doc.ents if ent.label_ == "PERSON" for word in ent.text.split()
    } | ({claim.person} if claim.person else set())
    phrases = []
    for token in claim.tokens:
        if (
            token.pos_ not in {"NOUN", "PROPN"}
            or token.ent_type_ == "PERSON"
            or (token.text in claim_people)
        ):
            continue
        if token.dep_ == "compound" and token.head.i in inside:
            continue
        modifiers: list[Token] = []
        for left in reversed([t for t in token.lefts if t.i in inside]):
            if (
                left.dep_ not in {"amod", "compound", "nmod", "nummod"}
                or left.ent_type_ == "PERSON"
            ):
                break
            if any(t.text == "," for t in left.doc[left.i : token.i]):
                break
            modifiers.insert(0, left)
        words = [*modifiers, token][-MAX_ID_WORDS:]
        weight = (
            len(modifiers) * 2
            + (token.dep_ in {"dobj", "pobj", "oprd"})
            - 3 * (token.lemma_.lower() in _GENERIC_NOUNS)
            - min(3, spread[token.lemma_.lower()] - 1)
            - 2 * (token.pos_ == "PROPN" or token.ent_type_ in _NOT_TOPICS)
        )
        phrases.append((weight, -token.i, words))
    for _, _, words in sorted(phrases, key=lambda item: (-item[0], -item[1])):
        candidates.append(_slug(" ".join(t.lemma_ if t.tag_ == "NNS" else t.text for t in words)))
    verbs = [t for t in claim.tokens if t.pos_ == "VERB"]
    if verbs:
        candidates.append(_slug(verbs[0].lemma_ + " " + (candidates[0] if candidates else "")))
    return [c for c in candidates if c]


def _slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words)[:64].strip("-")


def _hint(claim: Claim, point_id: str) -> str:
    """A question that points a student at the claim without stating it."""
    topic = point_id.replace("-", " ")
    first = claim.text.split()[0].removesuffix("'s").removesuffix("’s")
    people = {t.text for t in claim.tokens if t.ent_type_ == "PERSON"}
    if claim.person:
        people.add(claim.person)
    if first in people:
        return f"What did {first} argue about {topic}?"
    return f"What does the source say about {topic}?"

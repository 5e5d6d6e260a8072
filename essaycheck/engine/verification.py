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

Words are compared by their Snowball stems. Most evidence is judged without a
parse, so that marking stays fast: a negation can deny a point only if enough
of the words the evidence shares with it follow a negation word, and evidence
can misattribute a point only if it names another person (or says "he" after
one) without plainly crediting the point's person ("by Trotsky", "Trotsky
argued"). The entity recogniser runs only when a verdict depends on whether a
name is a person's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import Stemmer
from rapidfuzz.distance import OSA
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.pipeline import EntityRecognizer
from spacy.tokens import Doc, Token

from essaycheck.results import Objection
from essaycheck.rubric import Rubric

_NEGATORS = {"not", "n't", "never", "no", "without", "nor", "neither", "nobody", "nothing"}
_NOT_A_NEGATION_AFTER = {"only", "just", "merely", "simply", "alone"}
_NEGATING_VERB = re.compile(
    r"reject\w*|oppos\w*|den(?:y|ied|ies|ying)|refus\w*|dismiss\w*|abandon\w*|disagree\w*"
    r"|stop(?:s|ped|ping)?|ceas\w*|halt\w*"
)
# Verbs that end what their subject does: "the revolution stopped" denies the revolution.
_ENDING_VERB = re.compile(r"stop(?:s|ped|ping)?|ceas\w*|halt\w*")
_NEGATION_CUE = re.compile(
    rf"\b(?:not|cannot|never|no|without|nor|neither|nobody|nothing|{_NEGATING_VERB.pattern})\b|n't",
    re.IGNORECASE,
)
# The one negation a sure model overrules: a correct answer says what a procedure does
# "not" state; "no", "never", "nobody" and the denying verbs deny the clause itself.
_PLAIN_NOT = {"not", "cannot", "n't"}
# "Trotsky argued...": a person's name followed by one of these is the subject.
_CREDITING_VERBS = (
    r"\w+ed|was|is|said|says|thought|thinks|felt|feels|held|holds|saw|sees|wrote|writes"
    r"|believes|argues|wants|insists|claims|calls|warns|hopes|fears|sought|seeks|made|led"
    r"|took|wanted|could|would|did|does"
)
# The fine-grained tags of proper nouns: the checks read tags, not coarse parts of speech.
_PROPER_NOUN_TAGS = {"NNP", "NNPS"}
_SUBJECT_DEPS = {"nsubj", "nsubjpass", "agent", "csubj"}
_PRONOUNS = {"he", "she", "his", "her", "him"}
# A negation does not reach into coordinated clauses or reasons and conditions:
# in "it did not go down well because pay was lower", "lower pay" is asserted.
_CLAUSE_BREAKS = {"conj", "parataxis", "advcl", "mark"}
# Parsed sentences are kept for reuse within a class, up to this many: a parsed
# sentence holds its token vectors, so an unbounded cache would grow with the class.
MAX_CACHED_SENTENCES = 2000
ENTITY_RECOGNISER = "ner"
# Sentences parsed at once: larger batches are no faster, and need far more memory.
PARSE_BATCH = 32
# A person's name this long or longer is recognised misspelt when this alike (edit distance
# counting a swap of two letters as one edit): students write "Trotksy" and "Stallin".
NAME_MIN_LENGTH = 5
NAME_MIN_SIMILARITY = 0.8
_WORD = re.compile(r"[a-z]+")
_STEMMER = Stemmer.Stemmer("english")
_PRONOUN = re.compile(r"\b(?:he|she|his|her|him)\b", re.IGNORECASE)
_CAPITALISED = re.compile(r"\b[A-Z][a-z]{2,}\b")


# What a candidate is checked with: the point's index, the evidence's sentences, and the
# essay text before them.
Candidate = tuple[int, Sequence[str], str]
# A verdict that waits for the entity recogniser.
_UNDECIDED = object()


@dataclass(frozen=True)
class PointClaim:
    """Who a key point credits its claim to, its content stems, and which of them are negated."""

    agent: str | None
    negated: frozenset[str]
    stems: frozenset[str]


@dataclass(frozen=True)
class PreparedClaims:
    """The rubric's people and every point's claim, parsed once per rubric."""

    people: frozenset[str]
    claims: tuple[PointClaim, ...]
    people_pattern: re.Pattern[str] | None
    vocabulary: frozenset[str]


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
        names = {_stem_of(person) for person in people}
        claims = tuple(
            PointClaim(agent, _negated_stems(doc), _stems(doc) - names)
            for doc, agent in zip(docs, agents, strict=True)
        )
        pattern = (
            re.compile(r"\b(" + "|".join(re.escape(p) for p in sorted(people)) + r")\b", re.I)
            if people
            else None
        )
        vocabulary = frozenset(
            word.lower() for point in rubric for word in re.findall(r"[A-Za-z]+", point.text)
        )
        return PreparedClaims(people, claims, pattern, vocabulary)

    def objection(
        self, prepared: PreparedClaims, index: int, sentences: Sequence[str], context: str
    ) -> Objection | None:
        """Return why the sentences do not make point ``index``'s claim, or None if they may.

        Args:
            prepared: the rubric's parsed claims.
            index: the point's position in the rubric.
            sentences: the candidate evidence, one or two sentences.
            context: the essay text before the evidence (to resolve "he").
        """
        return self.objections(prepared, [(index, sentences, context)])[0]

    def objections(
        self, prepared: PreparedClaims, candidates: Sequence[Candidate]
    ) -> list[Objection | None]:
        """``objection`` for many candidates (point index, sentences, context) at once.

        The few whose verdict depends on whether a name is a person's get the
        entity recogniser, in one batch.
        """
        found = [self._objection(prepared, *candidate) for candidate in candidates]
        undecided = [number for number, verdict in enumerate(found) if verdict is _UNDECIDED]
        docs = [doc for number in undecided for doc in self._parse(candidates[number][1])]
        self._recognise_entities(docs, prepared.people)
        for number in undecided:
            found[number] = self._objection(prepared, *candidates[number])
        return [verdict if isinstance(verdict, Objection) else None for verdict in found]

    def _objection(
        self, prepared: PreparedClaims, index: int, sentences: Sequence[str], context: str
    ) -> Objection | object | None:
        """The objection, or _UNDECIDED when it depends on entities not yet recognised."""
        claim = prepared.claims[index]
        text = " ".join(sentences)
        if self._denies(sentences, claim):
            return says_the_opposite(text)
        if claim.agent is None or not _may_credit_someone_else(text, context, claim, prepared):
            return None
        docs = self._parse(sentences)
        previous = _last_person(context, prepared)

        def verdict(is_person: Callable[[Token], bool]) -> Objection | None:
            named = _named_roles(docs, prepared.people, previous, is_person)
            others = sorted(named.subjects - {claim.agent})
            if claim.agent in named.credited or not others:
                return None
            return Objection(
                "misattributed",
                f"the rubric credits this to {claim.agent}; your essay gives it to {others[0]}",
            )

        # Whether "Bukharin" or "Russia" is a person matters only if the verdict
        # differs between all and none of them being people; only then is the
        # entity recogniser needed.
        if (found := verdict(lambda _: True)) == verdict(lambda _: False):
            return found
        if any(_needs_entities(doc, prepared.people) for doc in docs):
            return _UNDECIDED
        return verdict(lambda token: token.ent_type_ in {"PERSON", ""})

    def needs_parse(
        self, prepared: PreparedClaims, index: int, sentences: Sequence[str], context: str
    ) -> bool:
        """Whether the sentences could deny point ``index`` or credit it to someone else.

        A cheap lexical look: most evidence has neither a negation nor another
        person in it, and needs no parse.
        """
        claim = prepared.claims[index]
        if _may_deny(sentences, claim, _shared_stems(sentences, claim)):
            return True
        text = " ".join(sentences)
        return claim.agent is not None and _may_credit_someone_else(text, context, claim, prepared)

    def _denies(self, sentences: Sequence[str], claim: PointClaim) -> bool:
        """Whether most content words the evidence shares with the point have the other polarity.

        Without a negation word in the evidence nothing in it is negated, and no
        parse is needed to tell.
        """
        shared = _shared_stems(sentences, claim)
        if not shared:
            return False
        negated: frozenset[str] = frozenset()
        subjects: frozenset[str] = frozenset()
        if any(_NEGATION_CUE.search(sentence) for sentence in sentences):
            if not _may_deny(sentences, claim, shared):
                return False
            docs = self._parse(sentences)
            negated = frozenset().union(*(_negated_stems(doc) for doc in docs))
            subjects = frozenset().union(*(_negated_subjects(doc) for doc in docs))
        flipped = {stem for stem in shared if (stem in negated) != (stem in claim.negated)}
        # a negation never governs its own clause's subject: "Plants never give off
        # oxygen" is decided by "oxygen" alone, not left a tie by "plants"
        within = shared if claim.negated else shared - (subjects - negated)
        return bool(flipped) and len(flipped) * 2 > len(within)

    def negations_cancel(
        self, prepared: PreparedClaims, index: int, sentences: Sequence[str]
    ) -> bool:
        """Whether the sentences negate point ``index``'s words twice over, so that they state it.

        "Trotsky did not want the revolution to stop at Russia's border" and "A
        plant cannot make food without sunlight" state their points through two
        negations that cancel; a model that reads a "not" as the opposite reads
        them as contradicting: two negations or more, some of the point's words
        under them, and none under an odd number. "The rain cannot soak into the
        ground, so there is no water underground" has two negations that do not
        cancel: each denies words of its own. Only a plain point.
        """
        claim = prepared.claims[index]
        shared = _shared_stems(sentences, claim)
        if claim.negated or not shared or not may_negate_twice(" ".join(sentences)):
            return False
        docs = self._parse(sentences)
        scopes = [
            scope for doc in docs for token in doc if (scope := _negation_scope(token)) is not None
        ]
        governed = frozenset().union(*scopes)
        negated = frozenset().union(*(_negated_stems(doc) for doc in docs))
        return len(scopes) >= 2 and bool(shared & governed) and not shared & negated

    def parse_ahead(self, sentences: Iterable[str]) -> None:
        """Parse, in one batch, sentences that are about to be verified.

        The entity recogniser costs as much as the parser and is rarely needed:
        it runs later, only on a sentence whose verdict depends on it.
        """
        requested = list(dict.fromkeys(sentences))
        missing = [sentence for sentence in requested if sentence not in self._docs]
        if not missing:
            return
        if len(self._docs) + len(missing) > MAX_CACHED_SENTENCES:
            self._docs.clear()  # and parse every requested sentence again
            missing = requested
        parsed = self.nlp.pipe(missing, disable=[ENTITY_RECOGNISER], batch_size=PARSE_BATCH)
        for sentence, doc in zip(missing, parsed, strict=True):
            doc.tensor = doc.tensor[:0]  # the token vectors are not needed once parsed
            self._docs[sentence] = doc

    def _recognise_entities(self, docs: list[Doc], people: frozenset[str]) -> None:
        """Run the entity recogniser, once, on the sentences that need it.

        Only a proper-noun subject who is not one of the rubric's people needs
        it: is "Bukharin" a person, or "Russia" a place?
        """
        needed = [doc for doc in dict.fromkeys(docs) if _needs_entities(doc, people)]
        recogniser = self.nlp.get_pipe(ENTITY_RECOGNISER)
        if isinstance(recogniser, EntityRecognizer):
            for _ in recogniser.pipe(needed, batch_size=PARSE_BATCH):  # in place
                pass
        else:
            for doc in needed:
                recogniser(doc)

    def _parse(self, sentences: Sequence[str]) -> list[Doc]:
        """Parse each sentence once: windows overlap, so sentences recur."""
        self.parse_ahead(sentences)
        return [self._docs[sentence] for sentence in sentences]


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
                if token.tag_ in _PROPER_NOUN_TAGS and token.ent_type_ not in {"GPE", "LOC", "ORG"}:
                    return token.text
            if child.dep_ == "nsubj" and child.tag_ in _PROPER_NOUN_TAGS:
                return child.text
    return None


def _named_roles(
    docs: list[Doc],
    people: frozenset[str],
    previous: str | None,
    is_person: Callable[[Token], bool],
) -> _Roles:
    """Which people the sentences make a subject, and which they credit at all.

    ``is_person`` says whether a proper-noun subject the rubric does not name
    is a person.
    """
    subjects: set[str] = set()
    credited: set[str] = set()
    current = previous
    for token in (token for doc in docs for token in doc):
        name = _person(token, people, is_person)
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


def _person(token: Token, people: frozenset[str], is_person: Callable[[Token], bool]) -> str | None:
    """The rubric's person this token names, or another person who is a subject.

    A proper noun subject counts as a person unless the entity recogniser calls
    it a place, group or organisation: the small English model misses many
    historical names.
    """
    for person in people:
        if _same_name(token.text, person):
            return person
    return token.text if _maybe_person(token) and is_person(token) else None


def _same_name(word: str, person: str) -> bool:
    """Whether the word names the person, misspelt or not ("Trotksy" is Trotsky)."""
    word, person = word.lower(), person.lower()
    if word == person:
        return True
    return (
        len(person) >= NAME_MIN_LENGTH
        and OSA.normalized_similarity(word, person) >= NAME_MIN_SIMILARITY
    )


def _needs_entities(doc: Doc, people: frozenset[str]) -> bool:
    """Whether a sentence names someone the rubric does not, as yet unrecognised."""
    if doc.has_annotation("ENT_IOB"):
        return False
    names = {person.lower() for person in people}
    return any(_maybe_person(token) and token.lower_ not in names for token in doc)


def _maybe_person(token: Token) -> bool:
    """A capitalised proper-noun subject: a person, unless it names a place or group."""
    return (
        token.tag_ in _PROPER_NOUN_TAGS and token.dep_ in _SUBJECT_DEPS and token.text[:1].isupper()
    )


def _shared_stems(sentences: Sequence[str], claim: PointClaim) -> frozenset[str]:
    """The point's content stems that the evidence uses."""
    return claim.stems & frozenset().union(*(_text_stems(sentence) for sentence in sentences))


def _may_deny(sentences: Sequence[str], claim: PointClaim, shared: frozenset[str]) -> bool:
    """Whether a negation in the evidence could deny the point: if so, it must be parsed.

    The point is denied when most of the content words the evidence shares with
    it are negated (or, for a negated point, not negated). A negation governs
    words after it in its sentence (its subject, which it does not govern, comes
    before it), so when too few of the shared words follow a negation word, the
    evidence cannot deny a plain point. A negated point is parsed whenever the
    evidence has a negation word.
    """
    after_cue: set[str] = set()
    for sentence in sentences:
        cue = _NEGATION_CUE.search(sentence)
        if cue is not None:
            if claim.negated:
                return True
            # a verb that ends something governs its subject, before it, too
            reach = 0 if _ENDING_VERB.search(sentence) else cue.start()
            after_cue |= _text_stems(sentence[reach:]) & shared
    return bool(after_cue) and len(after_cue) * 2 >= len(shared)


def _may_credit_someone_else(
    text: str, context: str, claim: PointClaim, prepared: PreparedClaims
) -> bool:
    """A cheap look for another person in the text, so that most windows need no parse.

    Another of the rubric's people named; "he" or "his" after another of them; or,
    when the point's own person is not named, a capitalised word the rubric never
    uses (perhaps a person the rubric does not know).
    """
    if claim.agent is not None and _credits(text, claim.agent):
        return False
    agent = (claim.agent or "").lower()
    named = (
        {name.lower() for name in prepared.people_pattern.findall(text)}
        if (prepared.people_pattern)
        else set()
    )
    if named - {agent}:
        return True
    pronoun = _PRONOUN.search(text)
    if pronoun is not None:
        last = _last_person(context + text[: pronoun.start()], prepared)
        if last is not None and last != claim.agent:
            return True
        if last == claim.agent:
            return False
    if agent in named:
        return False
    return any(
        word.lower() not in prepared.vocabulary and word.lower() not in STOP_WORDS
        for word in _CAPITALISED.findall(text)
    )


def _credits(text: str, person: str) -> bool:
    """Whether the text surely credits the person: "by Trotsky", "Trotsky argued".

    Not "Trotsky's": in "wider support than Trotsky's" he is credited with nothing.
    """
    name = re.escape(person)
    pattern = (
        rf"\b(?:by|to) {name}\b"
        rf"|\b{name} (?:\w+ly |also |himself |had |has |then |still )?(?:{_CREDITING_VERBS})\b"
    )
    return re.search(pattern, text, re.IGNORECASE) is not None


def _last_person(context: str, prepared: PreparedClaims) -> str | None:
    if prepared.people_pattern is None:
        return None
    found = prepared.people_pattern.findall(context[-1000:])
    if not found:
        return None
    last = found[-1].lower()
    return next(person for person in prepared.people if person.lower() == last)


@lru_cache(maxsize=1 << 16)
def _stem_of(word: str) -> str:
    """A word's Snowball (Porter 2) stem: "helping" and "help" meet, "world" and "worldwide" not."""
    return str(_STEMMER.stemWord(word.lower()))


def _text_stems(text: str) -> frozenset[str]:
    """The stems of a text's content words, read without a parse."""
    return frozenset(
        _stem_of(word) for word in _WORD.findall(text.lower()) if word not in STOP_WORDS
    )


def _stems(doc: Doc) -> frozenset[str]:
    """The stems of the content words."""
    return frozenset(_stem_of(t.text) for t in doc if t.is_alpha and not t.is_stop)


def may_negate_twice(text: str) -> bool:
    """Whether ``text`` has two negation words or more (a cheap look before a parse)."""
    return len(_NEGATION_CUE.findall(text)) >= 2


def no_negation_but_not(text: str) -> bool:
    """Whether ``text`` has no negation word but "not", "cannot" and "n't".

    The checker lets the entailment model overrule the negation check there
    (``EntailmentRule.sure``), and nowhere else: "Nobody wanted the peasants to
    farm on state-run farms" stays a denial however sure the model is.
    """
    return {cue.group(0).lower() for cue in _NEGATION_CUE.finditer(text)} <= _PLAIN_NOT


def _negated_stems(doc: Doc) -> frozenset[str]:
    """The content words' stems under an odd number of negations.

    "Cannot ... without" states a need, not a denial: in "A plant cannot make
    food without sunlight" and "Without light a plant cannot produce food" the
    two negations of one verb say that food needs light, so neither counts.
    """
    needs = _needing_verbs(doc)
    negated: set[str] = set()
    for token in doc:
        if token.head.i in needs and (token.dep_ == "neg" or token.lower_ == "without"):
            continue
        scope = _negation_scope(token)
        if scope is not None:
            negated ^= scope
    return frozenset(negated)


def _needing_verbs(doc: Doc) -> set[int]:
    """The verbs both negated and qualified by "without": "cannot grow without light"."""
    negated = {token.head.i for token in doc if token.dep_ == "neg"}
    qualified = {
        token.head.i for token in doc if token.lower_ == "without" and token.dep_ == "prep"
    }
    return negated & qualified


def _negated_subjects(doc: Doc) -> frozenset[str]:
    """The content stems of negated clauses' subjects, which their negation does not govern."""
    stems: set[str] = set()
    for token in doc:
        head = _negation_head(token)
        if head is not None and not _ends_its_subject(head):
            stems |= _subject_stems(head)
    return frozenset(stems)


def _subject_stems(head: Token) -> set[str]:
    """The content stems of a word's subjects."""
    return {
        _stem_of(word.text)
        for child in head.children
        if child.dep_ in _SUBJECT_DEPS
        for word in child.subtree
        if word.is_alpha and not word.is_stop
    }


def _negation_scope(token: Token) -> set[str] | None:
    """The content stems a negation word governs, or None if the token negates nothing.

    A verb that ends something ("stop", "cease") governs its subject too: in
    "the revolution could not stop at one country" the two negations cancel on
    "stop at one country", and the revolution goes on.
    """
    head = _negation_head(token)
    if head is None:
        return None
    if _ends_its_subject(head):
        # what stops is its subject and what it does, never a clause beside it: in
        # "owners used steam engines, so people stopped making cloth at home" the
        # parser may hang the first clause on "stopped"
        return _scope_stems(head, _CLAUSE_BREAKS | {"ccomp"}) | _subject_stems(head)
    return _scope_stems(head)


def _ends_its_subject(head: Token) -> bool:
    """Whether a word is a verb that ends what its subject does ("the revolution stopped")."""
    return head.tag_.startswith("VB") and _ENDING_VERB.fullmatch(head.lower_) is not None


def _negation_head(token: Token) -> Token | None:
    """The word a negation word negates, or None if the token negates nothing."""
    lower = token.lower_
    following = token.doc[token.i + 1].lower_ if token.i + 1 < len(token.doc) else ""
    if lower in {"not", "n't"} and following in _NOT_A_NEGATION_AFTER:
        return None
    if token.dep_ == "neg" or lower in {"never", "nor", "neither", "nobody", "nothing"}:
        head = token.head
    elif lower == "no" and token.dep_ == "det":
        # "no water" as subject, or in "there is no water underground", denies its clause
        clause = token.head.dep_ in _SUBJECT_DEPS or _is_existential(token.head)
        head = token.head.head if clause else token.head
    elif (lower == "without" and token.dep_ == "prep") or (
        token.tag_.startswith("VB") and _NEGATING_VERB.fullmatch(lower)
    ):
        head = token
    else:
        return None
    return head


def _is_existential(token: Token) -> bool:
    """Whether a word is what a "there is" clause says exists ("there is no water")."""
    return token.dep_ == "attr" and any(child.dep_ == "expl" for child in token.head.children)


def _scope_stems(head: Token, breaks: frozenset[str] | set[str] = _CLAUSE_BREAKS) -> set[str]:
    """Content stems a negated head governs: not its subject, not the clauses ``breaks`` names."""
    stems: set[str] = set()
    stack = [head]
    while stack:
        token = stack.pop()
        if token.is_alpha and not token.is_stop:
            stems.add(_stem_of(token.text))
        stack.extend(
            child
            for child in token.children
            if child.dep_ not in breaks and not (token is head and child.dep_ in _SUBJECT_DEPS)
        )
    return stems


def says_the_opposite(text: str) -> Objection:
    """The objection to evidence that denies its point, quoting it on one line."""
    return Objection("negated", f"your essay says the opposite: “{_one_line(text)}”")


def _one_line(text: str) -> str:
    return " ".join(text.split())

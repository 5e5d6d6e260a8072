"""The checker: an essay and a rubric in, a verdict on every key point out.

Marking is a short pipeline of named stages over each point's candidate windows:

1. **match** (matcher.py): the similarity stage scores every window of the essay
   against every key point and proposes each point's best candidates;
2. **entail** (entailment.py): a cross-encoder reads each candidate against the
   point (entailed, contradicted or neither) and a rule fitted on its verdicts
   rescores it; a candidate saying the opposite is rejected;
3. **verify** (verification.py): each candidate is read against the point; one
   that denies the point or credits it to someone else is rejected, and the
   point's next candidate is tried;
4. **decide** (rule.py): ``DecisionRule.decide`` turns the surviving score into
   covered / missing and a close call or not;
5. **calibrate** (calibration.py): a teacher's calibration of the rubric, when
   there is one, re-scales every decision.

A new stage goes between two of these, as one module under ``engine/``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import TypeVar

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc

from essaycheck.engine.base import EngineSpec
from essaycheck.engine.entailment import EntailmentRule, EntailmentStage
from essaycheck.engine.matcher import KeyPointMatcher, PointMatch, PreparedRubric
from essaycheck.engine.verification import (
    ClaimVerifier,
    PreparedClaims,
    may_negate_twice,
    no_negation_but_not,
)
from essaycheck.engine.windows import PIECE_TOKENS, Window, essay_sentences, essay_windows
from essaycheck.io.essays import Essay
from essaycheck.results import (
    Calibrator,
    EngineInfo,
    EssayResult,
    Evidence,
    Objection,
    PointResult,
    decide,
)
from essaycheck.rubric import KeyPoint, Rubric

BATCH_SIZE = 64
# Essays are marked together up to this many characters too, so that a class of
# very long essays (or one essay of many tiny sentences) stays in bounded memory.
BATCH_CHARS = 500_000
# A point whose only evidence denies it, or credits it to someone else, scores at
# most this: clearly missing, not a close call.
REJECTED_SCORE = 0.25
T = TypeVar("T")


class Checker:
    """Everything marking needs, loaded once: the pipeline, the matcher, the verifier.

    A Marker (see ``essaycheck.batch``): ``check_many`` marks a stream of essays.

    Args:
        nlp: the marking pipeline (see ``essaycheck.engine.pipelines.build_marking_nlp``).
        matcher: a matcher with a fitted decision rule.
        spec: the engine, as the engine table names it.
        verifier: checks candidate evidence for negation and misattribution; None
            to skip the check. Its parser is loaded the first time it is needed.
        entailment: the entailment stage; None to decide on similarity alone.
    """

    def __init__(
        self,
        nlp: Language,
        matcher: KeyPointMatcher,
        spec: EngineSpec,
        verifier: Callable[[], ClaimVerifier] | None = None,
        entailment: EntailmentStage | None = None,
    ) -> None:
        self.nlp = nlp
        self.matcher = matcher
        self.spec = spec
        self.entailment = entailment
        self._load_verifier = verifier
        self._verifier: ClaimVerifier | None = None
        self._prepared: dict[str, PreparedRubric] = {}
        self._claims: dict[str, PreparedClaims] = {}

    def info(self, calibration: Calibrator | None = None) -> EngineInfo:
        """Describe the engine for reports: its name, version, model and calibration."""
        info = self.spec.info(self.matcher.embeddings.name, self.review_band, calibration)
        checks = info.checks if self._load_verifier else ()
        if self.entailment is not None:
            checks = ("entailment", *checks)
        return replace(info, checks=checks)

    @property
    def review_band(self) -> float:
        """How close to the threshold a score is a close call, under the deciding rule."""
        if self.entailment is not None:
            return self.entailment.rule.review_band
        return self.matcher.decision_rule().review_band

    def prepare(self, rubric: Rubric) -> PreparedRubric:
        """Embed a rubric's key points once, and remember them."""
        key = rubric.sha256
        if key not in self._prepared:
            self._prepared[key] = self.matcher.prepare(rubric)
        return self._prepared[key]

    def check(
        self, essay: Essay, rubric: Rubric, calibration: Calibrator | None = None
    ) -> EssayResult:
        """Decide which of the rubric's key points the essay covers."""
        return next(self.check_many([essay], rubric, calibration))

    def check_many(
        self, essays: Iterable[Essay], rubric: Rubric, calibration: Calibrator | None = None
    ) -> Iterator[EssayResult]:
        """Check essays in batches, yielding results in order as they are ready.

        A teacher's ``calibration`` of the rubric, when given, re-scales every decision.
        """
        prepared = self.prepare(rubric)
        for batch in in_batches(essays, BATCH_SIZE, weight=_length, budget=BATCH_CHARS):
            marked = iter(self._check_batch([e for e in batch if _fits(e, self.nlp)], prepared))
            for essay in batch:
                if not _fits(essay, self.nlp):
                    yield _too_long(essay, self.nlp.max_length)
                    continue
                doc, points = next(marked)
                yield self._result(doc, essay, points, calibration)

    def _check_batch(
        self, essays: list[Essay], prepared: PreparedRubric
    ) -> list[tuple[Doc, tuple[PointResult, ...]]]:
        """Match and verify a batch of essays together: one embedding call, shared parses."""
        if not essays:
            return []
        docs = list(self.nlp.pipe([essay.text for essay in essays], batch_size=BATCH_SIZE))
        lengths = [len(essay_sentences(doc)) for doc in docs]
        if self.entailment is None:
            windows = [essay_windows(doc) for doc in docs]
            matches = self.matcher.match_many(windows, prepared)
            rules: list[EntailmentRule | None] = [None] * len(docs)
            bands = [self.review_band] * len(docs)
        else:
            deciding = [self.entailment.rule.for_text(sentences) for sentences in lengths]
            windows = [
                essay_windows(doc, items=rule.items)
                for doc, rule in zip(docs, deciding, strict=True)
            ]
            proposals = [(rule.floor, rule.candidates) for rule in deciding]
            proposed = self.matcher.match_many(windows, prepared, proposals)
            cancelled = self._cancelled(prepared.rubric)
            matches = self.entailment.read(proposed, prepared.rubric, deciding, cancelled)
            rules = list(deciding)
            bands = [rule.review_band for rule in deciding]
        verified = self._verify(
            [
                (found, essay.text, band, rule)
                for found, essay, band, rule in zip(matches, essays, bands, rules, strict=True)
            ],
            prepared.rubric,
        )
        return list(zip(docs, verified, strict=True))

    def _result(
        self,
        doc: Doc,
        essay: Essay,
        points: tuple[PointResult, ...],
        calibration: Calibrator | None,
    ) -> EssayResult:
        """Gather an essay's verified points into its result."""
        result = EssayResult(
            name=essay.name,
            points=points,
            text=essay.text,
            student=essay.student,
            warnings=essay.warnings + essay_warnings(doc),
            format=essay.format,
            encoding=essay.encoding,
        )
        return calibration.apply(result) if calibration is not None else result

    def _verify(
        self,
        essays: list[tuple[list[PointMatch], str, float, EntailmentRule | None]],
        rubric: Rubric,
    ) -> list[tuple[PointResult, ...]]:
        """Take, for each covered point, the best candidate window that survives verification.

        Candidates are tried best first, in rounds across all the essays: each
        round parses in one batch the candidates that need it (one batch is far
        cheaper than sentence by sentence), then checks them; a rejected
        candidate's point tries its next one in the following round (a point
        the entailment stage settled on its first candidate has its others read
        then, and starts again). Essays that
        cover no point need no parse, so the parser is not even loaded for them.
        """
        results = [
            [self._unverified(point, match) for point, match in zip(rubric, matches, strict=True)]
            for matches, _, _, _ in essays
        ]
        pending = [
            (essay, index, 0)
            for essay, (matches, _, _, _) in enumerate(essays)
            for index, match in enumerate(matches)
            if match.is_covered and self._load_verifier is not None
        ]
        if not pending:
            return [tuple(points) for points in results]
        verifier = self._verifier_now()
        claims = self._claims_for(rubric)
        rejected: dict[tuple[int, int], tuple[Window, Objection]] = {}
        while pending:
            candidates = [
                (index, window.sentences or (window.text,), essays[essay][1][: window.start])
                for essay, index, rank in pending
                for window in (essays[essay][0][index].candidates[rank][0],)
            ]
            verifier.parse_ahead(
                sentence
                for candidate in candidates
                if verifier.needs_parse(claims, *candidate)
                for sentence in candidate[1]
            )
            objections = verifier.objections(claims, candidates)
            following = []
            for (essay, index, rank), objection in zip(pending, objections, strict=True):
                match = essays[essay][0][index]
                window, score = match.candidates[rank]
                point = results[essay][index].point
                if (
                    objection is not None
                    and objection.kind == "negated"
                    and window in match.sure
                    and no_negation_but_not(window.text)
                ):
                    objection = None  # the model surely reads it as stating the point
                if objection is None:
                    results[essay][index] = self._accepted(point, window, score, essays[essay][2])
                    continue
                rejected.setdefault((essay, index), (window, objection))
                if rank + 1 < len(match.candidates):
                    following.append((essay, index, rank + 1))
                elif match.unread and self.entailment is not None:
                    # settled on a candidate the parser rejects: read the others, start again
                    deciding = essays[essay][3] or self.entailment.rule
                    essays[essay][0][index] = self.entailment.finish(
                        match, (index, point.text), deciding, self._cancelled(rubric)
                    )
                    del rejected[essay, index]
                    following.append((essay, index, 0))
                else:
                    window, objection = rejected[essay, index]
                    results[essay][index] = PointResult(
                        point=point,
                        is_covered=False,
                        score=min(match.score, REJECTED_SCORE),
                        needs_review=False,
                        evidence=_evidence(window),
                        objection=objection,
                    )
            pending = following
        return [tuple(points) for points in results]

    def _unverified(self, point: KeyPoint, match: PointMatch) -> PointResult:
        """The verdict as it stands: the result of a point that is not covered."""
        if match.rejected is not None:
            window, objection = match.rejected
            return PointResult(
                point=point,
                is_covered=False,
                score=min(match.score, REJECTED_SCORE),
                needs_review=False,
                evidence=_evidence(window),
                objection=objection,
            )
        shown = match.window if (match.is_covered or match.needs_review) else None
        return PointResult(
            point=point,
            is_covered=match.is_covered,
            score=match.score,
            needs_review=match.needs_review,
            evidence=_evidence(shown) if shown else None,
            nearest=_evidence(match.window) if match.window and not shown else None,
        )

    def _accepted(self, point: KeyPoint, window: Window, score: float, band: float) -> PointResult:
        """A candidate that survived verification: its own score decides, in ``band``."""
        is_covered, needs_review = decide(score, band)
        return PointResult(
            point=point,
            is_covered=is_covered,
            score=score,
            needs_review=needs_review,
            evidence=_evidence(window),
        )

    def _cancelled(self, rubric: Rubric) -> Callable[[int, Window], bool] | None:
        """Where the parser reads a window's negations of a point as cancelling.

        The parser is loaded only for a window with two negation words or more.
        """
        if self._load_verifier is None:
            return None

        def cancelled(index: int, window: Window) -> bool:
            if not may_negate_twice(window.text):
                return False
            sentences = window.sentences or (window.text,)
            return self._verifier_now().negations_cancel(self._claims_for(rubric), index, sentences)

        return cancelled

    def _verifier_now(self) -> ClaimVerifier:
        if self._verifier is None:
            assert self._load_verifier is not None
            self._verifier = self._load_verifier()
        return self._verifier

    def _claims_for(self, rubric: Rubric) -> PreparedClaims:
        key = rubric.sha256
        if key not in self._claims:
            self._claims[key] = self._verifier_now().prepare(rubric)
        return self._claims[key]


def in_batches(
    items: Iterable[T],
    size: int,
    weight: Callable[[T], int] | None = None,
    budget: int | None = None,
) -> Iterator[list[T]]:
    """Yield the items in lists of ``size`` (the last one shorter).

    With ``weight`` and ``budget``, a list also ends before its items' weights
    would pass the budget (a heavier item is a list of its own).
    """
    batch: list[T] = []
    total = 0
    for item in items:
        heft = weight(item) if weight is not None else 0
        full = len(batch) >= size or (budget is not None and total + heft > budget)
        if batch and full:
            yield batch
            batch, total = [], 0
        batch.append(item)
        total += heft
    if batch:
        yield batch


def _length(essay: Essay) -> int:
    return len(essay.text)


def _fits(essay: Essay, nlp: Language) -> bool:
    return len(essay.text) <= nlp.max_length


def _too_long(essay: Essay, limit: int) -> EssayResult:
    """The result of an essay too long to mark: an error, so that the class goes on."""
    return EssayResult(
        name=essay.name,
        error=f"{essay.name}: {len(essay.text):,} characters, more than the {limit:,} "
        "essaycheck reads in one essay. Split it into parts and mark each.",
        student=essay.student,
        format=essay.format,
        encoding=essay.encoding,
    )


MIN_WORDS_TO_JUDGE = 40
# Share of a text's words that are common English words: ordinary English prose
# scores 0.4-0.6; under this, the essay is probably in another language.
MIN_ENGLISH_SHARE = 0.2


def essay_warnings(doc: Doc) -> tuple[str, ...]:
    """Say what about an essay makes its marking less reliable."""
    words = [token for token in doc if token.is_alpha]
    if len(words) < MIN_WORDS_TO_JUDGE:
        return ()
    warnings = []
    if not any(token.is_punct and token.text in {".", "!", "?"} for token in doc):
        warnings.append(
            "no sentence punctuation: the essay was read in pieces of about "
            f"{PIECE_TOKENS} words, so evidence may start or stop mid-sentence"
        )
    english = sum(token.lower_ in STOP_WORDS for token in words) / len(words)
    if english < MIN_ENGLISH_SHARE:
        warnings.append(
            "this does not look like English: essaycheck reads English only, so its "
            "decisions on this essay mean little"
        )
    return tuple(warnings)


def _evidence(window: Window) -> Evidence:
    return Evidence(window.text, window.start, window.end)

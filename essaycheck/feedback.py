"""check_essay(): an essay and a rubric in, a verdict on every key point out."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc

from essaycheck.embeddings import Embeddings
from essaycheck.errors import ModelError
from essaycheck.io.essays import Essay
from essaycheck.matcher import KeyPointMatcher, PointMatch, PreparedRubric, load_rule
from essaycheck.nlp import (
    build_marking_nlp,
    default_models_dir,
    load_checking_nlp,
    marking_embeddings,
)
from essaycheck.rubric import KeyPoint, Rubric
from essaycheck.verification import ClaimVerifier, Objection, PreparedClaims
from essaycheck.windows import PIECE_TOKENS, Window, essay_windows

ENGINES = ("fast", "precise")
ENGINE_NAMES = {"fast": "static-centred", "precise": "precise-centred"}
ENGINE_VERSION = "1"
FAST_RULE = "decision-rule"
PRECISE_RULE = "decision-rule-precise"
BATCH_SIZE = 64
# A point whose only evidence denies it, or credits it to someone else, scores at
# most this: clearly missing, not a close call.
REJECTED_SCORE = 0.25
T = TypeVar("T")


@dataclass(frozen=True)
class Evidence:
    """The essay text a decision rests on; ``essay.text[start:end] == text``."""

    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        """Return the evidence as JSON-ready data."""
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class PointResult:
    """Whether one essay covers one key point, and the evidence.

    ``evidence`` is the best-matching stretch of the essay: given when the point
    is covered, when the decision needs review, or when the best match was
    rejected (``note`` then says why: it denies the point, or credits it to
    someone else); None otherwise.
    """

    point: KeyPoint
    is_covered: bool
    score: float
    needs_review: bool
    evidence: Evidence | None
    note: Objection | None = None

    @property
    def status(self) -> str:
        """``covered`` or ``missing``."""
        return "covered" if self.is_covered else "missing"

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data (the documented contract)."""
        return {
            "id": self.point.id,
            "status": self.status,
            "score": round(self.score, 3),
            "needs_review": self.needs_review,
            "evidence": self.evidence.to_dict() if self.evidence else None,
            "note": self.note.to_dict() if self.note else None,
        }


@dataclass(frozen=True)
class EssayResult:
    """The verdict on one essay: every key point, and the weighted share covered.

    A failed essay (one that could not be read) has ``error`` set and no points.
    """

    name: str
    points: tuple[PointResult, ...] = ()
    error: str | None = None
    text: str = field(default="", repr=False)
    student: str | None = None
    warnings: tuple[str, ...] = ()
    format: str | None = None
    encoding: str | None = None

    @property
    def is_failed(self) -> bool:
        """Whether the essay could not be marked."""
        return self.error is not None

    @property
    def score(self) -> float:
        """Weighted share of the rubric's points the essay covers (0..1)."""
        total = sum(result.point.weight for result in self.points)
        covered = sum(result.point.weight for result in self.points if result.is_covered)
        return covered / total if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data (the documented contract)."""
        if self.error is not None:
            return {
                "path": self.name,
                "student": self.student,
                "format": self.format,
                "encoding": self.encoding,
                "error": self.error,
                "score": None,
                "points": [],
                "warnings": list(self.warnings),
            }
        return {
            "path": self.name,
            "student": self.student,
            "format": self.format,
            "encoding": self.encoding,
            "score": round(self.score, 3),
            "points": [result.to_dict() for result in self.points],
            "warnings": list(self.warnings),
        }


class Calibrator(Protocol):
    """A teacher's calibration of one rubric (see essaycheck.calibration)."""

    def apply(self, result: EssayResult) -> EssayResult:
        """Return the result with every decision re-scaled."""

    def describe(self) -> dict[str, Any]:
        """Say what the calibration was fitted on, for reports."""


class Checker:
    """Everything marking needs, loaded once: the pipeline, the matcher, the verifier.

    Args:
        nlp: the marking pipeline (see ``essaycheck.nlp.build_marking_nlp``).
        matcher: a matcher with a fitted decision rule.
        verifier: checks candidate evidence for negation and misattribution; None
            to skip the check. Its parser is loaded the first time it is needed.
        engine: ``fast`` or ``precise``, as reports name it.
    """

    def __init__(
        self,
        nlp: Language,
        matcher: KeyPointMatcher,
        verifier: Callable[[], ClaimVerifier] | None = None,
        engine: str = "fast",
    ) -> None:
        self.nlp = nlp
        self.matcher = matcher
        self.engine = engine
        self._load_verifier = verifier
        self._verifier: ClaimVerifier | None = None
        self._prepared: dict[str, PreparedRubric] = {}
        self._claims: dict[str, PreparedClaims] = {}

    def engine_info(self, calibration: Calibrator | None = None) -> dict[str, Any]:
        """Describe the engine for reports: its name, version, model and calibration."""
        rule = self.matcher.rule
        return {
            "calibration": calibration.describe() if calibration is not None else None,
            "name": ENGINE_NAMES[self.engine],
            "version": ENGINE_VERSION,
            "embeddings": self.matcher.embeddings.name,
            "decision": "covered when score >= 0.5",
            "review_band": rule.review_band if rule else None,
            "checks": ["negation", "attribution"] if self._load_verifier else [],
        }

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
        pairs = ((essay.text, essay) for essay in essays)
        docs = self.nlp.pipe(pairs, as_tuples=True, batch_size=BATCH_SIZE)
        for batch in in_batches(docs, BATCH_SIZE):
            windows = [essay_windows(doc) for doc, _ in batch]
            matched = [
                (doc, essay, matches)
                for (doc, essay), matches in zip(
                    batch, self.matcher.match_many(windows, prepared), strict=True
                )
            ]
            verified = self._verify(
                [(matches, essay.text) for _, essay, matches in matched], rubric
            )
            yield from (
                self._result(doc, essay, points, calibration)
                for (doc, essay, _), points in zip(matched, verified, strict=True)
            )

    def _result(
        self,
        doc: Doc,
        essay: Essay,
        points: tuple[PointResult, ...],
        calibration: Calibrator | None,
    ) -> EssayResult:
        """Gather an essay's verified points into its result."""
        result = EssayResult(
            essay.name,
            points,
            text=essay.text,
            student=essay.student,
            warnings=essay_warnings(doc),
            format=essay.format,
            encoding=essay.encoding,
        )
        return calibration.apply(result) if calibration is not None else result

    def _verify(
        self, essays: list[tuple[list[PointMatch], str]], rubric: Rubric
    ) -> list[tuple[PointResult, ...]]:
        """Take, for each covered point, the best candidate window that survives verification.

        Candidates are tried best first, in rounds across all the essays: each
        round parses in one batch the candidates that need it (one batch is far
        cheaper than sentence by sentence), then checks them; a rejected
        candidate's point tries its next one in the following round. Essays that
        cover no point need no parse, so the parser is not even loaded for them.
        """
        results = [
            [self._unverified(point, match) for point, match in zip(rubric, matches, strict=True)]
            for matches, _ in essays
        ]
        pending = [
            (essay, index, 0)
            for essay, (matches, _) in enumerate(essays)
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
                if objection is None:
                    results[essay][index] = self._accepted(point, window, score)
                    continue
                rejected.setdefault((essay, index), (window, objection))
                if rank + 1 < len(match.candidates):
                    following.append((essay, index, rank + 1))
                else:
                    window, objection = rejected[essay, index]
                    results[essay][index] = PointResult(
                        point,
                        False,
                        min(match.score, REJECTED_SCORE),
                        False,
                        Evidence(window.text, window.start, window.end),
                        objection,
                    )
            pending = following
        return [tuple(points) for points in results]

    def _unverified(self, point: KeyPoint, match: PointMatch) -> PointResult:
        """The matcher's verdict as it stands: the result of a point that is not covered."""
        shown = match.window if (match.is_covered or match.needs_review) else None
        evidence = Evidence(shown.text, shown.start, shown.end) if shown else None
        return PointResult(point, match.is_covered, match.score, match.needs_review, evidence)

    def _accepted(self, point: KeyPoint, window: Window, score: float) -> PointResult:
        """A candidate that survived verification: its own score decides."""
        band = self.matcher.rule.review_band if self.matcher.rule else 0.0
        return PointResult(
            point,
            score >= 0.5,
            score,
            abs(score - 0.5) < band,
            Evidence(window.text, window.start, window.end),
        )

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


def in_batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Yield the items in lists of ``size`` (the last one shorter)."""
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


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


def engine_parts(
    nlp: Language, folder: Path, engine: str, threads: int | None = None
) -> tuple[Embeddings, Path]:
    """Return an engine's embeddings and the folder of its decision rule.

    ``fast`` (the default) uses the static vectors inside the marking pipeline;
    ``precise`` the fine-tuned transformer, an optional extra, on ``threads``
    threads (default: one per core).
    """
    if engine == "precise":
        from essaycheck.precise import PRECISE_MODEL_NAME, TransformerEmbeddings

        model = TransformerEmbeddings.load(folder / PRECISE_MODEL_NAME, threads)
        return model, folder / PRECISE_RULE
    if engine != "fast":
        raise ModelError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    return marking_embeddings(nlp), folder / FAST_RULE


def load_checker(
    models_dir: Path | None = None, engine: str = "fast", threads: int | None = None
) -> Checker:
    """Load an engine from a models folder (default: essaycheck's models/).

    ``threads`` caps the precise engine's threads: a worker process of ``mark
    --jobs`` gets its share of the cores.
    """
    folder = models_dir or default_models_dir()
    nlp = build_marking_nlp(folder)
    embeddings, rule_folder = engine_parts(nlp, folder, engine, threads)
    matcher = KeyPointMatcher(embeddings, load_rule(rule_folder))
    return Checker(nlp, matcher, lambda: ClaimVerifier(load_checking_nlp()), engine)


def check_essay(essay: Essay, rubric: Rubric, checker: Checker | None = None) -> EssayResult:
    """Check one essay against a rubric with the given (or the shipped) engine."""
    return (checker or load_checker()).check(essay, rubric)

"""The entailment stage: does a candidate window state the point, say its opposite, or neither?

Similarity says whether a sentence is about the same thing as a key point; a
teacher credits a point when the essay *states* it. Between the match and the
decision, this stage reads each point's best candidate windows against the
point with a cross-encoder (all-MiniLM-L6-v2 fine-tuned by
scripts/train_entailment_model.py, run with onnxruntime, int8) and gives three
probabilities: entailed, contradicted, neither. ``EntailmentRule``, a logistic
rule fitted on data the model never saw, turns them together with the
similarity rule's log-odds into the candidate's score; a point's score is its
best candidate's. A candidate the model reads as the point's opposite is
rejected with "your essay says the opposite", whoever its subject is.

The model reads only windows the similarity stage scores at least ``floor``,
at most ``candidates`` of them per point that do not overlap (and, for a pair
of sentences among them, each of its sentences on its own): elsewhere it could
not change a decision, and each reading costs about a millisecond. It reads each
point's most similar candidate first; when that one states the point beyond the
close-call band, the others could not change the decision either and stay
unread, unless the parser then rejects the one read. Pairs are read one at a
time each, on one thread, as many side by side as the model has workers.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from essaycheck.engine.vectors import Matrix
from essaycheck.engine.verification import says_the_opposite
from essaycheck.errors import ModelError
from essaycheck.io.files import read_json, write_json
from essaycheck.io.models import META_FILE, check_meta
from essaycheck.results import REVIEW_BAND, THRESHOLD, decide

if TYPE_CHECKING:
    from collections.abc import Callable

    from essaycheck.engine.matcher import PointMatch
    from essaycheck.engine.windows import Window
    from essaycheck.rubric import Rubric

    # Whether a window negates a point (by its index) twice over, stating it.
    Cancelled = Callable[[int, Window], bool]

ENTAILMENT_KIND = "entailment (cross-encoder)"
ENTAILMENT_RULE_FILE = "entailment-rule.json"
ENTAILMENT_RULE_KIND = "entailment-rule"
ENTAILMENT_RULE_FORMAT = 2
LABELS = ("entailed", "contradicted", "neither")
GRAPH_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
RESTORE = (
    "Restore models/ from the repository, or rebuild it with scripts/train_entailment_model.py."
)
# Probabilities are clipped here before their log-odds are taken.
EPSILON = 1e-4
MAX_COEFFICIENT = 1000.0
MAX_SCALE = 10.0
# A text of at least this many sentences is an essay (longer than 99% of the ASAP
# answers): the rule's ``essay`` decides it.
ESSAY_SENTENCES = 8


class EntailmentModel:
    """The cross-encoder in an onnxruntime session, with its tokenizer and meta.json."""

    def __init__(
        self, session: Any, tokenizer: Any, meta: dict[str, Any], name: str, workers: int = 1
    ) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.meta = meta
        self.name = name
        self.workers = max(1, workers)
        self._pool: ThreadPoolExecutor | None = None

    @classmethod
    def load(cls, folder: Path, threads: int | None = None) -> EntailmentModel:
        """Load the model from its folder; nothing is downloaded.

        ``threads``: how many pairs are read at once, each on one thread
        (default: one per core).
        """
        try:
            import onnxruntime
        except ImportError as err:
            raise ModelError(
                "the entailment stage needs onnxruntime. Install it with: pip install -e ."
            ) from err
        from tokenizers import Tokenizer

        if not ((folder / META_FILE).is_file() and (folder / GRAPH_FILE).is_file()):
            raise ModelError(f"{folder}: the entailment model is missing. {RESTORE}")
        meta = check_meta(folder, kind=ENTAILMENT_KIND, remedy=RESTORE)
        if list(meta.get("labels", ())) != list(LABELS):
            raise ModelError(f"{folder}: the entailment model's labels are not {LABELS}. {RESTORE}")
        try:
            options = onnxruntime.SessionOptions()
            options.log_severity_level = 3
            options.intra_op_num_threads = 1
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            session = onnxruntime.InferenceSession(
                str(folder / GRAPH_FILE), options, providers=["CPUExecutionProvider"]
            )
            tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        except Exception as err:  # onnxruntime and tokenizers raise their own errors
            raise ModelError(
                f"{folder}: cannot load the entailment model ({err}). {RESTORE}"
            ) from err
        tokenizer.no_padding()
        tokenizer.enable_truncation(int(meta.get("max_tokens", 128)), strategy="only_second")
        workers = threads or os.cpu_count() or 1
        return cls(session, tokenizer, meta, str(meta.get("name", folder.name)), workers)

    def judge(self, pairs: Sequence[tuple[str, str]]) -> Matrix:
        """Probabilities (pairs, LABELS): the text entails its point, contradicts it, or neither.

        Each pair is run on its own, on one thread: the int8 graph quantises its
        activations with a scale taken over the whole input, so in a batch a
        pair's verdict would depend on the pairs beside it, and an essay's marks
        on its class. Pairs are read ``workers`` at a time, side by side.
        """
        feeds = [self._feeds(point, text) for point, text in pairs]
        if self.workers > 1 and len(feeds) > 1:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="entailment")
            rows = list(self._pool.map(self._probabilities, feeds))
        else:
            rows = [self._probabilities(feed) for feed in feeds]
        return np.asarray(rows, dtype=np.float32).reshape(len(pairs), len(LABELS))

    def _feeds(self, point: str, text: str) -> dict[str, np.ndarray]:
        encoding = self.tokenizer.encode(point, text)
        return {
            "input_ids": np.asarray([encoding.ids], dtype=np.int64),
            "attention_mask": np.asarray([encoding.attention_mask], dtype=np.int64),
            "token_type_ids": np.asarray([encoding.type_ids], dtype=np.int64),
        }

    def _probabilities(self, feeds: dict[str, np.ndarray]) -> Matrix:
        logits = self.session.run(None, feeds)[0][0].astype(np.float64)
        logits -= logits.max()
        found: Matrix = np.exp(logits) / np.exp(logits).sum()
        return found


def entailment_features(similarity_logits: Matrix, probabilities: Matrix) -> Matrix:
    """The rule's features per candidate: similarity log-odds, entailed and contradicted log-odds.

    The last two are each against "neither", so that a text the model finds
    unrelated to the point pushes both down.
    """
    clipped = np.clip(probabilities, EPSILON, 1.0)
    neither = np.log(clipped[:, 2])
    return np.stack(
        [similarity_logits, np.log(clipped[:, 0]) - neither, np.log(clipped[:, 1]) - neither],
        axis=1,
    )


@dataclass(frozen=True)
class EntailmentRule:
    """A logistic rule over ``entailment_features``: covered when the score reaches THRESHOLD.

    Attributes:
        coefficients: one weight per feature (similarity, entailed, contradicted log-odds).
        intercept: shifted when fitted, so that THRESHOLD is the fitted decision threshold.
        floor: the similarity score a window needs before the model reads it.
        candidates: the most windows the model reads per point.
        contradiction: a candidate whose "contradicted" probability reaches this, and
            beats "entailed", says the point's opposite; 1 turns that off (the
            verdict then only weighs in the score, and the parser's negation
            check alone rejects).
        review_band: decisions within this distance of THRESHOLD need review.
        covered_scale, missing_scale: the rule's log-odds are multiplied by the
            first where they say covered and by the second where they say
            missing, fitted on marked answers so that a score says how often
            such a decision is right. No decision moves (the sign stays); the
            close calls do: an over-sure side is drawn towards the middle.
        items: whether each item of a sentence that lists several things is a
            candidate window of its own.
        sure: a candidate the model reads as entailed with at least this
            probability, and with no negation word but "not", "cannot" or
            "n't", is not rejected by the parser's negation check, which
            misreads correct sentences that contain "not" (None: it can be).
        essay: the rule for a text of ESSAY_SENTENCES sentences or more, fitted
            on marked essays (None: this rule for every text). An essay's
            sentences are longer and more varied than a short answer's, and
            the model was taught on answers: its verdicts weigh differently.
    """

    coefficients: tuple[float, float, float]
    intercept: float
    floor: float
    candidates: int
    contradiction: float
    review_band: float = REVIEW_BAND
    covered_scale: float = 1.0
    missing_scale: float = 1.0
    items: bool = True
    sure: float | None = None
    essay: EntailmentRule | None = None

    def score(self, features: Matrix) -> Matrix:
        """Return the score in 0..1 of each row of ``entailment_features``."""
        raw = self.log_odds(features)
        logits = np.where(raw >= 0, self.covered_scale, self.missing_scale) * raw
        return cast(Matrix, 1.0 / (1.0 + np.exp(-logits)))

    def log_odds(self, features: Matrix) -> Matrix:
        """The rule's log-odds of each row of ``entailment_features``, before the scales."""
        logits: Matrix = features @ np.asarray(self.coefficients) + self.intercept
        return logits

    def for_text(self, sentences: int) -> EntailmentRule:
        """The rule that decides a text of ``sentences`` sentences: an essay's, or this one."""
        if self.essay is not None and sentences >= ESSAY_SENTENCES:
            return self.essay
        return self

    def contradicts(self, probabilities: Sequence[float] | Matrix) -> bool:
        """Whether a candidate's probabilities say it states the point's opposite."""
        entailed, contradicted, _ = probabilities
        if self.contradiction >= 1.0:
            return False
        return bool(contradicted >= self.contradiction and contradicted > entailed)

    def to_dict(self) -> dict[str, Any]:
        """Return the rule as JSON-ready data."""
        data = asdict(self)
        data["coefficients"] = list(self.coefficients)
        data["features"] = ["similarity_logit", "entailed_logit", "contradicted_logit"]
        data["format"] = ENTAILMENT_RULE_FORMAT
        data["essay"] = None if self.essay is None else self.essay.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Any, where: str, nested: bool = False) -> EntailmentRule:
        """Rebuild a rule from ``to_dict`` data; ``where`` names it in errors."""
        remedy = "Restore models/ from the repository, or run scripts/fit_entailment_rule.py"
        if not isinstance(data, dict) or data.get("format") != ENTAILMENT_RULE_FORMAT:
            raise ModelError(
                f"{where}: not an entailment rule of format {ENTAILMENT_RULE_FORMAT}. {remedy}"
            )
        essay = data.get("essay")
        if essay is not None and nested:
            raise ModelError(f"{where}: an essay's rule cannot hold another. {remedy}")
        try:
            coefficients = tuple(float(c) for c in data["coefficients"])
            rule = cls(
                coefficients=(coefficients[0], coefficients[1], coefficients[2]),
                intercept=float(data["intercept"]),
                floor=float(data["floor"]),
                candidates=int(data["candidates"]),
                contradiction=float(data["contradiction"]),
                review_band=float(data["review_band"]),
                covered_scale=float(data.get("covered_scale", 1.0)),
                missing_scale=float(data.get("missing_scale", 1.0)),
                items=bool(data.get("items", True)),
                sure=None if data.get("sure") is None else float(data["sure"]),
                essay=None if essay is None else cls.from_dict(essay, f"{where} (essay)", True),
            )
        except (KeyError, TypeError, ValueError, IndexError) as err:
            raise ModelError(f"{where}: malformed entailment rule ({err}). {remedy}") from err
        numbers = (*rule.coefficients, rule.intercept, rule.floor, rule.contradiction)
        if (
            len(coefficients) != 3
            or not all(map(math.isfinite, (*numbers, rule.review_band)))
            or max(abs(value) for value in numbers) > MAX_COEFFICIENT
            or not 0.0 <= rule.floor <= 1.0
            or not 0.0 <= rule.contradiction <= 1.0
            or not 1 <= rule.candidates <= 10
            or not 0.0 <= rule.review_band <= THRESHOLD
            or not 0.0 <= (rule.sure or 0.0) <= 1.0
            or not all(
                0.0 < scale <= MAX_SCALE for scale in (rule.covered_scale, rule.missing_scale)
            )
        ):
            raise ModelError(f"{where}: the entailment rule's numbers are out of range. {remedy}")
        return rule


def save_entailment_rule(rule: EntailmentRule, folder: Path, meta: dict[str, Any]) -> Path:
    """Write the rule as ``entailment-rule.json`` beside the decision rule; its meta goes inside."""
    path = folder / ENTAILMENT_RULE_FILE
    write_json(path, {**rule.to_dict(), "meta": meta})
    return path


def load_entailment_rule(folder: Path) -> EntailmentRule | None:
    """The engine's entailment rule, or None when its rule folder has none."""
    path = folder / ENTAILMENT_RULE_FILE
    if not path.is_file():
        return None
    return EntailmentRule.from_dict(read_json(path, ModelError, RESTORE), str(path))


@dataclass(frozen=True)
class EntailmentStage:
    """The stage the checker runs between match and verify: the model and its fitted rule."""

    model: EntailmentModel
    rule: EntailmentRule

    def read(
        self,
        essays: list[list[PointMatch]],
        rubric: Rubric,
        rules: Sequence[EntailmentRule] | None = None,
        cancelled: Cancelled | None = None,
    ) -> list[list[PointMatch]]:
        """Rescore every point's candidates of a batch of essays.

        ``rules`` holds the rule that decides each essay (``EntailmentRule.for_text``;
        default: the stage's rule for all). The model first reads each point's
        most similar candidate; a point that one states beyond its close-call
        band is settled there, and its other candidates are read only if the
        parser rejects that one (``finish``). The rest are read in one go.
        ``cancelled`` (a point's index, a window) says where the parser reads two
        negations that cancel: there a "contradicted" verdict is read as "entailed".
        """
        if rules is None:
            rules = [self.rule] * len(essays)
        flat = [
            ((index, point.text), match, rule)
            for matches, rule in zip(essays, rules, strict=True)
            for index, (point, match) in enumerate(zip(rubric, matches, strict=True))
        ]
        leads = iter(
            self._judged([(p, m.candidates[0][0]) for p, m, _ in flat if m.candidates], cancelled)
        )
        first = [next(leads) if match.candidates else None for _, match, _ in flat]
        settled = [
            lead is not None and _settles(match, lead, rule)
            for (_, match, rule), lead in zip(flat, first, strict=True)
        ]
        others = iter(
            self._judged(
                [
                    (point, window)
                    for (point, match, _), done in zip(flat, settled, strict=True)
                    if not done
                    for window, _ in match.candidates[1:]
                ],
                cancelled,
            )
        )
        read = []
        for (_, match, rule), lead, done in zip(flat, first, settled, strict=True):
            if lead is None:
                read.append(match)
            elif done:
                rescored = _rescored(
                    replace(match, candidates=match.candidates[:1]), lead[None], rule
                )
                read.append(replace(rescored, unread=match.candidates))
            else:
                rest = [next(others) for _ in match.candidates[1:]]
                read.append(_rescored(match, np.asarray([lead, *rest]), rule))
        taken = iter(read)
        return [[next(taken) for _ in matches] for matches in essays]

    def finish(
        self,
        match: PointMatch,
        point: tuple[int, str],
        rule: EntailmentRule,
        cancelled: Cancelled | None = None,
    ) -> PointMatch:
        """Read the candidates ``read`` left unread: the point's verdict on all of them.

        ``point`` is the point's index in the rubric and its text.
        """
        proposed = replace(match, candidates=match.unread, unread=())
        pairs = [(point, window) for window, _ in proposed.candidates]
        return _rescored(proposed, self._judged(pairs, cancelled), rule)

    def _judged(
        self, pairs: Sequence[tuple[tuple[int, str], Window]], cancelled: Cancelled | None
    ) -> Matrix:
        """The model's verdicts on (point, window) pairs, double negations read as stating."""
        found = np.array(self.model.judge([(text, window.text) for (_, text), window in pairs]))
        for row, ((index, _), window) in zip(found, pairs, strict=True):
            if row[1] > row[0] and cancelled is not None and cancelled(index, window):
                row[[0, 1]] = row[[1, 0]]
        return found.reshape(-1, len(LABELS))


def _settles(match: PointMatch, probabilities: Matrix, rule: EntailmentRule) -> bool:
    """Whether the first candidate alone covers the point beyond the close-call band."""
    if rule.contradicts(probabilities):
        return False
    similarity = np.asarray([logit(match.candidates[0][1])])
    score = float(rule.score(entailment_features(similarity, probabilities[None]))[0])
    return score >= THRESHOLD + rule.review_band


def _rescored(match: PointMatch, probabilities: Matrix, rule: EntailmentRule) -> PointMatch:
    """The point's verdict under ``rule`` on its candidates' probabilities."""
    if not match.candidates:
        return match
    band = rule.review_band
    similarity = np.asarray([logit(score) for _, score in match.candidates])
    scores = rule.score(entailment_features(similarity, probabilities))
    standing = sorted(
        (
            (float(score), number)
            for number, score in enumerate(scores)
            if not rule.contradicts(probabilities[number])
        ),
        key=lambda pair: (-pair[0], pair[1]),
    )
    opposite = next((n for n in range(len(scores)) if rule.contradicts(probabilities[n])), None)
    best_score = standing[0][0] if standing else min(match.score, THRESHOLD / 2)
    is_covered, needs_review = decide(best_score, band)
    rejected = None
    if opposite is not None and not is_covered:
        window = match.candidates[opposite][0]
        rejected = (window, says_the_opposite(window.text))
        needs_review = False
    return replace(
        match,
        is_covered=is_covered,
        score=best_score,
        needs_review=needs_review,
        window=match.candidates[standing[0][1]][0] if standing else match.window,
        candidates=tuple(
            (match.candidates[number][0], score)
            for score, number in standing
            if score >= THRESHOLD - band
        ),
        rejected=rejected,
        sure=tuple(
            match.candidates[number][0]
            for number in range(len(scores))
            if rule.sure is not None and probabilities[number][0] >= rule.sure
        ),
    )


def logit(score: float) -> float:
    """The log-odds of a score in 0..1, clipped to EPSILON from either end."""
    clipped = min(max(score, EPSILON), 1.0 - EPSILON)
    return math.log(clipped / (1.0 - clipped))

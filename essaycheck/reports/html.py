"""HTML reports: a class overview for the teacher and feedback pages for students.

Each page is one self-contained file: inline CSS, inline SVG charts, and (on the
class page only) a small inline script. Nothing is fetched from the network, so a
page works opened straight from disk. The class page works without the script:
each essay is a ``<details>`` panel that opens on a click, and the coverage bars
are drawn to scale at any width. The script sorts the table of students, opens
the panel a link leads to, and builds the view of one key point's evidence
across the class from the panels (with ``textContent``), so a class of 300 stays
a small page.

Essays, names, rubric text and error messages are untrusted input: every value
reaches the page through a Jinja2 template with autoescaping on, and a Content
Security Policy lets only the page's own style sheet and script run, so text such
as ``<script>`` or ``<img onerror=...>`` is shown as text. The same input always
gives byte-identical HTML: no timestamps, and everything keeps its input order.
"""

from __future__ import annotations

import base64
import hashlib
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from itertools import pairwise
from typing import IO, TYPE_CHECKING, Any

from markupsafe import Markup

from essaycheck.reports._text import capitalised
from essaycheck.reports.options import ReportOptions
from essaycheck.results import COPY_FLAG, FROM_SOURCE, Copying, EssayResult, PointResult
from essaycheck.rubric import Rubric

if TYPE_CHECKING:
    from jinja2 import Environment

HISTOGRAM_BINS = 10
# Statuses in the order a highlight takes its colour from: a stretch of text that
# is evidence for a covered point and for a rejected one is shown as covered.
STATUSES = ("covered", "review", "missing")
STATUS_LABELS = {
    "covered": "covered",
    "review": "needs review",
    "missing": "missing",
    "failed": "not marked",
}
# One symbol per status, so colour is never the only cue.
STATUS_SYMBOLS = {"covered": "✓", "review": "?", "missing": "✗", "failed": "–"}
LABEL_CHARS = 30


@dataclass(frozen=True)
class Label:
    """A visible tag before a highlight, naming a key point whose evidence starts there."""

    point_id: str
    status: str


@dataclass(frozen=True)
class CopyLabel:
    """A tag before a shared passage: where it is from, and the panel it links to.

    ``anchor`` is the other essay's panel, or empty for the source.
    """

    origin: str
    anchor: str


@dataclass(frozen=True)
class Segment:
    """A stretch of essay text, highlighted when it is evidence for key points.

    Attributes:
        text: the essay text, ``essay[start:end]``.
        point_ids: every key point this stretch is evidence for (rubric order);
            empty for plain text.
        status: the status whose colour the highlight takes.
        labels: tags for the key points whose evidence starts here.
        copied: where the stretch is shared from (class report only), one name each;
            empty when it is not.
        copy_labels: tags for the shared passages that start here.
    """

    text: str
    point_ids: tuple[str, ...] = ()
    status: str = ""
    labels: tuple[Label, ...] = ()
    copied: tuple[str, ...] = ()
    copy_labels: tuple[CopyLabel, ...] = ()


@dataclass(frozen=True)
class PointView:
    """One key point of one essay, as the essay's panel lists it.

    ``text`` is the point's claim, or empty where a student's page hides it (a
    missing point under the rubric's default ``student_view: hints``).
    """

    id: str
    text: str
    status: str
    score: float
    is_covered: bool
    required: bool
    hint: str
    note: str | None
    is_teachers: bool = False


@dataclass(frozen=True)
class Cell:
    """One cell of the class heatmap."""

    status: str
    title: str

    @property
    def symbol(self) -> str:
        """The symbol that repeats the cell's colour."""
        return STATUS_SYMBOLS[self.status]


@dataclass(frozen=True)
class EssayView:
    """Everything an essay's panel, table row and heatmap row show."""

    anchor: str
    result: EssayResult
    covered: int
    review: int
    points: tuple[PointView, ...]
    cells: tuple[Cell, ...]
    grade: str | None
    copying: Copying | None = None
    anchors: dict[str, str] = field(default_factory=dict)

    @cached_property
    def segments(self) -> tuple[Segment, ...]:
        """The essay's text cut where evidence starts and ends (built only for its panel)."""
        if self.result.is_failed:
            return ()
        return highlight_segments(self.result, self.copying, self.anchors)

    @property
    def copied_share(self) -> float:
        """The larger of the shares copied from the source and from the class (0 without)."""
        if self.copying is None:
            return 0.0
        return max(self.copying.source or 0.0, self.copying.class_share)

    @property
    def is_flagged(self) -> bool:
        """Whether so much is copied from one place that the report flags the essay."""
        return self.copied_share >= COPY_FLAG

    @property
    def scores(self) -> str:
        """Every key point's score, in rubric order: the heatmap row's ``data-scores``.

        One attribute per row instead of a tooltip per cell keeps a class of 300
        small; the page's script shows a cell's score when the pointer is on it.
        """
        return " ".join(f"{point.score:.2f}" for point in self.points)

    @property
    def covered_points(self) -> tuple[PointView, ...]:
        """The key points the essay covers."""
        return tuple(point for point in self.points if point.is_covered)

    @property
    def missing_points(self) -> tuple[PointView, ...]:
        """The key points the essay misses."""
        return tuple(point for point in self.points if not point.is_covered)


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: a label, a value in 0..1 for its length, its text."""

    label: str
    full_label: str
    share: float
    text: str
    x: int = 0


def render_class_html(
    results: Sequence[EssayResult], rubric: Rubric, options: ReportOptions
) -> str:
    """Return the class report: heatmap, charts, a sortable table and every essay's panel.

    Args:
        results: the class's results, in the order the report lists them.
        rubric: the rubric they were marked against.
        options: ``options.engine`` is shown in the footer.
    """
    return "".join(stream_class_html(results, rubric, options))


def write_class_html(
    results: Sequence[EssayResult], rubric: Rubric, options: ReportOptions, stream: IO[str]
) -> None:
    """Write the class report to ``stream``, piece by piece."""
    stream.writelines(stream_class_html(results, rubric, options))


def stream_class_html(
    results: Sequence[EssayResult], rubric: Rubric, options: ReportOptions
) -> Iterator[str]:
    """Yield the class report in pieces, so a large class is written without one huge string.

    The essays are read twice or more (for the charts, the table, the heatmap and
    the panels) and each essay's view is built when its turn comes: ``results``
    may be read from disk each time, so the class is never held in memory.
    """
    essays = _EssayViews(results, rubric)
    marked: list[_Tally] = []
    review_total = 0
    copying = False
    for result in results:
        copying = copying or result.copying is not None
        review_total += sum(point.needs_review for point in result.points)
        if not result.is_failed:
            marked.append(_Tally(result.score, tuple(p.is_covered for p in result.points)))
    script = _asset("report.js")
    return (
        _environment()
        .get_template("class.html")
        .generate(
            rubric=rubric,
            engine=_engine_lines(options.engine_dict()),
            essays=essays,
            marked=len(marked),
            failed=len(results) - len(marked),
            mean_score=sum(r.score for r in marked) / len(marked) if marked else None,
            review_total=review_total,
            copying=copying,
            copy_flag=COPY_FLAG,
            coverage=_coverage_bars(marked, rubric),
            histogram=_histogram_bars(marked),
            css=_asset("report.css"),
            script=script,
            csp=_content_security_policy(script),
            labels=STATUS_LABELS,
            symbols=STATUS_SYMBOLS,
        )
    )


def render_essays_html(
    results: Sequence[EssayResult], rubric: Rubric, options: ReportOptions
) -> str:
    """Return a standalone feedback page with one panel per essay (no script).

    Args:
        results: the essays to show, in order; usually one.
        rubric: the rubric they were marked against.
        options: ``options.engine`` is shown in the footer.
    """
    return (
        _environment()
        .get_template("essays.html")
        .render(
            rubric=rubric,
            engine=_engine_lines(options.engine_dict()),
            essays=_essay_views(results, rubric, for_student=True),
            css=_asset("report.css"),
            csp=_content_security_policy(None),
            labels=STATUS_LABELS,
            symbols=STATUS_SYMBOLS,
        )
    )


def highlight_segments(
    result: EssayResult, copying: Copying | None = None, anchors: dict[str, str] | None = None
) -> tuple[Segment, ...]:
    """Split an essay's text into plain and highlighted segments that do not overlap.

    Every evidence span (``evidence.start`` to ``evidence.end``, character offsets
    into ``result.text``) becomes one or more highlighted segments; where spans
    overlap, the shared stretch is one segment naming all their key points. A
    point's label sits before the segment where its evidence starts. With
    ``copying`` (the class report), the shared passages are cut out the same way,
    each tagged where it starts with where it is from (``anchors``: the panel of
    each other essay, by name).
    """
    text = result.text
    spans: list[tuple[int, int, PointResult]] = []
    for point in result.points:
        if point.evidence is None:
            continue
        start, end = _clamped(point.evidence.start, point.evidence.end, len(text))
        if start < end:
            spans.append((start, end, point))
    shared: list[tuple[int, int, str]] = []
    for passage in copying.passages if copying is not None else ():
        start, end = _clamped(passage.start, passage.end, len(text))
        if start < end:
            shared.append((start, end, passage.origin))
    bounds = sorted(
        {0, len(text)}
        | {bound for s, e, _ in spans for bound in (s, e)}
        | {bound for s, e, _ in shared for bound in (s, e)}
    )
    anchors = anchors or {}
    segments = []
    for start, end in pairwise(bounds):
        covering = [(s, point) for s, e, point in spans if s <= start and end <= e]
        copied = tuple(dict.fromkeys(o for s, e, o in shared if s <= start and end <= e))
        copy_labels = tuple(
            CopyLabel(origin, "" if origin == FROM_SOURCE else anchors.get(origin, ""))
            for origin in dict.fromkeys(o for s, _, o in shared if s == start)
        )
        if not covering:
            segments.append(Segment(text[start:end], copied=copied, copy_labels=copy_labels))
            continue
        statuses = [_status(point) for _, point in covering]
        segments.append(
            Segment(
                text[start:end],
                tuple(point.point.id for _, point in covering),
                min(statuses, key=STATUSES.index),
                tuple(
                    Label(point.point.id, status)
                    for (s, point), status in zip(covering, statuses, strict=True)
                    if s == start
                ),
                copied,
                copy_labels,
            )
        )
    return tuple(segments)


def _clamped(start: int, end: int, length: int) -> tuple[int, int]:
    return min(max(start, 0), length), min(max(end, 0), length)


def _essay_views(
    results: Sequence[EssayResult], rubric: Rubric, *, for_student: bool = False
) -> tuple[EssayView, ...]:
    return tuple(_EssayViews(results, rubric, for_student))


@dataclass(frozen=True)
class _EssayViews:
    """Every essay's view, built afresh on each pass over the class."""

    results: Sequence[EssayResult]
    rubric: Rubric
    for_student: bool = False

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self) -> Iterator[EssayView]:
        for index, result in enumerate(self.results, 1):
            view = _essay_view(f"essay-{index}", result, self.rubric, self.for_student)
            if self.for_student or result.copying is None:  # a teacher's figure only
                yield view
            else:
                yield replace(view, copying=result.copying, anchors=self.anchors)

    @cached_property
    def anchors(self) -> dict[str, str]:
        """Each essay's panel, by name: where a passage shared with it links to."""
        return {result.name: f"essay-{index}" for index, result in enumerate(self.results, 1)}


@dataclass(frozen=True)
class _Tally:
    """What the charts need of a marked essay."""

    score: float
    covered: tuple[bool, ...]


def _essay_view(
    anchor: str, result: EssayResult, rubric: Rubric, for_student: bool = False
) -> EssayView:
    """One essay's view; ``for_student`` without ``student_view: claims`` hides missing claims."""
    hide_missing = for_student and not rubric.shows_claims
    points = tuple(
        PointView(
            id=point.point.id,
            text="" if hide_missing and not point.is_covered else point.point.text,
            status=_status(point),
            score=point.score,
            is_covered=point.is_covered,
            required=point.point.required,
            hint=point.point.hint,
            note=capitalised(point.objection.message) if point.objection else None,
            is_teachers=point.teacher is not None,
        )
        for point in result.points
    )
    return EssayView(
        anchor=anchor,
        result=result,
        covered=sum(point.is_covered for point in result.points),
        review=sum(point.needs_review for point in result.points),
        points=points,
        cells=tuple(Cell(view.status, _cell_title(view)) for view in points),
        grade=None if result.is_failed else rubric.grade(result.score),
    )


def _status(point: PointResult) -> str:
    if point.needs_review:
        return "review"
    return "covered" if point.is_covered else "missing"


def _cell_title(view: PointView) -> str:
    """What a cell's tooltip says beyond its symbol and score (the row carries the scores)."""
    if view.is_teachers:
        return f"{view.id}: {'covered' if view.is_covered else 'missing'}, the teacher's decision"
    return f"{view.id}: not counted" if view.note else ""


def _coverage_bars(marked: Sequence[_Tally], rubric: Rubric) -> tuple[Bar, ...]:
    bars = []
    for index, point in enumerate(rubric):
        count = sum(tally.covered[index] for tally in marked)
        share = count / len(marked) if marked else 0.0
        bars.append(
            Bar(
                label=_shortened(point.id),
                full_label=f"{point.id}: {point.text}",
                share=share,
                text=f"{share:.0%} ({count} of {len(marked)})",
            )
        )
    return tuple(bars)


def _histogram_bars(marked: Sequence[_Tally]) -> tuple[Bar, ...]:
    counts = [0] * HISTOGRAM_BINS
    for result in marked:
        # Rounding first keeps a score such as 0.7 out of the bin below when the
        # float product comes out as 6.9999...
        index = math.floor(round(result.score * HISTOGRAM_BINS, 9))
        counts[min(max(index, 0), HISTOGRAM_BINS - 1)] += 1
    tallest = max(counts) or 1
    step = 100 // HISTOGRAM_BINS
    bars = []
    for index, count in enumerate(counts):
        low = index * step
        high = low + step
        label = f"{low}–{high}%"
        closing = "]" if index == HISTOGRAM_BINS - 1 else ")"
        essays = "essay" if count == 1 else "essays"
        bars.append(
            Bar(
                label=label,
                full_label=f"score in [{low}%, {high}%{closing}: {count} {essays}",
                share=count / tallest,
                text=str(count),
                x=index,
            )
        )
    return tuple(bars)


def _engine_lines(engine: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((key, _engine_value(engine[key])) for key in sorted(engine))


def _engine_value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_engine_value(value[key])}" for key in sorted(value))
    if isinstance(value, list | tuple):
        return ", ".join(_engine_value(item) for item in value) or "none"
    return str(value)


def _shortened(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _content_security_policy(script: Markup | None) -> str:
    """Allow nothing but the page's own style sheet and script: no network, no injected code."""
    style = _csp_hash(_asset("report.css"))
    scripts = f"'{_csp_hash(script)}'" if script is not None else "'none'"
    return (
        f"default-src 'none'; style-src '{style}'; script-src {scripts}; "
        "img-src 'none'; form-action 'none'; base-uri 'none'"
    )


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


@cache
def _asset(name: str) -> Markup:
    """Return one of the package's own style sheets or scripts, to inline as it is."""
    environment = _environment()
    assert environment.loader is not None
    source, _, _ = environment.loader.get_source(environment, name)
    # Our own file, not user input: safe to place in the page unescaped.
    return Markup(source)


@cache
def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    environment = Environment(
        loader=PackageLoader("essaycheck.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["text_node"] = text_node
    return environment


_TEXT_NODE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def text_node(text: str) -> Markup:
    """Escape text for the content of an element (never an attribute's value).

    Between tags only ``&`` and ``<`` can start markup (``>`` is escaped too, for
    old parsers), so quotation marks stay as they are: an essay's apostrophes do
    not each cost five bytes, as autoescaping's ``&#39;`` does.
    """
    return Markup(str(text).translate(_TEXT_NODE))

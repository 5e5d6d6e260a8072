"""Copying: shared passages with the source and within a class, in results and in `mark`."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import EXAMPLES_DIR, ServicesRunner
from copying_texts import CLASS, COPIED, INDEPENDENT, NOT_COPIED, SOURCE, VERBATIM

from essaycheck.batch import mark_folder
from essaycheck.batch.copying import (
    FLAG_SHARE,
    SHINGLE_WORDS,
    class_copying,
    rubric_source,
    source_copying,
    store_copying,
)
from essaycheck.batch.folder import report_folder
from essaycheck.cli import cli
from essaycheck.cli.base import Services
from essaycheck.extraction import BuiltRubric
from essaycheck.extraction.output import dump_built_rubric
from essaycheck.io.essays import Essay
from essaycheck.reports import ESSAY_FORMATS, ReportOptions, render_feedback
from essaycheck.results import (
    Calibrator,
    Copying,
    EngineInfo,
    EssayResult,
    PointResult,
    SharedPassage,
)
from essaycheck.rubric import KeyPoint, Rubric, load_rubric, parse_rubric

INFO = EngineInfo(name="test", version="1", embeddings="none", decision="never", review_band=None)
VOCABULARY = sorted(set((SOURCE + " " + INDEPENDENT).lower().replace(".", "").split()))
RUBRIC = Rubric("Printing", (KeyPoint("press", "The press made books cheap."),))


class NoMarker:
    """A marker that finds every point missing: the copying pass does not need marks."""

    def check_many(
        self, essays: Iterable[Essay], rubric: Rubric, calibration: Calibrator | None = None
    ) -> Iterator[EssayResult]:
        for essay in essays:
            points = tuple(PointResult(point, False, 0.0, False) for point in rubric)
            yield EssayResult(essay.name, points, text=essay.text, format=essay.format)

    def info(self, calibration: Calibrator | None = None) -> EngineInfo:
        return INFO


def essays(folder: Path, texts: dict[str, str]) -> Path:
    folder.mkdir()
    for name, text in texts.items():
        (folder / name).write_text(text, "utf-8")
    return folder


# --- source overlap -------------------------------------------------------------


@pytest.mark.parametrize("name", COPIED)
def test_a_copy_of_the_source_is_flagged(name: str) -> None:
    share, passages = source_copying(COPIED[name], SOURCE)

    assert share is not None and share >= 0.7
    assert passages and all(passage.origin == "source" for passage in passages)


@pytest.mark.parametrize("name", NOT_COPIED)
def test_a_paraphrase_or_an_independent_essay_is_not(name: str) -> None:
    share, passages = source_copying(NOT_COPIED[name], SOURCE)

    assert share == 0.0
    assert passages == []


def test_a_passage_is_the_copied_text_and_survives_case_and_punctuation() -> None:
    copied = "Movable metal type let a workshop print hundreds of identical pages in a day"
    punctuated = copied.replace(" a ", " a, ").upper()
    essay = f"Intro words here. {punctuated}! The end."

    _, passages = source_copying(essay, SOURCE)

    assert len(passages) == 1
    assert essay[passages[0].start : passages[0].end] == punctuated


def test_a_changed_word_does_not_break_a_passage() -> None:
    copied = (
        "Movable metal type let a workshop print hundreds of identical pages in a day, "
        "so the price of books fell sharply"
    )
    edited = copied.replace("identical", "matching")

    _, passages = source_copying(edited, SOURCE)

    assert [(p.start, p.end) for p in passages] == [(0, len(edited))]


def test_fewer_shared_words_than_a_shingle_are_not_a_passage() -> None:
    essay = " ".join(SOURCE.split()[: SHINGLE_WORDS - 1]) + " and then other words entirely."

    assert source_copying(essay, SOURCE) == (0.0, [])


def test_without_a_source_there_is_no_source_figure() -> None:
    assert source_copying(VERBATIM, None) == (None, [])


# --- class overlap --------------------------------------------------------------


def _class(texts: dict[str, str]) -> list[EssayResult]:
    return [EssayResult(name, text=text) for name, text in texts.items()]


def test_two_essays_sharing_a_paragraph_are_linked_both_ways() -> None:
    copying = dict(zip(CLASS, class_copying(_class(CLASS)), strict=True))

    ana, ben, cat, dan = (copying[name] for name in CLASS)
    assert ana is not None and ben is not None and cat is not None and dan is not None
    assert ana.class_share >= 0.6 and ben.class_share >= 0.6
    assert {p.origin for p in ana.passages} == {"ben.txt"}
    assert {p.origin for p in ben.passages} == {"ana.txt"}
    assert cat.class_share == 0.0 and dan.class_share == 0.0
    assert cat.passages == () and dan.passages == ()
    assert all(item.source is None for item in (ana, ben, cat, dan))


def test_text_two_essays_copy_from_the_source_counts_as_the_sources() -> None:
    results = _class({"one.txt": VERBATIM, "two.txt": VERBATIM + " Also mine.", "x": INDEPENDENT})

    one, two, other = class_copying(results, SOURCE)

    assert one is not None and two is not None and other is not None
    assert one.source is not None and one.source >= FLAG_SHARE
    assert "source" in {p.origin for p in one.passages}
    # Only what the source does not hold (the essays' own sentences) counts as shared.
    assert one.class_share < 0.5 and two.class_share < 0.5
    assert one.class_share < one.source
    assert other == Copying(source=0.0, class_share=0.0)


def test_the_class_pass_is_deterministic_and_skips_failed_essays() -> None:
    results = [*_class(CLASS), EssayResult("broken.docx", error="broken.docx: unreadable")]

    first = class_copying(results, SOURCE)

    assert first == class_copying(results, SOURCE)
    assert first == class_copying(list(reversed(results)), SOURCE)[::-1]
    assert first[-1] is None


def test_a_stored_copying_reads_back_what_the_class_pass_found(tmp_path: Path) -> None:
    results = [*_class({**CLASS, "copy.txt": VERBATIM}), EssayResult("broken.docx", error="x")]
    names = [result.name for result in results]

    stored = store_copying(results, names, SOURCE, tmp_path / "copying.jsonl")

    assert list(stored) == names
    # equal to the float, not rounded: one process, --jobs and Dask write the same bytes
    assert [stored[name] for name in names] == class_copying(results, SOURCE)
    assert stored["broken.docx"] is None


def _own_essay(rng: random.Random) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(200))


def test_in_a_large_class_every_pair_sharing_a_paragraph_is_found() -> None:
    rng = random.Random(0)
    texts = {f"e{n:02d}.txt": _own_essay(rng) for n in range(60)}
    pairs = {("e03.txt", "e41.txt"), ("e10.txt", "e11.txt"), ("e20.txt", "e59.txt")}
    for first, second in pairs:
        paragraph = _own_essay(rng)[:300]
        texts[first] += " " + paragraph
        texts[second] = paragraph + " " + texts[second]

    copying = dict(zip(texts, class_copying(_class(texts)), strict=True))

    found = {
        tuple(sorted((name, passage.origin)))
        for name, item in copying.items()
        if item is not None
        for passage in item.passages
    }
    assert found == pairs


def test_text_most_of_the_class_shares_is_nobodys() -> None:
    rng = random.Random(1)
    question = "Explain why the printing press changed Europe, using the source and your own ideas."
    texts = {f"e{n:02d}.txt": f"{question} {_own_essay(rng)}" for n in range(30)}
    texts["e05.txt"] += " " + texts["e06.txt"][len(question) :]

    copying = dict(zip(texts, class_copying(_class(texts)), strict=True))

    assert {p.origin for p in copying["e05.txt"].passages} == {"e06.txt"}  # type: ignore[union-attr]
    assert all(
        copying[name] == Copying(None, 0.0) for name in texts if name not in ("e05.txt", "e06.txt")
    )


# --- results, journal and reports ------------------------------------------------


COPYING = Copying(source=0.51234, class_share=0.25, passages=(SharedPassage(3, 40, "source"),))


def test_copying_round_trips_through_the_report_and_the_journal() -> None:
    result = EssayResult("a.txt", text="x" * 50, copying=COPYING)

    rounded = result.to_dict()
    full = result.to_dict(rounded=False)

    assert rounded["copying"] == {
        "source": 0.512,
        "class": 0.25,
        "passages": [{"start": 3, "end": 40, "from": "source"}],
    }
    assert EssayResult.from_dict(full, RUBRIC, result.text) == result


def test_an_old_journal_line_without_copying_still_reads() -> None:
    data = EssayResult("a.txt").to_dict(rounded=False)

    assert "copying" not in data
    assert EssayResult.from_dict(data, RUBRIC).copying is None


STUDENT_FORMATS = [name for name in ESSAY_FORMATS if name != "json"]


@pytest.mark.parametrize("fmt", [*STUDENT_FORMATS, "feedback"])
def test_no_student_output_shows_copying(fmt: str) -> None:
    points = tuple(PointResult(point, False, 0.1, False) for point in RUBRIC)
    result = EssayResult("ana.txt", points, text=VERBATIM, copying=COPYING)
    options = ReportOptions(engine=INFO)

    def render(shown: EssayResult) -> str:
        if fmt == "feedback":
            return render_feedback(shown, RUBRIC)
        return ESSAY_FORMATS[fmt]([shown], RUBRIC, options)

    output = render(result)

    assert output == render(replace(result, copying=None))
    for shown in ("shared with", "from the source", "Copied", "51%", '"copying"'):
        assert shown not in output


def test_the_students_page_shows_no_copying() -> None:
    from essaycheck.serve.student import student_view

    points = tuple(PointResult(point, False, 0.1, False) for point in RUBRIC)
    result = EssayResult("ana.txt", points, text=VERBATIM, copying=COPYING)

    shown = json.dumps(student_view(result, RUBRIC))

    assert "copying" not in shown and "0.512" not in shown and '"source"' not in shown


# --- mark ------------------------------------------------------------------------


def test_mark_puts_copying_in_results_json_and_report_writes_it_again(tmp_path: Path) -> None:
    folder = essays(tmp_path / "essays", {**CLASS, "copy.txt": VERBATIM})
    out = tmp_path / "out"

    mark_folder(folder, RUBRIC, NoMarker(), out, INFO, source=SOURCE)

    data = json.loads((out / "results.json").read_text("utf-8"))
    copying = {essay["path"]: essay["copying"] for essay in data["essays"]}
    assert copying["copy.txt"]["source"] >= 0.7
    assert {p["from"] for p in copying["ana.txt"]["passages"]} == {"ben.txt"}
    assert copying["dan.txt"] == {"source": 0.0, "class": 0.0, "passages": []}
    html = (out / "report.html").read_text("utf-8")
    assert "shared with ben.txt" in html and "from the source" in html
    for feedback in (out / "feedback").rglob("*.md"):
        text = feedback.read_text("utf-8")
        assert "Copied" not in text and "shared with" not in text and "source" not in text
        assert "ben.txt" not in text or feedback.name.startswith("ben")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["essays", "out"]  # nothing kept beside
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    report_folder(out)

    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def _mark(tmp_path: Path, rubric: Path, *extra: str) -> tuple[Result, dict[str, object]]:
    folder = essays(tmp_path / "essays", {"copy.txt": VERBATIM, "own.txt": INDEPENDENT})
    runner = ServicesRunner(Services(load_checker=lambda engine, folder: NoMarker()))
    out = tmp_path / "out"
    result = runner.invoke(
        cli, ["mark", str(folder), "-r", str(rubric), "-o", str(out), "-q", *extra]
    )
    data = json.loads((out / "results.json").read_text("utf-8")) if out.is_dir() else {}
    essays_ = data.get("essays", [])
    assert isinstance(essays_, list)
    return result, {essay["path"]: essay["copying"] for essay in essays_}


def _built_rubric(tmp_path: Path) -> Path:
    source = tmp_path / "sources" / "source.txt"
    source.parent.mkdir()
    source.write_text(SOURCE, "utf-8")
    path = tmp_path / "rubrics" / "rubric.yaml"
    path.parent.mkdir()
    path.write_text(dump_built_rubric(BuiltRubric(RUBRIC), path, [source]), "utf-8")
    return path


def test_rubric_build_records_its_source_and_mark_finds_it(tmp_path: Path) -> None:
    path = _built_rubric(tmp_path)
    rubric = load_rubric(path)

    assert rubric.source == "../sources/source.txt"
    assert rubric.source_sha256 == hashlib.sha256(SOURCE.encode()).hexdigest()
    assert rubric_source(rubric) == (path.parent / rubric.source, None)
    result, copying = _mark(tmp_path, path)
    assert result.exit_code == 0, result.output
    assert copying["copy.txt"]["source"] >= 0.7  # type: ignore[index]


def test_a_changed_source_is_a_warning_and_only_the_class_is_checked(tmp_path: Path) -> None:
    path = _built_rubric(tmp_path)
    (tmp_path / "sources" / "source.txt").write_text(SOURCE + " A new last line.", "utf-8")

    result, copying = _mark(tmp_path, path)

    assert result.exit_code == 0, result.output
    assert "is not the source the rubric was built from" in result.stderr
    assert "--source FILE" in result.stderr
    assert copying["copy.txt"] == {"source": None, "class": 0.0, "passages": []}


def test_mark_source_serves_a_hand_written_rubric(tmp_path: Path) -> None:
    rubric = tmp_path / "rubric.json"
    rubric.write_text(json.dumps(RUBRIC.to_dict()), "utf-8")
    source = tmp_path / "notes.txt"
    source.write_text(SOURCE, "utf-8")

    result, copying = _mark(tmp_path, rubric, "--source", str(source))

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert copying["copy.txt"]["source"] >= 0.7  # type: ignore[index]
    assert copying["own.txt"]["source"] == 0.0  # type: ignore[index]


def test_a_bad_source_fingerprint_is_a_rubric_error() -> None:
    from essaycheck.errors import RubricError

    data = {**RUBRIC.to_dict(), "source": "s.txt", "source_sha256": "not a digest"}
    with pytest.raises(RubricError, match="source_sha256"):
        parse_rubric(json.dumps(data), "rubric.json")


def test_rubric_build_writes_where_its_source_is(tmp_path: Path) -> None:
    source = tmp_path / "notes" / "source.txt"
    source.parent.mkdir()
    source.write_text((EXAMPLES_DIR / "source.txt").read_text("utf-8"), "utf-8")
    output = tmp_path / "rubric.json"

    result = CliRunner().invoke(cli, ["rubric", "build", str(source), "-o", str(output)])

    assert result.exit_code == 0, result.output
    rubric = load_rubric(output)
    assert rubric.source == "notes/source.txt"
    assert rubric.source_sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert rubric_source(rubric) == (source, None)

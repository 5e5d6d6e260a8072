"""Canvas and Moodle exports: the documented columns and file names, overrides, and `report`.

The formats tested are those docs/lms.md lists: Canvas's gradebook import
(Student, ID, SIS User ID, SIS Login ID, Section, an assignment column, a
Points Possible row) and its submission names ``lastfirst_<user>_<file>_<name>``;
Moodle's offline grading worksheet (Identifier "Participant <id>", ...) and its
download folders ``Full Name_<id>_assignsubmission_file_``.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES_DIR, invoke

from essaycheck.io.names import platform_name, student_from_filename
from essaycheck.reports import CLASS_REPORTS, ReportOptions
from essaycheck.reports.lms import (
    CANVAS,
    CANVAS_COLUMNS,
    MOODLE,
    MOODLE_COLUMNS,
    class_platform,
    feedback_comment,
    render_canvas_gradebook,
    render_moodle_worksheet,
    write_feedback_zip,
)
from essaycheck.results import EssayResult, PointResult
from essaycheck.rubric import KeyPoint, Rubric

RUBRIC = EXAMPLES_DIR / "rubric.json"
EXAMPLES = ("01-strong-amira.txt", "04-partial-priya.txt", "09-wrong-claims-ben.txt")
MOODLE_NAMES = (
    "Amira Haddad_101_assignsubmission_file_/essay.txt",
    "Priya Shah_102_assignsubmission_file_/my essay.txt",
    "=Ben Cole_103_assignsubmission_file_/essay.txt",
)
CANVAS_NAMES = (
    "haddadamira_1001_50001_essay.txt",
    "shahpriya_LATE_1002_50002_my_essay.txt",
    "coleben_1003_50003_essay.txt",
)


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def small_class(names: tuple[str, ...]) -> tuple[list[EssayResult], Rubric]:
    keys = (
        KeyPoint("a", "Claim A.", hint="Think about A?"),
        KeyPoint("b", "Claim B.", hint=""),
        KeyPoint("c", "Claim C.", weight=2),
    )
    covered = ((True, True, True), (True, False, False), (False, False, False))
    results = [
        EssayResult(
            name,
            tuple(
                PointResult(
                    point=key, is_covered=flag, score=0.9 if flag else 0.1, needs_review=False
                )
                for key, flag in zip(keys, flags, strict=True)
            ),
            text="Essay.",
            student=student_from_filename(name),
        )
        for name, flags in zip(names, covered, strict=True)
    ]
    return results, Rubric("Essay 1: the revolution", keys)


# --- names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "platform", "student", "user_id", "prefix", "file", "late"),
    [
        (
            "Ana Díaz_101_assignsubmission_file_essay.docx",
            "moodle",
            "Ana Díaz",
            "101",
            "Ana Díaz_101_assignsubmission_file_",
            "essay.docx",
            False,
        ),
        (
            "download/Ana Díaz_101_assignsubmission_file_/drafts/essay.docx",
            "moodle",
            "Ana Díaz",
            "101",
            "Ana Díaz_101_assignsubmission_file_",
            "drafts/essay.docx",
            False,
        ),
        (
            "Ana Díaz_101_assignsubmission_onlinetext_onlinetext.html",
            "moodle",
            "Ana Díaz",
            "101",
            "Ana Díaz_101_assignsubmission_onlinetext_",
            "onlinetext.html",
            False,
        ),
        (
            "diazana_12345_67890_essay.docx",
            "canvas",
            "diazana",
            "12345",
            "diazana_12345_67890_",
            "essay.docx",
            False,
        ),
        (
            "diazana_LATE_12345_67890_my_essay.docx",
            "canvas",
            "diazana",
            "12345",
            "diazana_LATE_12345_67890_",
            "my_essay.docx",
            True,
        ),
    ],
)
def test_platform_names_give_the_identifiers_uploads_match_on(
    name: str, platform: str, student: str, user_id: str, prefix: str, file: str, late: bool
) -> None:
    found = platform_name(name)

    assert found is not None
    assert (found.platform, found.student, found.user_id) == (platform, student, user_id)
    assert (found.prefix, found.file, found.late) == (prefix, file, late)
    assert found.student == student_from_filename(name)


@pytest.mark.parametrize(
    "name", ["essay.docx", "Ana_essay.docx", "DiazAna_12345_67890_essay.docx", "a_12_34_x.txt"]
)
def test_other_names_carry_no_identifiers(name: str) -> None:
    assert platform_name(name) is None


def test_a_class_has_a_platform_only_when_its_names_show_exactly_one() -> None:
    moodle, _ = small_class(MOODLE_NAMES)
    canvas, _ = small_class(CANVAS_NAMES)
    plain, _ = small_class(("a.txt", "b.txt", "c.txt"))

    assert class_platform(moodle) == "moodle"
    assert class_platform(canvas) == "canvas"
    assert class_platform(plain) is None
    assert class_platform([*moodle[:1], *canvas[:1]]) is None
    assert class_platform([*moodle[:2], plain[0]]) == "moodle"


# --- Canvas --------------------------------------------------------------------------------


def test_canvas_gradebook_has_the_documented_columns_and_points_possible_row() -> None:
    results, rubric = small_class(CANVAS_NAMES)

    table = rows(render_canvas_gradebook(results, rubric, ReportOptions(scale=20)))

    assert table[0] == [*CANVAS_COLUMNS, "Essay 1: the revolution"]
    assert CANVAS_COLUMNS == ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
    assert table[1] == ["Points Possible", "", "", "", "", "20"]
    assert table[2:] == [
        ["haddadamira", "1001", "", "", "", "20.0"],
        ["shahpriya", "1002", "", "", "", "5.0"],
        ["coleben", "1003", "", "", "", "0.0"],
    ]


def test_canvas_grades_are_percentages_without_a_scale() -> None:
    results, rubric = small_class(CANVAS_NAMES)

    table = rows(render_canvas_gradebook(results, rubric, ReportOptions()))

    assert table[1][-1] == "100"
    assert [row[-1] for row in table[2:]] == ["100.0", "25.0", "0.0"]


def test_canvas_feedback_zip_keeps_the_download_prefix_canvas_matches_on() -> None:
    results, rubric = small_class(CANVAS_NAMES)
    buffer = io.BytesIO()

    write_feedback_zip(results, rubric, "canvas", buffer)

    with zipfile.ZipFile(buffer) as archive:
        names = archive.namelist()
        first = archive.read(names[0]).decode("utf-8")
    assert names == [
        "haddadamira_1001_50001_essay-feedback.md",
        "shahpriya_LATE_1002_50002_my_essay-feedback.md",
        "coleben_1003_50003_essay-feedback.md",
    ]
    # Canvas takes the first two all-digit parts of the name as user id and file id.
    for name in names:
        user, file = [part for part in name.split("_") if re.fullmatch(r"\d+", part)][:2]
        assert (user, file) in {("1001", "50001"), ("1002", "50002"), ("1003", "50003")}
    assert first.startswith("#")


# --- Moodle ----------------------------------------------------------------------------------


def test_moodle_worksheet_has_the_documented_columns_and_participant_identifiers() -> None:
    results, rubric = small_class(MOODLE_NAMES)

    table = rows(render_moodle_worksheet(results, rubric, ReportOptions(scale=10)))

    assert table[0] == list(MOODLE_COLUMNS)
    assert table[0] == [
        "Identifier",
        "Full name",
        "Email address",
        "Status",
        "Grade",
        "Maximum Grade",
        "Grade can be changed",
        "Last modified (submission)",
        "Last modified (grade)",
        "Feedback comments",
    ]
    assert [row[0] for row in table[1:]] == [
        "Participant 101",
        "Participant 102",
        "Participant 103",
    ]
    assert [row[1] for row in table[1:]] == ["Amira Haddad", "Priya Shah", "'=Ben Cole"]
    assert [(row[4], row[5]) for row in table[1:]] == [("10.0", "10"), ("2.5", "10"), ("0.0", "10")]
    assert table[2][9] == (
        "You cover 1 of 3 key points. To add: A key point the rubric calls b is missing: "
        "ask your teacher for a hint. A key point the rubric calls c is missing: ask your "
        "teacher for a hint."
    )


def test_feedback_comments_hide_claims_unless_the_rubric_shows_them() -> None:
    results, rubric = small_class(MOODLE_NAMES)
    shown = Rubric(rubric.title, rubric.points, student_view="claims")

    hidden = feedback_comment(results[2], rubric)
    claims = feedback_comment(results[2], shown)

    assert "Claim" not in hidden
    assert "Think about A?" in hidden
    assert claims == "You cover 0 of 3 key points. To add: Claim A. Claim B. Claim C."


def test_moodle_feedback_zip_has_one_download_folder_per_participant() -> None:
    results, rubric = small_class(MOODLE_NAMES)
    buffer = io.BytesIO()

    write_feedback_zip(results, rubric, "moodle", buffer)

    with zipfile.ZipFile(buffer) as archive:
        names = archive.namelist()
    assert names == [
        "Amira Haddad_101_assignsubmission_file_/essay-feedback.md",
        "Priya Shah_102_assignsubmission_file_/my essay-feedback.md",
        "=Ben Cole_103_assignsubmission_file_/essay-feedback.md",
    ]
    # Moodle splits the folder's name on "_" into name, participant id, plugin type and name.
    for name in names:
        folder = name.split("/")[0]
        _, participant, plugin_type, plugin, rest = folder.split("_", 4)
        assert participant.isdigit() and (plugin_type, plugin, rest) == (
            "assignsubmission",
            "file",
            "",
        )


def test_the_feedback_zip_is_the_same_bytes_for_the_same_results() -> None:
    results, rubric = small_class(MOODLE_NAMES)
    first, again = io.BytesIO(), io.BytesIO()

    write_feedback_zip(results, rubric, "moodle", first)
    write_feedback_zip(results, rubric, "moodle", again)

    assert first.getvalue() == again.getvalue()


def test_failed_and_unidentified_essays_are_left_out_and_a_students_second_essay_too() -> None:
    results, rubric = small_class(MOODLE_NAMES)
    failed = EssayResult("Zoe Li_104_assignsubmission_file_/essay.docx", error="unreadable")
    second = EssayResult("Amira Haddad_101_assignsubmission_file_/draft.txt", results[0].points)
    plain = EssayResult("loose.txt", results[1].points)

    table = rows(
        render_moodle_worksheet([*results, failed, second, plain], rubric, ReportOptions())
    )

    assert [row[0] for row in table[1:]] == [
        "Participant 101",
        "Participant 102",
        "Participant 103",
    ]
    assert CLASS_REPORTS["moodle"] is MOODLE and CLASS_REPORTS["canvas"] is CANVAS
    text = MOODLE.readme([*results, failed, second, plain], ReportOptions(scale=20))
    assert "Zoe Li_104_assignsubmission_file_/essay.docx: it could not be marked" in text
    assert "loose.txt: its file name has no Moodle identifier" in text
    assert "draft.txt: the student's first essay is the one exported" in text
    assert "Grades are out of 20 (--scale)" in text


# --- through mark and report -----------------------------------------------------------------


def _downloaded(tmp_path: Path, names: tuple[str, ...]) -> Path:
    folder = tmp_path / "download"
    for example, name in zip(EXAMPLES, names, strict=True):
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(EXAMPLES_DIR / "essays" / example, target)
    return folder


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_mark_writes_the_moodle_folder_and_report_applies_overrides_to_it(
    tmp_path: Path, runner: CliRunner
) -> None:
    folder = _downloaded(tmp_path, MOODLE_NAMES)
    out = tmp_path / "out"
    marked = invoke(runner, "mark", folder, "-r", RUBRIC, "-o", out, "--scale", "20")
    assert marked.exit_code == 0, marked.output
    assert sorted(path.name for path in (out / "moodle").iterdir()) == [
        "README.txt",
        "feedback.zip",
        "grading-worksheet.csv",
    ]
    assert not (out / "canvas").exists()
    essay = MOODLE_NAMES[1]
    gradebook = {row["file"]: row for row in _csv(out / "gradebook.csv")}
    point = next(key for key, value in gradebook[essay].items() if value == "0" and key != "file")
    before = float(gradebook[essay]["marks"])

    flipped = invoke(runner, "override", out, essay, point, "--covered")
    assert flipped.exit_code == 0, flipped.output
    again = invoke(runner, "report", out)

    assert again.exit_code == 0, again.output
    gradebook = {row["file"]: row for row in _csv(out / "gradebook.csv")}
    sheet = {row["Identifier"]: row for row in _csv(out / "moodle" / "grading-worksheet.csv")}
    participant = "Participant " + essay.split("_")[1]
    marks = float(gradebook[essay]["marks"])
    assert marks > before
    assert float(sheet[participant]["Grade"]) == pytest.approx(marks, abs=0.05)
    assert sheet[participant]["Maximum Grade"] == "20"
    assert len(sheet) == len(MOODLE_NAMES)


def test_mark_writes_the_canvas_folder_for_a_canvas_download(
    tmp_path: Path, runner: CliRunner
) -> None:
    folder = _downloaded(tmp_path, CANVAS_NAMES)
    out = tmp_path / "out"

    marked = invoke(runner, "mark", folder, "-r", RUBRIC, "-o", out)

    assert marked.exit_code == 0, marked.output
    gradebook = {row["file"]: row for row in _csv(out / "gradebook.csv")}
    with (out / "canvas" / "gradebook-import.csv").open(newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    assert table[1][0] == "Points Possible"
    by_id = {row[1]: row[-1] for row in table[2:]}
    for name in CANVAS_NAMES:
        user = platform_name(name).user_id  # type: ignore[union-attr]
        assert float(by_id[user]) == pytest.approx(float(gradebook[name]["score"]) * 100, abs=0.06)
    with zipfile.ZipFile(out / "canvas" / "feedback.zip") as archive:
        assert len(archive.namelist()) == len(CANVAS_NAMES)
    assert not (out / "moodle").exists()


def test_essays_not_from_a_platform_get_only_the_generic_gradebook(
    tmp_path: Path, runner: CliRunner
) -> None:
    folder = _downloaded(tmp_path, EXAMPLES)
    out = tmp_path / "out"

    marked = invoke(runner, "mark", folder, "-r", RUBRIC, "-o", out)

    assert marked.exit_code == 0, marked.output
    assert (out / "gradebook.csv").is_file()
    assert not (out / "canvas").exists()
    assert not (out / "moodle").exists()

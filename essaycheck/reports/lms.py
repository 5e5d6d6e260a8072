"""Canvas and Moodle: the marks and the feedback in the files each platform uploads.

When the essays were downloaded from Canvas or Moodle, their file names carry the
identifiers each platform matches an upload on (``io/names.py`` reads them), and
``mark`` writes a folder for that platform beside the generic gradebook:

- ``canvas/``: ``gradebook-import.csv`` (Canvas's gradebook import: Student, ID,
  SIS User ID, SIS Login ID, Section, then one assignment column, with a
  Points Possible row) and ``feedback.zip`` (files named as Canvas named the
  download, for the assignment's "Re-Upload Submissions");
- ``moodle/``: ``grading-worksheet.csv`` (Moodle's offline grading worksheet:
  Identifier ``Participant <id>``, Full name, ..., Grade, Maximum Grade, ...,
  Feedback comments) and ``feedback.zip`` (one folder per participant named as
  the download's, for "Upload multiple feedback files in a zip").

Each folder has a ``README.txt`` that says how to upload it and which essays it
leaves out. A class whose names show neither platform, or both, gets neither
folder: only the generic gradebook. docs/lms.md lists the formats relied on.
The results are the ones every report shows, so a teacher's overrides are in.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Literal, Protocol, runtime_checkable

from essaycheck.io.names import PlatformName, display_name, platform_name, unique_names
from essaycheck.reports._text import capitalised, csv_cell, one_line, unhinted_point
from essaycheck.reports.markdown import render_feedback
from essaycheck.reports.options import ReportOptions
from essaycheck.results import EssayResult
from essaycheck.rubric import Rubric

Platform = Literal["canvas", "moodle"]
DEFAULT_POINTS = 100.0
"""What a grade is out of without ``--scale``: the covered share as a percentage."""
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
"""The identity columns of Canvas's gradebook export, which its import reads back."""
MOODLE_COLUMNS = (
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
)
"""The columns of Moodle's offline grading worksheet, in its order."""
MOODLE_PARTICIPANT = "Participant "
FEEDBACK_ZIP = "feedback.zip"
README = "README.txt"
_SAFE_IN_ZIP = str.maketrans(dict.fromkeys('/\\<>:"|?*', "_"))
# A fixed time for every zip entry: the same results give the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@runtime_checkable
class FolderWriter(Protocol):
    """A class report that is a folder of files, written only when it applies to the class."""

    def write_folder(
        self, results: Sequence[EssayResult], rubric: Rubric, options: ReportOptions, folder: Path
    ) -> None:
        """Write the folder ``folder`` for these results, or nothing when they are not for it."""


@dataclass(frozen=True)
class Upload:
    """One marked essay, and what its platform's download name says about it."""

    result: EssayResult
    name: PlatformName


def class_platform(results: Sequence[EssayResult]) -> Platform | None:
    """The platform the class was downloaded from: the one its essays' names show.

    None when no name shows a platform, or when names show both (a folder that
    mixes two downloads): then no platform's files are written.
    """
    found: set[Platform] = set()
    for result in results:
        name = platform_name(result.name)
        if name is not None:
            found.add(name.platform)
    return found.pop() if len(found) == 1 else None


def uploads(results: Sequence[EssayResult], platform: Platform) -> Iterator[Upload]:
    """Each marked essay whose name carries ``platform``'s identifiers, first per student."""
    seen: set[str] = set()
    for result in results:
        name = platform_name(result.name)
        if name is None or name.platform != platform or result.is_failed:
            continue
        if name.user_id not in seen:
            seen.add(name.user_id)
            yield Upload(result, name)


def points_possible(options: ReportOptions) -> float:
    """What the exported grades are out of: ``--scale``, else 100."""
    return options.scale if options.scale is not None else DEFAULT_POINTS


def grade(result: EssayResult, options: ReportOptions) -> str:
    """The essay's grade as the platforms read it: the covered share times the points possible."""
    return f"{result.score * points_possible(options):.1f}"


def write_canvas_gradebook(
    results: Sequence[EssayResult], rubric: Rubric, options: ReportOptions, stream: IO[str]
) -> None:
    """Write Canvas's gradebook import CSV: one row per Canvas user id in the file names.

    The assignment column is named after the rubric; Canvas matches it to the
    assignment of that name, or asks which assignment it is when none has it.
    """
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([*CANVAS_COLUMNS, csv_cell(one_line(rubric.title))])
    writer.writerow(["Points Possible", "", "", "", "", _number(points_possible(options))])
    for upload in uploads(results, "canvas"):
        student = csv_cell(upload.name.student)
        writer.writerow([student, upload.name.user_id, "", "", "", grade(upload.result, options)])


def write_moodle_worksheet(
    results: Sequence[EssayResult], rubric: Rubric, options: ReportOptions, stream: IO[str]
) -> None:
    """Write Moodle's offline grading worksheet: one row per participant in the file names.

    "Last modified (grade)" is left empty, so the same results give the same
    file: Moodle then updates only grades that were empty, unless the upload's
    "Allow updating records that have been modified more recently in Moodle
    than in the spreadsheet" is ticked.
    """
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(MOODLE_COLUMNS)
    maximum = _number(points_possible(options))
    for upload in uploads(results, "moodle"):
        writer.writerow(
            [
                MOODLE_PARTICIPANT + upload.name.user_id,
                csv_cell(upload.name.student),
                "",
                "Submitted for grading",
                grade(upload.result, options),
                maximum,
                "Yes",
                "",
                "",
                csv_cell(feedback_comment(upload.result, rubric)),
            ]
        )


def feedback_comment(result: EssayResult, rubric: Rubric) -> str:
    """One paragraph for a platform's feedback comment: what is covered, what to add.

    It tells the student no more than their feedback file does: a missing point
    is named by its hint unless the rubric shows claims (``student_view: claims``).
    """
    covered = sum(point.is_covered for point in result.points)
    missing = [point for point in result.points if not point.is_covered]
    text = f"You cover {covered} of {len(result.points)} key points."
    if missing:
        hints = [
            point.point.text
            if rubric.shows_claims
            else point.point.hint or unhinted_point(point.point.id)
            for point in missing
        ]
        text += " To add: " + " ".join(_sentence(hint) for hint in hints)
    return text


def _sentence(text: str) -> str:
    text = capitalised(one_line(text))
    return text if text.endswith((".", "?", "!")) else text + "."


def write_feedback_zip(
    results: Sequence[EssayResult], rubric: Rubric, platform: Platform, stream: IO[bytes]
) -> None:
    """Write the feedback files, named as ``platform`` reads them back, into a zip.

    Moodle: ``<download folder>/<essay>-feedback.md``, the folder named as
    Moodle names a participant's download folder. Canvas: the download's own
    ``lastnamefirstname_<user id>_<file id>_`` prefix, then ``<essay>-feedback.md``.
    """
    uploaded = list(uploads(results, platform))
    entries = unique_names(_entry_name(upload) for upload in uploaded)
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for upload, entry in zip(uploaded, entries, strict=True):
            info = zipfile.ZipInfo(entry, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, render_feedback(upload.result, rubric).encode("utf-8"))


@dataclass(frozen=True)
class PlatformExport:
    """The folder ``mark`` writes for one platform (a ``FolderWriter`` of CLASS_REPORTS)."""

    platform: Platform
    grades_file: str

    def write_folder(
        self, results: Sequence[EssayResult], rubric: Rubric, options: ReportOptions, folder: Path
    ) -> None:
        """Write the grades, the feedback zip and a README, if the class is from this platform."""
        if class_platform(results) != self.platform:
            return
        folder.mkdir()
        writer = write_canvas_gradebook if self.platform == "canvas" else write_moodle_worksheet
        with (folder / self.grades_file).open("w", encoding="utf-8") as stream:
            writer(results, rubric, options, stream)
        with (folder / FEEDBACK_ZIP).open("wb") as binary:
            write_feedback_zip(results, rubric, self.platform, binary)
        (folder / README).write_text(self.readme(results, options), "utf-8")

    def readme(self, results: Sequence[EssayResult], options: ReportOptions) -> str:
        """How to upload this folder, and which essays it leaves out (and why)."""
        lines = [*(_CANVAS_README if self.platform == "canvas" else _MOODLE_README), ""]
        points = _number(points_possible(options))
        how = "--scale" if options.scale is not None else "no --scale, so as a percentage"
        lines += [
            f"Grades are out of {points} ({how}): the assignment's maximum should be the same.",
            "",
        ]
        left_out = _left_out(results, self.platform)
        if left_out:
            lines.append("Left out (give these grades and feedback by hand):")
            lines.extend(f"- {display_name(name)}: {why}" for name, why in left_out)
        else:
            lines.append("Every essay is in.")
        return "\n".join(lines) + "\n"


CANVAS = PlatformExport("canvas", "gradebook-import.csv")
MOODLE = PlatformExport("moodle", "grading-worksheet.csv")

_CANVAS_README = (
    "Canvas: marks and feedback from essaycheck mark.",
    "",
    "gradebook-import.csv: in the course's Grades, choose Import and upload it. The",
    "assignment column is named after the rubric: Canvas matches it to the assignment",
    "of that name, or asks which assignment it is.",
    "feedback.zip: on the assignment's page, choose Re-Upload Submissions and upload it.",
    "Canvas attaches each file to its student's submission as a comment.",
)
_MOODLE_README = (
    "Moodle: marks and feedback from essaycheck mark.",
    "",
    "grading-worksheet.csv: in the assignment's submissions, choose Upload grading",
    "worksheet (feedback type Offline grading worksheet). Tick 'Allow updating records",
    "that have been modified more recently in Moodle than in the spreadsheet' to",
    "replace grades already given.",
    "feedback.zip: choose Upload multiple feedback files in a zip (feedback type",
    "Feedback files).",
)


def _left_out(results: Sequence[EssayResult], platform: Platform) -> list[tuple[str, str]]:
    seen: set[str] = set()
    left_out = []
    for result in results:
        name = platform_name(result.name)
        if name is None or name.platform != platform:
            left_out.append((result.name, f"its file name has no {platform.title()} identifier"))
        elif result.is_failed:
            left_out.append((result.name, "it could not be marked"))
        elif name.user_id in seen:
            left_out.append((result.name, "the student's first essay is the one exported"))
        else:
            seen.add(name.user_id)
    return left_out


def _entry_name(upload: Upload) -> str:
    own = PurePosixPath(upload.name.file.replace("\\", "/")).stem or "essay"
    stem = display_name(own).translate(_SAFE_IN_ZIP).strip(". ") or "essay"
    if upload.name.platform == "moodle":
        return f"{upload.name.prefix}/{stem}-feedback.md"
    return f"{upload.name.prefix}{stem}-feedback.md"


def _number(value: float) -> str:
    return f"{value:g}"


def render_canvas_gradebook(
    results: Sequence[EssayResult], rubric: Rubric, options: ReportOptions
) -> str:
    """Return Canvas's gradebook import CSV (see ``write_canvas_gradebook``)."""
    buffer = io.StringIO()
    write_canvas_gradebook(results, rubric, options, buffer)
    return buffer.getvalue()


def render_moodle_worksheet(
    results: Sequence[EssayResult], rubric: Rubric, options: ReportOptions
) -> str:
    """Return Moodle's grading worksheet CSV (see ``write_moodle_worksheet``)."""
    buffer = io.StringIO()
    write_moodle_worksheet(results, rubric, options, buffer)
    return buffer.getvalue()

"""Marked essays to fit the essays' rule on: every essay needs a mark on every point."""

from pathlib import Path

import pytest

from essaycheck.errors import DataError
from essaycheck.rubric import KeyPoint, Rubric, dump_rubric
from essaycheck.training.essays import marked_essay_sets, read_marked_essays

RUBRIC = Rubric(
    title="Photosynthesis",
    points=(
        KeyPoint(id="own-food", text="Plants make their own food."),
        KeyPoint(id="oxygen", text="Plants give off oxygen."),
    ),
)


def _topic(folder: Path, marks: list[str]) -> Path:
    (folder / "essays").mkdir(parents=True)
    (folder / "rubric.json").write_text(dump_rubric(RUBRIC, folder / "rubric.json"), "utf-8")
    (folder / "essays" / "a.txt").write_text("Plants make their own food.", "utf-8")
    (folder / "essays" / "b.txt").write_text("Leaves give off oxygen.", "utf-8")
    (folder / "essays" / "c.txt").write_text("I like football.", "utf-8")
    rows = ["essay,point_id,covered,evidence", *marks]
    (folder / "labels.csv").write_text("\n".join(rows) + "\n", "utf-8")
    return folder


ALL_MARKS = [
    "a.txt,own-food,1,Plants make their own food.",
    "a.txt,oxygen,0,",
    "b.txt,own-food,0,",
    "b.txt,oxygen,1,Leaves give off oxygen.",
    "c.txt,own-food,0,",
    "c.txt,oxygen,0,",
]


def test_a_topics_essays_are_read_in_name_order_with_their_marks(tmp_path: Path) -> None:
    data = read_marked_essays(_topic(tmp_path / "plants", ALL_MARKS))
    assert (data.name, data.names) == ("plants", ("a.txt", "b.txt", "c.txt"))
    assert data.texts[1] == "Leaves give off oxygen."
    assert data.labels(1) == {"own-food": 0, "oxygen": 1}
    assert [d.name for d in marked_essay_sets(tmp_path)] == ["plants"]


def test_an_essay_without_a_mark_on_every_point_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"no mark: c\.txt oxygen.*no such essay: none"):
        read_marked_essays(_topic(tmp_path / "plants", ALL_MARKS[:-1]))


def test_a_mark_for_an_essay_that_is_not_there_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"no such essay: d\.txt"):
        read_marked_essays(_topic(tmp_path / "plants", [*ALL_MARKS, "d.txt,oxygen,0,"]))


def test_the_shipped_marked_essays_cover_every_point_of_three_topics() -> None:
    root = Path(__file__).resolve().parents[2] / "labels" / "essays"
    sets = marked_essay_sets(root)
    assert [d.name for d in sets] == ["climate", "seed", "ww1"]
    for data in sets:
        assert len(data.marks) == len(data.names) * len(data.rubric)
        assert 0 < sum(data.marks.values()) < len(data.marks)

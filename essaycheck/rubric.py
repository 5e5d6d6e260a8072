"""Rubrics: the key points of a source text, loaded from JSON or YAML and validated."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator

from essaycheck.errors import RubricError
from essaycheck.io.documents import (
    DocumentError,
    describe_size,
    is_unwritable_value,
    parse_json,
    parse_yaml,
    read_limited,
    schema_validator,
    shorten,
)

YAML_SUFFIXES = (".yaml", ".yml")
MAX_RUBRIC_BYTES = 1024 * 1024
"""The largest rubric file essaycheck reads: 200 times the largest shipped one (room for
some 8,000 key points), and as YAML about two seconds of parsing. A rubric names its
source text; it does not hold it."""
_SYNTAX_REMEDY = "Fix the syntax and try again."
STUDENT_VIEWS = ("hints", "claims")
"""The values of a rubric's ``student_view`` (the first is the default): what student-facing
reports show of a missing key point, its hint alone or its claim as well."""


@dataclass(frozen=True)
class KeyPoint:
    """One claim an essay should make.

    Attributes:
        id: short readable id, unique in its rubric.
        text: the claim itself.
        weight: how much the point counts towards the essay's score (> 0).
        hint: shown to a student whose essay misses the point.
        examples: other phrasings that also count as covering the point.
        required: whether the point is essential.
    """

    id: str
    text: str
    weight: float = 1.0
    hint: str = ""
    examples: tuple[str, ...] = ()
    required: bool = False

    @property
    def phrasings(self) -> tuple[str, ...]:
        """The point's text followed by its example phrasings."""
        return (self.text, *self.examples)

    def to_dict(self) -> dict[str, Any]:
        """Return the point as it is written in a rubric file (defaults left out)."""
        data: dict[str, Any] = {"id": self.id, "text": self.text}
        if self.weight != 1.0:
            data["weight"] = self.weight
        if self.hint:
            data["hint"] = self.hint
        if self.examples:
            data["examples"] = list(self.examples)
        if self.required:
            data["required"] = True
        return data


@dataclass(frozen=True)
class Band:
    """A grade band: essays covering at least ``min`` of the rubric's weight get ``label``."""

    min: float
    label: str


@dataclass(frozen=True)
class Rubric:
    """A titled list of key points, and optional grade bands."""

    title: str
    points: tuple[KeyPoint, ...]
    description: str = ""
    source: str = ""
    source_sha256: str = ""
    path: Path | None = field(default=None, compare=False)
    bands: tuple[Band, ...] = ()
    student_view: str = STUDENT_VIEWS[0]

    @property
    def shows_claims(self) -> bool:
        """Whether student-facing reports show the claim of a missing point (``claims``).

        With ``hints`` (the default) they show its id and hint only: the claim is the
        answer a student could paste in.
        """
        return self.student_view == "claims"

    def grade(self, share: float) -> str | None:
        """Return the label of the highest band ``share`` reaches (None without bands)."""
        reached = [band for band in self.bands if share >= band.min]
        return max(reached, key=lambda band: band.min).label if reached else None

    def __iter__(self) -> Iterator[KeyPoint]:
        return iter(self.points)

    def __len__(self) -> int:
        return len(self.points)

    @property
    def total_weight(self) -> float:
        """Sum of the points' weights."""
        return sum(point.weight for point in self.points)

    def to_dict(self) -> dict[str, Any]:
        """Return the rubric as it is written in a rubric file."""
        data: dict[str, Any] = {"title": self.title}
        if self.description:
            data["description"] = self.description
        if self.source:
            data["source"] = self.source
        if self.source_sha256:
            data["source_sha256"] = self.source_sha256
        data["points"] = [point.to_dict() for point in self.points]
        if self.bands:
            data["bands"] = [{"min": band.min, "label": band.label} for band in self.bands]
        if self.student_view != STUDENT_VIEWS[0]:
            data["student_view"] = self.student_view
        return data

    @cached_property
    def sha256(self) -> str:
        """Fingerprint of the rubric's content (the same for its JSON and YAML forms).

        Computed once per rubric: marking looks it up for every essay. ``student_view``
        is left out: it changes what students are shown, not the marks.
        """
        data = self.to_dict()
        data.pop("student_view", None)
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@cache
def rubric_schema() -> dict[str, Any]:
    """Return the rubric JSON Schema shipped inside the package."""
    text = resources.files("essaycheck.schemas").joinpath("rubric.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def load_rubric(path: Path) -> Rubric:
    """Load a rubric file (JSON, or YAML by its suffix) and validate it.

    Raises:
        RubricError: listing every problem found, each with its location.
    """
    try:
        text = read_limited(path, MAX_RUBRIC_BYTES).decode("utf-8-sig")
    except FileNotFoundError as err:
        raise RubricError(
            f"{path}: no such rubric file. Check the path, or build one "
            "with: essaycheck rubric build SOURCE -o RUBRIC"
        ) from err
    except DocumentError as err:
        raise RubricError(f"{path}: {err}.") from err
    except (OSError, UnicodeDecodeError) as err:
        raise RubricError(
            f"{path}: cannot read the rubric ({err}). Save it as UTF-8 text."
        ) from err
    return parse_rubric(text, str(path), is_yaml=path.suffix.lower() in YAML_SUFFIXES, path=path)


def parse_rubric(
    text: str, where: str, *, is_yaml: bool = False, path: Path | None = None
) -> Rubric:
    """Parse and validate rubric text; ``where`` names it in error messages.

    The text may be at most MAX_RUBRIC_BYTES characters, nest at most MAX_DEPTH deep,
    and use no YAML aliases; its numbers must be finite and no key may appear twice.
    """
    if len(text) > MAX_RUBRIC_BYTES:
        raise RubricError(
            f"{where}: longer than {describe_size(MAX_RUBRIC_BYTES)}, the most essaycheck "
            "reads as a rubric: check that it is the rubric you meant."
        )
    data = _parse_document(text, where, is_yaml=is_yaml)
    problems = find_rubric_problems(data)
    if problems:
        listed = "\n".join(f"  {where}: {problem}" for problem in problems)
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        raise RubricError(
            f"{where}: {count} in the rubric:\n{listed}\n"
            "Fix them and run: essaycheck rubric validate " + where,
            problems=problems,
        )
    return _rubric_from_dict(data, path)


def find_rubric_problems(data: Any) -> list[str]:
    """Return every schema problem and duplicate id in parsed rubric data, as text."""
    errors = sorted(_validator().iter_errors(data), key=_error_order)
    problems = [f"{err.json_path}: {shorten(_describe(err))}" for err in errors]
    if isinstance(data, dict) and isinstance(data.get("points"), list):
        seen: dict[str, int] = {}
        for index, point in enumerate(data["points"]):
            if not isinstance(point, dict) or not isinstance(point.get("id"), str):
                continue
            if point["id"] in seen:
                problems.append(
                    f"$.points[{index}].id: duplicate id {point['id']!r} "
                    f"(first used at $.points[{seen[point['id']]}])"
                )
            else:
                seen[point["id"]] = index
    return problems


def dump_rubric(rubric: Rubric, path: Path) -> str:
    """Return the rubric as file text, YAML or JSON according to the path's suffix."""
    data = rubric.to_dict()
    if path.suffix.lower() in YAML_SUFFIXES:
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _parse_document(text: str, where: str, *, is_yaml: bool) -> Any:
    if is_yaml:
        return parse_yaml(text, where, RubricError, _SYNTAX_REMEDY)
    return parse_json(text, where, RubricError, _SYNTAX_REMEDY)


@cache
def _validator() -> Validator:
    """Return the rubric schema's validator: numbers finite, strings storable as UTF-8."""
    return schema_validator(rubric_schema())


def _error_order(err: ValidationError) -> tuple[str, str]:
    return (err.json_path, err.message)


def _describe(err: ValidationError) -> str:
    if err.validator == "type" and is_unwritable_value(err.instance):
        if isinstance(err.instance, float) and "number" in str(err.validator_value):
            return f"{err.instance!r} is not a finite number: write a number such as 1 or 2.5"
        if isinstance(err.instance, str):
            return (
                f"{err.instance!r} holds half of a surrogate pair (a character UTF-8 cannot "
                "store): retype the text"
            )
    if err.json_path == "$.student_view":
        choices = " or ".join(repr(view) for view in STUDENT_VIEWS)
        return (
            f"{err.instance!r} is not a valid student_view: use {choices} ('hints', the "
            "default, shows students a missing point's hint but not its claim)"
        )
    if err.validator == "pattern" and err.json_path.endswith(".id"):
        return (
            f"{err.instance!r} is not a valid id: use lower-case letters, digits, "
            "'-' and '_' (at most 64 characters)"
        )
    if err.validator == "pattern":
        return f"{err.instance!r} should not be blank"
    if err.validator == "minItems" and err.json_path.endswith("points"):
        return "the rubric has no points: add at least one key point"
    if err.validator == "additionalProperties":
        return err.message + " (check the spelling against the schema)"
    return err.message


def _rubric_from_dict(data: dict[str, Any], path: Path | None) -> Rubric:
    points = tuple(
        KeyPoint(
            id=point["id"],
            text=point["text"].strip(),
            weight=float(point.get("weight", 1.0)),
            hint=point.get("hint", "").strip(),
            examples=tuple(example.strip() for example in point.get("examples", [])),
            required=bool(point.get("required", False)),
        )
        for point in data["points"]
    )
    bands = tuple(Band(float(b["min"]), b["label"].strip()) for b in data.get("bands", []))
    return Rubric(
        bands=bands,
        title=data["title"].strip(),
        points=points,
        description=data.get("description", ""),
        source=data.get("source", ""),
        source_sha256=data.get("source_sha256", ""),
        path=path,
        student_view=data.get("student_view", STUDENT_VIEWS[0]),
    )

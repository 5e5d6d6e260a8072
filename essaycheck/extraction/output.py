"""The built rubric as file text: YAML with the reasons for each proposal as comments.

The comments survive a teacher's edits in any YAML editor and are ignored when the
rubric is loaded. JSON has no comments, so a JSON rubric carries the points only.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from essaycheck.extraction import BuiltRubric
from essaycheck.rubric import YAML_SUFFIXES, Rubric, dump_rubric

WIDTH = 88


def dump_built_rubric(built: BuiltRubric, path: Path, sources: Sequence[Path] = ()) -> str:
    """Return the rubric as YAML (with the reasons as comments) or JSON, by the path's suffix.

    Built from one source file (``sources``), the rubric records where it is (relative
    to ``path``) and its SHA-256: ``mark`` finds it there to check copying from it.
    """
    rubric = with_source(built.rubric, path, sources)
    if path.suffix.lower() not in YAML_SUFFIXES:
        return dump_rubric(rubric, path)
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    data = CommentedMap()
    data["title"] = rubric.title
    if rubric.source:
        data["source"] = rubric.source
    if rubric.source_sha256:
        data["source_sha256"] = rubric.source_sha256
    points = CommentedSeq()
    for point in rubric:
        entry = CommentedMap()
        entry["id"] = point.id
        entry["text"] = point.text
        entry["weight"] = int(point.weight) if point.weight.is_integer() else point.weight
        entry["required"] = point.required
        if point.hint:
            entry["hint"] = point.hint
        if point.examples:
            entry["examples"] = list(point.examples)
        reason = built.reasons.get(point.id)
        if reason:
            entry.yaml_set_comment_before_after_key("weight", before=f"proposed {reason}", indent=4)
        points.append(entry)
    data["points"] = points
    kinds = ", ".join(f"{name or 'the source'} as a {kind}" for name, kind in built.kinds.items())
    data.yaml_set_start_comment(
        f"Built by `essaycheck rubric build` ({kinds}). Review every point: edit the\n"
        "wording, merge or delete points, and check each proposed weight and 'required'\n"
        "(the comment above each says why it was proposed). Then run: essaycheck rubric validate"
    )
    yaml = YAML()
    yaml.width = WIDTH
    yaml.indent(mapping=2, sequence=4, offset=2)
    stream = io.StringIO()
    yaml.dump(data, stream)
    # The emitter leaves a space where it folds a long text; YAML drops it on reading
    # (no block scalars are written), so it goes, and editors show no stray whitespace.
    return "".join(line.rstrip(" ") + "\n" for line in stream.getvalue().splitlines())


def with_source(rubric: Rubric, path: Path, sources: Sequence[Path]) -> Rubric:
    """The rubric recording its one source file's path (relative to ``path``) and SHA-256.

    With several sources (or none), the rubric keeps the names it has.
    """
    if len(sources) != 1:
        return rubric
    source = sources[0]
    try:
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
    except OSError:  # it was read a moment ago; without a fingerprint, mark needs --source
        return rubric
    try:
        where = Path(os.path.relpath(source.resolve(), path.resolve().parent))
    except ValueError:  # on another drive: the absolute path
        where = source.resolve()
    return replace(rubric, source=where.as_posix(), source_sha256=digest)

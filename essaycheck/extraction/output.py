"""The built rubric as file text: YAML with the reasons for each proposal as comments.

The comments survive a teacher's edits in any YAML editor and are ignored when the
rubric is loaded. JSON has no comments, so a JSON rubric carries the points only.
"""

from __future__ import annotations

import io
from pathlib import Path

from essaycheck.extraction import BuiltRubric
from essaycheck.rubric import YAML_SUFFIXES, dump_rubric

WIDTH = 88


def dump_built_rubric(built: BuiltRubric, path: Path) -> str:
    """Return the rubric as YAML (with the reasons as comments) or JSON, by the path's suffix."""
    if path.suffix.lower() not in YAML_SUFFIXES:
        return dump_rubric(built.rubric, path)
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    rubric = built.rubric
    data = CommentedMap()
    data["title"] = rubric.title
    if rubric.source:
        data["source"] = rubric.source
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

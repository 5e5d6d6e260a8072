"""Documents read from disk: every JSON or YAML text essaycheck reads is parsed here, with limits.

Nothing read from disk is trusted. Every JSON or YAML document essaycheck reads (its
artefacts, rubrics, the config file) is parsed with limits: a size, a nesting depth,
finite numbers only (no ``NaN``, ``Infinity`` or ``1e999``), no key given twice in one
object, and no YAML aliases (a few hundred bytes of them can expand to gigabytes). A
schema validator from :func:`schema_validator` holds parsed data to the same rules: a
number is a finite number, a string one that UTF-8 can store.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.protocols import Validator
from jsonschema.validators import extend
from yaml.nodes import MappingNode, Node, ScalarNode
from yaml.reader import ReaderError

from essaycheck.errors import EssaycheckError

MAX_DEPTH = 32
"""How deeply objects and lists may nest in a document. essaycheck's own files nest at
most four deep (a rubric's ``{"points": [{"examples": [...]}]}``); Python's parsers and
validators recurse, and a file nested thousands deep would exhaust their stack."""
_MAX_NUMBER_DIGITS = 308  # a longer integer is beyond the largest float (about 1.8e308)
_JSON_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
# The JSON tokens the depth scan needs: a whole string (to skip), or a bracket.
_JSON_TOKEN = re.compile(rf"{_JSON_STRING}|[\[{{]|[\]}}]", re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")
_PATH_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$")  # what jsonschema writes as $.name


class DocumentError(ValueError):
    """A JSON or YAML text that is malformed or breaks one of the limits.

    Raised by the functions here; callers turn it into their own error (a
    ``RubricError``, ``ConfigError``, ...) that names the file and what to do.

    Attributes:
        problem: what is wrong, and how to put it right.
        location: where in the text: ``line 3, column 7``, a JSON path, or "".
    """

    def __init__(self, problem: str, location: str = "") -> None:
        super().__init__(f"{location}: {problem}" if location else problem)
        self.problem = problem
        self.location = location


def read_limited(path: Path, max_bytes: int) -> bytes:
    """Return the bytes of ``path``, refusing a file longer than ``max_bytes``.

    Raises:
        OSError: the file cannot be read (FileNotFoundError if it does not exist).
        DocumentError: the file is too large; only ``max_bytes + 1`` bytes are read.
    """
    with path.open("rb") as stream:
        data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DocumentError(
            f"larger than {describe_size(max_bytes)}, the most essaycheck reads from "
            "such a file: check that it is the file you meant"
        )
    return data


def describe_size(size: int) -> str:
    """Return a size in bytes as people say it: ``64 KiB``, ``1 MiB``."""
    for unit, scale in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if size >= scale:
            return f"{size / scale:g} {unit}"
    return f"{size} bytes"


def parse_json(
    text: str,
    where: str,
    error: type[EssaycheckError],
    remedy: str,
    *,
    max_depth: int = MAX_DEPTH,
) -> Any:
    """Parse JSON text as :func:`load_json` does; a problem is ``error``.

    The message reads ``WHERE: LOCATION: PROBLEM. REMEDY``, and keeps the parser's
    own exception (a ``json.JSONDecodeError`` for a syntax error) as its cause.
    """
    try:
        return load_json(text, max_depth=max_depth)
    except DocumentError as err:
        raise error(f"{where}: {err}. {remedy}") from (err.__cause__ or err)


def parse_yaml(
    text: str,
    where: str,
    error: type[EssaycheckError],
    remedy: str,
    *,
    max_depth: int = MAX_DEPTH,
) -> Any:
    """Parse YAML text as :func:`load_yaml` does; a problem is ``error``, as in parse_json."""
    try:
        return load_yaml(text, max_depth=max_depth)
    except DocumentError as err:
        raise error(f"{where}: {err}. {remedy}") from (err.__cause__ or err)


def load_json(text: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON text that nests at most ``max_depth`` deep, has finite numbers, no key twice.

    Raises:
        DocumentError: saying what is wrong and where (line and column, or JSON path).
    """
    _check_json_depth(text, max_depth)
    duplicates: list[tuple[dict[str, Any], str]] = []

    def collect(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        mapping = dict(pairs)
        if len(mapping) < len(pairs):
            duplicates.append((mapping, _first_repeated([key for key, _ in pairs])))
        return mapping

    try:
        data = json.loads(
            text,
            object_pairs_hook=collect,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
    except json.JSONDecodeError as err:
        raise DocumentError(
            f"not valid JSON ({err.msg})", f"line {err.lineno}, column {err.colno}"
        ) from err
    except _BadNumber as err:
        raise DocumentError(err.problem, _locate(text, err.token)) from None
    if duplicates:
        mapping, key = duplicates[0]
        raise DocumentError(
            f"the key {shorten(repr(key), 80)} appears more than once in one object; JSON "
            "keeps only the last, so the others would be silently lost: keep one",
            _path_to(data, mapping),
        )
    return data


def load_yaml(text: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse YAML text safely: no aliases, no key twice, at most ``max_depth`` deep.

    Raises:
        DocumentError: saying what is wrong and where (line and column).
    """
    loader: _LimitedLoader | None = None
    try:
        loader = _LimitedLoader(text, max_depth)
        return loader.get_single_data()
    except ReaderError as err:  # a character YAML does not allow, such as NUL
        code = err.character if isinstance(err.character, int) else ord(err.character)
        raise DocumentError(
            f"not valid YAML (the character U+{code:04X}: {err.reason})",
            _line_and_column(text, err.position),
        ) from err
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = _mark(mark) if mark else ""
        raise DocumentError(f"not valid YAML ({err.problem or err.context})", where) from err
    except yaml.YAMLError as err:
        raise DocumentError(f"not valid YAML ({err})") from err
    finally:
        if loader is not None:
            loader.dispose()


def schema_validator(schema: Mapping[str, Any]) -> Validator:
    r"""Return a JSON Schema validator under which numbers must be finite and strings UTF-8.

    A YAML ``.nan`` or a Python ``float("inf")`` is then "not of type 'number'", and
    a string with an unpaired surrogate (``"\\ud800"`` in JSON), which cannot be
    written back as UTF-8, "not of type 'string'".
    """
    validator: Validator = _VALIDATOR(schema)
    return validator


def shorten(message: str, limit: int = 240) -> str:
    """Return ``message`` cut in the middle to about ``limit`` characters, if it is longer.

    A schema error quotes the value it is about, which may be a whole file; its start
    and end (what the value is and what it should have been) are what a reader needs.
    """
    if len(message) <= limit:
        return message
    keep = (limit - 5) // 2
    return f"{message[:keep]} ... {message[-keep:]}"


def is_unwritable_value(value: Any) -> bool:
    """Whether ``value`` is a non-finite float or a string that UTF-8 cannot store."""
    if isinstance(value, float):
        return not math.isfinite(value)
    return isinstance(value, str) and not _is_utf8(value)


def _is_finite_number(checker: Any, instance: Any) -> bool:
    if isinstance(instance, bool) or not isinstance(instance, int | float):
        return False
    return isinstance(instance, int) or math.isfinite(instance)


def _is_utf8_string(checker: Any, instance: Any) -> bool:
    return isinstance(instance, str) and _is_utf8(instance)


def _is_utf8(text: str) -> bool:
    return text.isascii() or _SURROGATE.search(text) is None


# jsonschema's stubs leave extend() untyped.
_VALIDATOR = extend(  # type: ignore[no-untyped-call]
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine_many(
        {"number": _is_finite_number, "string": _is_utf8_string}
    ),
)


def _check_json_depth(text: str, max_depth: int) -> None:
    """Refuse JSON nested deeper than ``max_depth``, before the recursive parser sees it."""
    if text.count("[") + text.count("{") <= max_depth:
        return
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > max_depth:
                raise DocumentError(_too_deep(max_depth), _line_and_column(text, token.start()))
        elif bracket in "]}":
            depth -= 1


def _too_deep(max_depth: int) -> str:
    return (
        f"nested more than {max_depth} levels deep; essaycheck's files nest a few levels "
        "at most, so this is not one of them"
    )


class _BadNumber(DocumentError):
    """A number the JSON parser's hooks refuse; the hooks are not told where it is."""

    def __init__(self, problem: str, token: str) -> None:
        super().__init__(problem)
        self.token = token


def _refuse_constant(name: str) -> Any:
    raise _BadNumber(f"{name} is not a number JSON allows: write a finite number", name)


def _finite_float(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise _BadNumber(f"{shorten(token, 40)} is too large a number (beyond 1.8e308)", token)
    return value


def _bounded_int(token: str) -> int:
    digits = len(token.lstrip("-"))
    if digits > _MAX_NUMBER_DIGITS:
        raise _BadNumber(f"a number of {digits} digits is too large (beyond 1.8e308)", token)
    return int(token)


def _locate(text: str, token: str) -> str:
    """Return the line and column where the parser met ``token``, or "".

    That is its first appearance outside strings where a value can start (at the
    beginning, or after ``:``, ``,`` or ``[``), and for a number, whole: not followed
    by another digit.
    """
    whole = r"(?!\d)" if token[-1].isdigit() else ""
    value = rf"(?:^|(?<=[:,\[]))[ \t\r\n]*(?P<token>{re.escape(token)}){whole}"
    for found in re.finditer(rf"{_JSON_STRING}|{value}", text, re.DOTALL):
        if found.group("token") is not None:
            return _line_and_column(text, found.start("token"))
    return ""


def _line_and_column(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    return f"line {line}, column {column}"


def _first_repeated(keys: list[str]) -> str:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            return key
        seen.add(key)
    raise AssertionError("no key is repeated")


def _path_to(root: Any, target: object) -> str:
    """Return the JSON path of ``target`` inside ``root`` (the same object, not an equal one)."""
    stack: list[tuple[Any, str]] = [(root, "$")]
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        if isinstance(node, dict):
            stack.extend((value, path + _path_step(key)) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, f"{path}[{index}]") for index, value in enumerate(node))
    return "$"


def _path_step(key: str) -> str:
    if _PATH_NAME.match(key):
        return f".{key}"
    return "['" + key.replace("\\", "\\\\").replace("'", "\\'") + "']"


class _LimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing aliases, keys given twice and deep nesting."""

    def __init__(self, text: str, max_depth: int) -> None:
        super().__init__(text)
        self._max_depth = max_depth
        self._depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        """Compose one node, refusing an alias and counting how deep collections nest."""
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            raise DocumentError(
                f"uses the alias *{event.anchor}; essaycheck does not expand YAML aliases "
                "(a few of them can make a small file gigabytes long): write the value out",
                _mark(event.start_mark),
            )
        is_collection = isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent)
        if is_collection:
            self._depth += 1
            if self._depth > self._max_depth:
                raise DocumentError(_too_deep(self._max_depth), _mark(event.start_mark))
        try:
            return super().compose_node(parent, index)
        finally:
            if is_collection:
                self._depth -= 1

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        """Construct one value; a scalar its tag cannot read is a DocumentError, not a crash."""
        try:
            return super().construct_object(node, deep=deep)
        except (DocumentError, yaml.YAMLError):
            raise
        # PyYAML's constructors for explicitly tagged scalars (!!int "", !!timestamp x,
        # a date such as 2024-13-45) fail with whatever their conversion raises.
        except (ArithmeticError, AttributeError, LookupError, TypeError, ValueError) as err:
            shown = shorten(repr(node.value), 80) if isinstance(node, ScalarNode) else "the value"
            raise DocumentError(
                f"cannot read {shown} as {node.tag.rsplit(':', 1)[-1]} ({err}); put it in "
                "quotes to keep it as text",
                _mark(node.start_mark),
            ) from err

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        """Construct a mapping, refusing a key that appears in it twice."""
        seen: dict[Hashable, Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node)
            try:
                hash(key)
            except TypeError:
                continue  # PyYAML itself reports an unhashable key
            if key in seen:
                raise DocumentError(
                    f"the key {shorten(repr(key), 80)} appears more than once in one mapping "
                    f"(first at {_mark(seen[key].start_mark)}); YAML keeps only the last, so "
                    "the others would be silently lost: keep one",
                    _mark(key_node.start_mark),
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def _mark(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"

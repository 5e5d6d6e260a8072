"""The project config file, .essaycheck.yaml: a class's default rubric and options.

essaycheck looks for ``.essaycheck.yaml`` in the working directory and then in each
folder above it, and uses the first it finds. Its keys are the long option names
of the commands (without the dashes); paths in it are relative to the file:

    rubric: rubrics/soviet-socialism-debate.yaml
    format: markdown
    engine: fast
    fail-under: 0.6
    scale: 20

An option given on the command line always wins over the file.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import click

from essaycheck.errors import ConfigError
from essaycheck.io.documents import DocumentError, parse_yaml, read_limited

CONFIG_NAME = ".essaycheck.yaml"
MAX_CONFIG_BYTES = 64 * 1024
"""The largest config file essaycheck reads: a config is a handful of short lines."""
_REMEDY = "Fix or delete it."
# The long options a config file may set; which commands take each, and whether
# it is a path, are read from the commands themselves.
OPTIONS = ("rubric", "format", "engine", "models-dir", "fail-under", "scale", "no-calibration")
# A class's report format is for ``check``: evaluate and calibrate keep their own.
ONLY_FOR = {"format": ("check",)}


def find_config(start: Path) -> Path | None:
    """Return the nearest .essaycheck.yaml in ``start`` or a folder above it."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_defaults(path: Path, group: click.Group) -> dict[str, dict[str, Any]]:
    """Read a config file into click's default map: command -> parameter -> value.

    Each option applies to every command of ``group`` that has it.

    Raises:
        ConfigError: the file is too large or not YAML (or uses aliases, repeats a key,
            nests deep), not a mapping, names an unknown option, or gives an option a
            list, a mapping, no value or a number that is not finite.
    """
    try:
        text = read_limited(path, MAX_CONFIG_BYTES).decode("utf-8")
    except (OSError, UnicodeDecodeError, DocumentError) as err:
        raise ConfigError(f"{path}: cannot read the config file ({err}). {_REMEDY}") from err
    data = parse_yaml(text, str(path), ConfigError, _REMEDY)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: should hold options such as 'rubric: my-rubric.yaml'.")
    unknown = sorted(set(map(str, data)) - set(OPTIONS))
    if unknown:
        raise ConfigError(
            f"{path}: unknown option(s) {', '.join(unknown)}; known options: {', '.join(OPTIONS)}."
        )
    problems = [problem for key, value in data.items() if (problem := _value_problem(key, value))]
    if problems:
        raise ConfigError(f"{path}: {'; '.join(problems)}. {_REMEDY}")
    defaults: dict[str, dict[str, Any]] = {}
    for key, value in data.items():
        for command, parameter in _taking(group, f"--{key}"):
            if command not in ONLY_FOR.get(key, (command,)):
                continue
            is_path = isinstance(parameter.type, click.Path)
            resolved = str(path.parent / str(value)) if is_path else value
            assert parameter.name is not None
            defaults.setdefault(command, {})[parameter.name] = resolved
    return defaults


def _value_problem(key: str, value: Any) -> str | None:
    """Say what is wrong with an option's value in the file, or None if nothing is."""
    if value is None:
        return f"{key} has no value: give one (such as '{key}: ...') or remove the line"
    if isinstance(value, list | dict):
        kind = "a list" if isinstance(value, list) else "a mapping"
        return f"{key} should be a single value, not {kind}"
    if not isinstance(value, str | int | float):  # a date, say, or !!binary bytes
        return f"{key} should be text or a number, not {type(value).__name__}; put it in quotes"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{key} is {value}, not a finite number"
    return None


def _taking(group: click.Group, option: str) -> list[tuple[str, click.Parameter]]:
    """Every (command name, parameter) of the group's own commands that takes ``option``."""
    return [
        (name, parameter)
        for name, command in sorted(group.commands.items())
        if not isinstance(command, click.Group)
        for parameter in command.params
        if option in parameter.opts
    ]

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

from pathlib import Path
from typing import Any

import yaml

from essaycheck.errors import ConfigError

CONFIG_NAME = ".essaycheck.yaml"
# option in the file -> (parameter name, is a path, commands that take it)
OPTIONS: dict[str, tuple[str, bool, tuple[str, ...]]] = {
    "rubric": ("rubric_path", True, ("check", "mark", "calibrate")),
    "format": ("fmt", False, ("check",)),
    "engine": ("engine", False, ("check", "mark", "evaluate", "calibrate", "train")),
    "models-dir": ("models_dir", True, ("check", "mark", "evaluate", "calibrate", "train")),
    "fail-under": ("fail_under", False, ("check",)),
    "scale": ("scale", False, ("mark",)),
    "no-calibration": ("no_calibration", False, ("check", "mark")),
}


def find_config(start: Path) -> Path | None:
    """Return the nearest .essaycheck.yaml in ``start`` or a folder above it."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_defaults(path: Path) -> dict[str, dict[str, Any]]:
    """Read a config file into click's default map: command -> parameter -> value.

    Raises:
        ConfigError: the file is not YAML, not a mapping, or names an unknown option.
    """
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise ConfigError(
            f"{path}: cannot read the config file ({err}). Fix or delete it."
        ) from err
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: should hold options such as 'rubric: my-rubric.yaml'.")
    unknown = sorted(set(data) - set(OPTIONS))
    if unknown:
        raise ConfigError(
            f"{path}: unknown option(s) {', '.join(map(str, unknown))}; "
            f"known options: {', '.join(OPTIONS)}."
        )
    defaults: dict[str, dict[str, Any]] = {}
    for key, value in data.items():
        parameter, is_path, commands = OPTIONS[key]
        resolved = str(path.parent / str(value)) if is_path else value
        for command in commands:
            defaults.setdefault(command, {})[parameter] = resolved
    return defaults

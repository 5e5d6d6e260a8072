"""Model artefacts on disk: the models folder, and the meta.json beside every model.

Every model essaycheck loads has a meta.json saying what it is, what made it and
from what data. It is read before the model and checked: a model of another
kind, or one written by an incompatible essaycheck, is a ModelError that says
how to restore or retrain it, never a wrong decision.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from essaycheck import __version__
from essaycheck.errors import ModelError
from essaycheck.io.files import read_json, write_json

MODELS_ENV = "ESSAYCHECK_MODELS_DIR"
META_FILE = "meta.json"
RESTORE = "Restore models/ from the repository"


def models_dir(configured: Path | None = None) -> Path:
    """Return the models folder: ``configured``, else $ESSAYCHECK_MODELS_DIR, else models/."""
    if configured is not None:
        return configured
    from_environment = os.environ.get(MODELS_ENV)
    if from_environment:
        return Path(from_environment)
    shipped = Path(__file__).resolve().parent.parent.parent / "models"
    return shipped if shipped.is_dir() else Path("models")


def read_meta(folder: Path, remedy: str) -> dict[str, Any]:
    """Read a model's meta.json; a missing or malformed one is a ModelError."""
    meta = read_json(folder / META_FILE, ModelError, remedy)
    if not isinstance(meta, dict):
        raise ModelError(f"{folder / META_FILE}: should hold a JSON object. {remedy}")
    return meta


def check_meta(folder: Path, *, kind: str, remedy: str) -> dict[str, Any]:
    """Read a model's meta.json and check that this essaycheck can use the model.

    The model must be of ``kind``; one written by essaycheck itself (``essaycheck
    train``) must come from the same release (major.minor) as this one.

    Raises:
        ModelError: naming the file, what is wrong and ``remedy``.
    """
    meta = read_meta(folder, remedy)
    path = folder / META_FILE
    if meta.get("kind") != kind:
        raise ModelError(f"{path}: holds a {meta.get('kind')!r} model, not a {kind!r}. {remedy}")
    made_by = meta.get("essaycheck")
    if made_by is not None and _release(str(made_by)) != _release(__version__):
        raise ModelError(
            f"{path}: was written by essaycheck {made_by}; this is essaycheck "
            f"{__version__}. {remedy}"
        )
    return meta


def save_meta(folder: Path, meta: dict[str, Any]) -> None:
    """Write a model's meta.json."""
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / META_FILE, meta)


def build_meta(*, name: str, kind: str, **fields: Any) -> dict[str, Any]:
    """Return a meta.json for a model essaycheck trained: its fields and the versions used."""
    from importlib import metadata

    return {
        "name": name,
        "kind": kind,
        "essaycheck": __version__,
        "scikit_learn": metadata.version("scikit-learn"),
        "spacy": metadata.version("spacy"),
        **fields,
    }


def _release(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])

"""essaycheck: which key points of a source text does each essay cover, with evidence.

The library API, imported lazily so that ``import essaycheck.io`` stays light:

    >>> import essaycheck
    >>> rubric = essaycheck.load_rubric(Path("examples/rubric.json"))
    >>> result = essaycheck.check_essay(essaycheck.read_essay("essay.txt"), rubric)
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

# name -> module it lives in (PEP 562: loaded on first use)
_API = {
    "check_essay": "essaycheck.engine",
    "load_checker": "essaycheck.engine",
    "load_rubric": "essaycheck.rubric",
    "Rubric": "essaycheck.rubric",
    "read_essay": "essaycheck.io.essays",
    "mark_folder": "essaycheck.batch",
    "EssayResult": "essaycheck.results",
}
__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'essaycheck' has no attribute {name!r}")

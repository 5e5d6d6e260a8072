"""What an engine is: an embeddings protocol, and the identity each engine has in the table.

An engine is a sentence-embedding model plus a decision rule fitted on its
scores; everything else (windows, word overlap, the checks, the decision) is
shared. ``EngineSpec`` names an engine the way ``--engine``, the reports,
calibrations and the journal record it, and says where its models live.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # the engine table is read by --help: it imports no numpy and no spaCy
    from essaycheck.engine.vectors import Matrix
    from essaycheck.engine.windows import Window
    from essaycheck.results import Calibrator, EngineInfo


class Embeddings(Protocol):
    """What the matcher needs of a sentence-embedding model."""

    @property
    def name(self) -> str:
        """The model's name, as reports show it."""

    @property
    def meta(self) -> dict[str, Any]:
        """The model's meta.json."""

    def embed(self, texts: list[str]) -> Matrix:
        """Return one unit-length row per text."""

    def embed_windows(self, windows: Sequence[Window]) -> Matrix:
        """Return one unit-length row per window."""


@dataclass(frozen=True)
class EngineSpec:
    """An engine --engine can name: how reports and calibrations record it, where its models live.

    Attributes:
        key: what ``--engine`` takes (``fast``).
        name: what reports and calibrations record (``static-centred``).
        version: bumped whenever the engine's scores change meaning.
        embeddings_dir: the embedding model's folder under the models folder.
        rule_dir: the decision rule's folder under the models folder (with the
            entailment rule, when the engine has the entailment stage).
        entailment_dir: the entailment model's folder, or None for an engine without it.
        load: loads the embeddings from their folder, on at most the given threads.
        checks: the verification checks run on candidate evidence (see verification.py).
        description: what its decision rule's features are computed from, for meta.json.
    """

    key: str
    name: str
    version: str
    embeddings_dir: str
    rule_dir: str
    load: Callable[[Path, int | None], Embeddings]
    entailment_dir: str | None = None
    checks: tuple[str, ...] = ("negation", "attribution")
    description: str = ""

    def info(
        self, embeddings: str, review_band: float | None, calibration: Calibrator | None = None
    ) -> EngineInfo:
        """Describe the engine for reports, with its model's name and the rule's review band."""
        from essaycheck.results import DECISION, EngineInfo

        return EngineInfo(
            name=self.name,
            version=self.version,
            embeddings=embeddings,
            decision=DECISION,
            review_band=review_band,
            checks=self.checks,
            calibration=calibration.describe() if calibration is not None else None,
        )

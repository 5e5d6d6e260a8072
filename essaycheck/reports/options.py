"""ReportOptions: every choice a renderer may need, decided once by the caller."""

from __future__ import annotations

from dataclasses import dataclass

from essaycheck.results import EngineInfo


@dataclass(frozen=True)
class ReportOptions:
    """What a renderer is told besides the results and the rubric.

    Attributes:
        engine: what marked the essays; the JSON and HTML reports record it.
        colour: whether terminal text may carry colour codes (decided by the CLI).
        scale: adds a marks column to the gradebook: the covered share times this.
    """

    engine: EngineInfo | None = None
    colour: bool = False
    scale: float | None = None

    def engine_dict(self) -> dict[str, object]:
        """The engine's description as the reports record it; a renderer that needs it asks."""
        if self.engine is None:
            raise ValueError("this report records the engine: pass ReportOptions(engine=...)")
        return self.engine.to_dict()

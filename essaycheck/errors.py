"""The one exception hierarchy of essaycheck.

Every error essaycheck raises on purpose derives from EssaycheckError; the
command line turns it into "Error: ..." on stderr and exit code 1. Messages say
what went wrong, where, and what to do next.
"""


class EssaycheckError(Exception):
    """Base class for every error essaycheck raises on purpose."""


class RubricError(EssaycheckError):
    """A rubric is missing, is not JSON or YAML, or breaks the schema."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class EssayReadError(EssaycheckError):
    """An essay cannot be read or holds no text to mark."""


class ModelError(EssaycheckError):
    """A model artefact is missing, corrupt or from an incompatible version."""


class NotFittedError(ModelError):
    """A matcher was used before fit() or load."""


class DataError(EssaycheckError):
    """A labelled data file (for evaluate or train) is malformed."""


class CalibrationError(EssaycheckError):
    """A teacher's marks or a calibration file cannot be used."""


class ConfigError(EssaycheckError):
    """The project config file (.essaycheck.yaml) cannot be used."""


class OutputError(EssaycheckError):
    """An output folder or file cannot be written as asked."""

"""essaycheck: which key points of a source text does each essay cover, with evidence."""

__version__ = "0.1.0"

"""Batch marking: a folder (or a zip) of essays in, a class's reports out.

``mark_folder`` lists the submissions once, feeds them to one ``Marker`` (a
``Checker`` in this process, or a ``WorkerPool`` of worker processes), saves each
result to a journal as it comes, and writes ``reports.CLASS_REPORTS`` and the
per-essay feedback from the journal at the end.
"""

from essaycheck.batch.folder import BatchResult, Marker, journal_for, mark_folder
from essaycheck.batch.workers import WorkerPool

__all__ = ["BatchResult", "Marker", "WorkerPool", "journal_for", "mark_folder"]

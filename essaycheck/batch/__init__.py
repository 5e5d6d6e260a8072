"""Batch marking: a folder (or a zip, or a manifest) of essays in, a class's reports out.

``mark_folder`` lists the submissions once, feeds them to one ``Marker`` (a
``Checker`` in this process, a ``WorkerPool`` of worker processes, or a
``DaskMarker`` on a Dask cluster, whose workers read the essays themselves),
saves each result to a journal as it comes, and writes ``reports.CLASS_REPORTS``
and the per-essay feedback from the journal at the end.
"""

from essaycheck.batch.cluster import DaskMarker
from essaycheck.batch.folder import BatchResult, Marker, SourceMarker, journal_for, mark_folder
from essaycheck.batch.workers import WorkerPool

__all__ = [
    "BatchResult",
    "DaskMarker",
    "Marker",
    "SourceMarker",
    "WorkerPool",
    "journal_for",
    "mark_folder",
]

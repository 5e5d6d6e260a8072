"""``essaycheck serve``: the teacher's review desk and the student's page, on this computer.

The desk (``/desk``) opens a marked class for review: a queue of close calls, one
key point across the class, one essay with its highlights, and accept, overturn,
undo and comment from the keyboard. Every change is written to the class's
``overrides.csv`` at once and the reports are written again. The student's page
(``/check``) checks a pasted or dropped draft as it is typed and stores nothing.

``create_app`` builds the Starlette app; ``essaycheck.cli.serving`` runs it on
uvicorn. Nothing here is loaded unless ``serve`` is run.
"""

from essaycheck.serve.app import create_app
from essaycheck.serve.desk import Desk
from essaycheck.serve.security import Guard
from essaycheck.serve.student import Assignment, StudentPage

__all__ = ["Assignment", "Desk", "Guard", "StudentPage", "create_app"]

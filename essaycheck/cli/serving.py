"""The serve command: the teacher's review desk and the student's page, in a browser."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from essaycheck.cli.base import (
    EXIT_CODES_HELP,
    Services,
    cli,
    engine_option,
    models_dir_option,
    no_calibration_option,
    pass_services,
    safe,
)

if TYPE_CHECKING:
    import socket

    from starlette.applications import Starlette

    from essaycheck.serve import Assignment

DEFAULT_PORT = 8765
LOOPBACK = "127.0.0.1"


def run_server(app: Starlette, sock: socket.socket) -> None:
    """Serve until Ctrl-C (a test replaces this to look at the app instead)."""
    from essaycheck.serve.server import run

    run(app, sock)


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument(
    "out_dir", metavar="[OUT]", required=False, type=click.Path(path_type=Path), default=None
)
@click.option(
    "-r",
    "--rubric",
    "rubric_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Serve the student's page for this rubric.",
)
@click.option(
    "--rubrics",
    "rubrics_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Serve the student's page for every rubric in this folder (one per assignment).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port to listen on (0: any free one).",
)
@click.option(
    "--host",
    default=LOOPBACK,
    show_default=True,
    help="Address to listen on. Anything but this computer's own (127.0.0.1) lets "
    "others on the network connect: a warning and an access token are printed.",
)
@no_calibration_option
@engine_option
@models_dir_option
@pass_services
def serve(
    services: Services,
    out_dir: Path | None,
    rubric_path: Path | None,
    rubrics_dir: Path | None,
    port: int,
    host: str,
    no_calibration: bool,
    engine: str,
    models_dir: Path | None,
) -> None:
    """Open a marked class OUT for review, or a student's page, in a browser.

    With OUT (a folder essaycheck mark wrote): the review desk at /desk, a queue
    of close calls to accept or overturn from the keyboard; every change goes
    to OUT/overrides.csv at once and the reports are written again. With
    --rubric or --rubrics: the student's page at /check, where a draft is
    checked as it is typed (nothing is stored). Both may be served together.

    Example: essaycheck serve reports
    """
    from essaycheck.serve import Desk, Guard, StudentPage, create_app
    from essaycheck.serve.security import is_loopback
    from essaycheck.serve.server import bind, port_of
    from essaycheck.serve.student import MAX_UPLOAD_BYTES

    if out_dir is None and rubric_path is None and rubrics_dir is None:
        raise click.UsageError(
            "Name a marked class (essaycheck serve OUT) for the review desk, or a rubric "
            "(--rubric R, or --rubrics DIR) for the student's page."
        )
    if rubric_path is not None and rubrics_dir is not None:
        raise click.UsageError("Give --rubric or --rubrics, not both.")
    desk = Desk(out_dir) if out_dir is not None else None
    student = None
    if rubric_path is not None or rubrics_dir is not None:
        assignments = _assignments(rubric_path, rubrics_dir, engine, no_calibration)
        student = StudentPage(services.load_checker(engine, models_dir), assignments)
    guard = Guard.for_host(host, MAX_UPLOAD_BYTES + 64 * 1024)
    app = create_app(desk=desk, student=student, guard=guard)
    sock = bind(host, port)
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{port_of(sock)}"
    token = f"?token={guard.access_token}" if guard.access_token else ""
    if not is_loopback(host):
        click.echo(
            safe(
                f"Warning: listening on {host}, so other computers can reach this server. "
                "Share the link below only with people who may see these essays; it holds "
                "the access token every request needs. From another computer, put this "
                f"computer's address or name in place of {host}."
            ),
            err=True,
        )
    if desk is not None:
        click.echo(safe(f"Review desk: {base}/desk{token}"), err=True)
    if student is not None:
        click.echo(safe(f"Student page: {base}/check{token}"), err=True)
    click.echo("Press Ctrl-C to stop.", err=True)
    run_server(app, sock)


def _assignments(
    rubric_path: Path | None, rubrics_dir: Path | None, engine: str, no_calibration: bool
) -> list[Assignment]:
    from essaycheck.calibration import calibration_path, load_calibration
    from essaycheck.engine import get_engine
    from essaycheck.rubric import load_rubric
    from essaycheck.serve import Assignment
    from essaycheck.serve.student import assignment_key, rubric_files

    paths = [rubric_path] if rubric_path is not None else []
    if rubrics_dir is not None:
        paths = rubric_files(rubrics_dir)
    spec = get_engine(engine)
    found: list[Assignment] = []
    for path in paths:
        rubric = load_rubric(path)
        calibration = None
        if not no_calibration:
            identity = (spec.name, spec.version)
            calibration = load_calibration(rubric, calibration_path(path), identity)
        key = assignment_key(path, [item.key for item in found])
        found.append(Assignment(key, rubric, calibration))
    return found

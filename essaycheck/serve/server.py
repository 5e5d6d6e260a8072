"""Run the app on uvicorn: in the foreground for ``essaycheck serve``, or in a thread for tests."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette

from essaycheck.errors import EssaycheckError

STARTUP_SECONDS = 30


class ServeError(EssaycheckError):
    """The server cannot start: the port is taken, or the address is not this machine's."""


def bind(host: str, port: int) -> socket.socket:
    """Open the listening socket first, so that the address printed is the one served.

    Raises:
        ServeError: the port is in use or the address cannot be bound.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise ServeError(
            f"cannot listen on {host}:{port} ({err.strerror or err}). Choose another "
            "--port, or stop the program using this one."
        ) from err
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def port_of(sock: socket.socket) -> int:
    """The port a bound socket listens on (``--port 0`` lets the system choose)."""
    port: int = sock.getsockname()[1]
    return port


def make_server(app: Starlette) -> uvicorn.Server:
    """A uvicorn server for the app: HTTP only, quiet, with the app's lifespan."""
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, ws="none", lifespan="on", timeout_notify=30
    )
    return uvicorn.Server(config)


def run(app: Starlette, sock: socket.socket) -> None:
    """Serve until Ctrl-C (uvicorn handles it, then the app's lifespan ends)."""
    make_server(app).run(sockets=[sock])


@contextlib.contextmanager
def running(app: Starlette, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve the app in a background thread; yield its base URL; stop it on leaving."""
    sock = bind(host, port)
    server = make_server(app)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise ServeError("the server did not start")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port_of(sock)}"
    finally:
        server.should_exit = True
        thread.join(STARTUP_SECONDS)
        sock.close()

"""What every request to ``essaycheck serve`` passes first: host, token, CSRF and size checks.

- On the loopback interface, the Host header must name the server (127.0.0.1 or
  localhost), so a page elsewhere cannot reach it by rebinding a domain name to
  127.0.0.1.
- Off the loopback interface, every request needs the access token printed in
  the URL (``?token=...``) instead, whatever name the computer is reached by;
  the first visit swaps it for a cookie that only this site sends.
- Every write (POST) carries the page's per-process CSRF token in the
  ``X-CSRF-Token`` header, and its Origin (or, without one, its Referer) must be
  the server itself.
- A request body larger than ``max_body`` is refused before it is read.
- Every response carries a strict Content-Security-Policy (only the package's
  own script and style sheet run), and is never framed, sniffed or cached.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_HEADER = "x-csrf-token"
TOKEN_COOKIE = "essaycheck_access"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


@dataclass(frozen=True)
class Guard:
    """The secrets and limits of one server process.

    Attributes:
        hosts: the host names (without port) the Host header may give, when there
            is no access token.
        csrf_token: the token every write must carry in ``X-CSRF-Token``.
        access_token: the token every request must carry (query or cookie) when
            the server listens beyond the loopback interface; None on loopback.
        max_body: the largest request body accepted, in bytes.
    """

    hosts: frozenset[str]
    csrf_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    access_token: str | None = None
    max_body: int = 12 * 1024 * 1024

    @classmethod
    def for_host(cls, host: str, max_body: int) -> Guard:
        """The guard for a server bound to ``host``: a token is needed off the loopback."""
        names = {*LOOPBACK_NAMES, host if ":" not in host else f"[{host}]"}
        token = None if is_loopback(host) else secrets.token_urlsafe(24)
        return cls(hosts=frozenset(names), access_token=token, max_body=max_body)


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (127.x, ::1, localhost)."""
    return host in ("localhost", "::1") or host.startswith("127.")


class GuardMiddleware:
    """An ASGI middleware that applies a ``Guard`` to every HTTP request."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse what the guard forbids; pass the rest on with the security headers."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            status, message = refusal
            await _send_error(send, status, message)
            return
        if (
            self.guard.access_token is not None
            and scope["method"] == "GET"
            and _query_token(scope) is not None
        ):
            await _send_redirect(send, scope, self.guard.access_token)
            return
        await self.app(scope, _limited(receive, self.guard.max_body), _secured(send))

    def _refusal(self, scope: Scope, headers: Headers) -> tuple[int, str] | None:
        host = headers.get("host", "")
        token = self.guard.access_token
        if token is None and _host_name(host) not in self.guard.hosts:
            return 400, (
                f"this server does not answer for the host {host!r}: open the address "
                "essaycheck serve printed"
            )
        if token is not None and not _has_access(scope, headers, token):
            return 403, (
                "this page needs the access link essaycheck serve printed (it ends in "
                "?token=...): open that link"
            )
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.guard.max_body):
            return 413, (
                f"the upload is larger than {self.guard.max_body // (1024 * 1024)} MB, the "
                "most this page takes: save a smaller file (the essay's text alone is enough)"
            )
        if scope["method"] in SAFE_METHODS:
            return None
        sent = headers.get(CSRF_HEADER, "")
        if not secrets.compare_digest(sent.encode(), self.guard.csrf_token.encode()):
            return 403, "this change did not come from the page: reload the page and try again"
        if not _same_origin(headers, host):
            return 403, "this change came from another site: open the page and try again there"
        return None


def _host_name(host: str) -> str:
    """The host part of a Host header, without its port."""
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if ":" in host else host


def _same_origin(headers: Headers, host: str) -> bool:
    origin = headers.get("origin") or headers.get("referer")
    if not origin:
        return False
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc == host


def _query_token(scope: Scope) -> str | None:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    values = query.get("token")
    return values[0] if values else None


def _has_access(scope: Scope, headers: Headers, token: str) -> bool:
    given = _query_token(scope)
    if given is None:
        cookie: SimpleCookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except CookieError:  # a malformed Cookie header carries no token
            return False
        morsel = cookie.get(TOKEN_COOKIE)
        given = morsel.value if morsel is not None else None
    return given is not None and secrets.compare_digest(given.encode(), token.encode())


def _security_headers() -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"cross-origin-resource-policy", b"same-origin"),
        (b"cache-control", b"no-store"),
    ]


def _secured(send: Send) -> Send:
    async def secured(message: Message) -> None:
        if message["type"] == "http.response.start":
            names = {name.lower() for name, _ in message.get("headers", [])}
            extra = [(n, v) for n, v in _security_headers() if n not in names]
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return secured


def _limited(receive: Receive, max_body: int) -> Receive:
    """Count the body as it arrives: a body without Content-Length is cut off too."""
    seen = 0

    async def limited() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > max_body:
                raise BodyTooLargeError(max_body)
        return message

    return limited


class BodyTooLargeError(Exception):
    """A request body went past the guard's limit while it was being read."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body is larger than {limit} bytes")
        self.limit = limit


async def _send_error(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message[:1].upper() + message[1:] + "."}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *_security_headers(),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_redirect(send: Send, scope: Scope, token: str) -> None:
    """Swap the URL's access token for a cookie, and send the browser to the clean URL."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    query.pop("token", None)
    kept = urlencode([(key, value) for key, values in query.items() for value in values])
    location = scope.get("path", "/") + (f"?{kept}" if kept else "")
    cookie = f"{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
    headers: Iterable[tuple[bytes, bytes]] = [
        (b"location", location.encode()),
        (b"set-cookie", cookie.encode()),
        (b"content-length", b"0"),
        *_security_headers(),
    ]
    await send({"type": "http.response.start", "status": 303, "headers": list(headers)})
    await send({"type": "http.response.body", "body": b""})

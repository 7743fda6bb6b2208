"""A Trackyard API double for tests: a real threaded HTTP server on 127.0.0.1 that answers like
Trackyard's documented API (``GET /me`` with Bearer auth; 401/403/429 + Retry-After; rate-limit
headers) plus the configurable revoke endpoint, and records every request it receives."""
from __future__ import annotations

import json
import random
import ssl
import string
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

BASE_PATH = "/api/external/v1"


def make_key(n: int, kind: str = "live") -> str:
    """A deterministic, random-looking key that the rules report (no placeholder words)."""
    rng = random.Random(f"yardguard-{kind}-{n}")
    while True:
        body = "".join(rng.choices(string.ascii_letters + string.digits, k=24))
        if body[0].isupper() and not any(w in body.lower() for w in ("test", "key", "abc", "your", "fake", "xxxx")):
            return f"trackyard_{kind}_{body}"


@dataclass
class Account:
    """One key Trackyard knows. ``mode`` picks how ``/me`` answers for it:
    live | forbidden | ratelimited (``limited`` 429s, then live) | error (``status``) | slow (``delay``
    seconds, then live) | nonjson | redirect | exhausted (live, but ``X-RateLimit-Remaining: 0``) |
    echo (live, but the ``tier`` field echoes the key back)."""

    key: str
    mode: str = "live"
    tier: str = "pro"
    credits_remaining: int = 4200
    monthly_allowance: int = 5000
    created_at: str = "2024-03-05T10:20:30Z"
    last_used_at: str = "2025-01-14T08:00:00Z"
    retry_after: str = "1"
    limited: int = 1
    status: int = 500
    delay: float = 0.0
    reset: str = "1"
    revoked: bool = False


@dataclass
class Seen:
    """A request the double received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)

    @property
    def bearer(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth[len("Bearer "):] if auth.startswith("Bearer ") else None

    def contains(self, text: str) -> bool:
        raw = text.encode()
        return raw in self.body or text in self.path or any(text in v for v in self.headers.values())


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    _counted = False  # this request is in the double's in-flight count

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - keep test output quiet
        pass

    def _send(self, status: int, body: object = None, headers: dict[str, str] | None = None,
              raw: bytes | None = None) -> None:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        self.send_response(status)
        self.send_header("Content-Type", "text/html" if raw is not None else "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        # The request leaves the in-flight count before any byte of the answer goes out: once the
        # client holds the whole answer it may send its next request at once, possibly before this
        # thread runs again, and that request must not be counted alongside this finished one.
        self._leave()
        self.end_headers()
        self.wfile.write(data)

    def _record(self) -> tuple[Seen, TrackyardDouble]:
        length = int(self.headers.get("Content-Length") or 0)
        seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"")
        double = self.server.double
        with double.lock:
            double.requests.append(seen)
            double.in_flight += 1
            double.max_in_flight = max(double.max_in_flight, double.in_flight)
        self._counted = True
        return seen, double

    def _leave(self) -> None:
        """Take this request out of the in-flight count (once; before its answer is sent)."""
        if self._counted:
            self._counted = False
            double = self.server.double
            with double.lock:
                double.in_flight -= 1

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        seen, double = self._record()
        try:
            if seen.path != BASE_PATH + "/me":
                return self._send(404, {"error": {"code": "not_found"}})
            acct = double.accounts.get(seen.bearer or "")
            if acct is None or acct.revoked:
                return self._send(401, {"error": {"code": "unauthorized", "message": "Invalid or revoked API key"}})
            self._me(acct, double)
        finally:
            self._leave()

    def _me(self, acct: Account, double: TrackyardDouble) -> None:
        limits = {"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "4", "X-RateLimit-Reset": "60"}
        if acct.mode == "slow":
            time.sleep(acct.delay)
        if acct.mode == "forbidden":
            return self._send(403, {"error": {"code": "forbidden", "message": "Insufficient permissions"}}, limits)
        if acct.mode == "ratelimited" and acct.limited > 0:
            acct.limited -= 1
            return self._send(429, {"error": {"code": "rate_limited"}},
                              {**limits, "X-RateLimit-Remaining": "0", "Retry-After": acct.retry_after})
        if acct.mode == "error":
            return self._send(acct.status, {"error": {"code": "server_error"}})
        if acct.mode == "nonjson":
            return self._send(200, raw=b"<html><body>Maintenance</body></html>")
        if acct.mode == "redirect":
            return self._send(302, None, {"Location": double.redirect_to})
        if acct.mode == "exhausted":
            limits = {**limits, "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": acct.reset}
        self._send(200, {
            "tier": acct.key if acct.mode == "echo" else acct.tier, "credits_remaining": acct.credits_remaining,
            "monthly_allowance": acct.monthly_allowance,
            "rate_limit": {"requests_per_minute": 5},
            "created_at": acct.created_at, "last_used_at": acct.last_used_at,
        }, limits)

    def do_POST(self) -> None:  # noqa: N802
        seen, double = self._record()
        try:
            if seen.path != BASE_PATH + "/api-keys/revoke":
                return self._send(404, {"error": {"code": "not_found"}})
            mode = double.revoke_mode
            if mode == "redirect":
                return self._send(307, None, {"Location": double.redirect_to})
            if isinstance(mode, int):
                return self._send(mode, {"error": {"code": "revoke_failed"}})
            acct = double.accounts.get(seen.bearer or "")
            if acct is None or acct.revoked:
                return self._send(401, {"error": {"code": "unauthorized"}})
            if mode == "ok":
                acct.revoked = True
            self._send(200, {"revoked": True})
        finally:
            self._leave()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    double: TrackyardDouble


class TrackyardDouble:
    """The server plus its state; ``url`` is the API base to pass as ``--api-base``.
    ``revoke_mode``: "ok" (flips the key to revoked), "noop" (200 but the key stays live),
    "redirect", or an HTTP status to answer with (404, 405, 500...)."""

    def __init__(self, certfile: Path | None = None) -> None:
        self.lock = threading.Lock()
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.double = self
        self.scheme = "http"
        if certfile is not None:  # https with a certificate no client trusts
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certfile)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.reset()

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server.server_address[1]}{BASE_PATH}"

    def reset(self) -> None:
        with self.lock:
            self.accounts: dict[str, Account] = {}
            self.requests: list[Seen] = []
            self.in_flight = self.max_in_flight = 0
            self.revoke_mode: str | int = "ok"
            self.redirect_to = "http://127.0.0.1:9/elsewhere"

    def add(self, key: str, **kw: object) -> Account:
        acct = Account(key, **kw)  # type: ignore[arg-type]
        self.accounts[key] = acct
        return acct

    def seen(self, method: str | None = None, path: str | None = None, key: str | None = None) -> list[Seen]:
        """Requests received, optionally only one method, path suffix or Bearer key."""
        with self.lock:
            found = list(self.requests)
        return [s for s in found if (method is None or s.method == method)
                and (path is None or s.path.endswith(path)) and (key is None or s.bearer == key)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def double_servers() -> Iterator[tuple[TrackyardDouble, TrackyardDouble]]:
    """Two doubles for the whole session: Trackyard, and another host redirects point to."""
    main, other = TrackyardDouble(), TrackyardDouble()
    yield main, other
    main.close()
    other.close()


@pytest.fixture
def trackyard(double_servers: tuple[TrackyardDouble, TrackyardDouble]) -> TrackyardDouble:
    """The Trackyard double, reset; its redirects point at the ``elsewhere`` double."""
    main, other = double_servers
    main.reset()
    other.reset()
    main.redirect_to = other.url + "/me"
    return main


@pytest.fixture
def elsewhere(double_servers: tuple[TrackyardDouble, TrackyardDouble], trackyard: TrackyardDouble) -> TrackyardDouble:
    """The other host (a redirect target that must never receive a key)."""
    return double_servers[1]

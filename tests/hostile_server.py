"""A hostile API server for tests: a real threaded HTTP server on 127.0.0.1 that answers ``GET …/me`` and
``POST …/api-keys/revoke`` the way an attacker (or a broken proxy) would, and records every request.

``mode`` (per path: ``me`` and ``revoke``):
- ``live``: an ordinary live answer (JSON, Content-Length);
- ``drip``: the status line and headers at once, then a valid live JSON body one byte every ``drip_every``
  seconds (each read is short, the whole answer is not);
- ``drip_headers``: the status line and headers one byte at a time;
- ``flood``: a 200 with no length and an endless body, as fast as the socket takes it;
- ``redirect``: 307 to ``redirect_to`` (another server that must never see a key);
- ``echo``: a live answer whose every field, a header and the body echo the Authorization header back.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.trackyard_double import BASE_PATH, Seen

LIVE = {"tier": "pro", "credits_remaining": 4200, "monthly_allowance": 5000,
        "created_at": "2024-03-05T10:20:30Z", "last_used_at": "2025-01-14T08:00:00Z"}
_LONGEST = 90.0  # seconds a dripping answer lasts at most (so a test never leaves a thread behind for long)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
        pass

    def _raw(self, data: bytes, every: float = 0.0) -> bool:
        """Write ``data`` (a byte at a time when ``every``); False once the client has gone."""
        started = time.monotonic()
        try:
            if not every:
                self.wfile.write(data)
                return True
            for i in range(len(data)):
                if time.monotonic() - started > _LONGEST:
                    return False
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
                time.sleep(every)
        except OSError:
            return False
        return True

    def _answer(self, kind: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"")
        hostile = self.server.hostile
        with hostile.lock:
            hostile.requests.append(seen)
        mode = hostile.modes.get(kind, "live")
        auth = seen.headers.get("authorization", "")
        body = json.dumps({**LIVE, "revoked": True} if kind == "revoke" else LIVE).encode()
        if mode == "echo":
            body = json.dumps({k: auth for k in (*LIVE, "error", "message")}).encode()
        head = [f"HTTP/1.1 {307 if mode == 'redirect' else 200} OK", "Content-Type: application/json",
                "Connection: close"]
        if mode == "redirect":
            head.append(f"Location: {hostile.redirect_to}")
            body = b""
        if mode == "echo":
            head.append(f"X-Echo: {auth}")
        if mode != "flood":
            head.append(f"Content-Length: {len(body)}")
        raw_head = ("\r\n".join(head) + "\r\n\r\n").encode()
        if mode == "drip_headers":
            self._raw(raw_head + body, hostile.drip_every)
        elif mode == "drip":
            if self._raw(raw_head):
                self._raw(body, hostile.drip_every)
        elif mode == "flood":
            chunk = b'{"tier": "' + b"x" * 65536
            if self._raw(raw_head):
                started = time.monotonic()
                while time.monotonic() - started < _LONGEST and self._raw(chunk):
                    hostile.flooded += len(chunk)
        else:
            self._raw(raw_head + body)
        self.close_connection = True

    def do_GET(self) -> None:  # noqa: N802
        self._answer("me" if self.path == BASE_PATH + "/me" else "other")

    def do_POST(self) -> None:  # noqa: N802
        self._answer("revoke" if self.path == BASE_PATH + "/api-keys/revoke" else "other")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    hostile: HostileServer


class HostileServer:
    """The server and what it saw; ``url`` is the API base to pass as ``--api-base``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[Seen] = []
        self.modes: dict[str, str] = {}
        self.drip_every = 0.2
        self.flooded = 0
        self.redirect_to = "http://127.0.0.1:9/elsewhere"
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.hostile = self
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{BASE_PATH}"

    def seen(self, method: str | None = None) -> list[Seen]:
        with self.lock:
            return [s for s in self.requests if method is None or s.method == method]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer()
    yield server
    server.close()


@pytest.fixture
def bystander() -> Iterator[HostileServer]:
    """Another host: redirects point here, and it must never receive a request."""
    server = HostileServer()
    yield server
    server.close()

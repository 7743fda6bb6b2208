"""A deliberately small HTTP client for sending keys to a provider: https only (plain http only to
loopback), one configured host, redirects never followed, every request bounded as a whole (connect,
headers, body) by a timeout and by :data:`MAX_BODY`."""
from __future__ import annotations

import http.client
import ipaddress
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from scanner.errors import YardguardError

MAX_BODY = 1 << 20  # bytes of a response body read at most


@dataclass(frozen=True)
class Base:
    """The one place keys may be sent: scheme, host, port and path prefix of an API."""

    scheme: str
    host: str
    port: int
    path: str  # no trailing slash

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return f"{self.scheme}://{host}{'' if self.port == default else f':{self.port}'}{self.path}"


class TransportError(Exception):
    """No usable HTTP response (timeout, refused, TLS, malformed); ``str()`` is safe to show."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes


def is_loopback(host: str) -> bool:
    """``localhost``, 127.0.0.0/8 or ::1."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_base(url: str, what: str = "API base") -> Base:
    """Validate an API base URL: ``https://``, or ``http://`` to a loopback host; no credentials,
    query or fragment. Anything else is a :class:`YardguardError` (exit 2 before any request)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise YardguardError(f"{what} is not a valid URL") from None
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    if scheme not in ("https", "http") or not host:
        raise YardguardError(f"{what} must be an https:// URL (got scheme {scheme or 'none'!r})")
    if scheme == "http" and not is_loopback(host):
        raise YardguardError(f"{what} must use https:// (plain http:// is allowed only to loopback hosts, "
                             f"not {host})")
    if parts.username is not None or parts.password is not None:
        raise YardguardError(f"{what} must not contain credentials")
    if parts.query or parts.fragment:
        raise YardguardError(f"{what} must not have a query or fragment")
    return Base(scheme, host, port or (443 if scheme == "https" else 80), parts.path.rstrip("/"))


def _safe_detail(e: BaseException, timeout: float) -> str:
    """A description of a transport failure built from its type only (never from echoed data)."""
    if isinstance(e, (TimeoutError, socket.timeout)):
        return f"timed out after {timeout:g}s"
    if isinstance(e, socket.gaierror):
        return "cannot resolve host"
    if isinstance(e, ConnectionRefusedError):
        return "connection refused"
    if isinstance(e, ConnectionResetError):
        return "connection reset"
    if isinstance(e, http.client.HTTPException):
        return f"malformed HTTP response ({type(e).__name__})"
    if type(e).__module__ == "ssl":
        return f"TLS error ({getattr(e, 'reason', None) or type(e).__name__})"
    if isinstance(e, OSError) and e.strerror:
        return f"connection error ({e.strerror})"
    return f"connection error ({type(e).__name__})"


class _Watchdog:
    """Ends a connection when its whole-request time is up: a server that drips its headers or body a byte
    at a time keeps every single read short, so only a timer on the whole exchange bounds it."""

    def __init__(self, seconds: float) -> None:
        self.expired = threading.Event()
        # the socket itself: http.client drops conn.sock once an answer says "Connection: close"
        self.sock: socket.socket | None = None
        self.timer = threading.Timer(seconds, self._expire)
        self.timer.daemon = True

    def _expire(self) -> None:
        self.expired.set()
        sock = self.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked read at once
            except OSError:
                pass

    def __enter__(self) -> _Watchdog:
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()


def request(base: Base, method: str, path: str, headers: dict[str, str], body: bytes | None,
            timeout: float) -> Response:
    """One request to ``base`` + ``path``, all of it (connect, send, headers, body) within ``timeout``
    seconds; at most :data:`MAX_BODY` bytes of body are read. 3xx responses are returned as they are,
    never followed."""
    if not path.startswith("/") or path.startswith("//"):
        raise YardguardError(f"request path must start with a single '/': {path!r}")
    timeout = max(timeout, 0.05)
    conn: http.client.HTTPConnection
    if base.scheme == "https":
        import ssl
        conn = http.client.HTTPSConnection(base.host, base.port, timeout=timeout,
                                           context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(base.host, base.port, timeout=timeout)
    watchdog = _Watchdog(timeout)
    try:
        with watchdog:
            conn.connect()
            watchdog.sock = conn.sock
            if watchdog.expired.is_set():  # the timer fired before there was a socket to end
                raise TimeoutError
            conn.request(method, base.path + path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read(MAX_BODY)
        if watchdog.expired.is_set():  # a body cut short by the watchdog is not an answer
            raise TimeoutError
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
    except Exception as e:  # noqa: BLE001 - every failure becomes a safe, typed detail
        raise TransportError(_safe_detail(TimeoutError() if watchdog.expired.is_set() else e, timeout)) from None
    finally:
        conn.close()

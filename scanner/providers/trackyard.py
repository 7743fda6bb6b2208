"""Trackyard verification and revocation, driven by the ``[provider.trackyard]`` table of the rule
file (any provider table of the same shape works): the requests, headers and status meanings are
data; this module only sends them safely and interprets the answers."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from scanner.errors import YardguardError
from scanner.providers import http
from scanner.providers.http import Base, Response, TransportError

OUTCOMES = ("live", "invalid", "retry")
_PLACEHOLDER = "{secret}"


def _err(name: str, message: str) -> YardguardError:
    return YardguardError(f"[provider.{name}]: {message}")


def _statuses(name: str, key: str, value: Any) -> frozenset[int]:
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise _err(name, f"{key!r} must be a list of HTTP status codes")
    return frozenset(value)


def _status_map(name: str, key: str, value: Any) -> dict[int, str]:
    if not isinstance(value, dict):
        raise _err(name, f"{key!r} must be a table of status = string")
    try:
        out = {int(k): v for k, v in value.items()}
    except ValueError:
        raise _err(name, f"{key!r} keys must be HTTP status codes") from None
    if not all(isinstance(v, str) for v in out.values()):
        raise _err(name, f"{key!r} values must be strings")
    return out


def _is_sendable(secret: str) -> bool:
    """Only visible ASCII may go into a header (no spaces, no line breaks)."""
    return bool(secret) and all(0x21 <= ord(c) <= 0x7E for c in secret)


@dataclass(frozen=True)
class RequestSpec:
    """One request as data; ``{secret}`` is substituted in header values only."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None

    @classmethod
    def parse(cls, name: str, table: Any, what: str) -> RequestSpec:
        if not isinstance(table, dict):
            raise _err(name, f"{what!r} must be a table")
        method, path, headers = table.get("method", "GET"), table.get("path"), table.get("headers", {})
        if not isinstance(method, str) or not method.isalpha():
            raise _err(name, f"{what}.method must be an HTTP method")
        if not isinstance(path, str) or not path.startswith("/") or path.startswith("//") or "{" in path:
            raise _err(name, f"{what}.path must start with a single '/' and hold no placeholder")
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            raise _err(name, f"{what}.headers must be a table of strings")
        if not any(_PLACEHOLDER in v for v in headers.values()):
            raise _err(name, f"{what}.headers must send the key with a {_PLACEHOLDER} placeholder")
        body = table.get("body")
        if body is not None and not isinstance(body, dict):
            raise _err(name, f"{what}.body must be a table (sent as JSON)")
        return cls(method.upper(), path, dict(headers), json.dumps(body).encode() if body is not None else None)

    def send(self, base: Base, secret: str, timeout: float) -> Response:
        """Send the request with ``secret`` in its headers, to ``base`` only."""
        if not _is_sendable(secret):
            raise TransportError("the key has characters that cannot be sent in an HTTP header")
        headers = {k: v.replace(_PLACEHOLDER, secret) for k, v in self.headers.items()}
        return http.request(base, self.method, self.path, headers, self.body, timeout)


@dataclass(frozen=True)
class Provider:
    """A provider table, validated, with its resolved API base."""

    name: str
    base: Base
    verify: RequestSpec
    outcomes: dict[int, str]
    details: dict[int, str]
    fields: tuple[str, ...]
    require_json: frozenset[int]
    revoke: RequestSpec | None
    revoked_status: int
    unsupported: frozenset[int]
    manual_steps: str
    dashboard_url: str
    max_retry_after: float

    @classmethod
    def parse(cls, name: str, table: dict[str, Any], api_base: str) -> Provider:
        """Validate ``table``; ``api_base`` (already chosen by the caller) must pass the http rules."""
        base = http.parse_base(api_base, f"API base for {name}")
        verify = table.get("verify")
        if not isinstance(verify, dict):
            raise _err(name, "missing [verify] table")
        outcomes = _status_map(name, "verify.outcomes", verify.get("outcomes", {}))
        if not set(outcomes.values()) <= set(OUTCOMES):
            raise _err(name, f"verify.outcomes values must be one of {', '.join(OUTCOMES)}")
        fields = verify.get("fields", [])
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise _err(name, "verify.fields must be a list of strings")
        if set(fields) & {"status", "detail", "http_status"}:
            raise _err(name, "verify.fields must not shadow status, detail or http_status")
        revoke = table.get("revoke")
        revoked_status = (revoke or {}).get("revoked_status", 401)
        if isinstance(revoked_status, bool) or not isinstance(revoked_status, int):
            raise _err(name, "revoke.revoked_status must be an HTTP status code")
        steps, dashboard = (revoke or {}).get("manual_steps", ""), table.get("dashboard_url", "")
        max_wait = table.get("max_retry_after", 60)
        if not isinstance(steps, str) or not isinstance(dashboard, str):
            raise _err(name, "revoke.manual_steps and dashboard_url must be strings")
        if isinstance(max_wait, bool) or not isinstance(max_wait, (int, float)) or max_wait < 0:
            raise _err(name, "max_retry_after must be a number of seconds")
        return cls(
            name=name, base=base,
            verify=RequestSpec.parse(name, verify, "verify"),
            outcomes=outcomes,
            details=_status_map(name, "verify.details", verify.get("details", {})),
            fields=tuple(fields),
            require_json=_statuses(name, "verify.require_json", verify.get("require_json", [])),
            revoke=RequestSpec.parse(name, revoke, "revoke") if revoke is not None else None,
            revoked_status=revoked_status,
            unsupported=_statuses(name, "revoke.unsupported", (revoke or {}).get("unsupported", [])),
            manual_steps=steps, dashboard_url=dashboard, max_retry_after=float(max_wait),
        )

    def result(self, status: str, detail: str | None = None, http_status: int | None = None,
               data: dict[str, Any] | None = None) -> dict[str, Any]:
        """A ``verification`` object: always the same keys, ``None`` where unknown."""
        out: dict[str, Any] = {"status": status}
        out.update({f: (data or {}).get(f) for f in self.fields})
        out.update(detail=detail, http_status=http_status)
        return out


def _seconds(value: str | None) -> float | None:
    """A delay from ``Retry-After`` (seconds or HTTP date) or a rate-limit reset (seconds or epoch)."""
    if value is None:
        return None
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        try:
            return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
        except (TypeError, ValueError):
            return None
    if number != number or number < 0:  # NaN or negative
        return None
    return max(number - time.time(), 0.0) if number > 1e9 else number


def _scrub(value: Any, secret: str) -> Any:
    """A value copied from a response, unless it echoes the key."""
    return "[redacted]" if secret in json.dumps(value) else value


class Checker:
    """Verifies keys for one provider: bounded retries, a shared rate-limit pause, one deadline."""

    def __init__(self, provider: Provider, timeout: float, retries: int, deadline: float,
                 stop: threading.Event) -> None:
        self.provider, self.timeout, self.retries = provider, timeout, retries
        self.deadline, self.stop = deadline, stop  # deadline: time.monotonic() value
        self._lock = threading.Lock()
        self._not_before = 0.0

    def _left(self) -> float:
        return self.deadline - time.monotonic()

    def _pause_if_exhausted(self, resp: Response) -> None:
        """``X-RateLimit-Remaining: 0`` holds every further request until the limit resets."""
        try:
            remaining = int(resp.headers.get("x-ratelimit-remaining", "1"))
        except ValueError:
            return
        if remaining > 0:
            return
        wait = _seconds(resp.headers.get("retry-after"))
        if wait is None:
            wait = _seconds(resp.headers.get("x-ratelimit-reset"))
        wait = min(60.0 if wait is None else wait, self.provider.max_retry_after)
        with self._lock:
            self._not_before = max(self._not_before, time.monotonic() + wait)

    def check(self, secret: str) -> dict[str, Any]:
        """The ``verification`` object for one key (never raises)."""
        try:
            return self._check(secret)
        except Exception as e:  # noqa: BLE001 - a bug must not sink the whole run or print the key
            return self.provider.result("unknown", f"internal error ({type(e).__name__})")

    def _check(self, secret: str) -> dict[str, Any]:
        p = self.provider
        retries = 0
        while True:
            with self._lock:
                pause = self._not_before - time.monotonic()
            if pause > 0:
                if pause >= self._left():
                    return p.result("unknown", "rate limit exhausted until after the verification deadline")
                self.stop.wait(pause)
            if self.stop.is_set() or self._left() <= 0:
                return p.result("unknown", "verification deadline reached")
            try:
                resp = p.verify.send(p.base, secret, min(self.timeout, self._left()))
            except TransportError as e:
                return p.result("unknown", str(e))
            self._pause_if_exhausted(resp)
            outcome = p.outcomes.get(resp.status)
            if outcome != "retry":
                return self._interpret(secret, resp, outcome)
            if retries >= self.retries:
                return p.result("unknown", f"still rate limited after {retries} retries", resp.status)
            wait = _seconds(resp.headers.get("retry-after"))
            wait = min(2.0 ** retries, p.max_retry_after) if wait is None else wait
            if wait > p.max_retry_after:
                return p.result("unknown", f"rate limited: Retry-After {wait:g}s is over the "
                                           f"{p.max_retry_after:g}s limit", resp.status)
            if wait >= self._left():
                return p.result("unknown", "rate limited: Retry-After ends after the verification deadline",
                                resp.status)
            retries += 1
            self.stop.wait(wait)

    def _interpret(self, secret: str, resp: Response, outcome: str | None) -> dict[str, Any]:
        p, status = self.provider, resp.status
        if outcome is None:
            if 300 <= status < 400:
                detail = f"redirect (HTTP {status}) not followed"
            elif status >= 500:
                detail = f"server error (HTTP {status})"
            else:
                detail = f"unexpected answer (HTTP {status})"
            return p.result("unknown", detail, status)
        data: Any = None
        try:
            data = json.loads(resp.body) if resp.body.strip() else None
        except ValueError:
            data = None
        if not isinstance(data, dict):
            if outcome == "live" and status in p.require_json:
                return p.result("unknown", f"answer is not JSON (HTTP {status})", status)
            data = {}
        data = {f: _scrub(data.get(f), secret) for f in p.fields}
        return p.result(outcome, p.details.get(status), status, data)


def revoke(provider: Provider, secret: str, timeout: float, deadline: float | None = None) -> dict[str, Any]:
    """Send the revoke request, then re-send the verify request: only ``revoked_status`` there proves
    the key is dead. Each request gets ``timeout`` seconds, and none starts or runs past ``deadline`` (a
    ``time.monotonic()`` value). Returns ``{"status", "detail", "http_status", "recheck_http_status"}``."""
    def out(status: str, detail: str, http_status: int | None = None,
            recheck: int | None = None) -> dict[str, Any]:
        return {"status": status, "detail": detail, "http_status": http_status, "recheck_http_status": recheck}

    def bound() -> float:
        left = timeout if deadline is None else min(timeout, deadline - time.monotonic())
        if left <= 0:
            raise TransportError("the revocation deadline (revoke_deadline) was reached")
        return left

    if provider.revoke is None:
        return out("unsupported", "no revoke request is configured")
    try:
        resp = provider.revoke.send(provider.base, secret, bound())
    except TransportError as e:
        return out("failed", f"revoke request failed: {e}")
    if resp.status in provider.unsupported:
        return out("unsupported", f"the API cannot revoke keys (HTTP {resp.status}); revoke it in the dashboard",
                   resp.status)
    if 300 <= resp.status < 400:
        return out("failed", f"revoke request redirected (HTTP {resp.status}), not followed", resp.status)
    try:
        check = provider.verify.send(provider.base, secret, bound())
    except TransportError as e:
        return out("failed", f"revoke answered HTTP {resp.status}, but the re-check failed: {e}", resp.status)
    if check.status == provider.revoked_status:
        return out("revoked", f"re-check answers HTTP {check.status}", resp.status, check.status)
    return out("failed", f"revoke answered HTTP {resp.status}, but the re-check still answers HTTP {check.status}",
               resp.status, check.status)


class _Keep(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def manual_steps(provider: Provider, verification: dict[str, Any], redacted: str, found_in: str) -> str:
    """The provider's manual revocation steps, filled with what /me said (never the key)."""
    from scanner.escaping import escape
    values = _Keep(dashboard_url=provider.dashboard_url, redacted=escape(redacted), found_in=escape(found_in))
    for key in ("tier", "created_at", "last_used_at"):
        values[key] = escape(verification[key]) if verification.get(key) is not None else "unknown"
    try:
        return provider.manual_steps.format_map(values)
    except (ValueError, IndexError, AttributeError):
        return provider.manual_steps

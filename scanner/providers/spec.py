"""A provider's requests as data: the ``[provider.NAME]`` table of a rule file (``[provider.trackyard]``
ships), validated into a :class:`Provider` whose :class:`RequestSpec` s send a key safely to one base."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from scanner.errors import YardguardError
from scanner.model import Verification
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
               data: dict[str, Any] | None = None) -> Verification:
        """A verdict with every one of this provider's facts (``None`` where ``data`` does not say)."""
        return Verification(status, {f: (data or {}).get(f) for f in self.fields}, detail, http_status)

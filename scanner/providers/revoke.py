"""Revoke keys verified live in this run: confirm (or --yes), send the revoke request, re-check,
audit-log every attempt, and print the manual steps when the API cannot revoke."""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.escaping import escape
from scanner.model import Revocation, Verification
from scanner.providers.auditlog import AuditLog
from scanner.providers.http import TransportError
from scanner.providers.leak import Leak
from scanner.providers.spec import Provider

if TYPE_CHECKING:
    from scanner.run import Run

NOT_ON_COMMIT = ("not revoked on a pre-commit run: the key has not left this machine, and the commit is "
                 "blocked; run `yardguard scan --revoke` or `yardguard revoke` to revoke it")
NO_TTY = "not revoked: no terminal to confirm on (pass --yes to revoke without asking)"
DEFAULT_AUDIT_LOG = ".yardguard/revocations.jsonl"


def revoke(provider: Provider, secret: str, timeout: float, deadline: float | None = None) -> Revocation:
    """Send the revoke request, then re-send the verify request: only ``revoked_status`` there proves
    the key is dead. Each request gets ``timeout`` seconds, and none starts or runs past ``deadline`` (a
    ``time.monotonic()`` value)."""
    out = Revocation

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


class _Keep(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def manual_steps(provider: Provider, verification: Verification, redacted: str, found_in: str) -> str:
    """The provider's manual revocation steps, filled with what /me said (never the key): each of the
    provider's fact fields, ``unknown`` where it did not say."""
    values = _Keep(dashboard_url=provider.dashboard_url, redacted=escape(redacted), found_in=escape(found_in))
    for key in provider.fields:
        value = verification.fact(key)
        values[key] = "unknown" if value is None else escape(value)
    try:
        return provider.manual_steps.format_map(values)
    except (ValueError, IndexError, AttributeError):
        return provider.manual_steps


def audit_log_path(run: Run) -> Path:
    """--audit-log (relative to the cwd), else config ``audit_log``, else ``.yardguard/revocations.jsonl``
    under the scanned repository (or the cwd)."""
    if run.options.audit_log:
        return Path(run.options.audit_log)
    if run.config.audit_log:
        return Path(run.config.resolve(run.config.audit_log))
    return Path(run.root) / DEFAULT_AUDIT_LOG


def _say(message: str) -> None:
    print(f"yardguard: {escape(message)}", file=sys.stderr, flush=True)


def describe(leak: Leak) -> str:
    """A live key as shown before revoking it: redacted key, what the provider said of it, where found."""
    facts = ", ".join(f"{k}={v}" for k, v in leak.first.verification.stated().items())
    return escape(f"live key {leak.first.redacted}" + (f" ({facts})" if facts else "")) + \
        f"\n  found in {escape(leak.where())}"


def ask_on_terminal(leak: Leak) -> bool:
    """Ask on the terminal; end of input or Ctrl-C means no."""
    import click
    try:
        return click.confirm(f"{describe(leak)}\nRevoke it now?", default=False, err=True)
    except (click.exceptions.Abort, EOFError):
        return False


def has_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _skip(leak: Leak, detail: str) -> None:
    leak.revoked(Revocation("skipped", detail))


def revoke_live(run: Run, leaks: list[Leak], command: str, ask: Callable[[Leak], bool] | None = None) -> bool:
    """Revoke the leaks whose verification is ``live``; True when one of them is left unrevoked
    (declined, no terminal, failed or unsupported) — except on ``staged``, where revoking is off."""
    live = [leak for leak in leaks if leak.first.status == "live"]
    if not live:
        return False
    if command == "staged":
        for leak in live:
            _skip(leak, NOT_ON_COMMIT)
        _say(f"{len(live)} live key(s) {NOT_ON_COMMIT}")
        return False
    if not run.options.yes and ask is None and not has_terminal():
        for leak in live:
            _skip(leak, NO_TTY)
        _say(f"{len(live)} live key(s) {NO_TTY}")
        return True
    ask = ask or ask_on_terminal
    log = AuditLog(audit_log_path(run))
    log.open()  # an unwritable audit log stops us before anything is revoked
    left = False
    deadline = time.monotonic() + run.config.revoke_deadline  # time spent at a prompt does not count
    try:
        for leak in live:
            if not run.options.yes:
                asked = time.monotonic()
                answer = ask(leak)
                deadline += time.monotonic() - asked
                if not answer:
                    _skip(leak, "declined at the prompt")
                    left = True
                    continue
            left |= _revoke_one(run, leak, log, deadline)
    finally:
        log.close()
    return left


def _revoke_one(run: Run, leak: Leak, log: AuditLog, deadline: float) -> bool:
    """Revoke one key (each request within ``revoke_timeout``, all before ``deadline``), record it
    everywhere; True when it is still live (or may be)."""
    result = revoke(leak.provider, leak.secret, run.config.revoke_timeout, deadline)
    leak.revoked(result)
    record: dict[str, Any] = {
        "provider": leak.provider.name,
        "api_base": str(leak.provider.base),
        "secret_sha256": leak.first.secret_sha256,
        "secret": leak.first.redacted,
        "rule_id": leak.first.rule.id,
        "found_in": leak.locations(),
        "outcome": result.status,
        "http_status": result.http_status,
        "recheck_http_status": result.recheck_http_status,
        "detail": result.detail,
    }
    log.write(record)
    _say(f"{result.status}: {leak.first.redacted} ({result.detail})")
    if result.status != "revoked":
        print(manual_steps(leak.provider, leak.first.verification, leak.first.redacted, leak.where()),
              file=sys.stderr, flush=True)
    return result.status != "revoked"

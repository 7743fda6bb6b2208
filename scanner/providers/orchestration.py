"""Verification and revocation put together for a run: validate every provider the rules use, group the
findings by key, verify each key once and, with ``--revoke``, revoke the ones proven live."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from scanner.errors import YardguardError
from scanner.model import Finding
from scanner.providers.leak import Leak, group
from scanner.providers.policy import api_base
from scanner.providers.spec import Provider
from scanner.providers.verify import verify

if TYPE_CHECKING:
    from scanner.run import Run


def load_providers(run: Run) -> dict[str, Provider]:
    """Every provider the loaded rules use, validated (bad tables or API bases raise before any request)."""
    names = sorted({r.provider for r in run.ruleset.rules if r.provider})
    out = {}
    for name in names:
        table = run.ruleset.providers.get(name)
        if not isinstance(table, dict):
            raise YardguardError(f"[provider.{name}] must be a table")
        out[name] = Provider.parse(name, table, api_base(run, name, table))
    return out


def _check_settings(run: Run) -> None:
    c = run.config
    if not (c.verify_timeout > 0 and c.verify_deadline > 0 and c.verify_concurrency >= 1 and c.verify_retries >= 0
            and c.verify_cache_ttl >= 0 and c.revoke_timeout > 0 and c.revoke_deadline > 0):
        raise YardguardError("verify_timeout, verify_deadline, verify_concurrency, revoke_timeout and "
                             "revoke_deadline must be positive; verify_retries and verify_cache_ttl must not be "
                             "negative")


def verify_and_revoke(run: Run, findings: list[Finding], command: str = "scan",
                      ask: Callable[[Leak], bool] | None = None) -> bool:
    """Verify each distinct key once, filling every finding that shares it; with ``--revoke`` revoke
    the keys verified live in this run. True when a live key was left unrevoked (exit non-zero).
    Revocation is off on ``staged`` (pre-commit): that key has not left the machine yet."""
    _check_settings(run)
    providers = load_providers(run)
    leaks = group(findings, providers)
    if not leaks:
        return False
    revoking = run.options.revoke
    cache = verify(run, leaks, use_cache=not revoking)  # revoke only keys proven live right now
    if not revoking:
        return False
    from scanner.providers.revoke import revoke_live
    failed = revoke_live(run, leaks, command, ask)
    if cache:
        for leak in leaks:
            if leak.first.revocation is not None and leak.first.revocation.status == "revoked":
                cache.put(leak.first.secret_sha256, str(leak.provider.base),
                          leak.provider.result("invalid", "revoked by yardguard"))
        cache.save()
    return failed

"""Providers: prove whether a found key is live (one request per distinct key), and revoke confirmed
leaks. Requests are described by the ``[provider.NAME]`` tables of the rule files."""
from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.errors import YardguardError
from scanner.findings import Finding

if TYPE_CHECKING:
    from scanner.run import Run
    from scanner.providers.cache import VerifyCache
    from scanner.providers.trackyard import Provider

DEFAULT_AUDIT_LOG = ".yardguard/revocations.jsonl"
OVERRIDABLE = "trackyard"  # --api-base, TRACKYARD_API_BASE and config api_base apply to this provider only


@dataclass
class Leak:
    """One distinct key and every finding that shares it."""

    secret: str = field(repr=False)
    provider: Provider
    findings: list[Finding] = field(default_factory=list)

    @property
    def first(self) -> Finding:
        return self.findings[0]

    def fill(self, attr: str, value: dict[str, Any]) -> None:
        """Give every finding of this key its own copy of ``value`` (``verification``/``revocation``)."""
        for f in self.findings:
            setattr(f, attr, dict(value))

    def locations(self) -> list[dict[str, Any]]:
        """Where the key was found: path, line and commit of each finding."""
        return [{"path": f.path, "line": f.line, "commit": f.commit} for f in self.findings]

    def where(self, limit: int = 3) -> str:
        """``a.py:3 (commit 0123456789ab), b.py:1 and 2 more`` for prompts and messages."""
        shown = [f"{f.path}:{f.line}" + (f" (commit {f.commit[:12]})" if f.commit else "")
                 for f in self.findings[:limit]]
        more = len(self.findings) - limit
        return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _shipped_host(name: str) -> str | None:
    """The API host the shipped rule files name for provider ``name`` (None if they do not)."""
    from urllib.parse import urlsplit

    from scanner.rules import all_rule_files, read_rule_file
    for path in all_rule_files():
        table = read_rule_file(path, examples=False).get("provider", {}).get(name)
        if isinstance(table, dict) and isinstance(table.get("api_base"), str):
            return urlsplit(table["api_base"]).hostname
    return None


def _api_base(run: Run, name: str, table: dict[str, Any]) -> str:
    """--api-base, then the table's environment variable, then config ``api_base``, then the table.

    The config file and extra rule files live in the scanned repository, so whoever writes a pull request
    writes them: they may not move keys of a shipped provider to another host (loopback aside). Only the
    operator (--api-base, the environment) can."""
    from urllib.parse import urlsplit

    from scanner.providers.http import is_loopback
    env = table.get("api_base_env")
    from_env = os.environ.get(env) if isinstance(env, str) and env else None
    operator = (run.options.api_base if name == OVERRIDABLE else None) or from_env
    base = operator or (run.config.api_base if name == OVERRIDABLE else None) or table.get("api_base")
    if not isinstance(base, str) or not base:
        raise YardguardError(f"[provider.{name}]: no api_base configured")
    shipped = _shipped_host(name)
    host = urlsplit(base).hostname or ""
    if not operator and shipped is not None and host != shipped and not is_loopback(host):
        raise YardguardError(f"the config or a rule file points {name} at {host!r}, not {shipped!r}; only "
                             "--api-base or the environment may send keys to another host")
    return base


def load_providers(run: Run) -> dict[str, Provider]:
    """Every provider the loaded rules use, validated (bad tables or API bases raise before any request)."""
    from scanner.providers.trackyard import Provider
    names = sorted({r.provider for r in run.ruleset.rules if r.provider})
    out = {}
    for name in names:
        table = run.ruleset.providers.get(name)
        if not isinstance(table, dict):
            raise YardguardError(f"[provider.{name}] must be a table")
        out[name] = Provider.parse(name, table, _api_base(run, name, table))
    return out


def _check_settings(run: Run) -> None:
    c = run.config
    if not (c.verify_timeout > 0 and c.verify_deadline > 0 and c.verify_concurrency >= 1 and c.verify_retries >= 0
            and c.verify_cache_ttl >= 0 and c.revoke_timeout > 0 and c.revoke_deadline > 0):
        raise YardguardError("verify_timeout, verify_deadline, verify_concurrency, revoke_timeout and "
                             "revoke_deadline must be positive; verify_retries and verify_cache_ttl must not be "
                             "negative")


def group(findings: list[Finding], providers: dict[str, Provider]) -> list[Leak]:
    """One :class:`Leak` per (provider, distinct key), in first-seen order."""
    leaks: dict[tuple[str, str], Leak] = {}
    for f in findings:
        provider = providers.get(f.rule.provider or "")
        if provider is None:
            continue
        leak = leaks.get((provider.name, f.secret))
        if leak is None:
            leak = leaks[(provider.name, f.secret)] = Leak(f.secret, provider)
        leak.findings.append(f)
    return list(leaks.values())


def verify(run: Run, leaks: list[Leak], use_cache: bool = True) -> VerifyCache | None:
    """Fill ``verification`` of every finding: one request per distinct key, at most
    ``verify_concurrency`` at once, all within ``verify_deadline`` seconds. Returns the on-disk
    cache when one is configured (``use_cache=False`` only skips reading it)."""
    from scanner.providers.cache import VerifyCache
    from scanner.providers.runner import run_bounded
    from scanner.providers.trackyard import Checker
    c = run.config
    cache = VerifyCache(Path(c.resolve(c.verify_cache)), c.verify_cache_ttl) if c.verify_cache else None
    todo = []
    for leak in leaks:
        hit = cache.get(leak.first.secret_sha256, str(leak.provider.base)) if cache and use_cache else None
        if hit is not None:
            leak.fill("verification", hit)
        else:
            todo.append(leak)
    if not todo:
        return cache
    bases = ", ".join(sorted({str(leak.provider.base) for leak in todo}))
    print(f"yardguard: verifying {len(todo)} distinct key(s) with {bases}", file=sys.stderr)
    stop = threading.Event()
    deadline = time.monotonic() + c.verify_deadline
    checkers = {name: Checker(p, c.verify_timeout, c.verify_retries, deadline, stop)
                for name, p in {leak.provider.name: leak.provider for leak in todo}.items()}

    def check(i: int) -> dict[str, Any]:
        return checkers[todo[i].provider.name].check(todo[i].secret)

    def late(i: int) -> dict[str, Any]:
        return todo[i].provider.result("unknown", f"not checked within the {c.verify_deadline:g}s deadline")

    results = run_bounded(range(len(todo)), check, c.verify_concurrency, deadline, stop, late)
    for i, result in results.items():
        todo[i].fill("verification", result)
        if cache:
            cache.put(todo[i].first.secret_sha256, str(todo[i].provider.base), result)
    if cache:
        cache.save()
    return cache


def audit_log_path(run: Run) -> Path:
    """--audit-log (relative to the cwd), else config ``audit_log``, else ``.yardguard/revocations.jsonl``
    under the scanned repository (or the cwd)."""
    if run.options.audit_log:
        return Path(run.options.audit_log)
    if run.config.audit_log:
        return Path(run.config.resolve(run.config.audit_log))
    return Path(run.root) / DEFAULT_AUDIT_LOG


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
    from scanner.providers.revocation import revoke_live
    failed = revoke_live(run, leaks, command, ask)
    if cache:
        for leak in leaks:
            if (leak.first.revocation or {}).get("status") == "revoked":
                cache.put(leak.first.secret_sha256, str(leak.provider.base),
                          leak.provider.result("invalid", "revoked by yardguard"))
        cache.save()
    return failed

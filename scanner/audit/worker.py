"""Scan one repository of an audit: the task a local process or a Dask worker runs.

Trust model: a worker clones and reads the repository, so it sees every secret in it anyway. What it sends
back is redacted (``Finding.to_dict()``: a prefix and four characters, plus the SHA-256) except, only when
the audit verifies or revokes, a ``{secret_sha256: raw secret}`` map. The client keeps that map in memory
just long enough to call Trackyard once per distinct key and never writes it anywhere: the audit store holds
hashes and redacted forms only. Run workers only on machines trusted with the repositories' contents, and
on a cluster use TLS between client, scheduler and workers (``tls://``) when results carry secrets."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.audit import repos
from scanner.errors import YardguardError
from scanner.pipeline import keep
from scanner.run import Run


@dataclass(frozen=True)
class Job:
    """One repository to scan. ``previous`` is the refs fingerprint of its last good scan with the same
    rules (None forces a scan); ``cache_dir`` is resolved on the worker (default: its user cache)."""

    source: repos.Source
    cache_dir: str | None
    previous: str | None
    with_secrets: bool


@dataclass
class Result:
    """What a worker sends back: ``status`` is ``scanned``, ``unchanged`` or ``error``."""

    name: str
    status: str
    fingerprint: str | None = None
    head: str | None = None
    error: str | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)    # Finding.to_dict() + member: redacted
    secrets: dict[str, str] = field(default_factory=dict)       # sha256 -> raw, only with Job.with_secrets
    seconds: float = 0.0


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/yardguard/mirrors`` (default ``~/.cache/yardguard/mirrors``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "yardguard" / "mirrors"


def scan_repository(job: Job, run: Run) -> Result:
    """Mirror (or open) the repository, skip it when its refs are unchanged, else scan its whole history.
    Never raises: a failure is a result with ``status="error"`` and a one-line, secret-free message."""
    from scanner.sources import history
    start = time.monotonic()
    name = job.source.name
    try:
        cache_dir = (Path(job.cache_dir).expanduser() if job.cache_dir else default_cache_dir()).absolute()
        path = repos.checkout(job.source, cache_dir)
        fingerprint, head = repos.fingerprint(path)
        if fingerprint == job.previous:
            return Result(name, "unchanged", fingerprint, head, seconds=time.monotonic() - start)
        findings = keep(run, history.scan_all(path, run.decoder))
    except YardguardError as e:
        return Result(name, "error", error=str(e), seconds=time.monotonic() - start)
    except Exception as e:  # noqa: BLE001 - one bad repository must not stop the audit
        # the message is left out on purpose: it could quote scanned bytes, and so a secret
        return Result(name, "error", error=f"internal error: {type(e).__name__}", seconds=time.monotonic() - start)
    secrets = {f.secret_sha256: f.secret for f in findings} if job.with_secrets else {}
    rows = [{**f.to_dict(), "member": f.member} for f in findings]
    return Result(name, "scanned", fingerprint, head, rows=rows, secrets=secrets, seconds=time.monotonic() - start)

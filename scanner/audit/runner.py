"""One audit run: plan which repositories need a scan, run them on an executor, record each result as it
arrives, verify every distinct key once at the end, and choose the exit code."""
from __future__ import annotations

import hashlib
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import scanner
from scanner.audit import repos
from scanner.audit.executors import execute
from scanner.audit.store import Store
from scanner.audit.worker import Job, Result
from scanner.errors import YardguardError
from scanner.escaping import escape
from scanner.model import Finding
from scanner.pipeline import exit_code
from scanner.progress import duration
from scanner.run import Run

EXIT_REPOSITORY_FAILED = 3


@dataclass
class AuditOptions:
    """What ``yardguard audit`` was asked to do besides the shared scanning options."""

    repos_files: tuple[str, ...] = ()
    repos_dirs: tuple[str, ...] = ()
    store: str = "audit.db"
    cache_dir: str | None = None
    jobs: int = 1
    executor: str = "local"
    scheduler: str | None = None
    fail_fast: bool = False
    store_wait: float = 30.0  # seconds to wait while another audit holds the store


class Progress:
    """``audit: 12/300 repositories, 1 failed, 37 findings, ETA 4m10s`` on stderr, only on a terminal."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.enabled = sys.stderr.isatty()
        self.start = time.monotonic()
        self.done = self.failed = self.findings = 0

    def update(self, result: Result) -> None:
        self.done += 1
        self.failed += result.status == "error"
        self.findings += len(result.rows)
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.start
        eta = elapsed / self.done * (self.total - self.done)
        sys.stderr.write(f"\raudit: {self.done}/{self.total} repositories, {self.failed} failed, "
                         f"{self.findings} new findings, ETA {duration(eta)} \033[K")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def gather(options: AuditOptions) -> list[repos.Source]:
    """The repositories of ``--repos`` files and ``--repos-dir`` directories, each once, in order."""
    if not options.repos_files and not options.repos_dirs:
        raise YardguardError("give --repos FILE and/or --repos-dir DIR")
    sources = [s for f in options.repos_files for s in repos.read_repos_file(Path(f))]
    sources += [s for d in options.repos_dirs for s in repos.discover(Path(d))]
    if not sources:
        raise YardguardError("no repositories to audit")
    return repos.unique(sources)


def rules_digest(run: Run) -> str:
    """A digest of everything that decides what a scan finds: rules, path excludes, baseline, version.
    A repository scanned with a different digest is scanned again."""
    parts = [scanner.__version__, repr(sorted(run.config.exclude_paths)), repr(sorted(run.accepted))]
    for r in run.ruleset.rules:
        parts.append(repr((r.id, r.pattern.pattern, r.keywords, r.entropy, [a.pattern for a in r.allow], r.paths,
                           r.exclude_paths, r.prefix.pattern if r.prefix else None)))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def plan(store: Store, sources: list[repos.Source], run: Run, options: AuditOptions, digest: str) -> list[Job]:
    """One job per repository; ``previous`` lets the worker skip a repository whose refs did not change,
    unless its keys still need a verdict (the store has no raw key to check, so it must be scanned)."""
    verify = run.options.verify or run.options.revoke
    jobs = []
    for source in sources:
        before = store.previous(source.name)
        previous = None
        if (before is not None and before.status == "ok" and before.rules_digest == digest
                and not (verify and store.has_unsettled_secrets(source.name, run.options.revoke))):
            previous = before.fingerprint
        jobs.append(Job(source, options.cache_dir, previous, verify))
    return jobs


def verify(run: Run, store: Store, results: list[Result]) -> bool:
    """Verify (and revoke) each distinct key of this run's scans once; store the verdicts by hash.
    Returns True when a revocation failed."""
    from scanner.providers.orchestration import verify_and_revoke
    rules = {r.id: r for r in run.ruleset.rules}
    findings = [
        Finding(rules[row["rule_id"]], result.secrets[row["secret_sha256"]], row["path"], row["line"],
                row["column"], commit=row["commit"], author_name=row["author_name"],
                author_email=row["author_email"], commit_date=row["commit_date"])
        for result in results for row in result.rows
    ]
    if not findings:
        return False
    revoke_failed = verify_and_revoke(run, findings, "audit")
    store.save_verdicts({f.secret_sha256: (f.verification.to_dict(), None if f.revocation is None else
                                           f.revocation.to_dict()) for f in findings})
    return revoke_failed


def run_audit(run: Run, options: AuditOptions) -> int:
    """Audit every repository; exit 0 clean, 1 findings (per ``--fail-on``) or a failed revocation,
    3 when a repository could not be scanned (its error is in the store)."""
    from scanner.audit.report import stored_findings
    sources = gather(options)
    checking = run.options.verify or run.options.revoke
    if checking:  # a bad API base or provider table fails now, not after hours of scanning
        from scanner.providers.orchestration import verify_and_revoke
        verify_and_revoke(run, [], "audit")
    with Store(options.store, options.store_wait) as store:
        store.add_pending(s.name for s in sources)
        digest = rules_digest(run)
        jobs = plan(store, sources, run, options, digest)
        progress = Progress(len(jobs))
        scanned: list[Result] = []
        counts = {"scanned": 0, "unchanged": 0, "error": 0}
        results = execute(jobs, run, options.executor, options.jobs, options.scheduler)
        try:
            for result in results:
                store.record(result, digest)
                counts[result.status] += 1
                progress.update(result)
                if result.status == "scanned" and result.secrets:
                    scanned.append(result)
                if result.status == "error" and options.fail_fast:
                    break
        except KeyboardInterrupt:
            progress.clear()
            print("yardguard: audit interrupted: rerun the same command to resume", file=sys.stderr)
            raise
        finally:
            results.close()
            progress.clear()
        revoke_failed = verify(run, store, scanned) if checking else False
        names = [s.name for s in sources]
        failed = [r for r in store.repositories(names) if r["status"] == "error"]
        findings = stored_findings(store, run.ruleset.rules, names)
    skipped = len(sources) - sum(counts.values())
    print(f"yardguard: audit: {len(sources)} repositories: {counts['scanned']} scanned, {counts['unchanged']} "
          f"unchanged, {len(failed)} failed" + (f", {skipped} not started (--fail-fast)" if skipped else "") +
          f"; {len(findings)} finding(s), {len({f.secret_sha256 for f in findings})} distinct secret(s) "
          f"in {options.store}", file=sys.stderr)
    for r in failed:
        print(escape(f"yardguard: failed: {r['url']}: {r['error']}"), file=sys.stderr)
    if failed or skipped:
        return EXIT_REPOSITORY_FAILED
    return exit_code(findings, run.fail_on, revoke_failed)

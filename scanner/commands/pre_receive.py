"""``yardguard pre-receive``: the server-side gate a pusher cannot skip.

git runs it in the bare repository with ``<old> <new> <ref>`` lines on stdin and the pushed objects in its
quarantine (``GIT_QUARANTINE_PATH``, ``GIT_OBJECT_DIRECTORY``, ``GIT_ALTERNATE_OBJECT_DIRECTORIES``, which
every git call inherits). It scans exactly the commits new to the repository (``NEW --not --all``: the
quarantined objects are referenced by no ref yet) and the pushed annotated tags' messages, with settings
from the server (the operator's ``--config``, and the repository's default branch, never the pushed
commits). Exit 1 rejects the push; stderr reaches the pusher as ``remote:`` lines, keys always redacted.
"""
from __future__ import annotations

import os
import sys
import time

from scanner.errors import YardguardError
from scanner.escaping import escape
from scanner.model import COMMIT_MESSAGE, TAG_MESSAGE
from scanner.sources.push import SKIP_OPTION, Update, parse_updates, push_options

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from scanner.model import Finding
    from scanner.options import Options
    from scanner.run import Run

NOTICE_BRANCHES = 20
"""At most this many pushed branches are checked for changes to the settings files (one git call each)."""
PUSHER_VARIABLES = ("GL_USERNAME", "GITHUB_USER_LOGIN", "REMOTE_USER")
"""Who is pushing: GitLab, GitHub Enterprise, and web servers (smart HTTP) set one of these."""


class OverBudget(Exception):
    """The scan ran past the configured ``time_budget``."""


def pusher(environ: Mapping[str, str]) -> str | None:
    """The pushing user, when the server says (see :data:`PUSHER_VARIABLES`)."""
    return next((environ[v] for v in PUSHER_VARIABLES if environ.get(v)), None)


def default_branch(root: str) -> str:
    """The trusted revision on the server: its default branch (``HEAD``), or nothing before the first push."""
    from scanner import gitutil
    from scanner.revision_config import NOTHING_PUBLISHED
    code, _, _ = gitutil.run(root, "rev-parse", "--git-dir", "--verify", "--quiet", "HEAD^{commit}")
    if code not in (0, 1):
        raise YardguardError("pre-receive must run inside a git repository (as git's pre-receive hook)")
    return "HEAD" if code == 0 else NOTHING_PUBLISHED


def _where(f: Finding) -> str:
    if f.origin == COMMIT_MESSAGE:
        return "commit message"
    if f.origin == TAG_MESSAGE:
        return "annotated tag message"
    return f"{escape(f.path)}:{f.line}"


def rejection(findings: list[Finding], updates: list[Update]) -> str:
    """The message the pusher sees: every finding (file, line, commit, redacted key), then what to do."""
    keys = len({f.secret_sha256 for f in findings})
    refs = ", ".join(escape(u.ref) for u in updates if not u.deleted)
    lines = [f"yardguard: push rejected: {keys} Trackyard API key(s) in the pushed commits ({refs})"]
    for f in findings:
        what = "tag" if f.origin == TAG_MESSAGE else "commit"
        status = "" if f.status == "not_checked" else f"  [{f.status}]"
        lines.append(f"  {_where(f)}  {what} {(f.commit or 'unknown')[:12]}  {f.redacted}  ({f.rule.id}){status}")
    from scanner.reporters.advice import rejected_push
    return "\n".join([*lines, "", rejected_push()]) + "\n"


def log_event(run: Run, event: str, updates: list[Update], findings: list[Finding],
              environ: Mapping[str, str], detail: str | None = None) -> str:
    """Append one JSON line to the config's ``push_log``: time, pusher, refs, redacted findings. A log that
    cannot be written is an error (the push is then rejected: an escape hatch must leave a trace)."""
    import json
    path = run.config.resolve(run.config.push_log) if run.config.push_log else None
    if path is None:
        raise YardguardError(f"{event}: push_log is not set in the operator's config, so it cannot be logged")
    record = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "event": event,
        "pusher": pusher(environ),
        "repository": os.path.abspath(str(run.root)),
        "refs": [{"ref": u.ref, "old": u.old, "new": u.new} for u in updates],
        "findings": [{"rule_id": f.rule.id, "path": f.path, "line": f.line, "commit": f.commit,
                      "secret": f.redacted, "secret_sha256": f.secret_sha256} for f in findings],
    }
    if detail:
        record["detail"] = detail
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, sort_keys=True) + "\n")
    except OSError as e:
        raise YardguardError(f"cannot write push_log {path}: {e.strerror}") from None
    return path


def _report(run: Run, findings: list[Finding]) -> None:
    """The report for logging: ``--output FILE`` in ``--format``, or a non-text format on stdout."""
    options = run.options
    if options.output is None and options.fmt == "text":
        return  # the rejection message on stderr is the text report
    from scanner.commands.report import write_report
    write_report(run, findings, "pre-receive", {"started": run.started})


def _within(budget: float, started: float, action: Callable[[], list[Finding]]) -> list[Finding]:
    """``action()`` under a wall-clock budget counted from ``started``: :class:`OverBudget` past it."""
    remaining = budget - (time.monotonic() - started)
    if remaining <= 0:
        raise OverBudget
    import signal

    def expire(signum: int, frame: object) -> None:
        raise OverBudget
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, remaining)
    try:
        result = action()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if time.monotonic() - started > budget:
        raise OverBudget
    return result


def run(options: Options) -> int:
    """Scan the push git describes on stdin, report, and return the hook's exit code (0 accepts, anything
    else rejects). The time budget counts from the start of this process."""
    from scanner import STARTED
    from scanner.collect import scan_push
    from scanner.pipeline import check, exit_code, prepare
    lines = [] if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read().splitlines()
    environ = os.environ
    root = os.getcwd()  # git runs the hook in the repository (GIT_DIR)
    updates = parse_updates(lines)
    # notices for the settings a push changes: its branches (a mirror push of thousands is cut short)
    heads = [u.new for u in updates if not u.deleted and u.ref.startswith("refs/heads/")][:NOTICE_BRANCHES]
    run = prepare(root, options, default_branch(root), heads)
    config = run.config
    if config.time_budget <= 0:
        raise YardguardError("time_budget must be positive")
    if (config.allow_skip or config.on_timeout == "accept") and not config.push_log:
        raise YardguardError("allow_skip and on_timeout = \"accept\" need push_log (every pass must be logged)")
    skip = SKIP_OPTION in push_options(environ)
    if skip and not config.allow_skip:
        print(f"yardguard: the push option {SKIP_OPTION} is not allowed on this server; scanning as usual",
              file=sys.stderr)
    try:
        findings = _within(config.time_budget, STARTED,
                           lambda: check(run, scan_push(run, root, updates, environ), "pre-receive")[0])
    except OverBudget:
        return _over_budget(run, updates, environ, skip)
    _report(run, findings)
    code = exit_code(findings, run.fail_on)
    if code and skip and config.allow_skip:
        path = log_event(run, "skip", updates, findings, environ)
        print(f"yardguard: {len({f.secret_sha256 for f in findings})} key(s) let through by {SKIP_OPTION}; "
              f"logged to {path}", file=sys.stderr)
        return 0
    if code:
        sys.stderr.write(rejection(findings, updates))
    return code


def _over_budget(run: Run, updates: list[Update], environ: Mapping[str, str], skip: bool) -> int:
    """Past the time budget: reject (fail closed, the default), or accept and log (``on_timeout``)."""
    budget = run.config.time_budget
    if skip and run.config.allow_skip:
        log_event(run, "skip", updates, [], environ, detail=f"not scanned: over the {budget:g} s time budget")
        print(f"yardguard: push let through by {SKIP_OPTION} unscanned (over the time budget); logged",
              file=sys.stderr)
        return 0
    if run.config.on_timeout == "accept":
        path = log_event(run, "timeout-accepted", updates, [], environ,
                         detail=f"not scanned: over the {budget:g} s time budget")
        print(f"yardguard: warning: the scan ran past its {budget:g} s time budget; the push was accepted "
              f"UNSCANNED (on_timeout = \"accept\"), logged to {path}", file=sys.stderr)
        return 0
    print(f"yardguard: push rejected: the scan ran past its {budget:g} s time budget, so it is incomplete.\n"
          "  Push fewer commits at a time, or ask the server's administrator (time_budget, on_timeout).",
          file=sys.stderr)
    return 1

"""``yardguard ci github``, the GitHub Action's logic: event payload -> commit range -> history scan -> SARIF
file, annotations, a Markdown job summary and step outputs."""
from __future__ import annotations

import html
import os
import re
import secrets
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scanner import gitutil, jsonfile
from scanner.collect import scan_history
from scanner.commands.report import context, write_output
from scanner.commands.targets import prepare_for_ranges
from scanner.errors import YardguardError
from scanner.escaping import escape
from scanner.model import COMMIT_MESSAGE, Finding
from scanner.options import Options
from scanner.pipeline import check, exit_code
from scanner.reporters import ordered, render
from scanner.reporters.github import command
from scanner.reporters.vocabulary import ALLOW, DASHBOARD_URL, ENV_VAR, STATUSES, shout, words

ZERO = "0" * 40
SHALLOW_HINT = "the clone is shallow (fetch more history, e.g. fetch-depth: 0 in actions/checkout)"
_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
_SUMMARY_ROWS = 100


@dataclass(frozen=True)
class Target:
    """What to scan: a history range (``None``: every ref), described for people."""

    rev_range: str | None
    label: str
    skip: bool = False  # nothing to scan (a deleted branch)


def _payload(env: Mapping[str, str]) -> dict[str, Any]:
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        raise YardguardError("GITHUB_EVENT_PATH is not set: run inside GitHub Actions or pass --range A..B")
    data = jsonfile.read(path, "the event payload")
    if not isinstance(data, dict):
        raise YardguardError(f"the event payload {path} is not a JSON object")
    return data


def _field(payload: dict[str, Any], *keys: str) -> Any:
    value: Any = payload
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _sha(payload: dict[str, Any], *keys: str) -> str:
    value = _field(payload, *keys)
    if not isinstance(value, str) or not _SHA.fullmatch(value):
        raise YardguardError(f"event payload: {'.'.join(keys)} is not a commit id")
    return value


def is_shallow(repo: str) -> bool:
    """True for a shallow clone (actions/checkout's default fetch-depth: 1)."""
    return gitutil.git(repo, "rev-parse", "--is-shallow-repository", check=False).strip() == b"true"


def _push_target(repo: str, payload: dict[str, Any]) -> Target:
    """``before..after``; a new branch (or a force push whose old tip is gone) is the commits the
    default branch does not have; the first push of the default branch is the whole history."""
    if payload.get("deleted") or payload.get("after") == ZERO:
        return Target(None, "deleted branch", skip=True)
    after = _sha(payload, "after")
    before = payload.get("before") or ZERO
    if before != ZERO:
        before = _sha(payload, "before")
        if gitutil.has_commit(repo, before) or is_shallow(repo):  # a shallow miss fails in parse_range
            return Target(f"{before}..{after}", f"push {before[:12]}..{after[:12]}")
    if is_shallow(repo):
        raise YardguardError(f"cannot tell which commits this push adds: {SHALLOW_HINT}")
    default = _field(payload, "repository", "default_branch")
    base = f"refs/remotes/origin/{default}"
    if isinstance(default, str) and payload.get("ref") != f"refs/heads/{default}" and gitutil.has_commit(repo, base):
        return Target(f"{base}..{after}", f"new branch: commits of {after[:12]} not on {default}")
    return Target(None, "every ref (first push of the default branch)")


def target_from_event(repo: str, env: Mapping[str, str]) -> Target:
    """The range a GitHub event asks for: the pull request's commits (``base.sha..head.sha``), the pushed
    commits, a merge queue group; other events (schedule, workflow_dispatch) scan every ref."""
    event = env.get("GITHUB_EVENT_NAME")
    if not event:
        raise YardguardError("GITHUB_EVENT_NAME is not set: run inside GitHub Actions or pass --range A..B")
    payload = _payload(env)
    if event in ("pull_request", "pull_request_target"):
        base, head = _sha(payload, "pull_request", "base", "sha"), _sha(payload, "pull_request", "head", "sha")
        number = _field(payload, "pull_request", "number")
        return Target(f"{base}..{head}", f"pull request #{number} ({base[:12]}..{head[:12]})")
    if event == "merge_group":
        base, head = _sha(payload, "merge_group", "base_sha"), _sha(payload, "merge_group", "head_sha")
        return Target(f"{base}..{head}", f"merge group {base[:12]}..{head[:12]}")
    if event == "push":
        return _push_target(repo, payload)
    return Target(None, f"every ref ({event} event)")


def _md(text: object) -> str:
    """Repository text made inert in a Markdown table cell: no HTML, no Markdown syntax, one line, no
    control characters."""
    flat = escape(" ".join(str(text).split()))
    return re.sub(r"([\\`*_\[\]{}()#+!|~])", r"\\\1", html.escape(flat, quote=False))


def _row(f: Finding) -> str:
    status = f"**{shout(f.status)}**" if f.status == "live" else words(f.status)
    where = "commit message" if f.origin == COMMIT_MESSAGE else f"{_md(f.path)}:{f.line}"
    commit = f"{f.commit[:12]} ({_md((f.commit_date or '')[:10])})" if f.commit else ""
    return f"| {status} | {where} | {_md(f.redacted)} | {commit} | {_md(f.author_name or '')} |"


def allow_comments(repo: str, rev_range: str) -> list[tuple[str, int]]:
    """(path, line) of each line that ``A..B`` adds with an allow comment (``yardguard:allow`` and the
    other markers): keys on those lines are not reported, so reviewers should see them."""
    from scanner.filters import ALLOW_MARKERS
    from scanner.sources.staged import unquote
    base, _, head = rev_range.partition("..")
    pattern = "|".join(m.decode() for m in ALLOW_MARKERS)  # letters, ':' and ' ' only: literal in a regex
    out = gitutil.git(repo, "-c", "core.quotepath=off", "diff", "-U0", "--no-color", "--no-ext-diff",
                      "--no-textconv", "--no-renames", "--src-prefix=a/", "--dst-prefix=b/", f"-G{pattern}",
                      base, head, "--")
    found: list[tuple[str, int]] = []
    path, line, header = "", 0, False
    for raw in out.splitlines():
        if raw.startswith(b"diff --git "):
            path, header = "", True
        elif header and raw.startswith(b"+++ "):  # git adds a tab after a name with a space
            name = raw[4:].rstrip(b"\t")
            path = unquote(name)[2:] if name != b"/dev/null" else ""
        elif raw.startswith(b"@@ "):
            line, header = int(raw.split(b" ")[2][1:].split(b",")[0]), False
        elif not header and raw.startswith(b"+") and path:
            if any(m in raw for m in ALLOW_MARKERS):
                found.append((path, line))
            line += 1
    return found


def summary_markdown(findings: list[Finding], target: Target, code: int, fail_on: str,
                     notices: Sequence[str] = (), allowed: Sequence[tuple[str, int]] = ()) -> str:
    """The job summary: verdict, a table of findings (live keys first), what to do next, then notices
    (settings the range changes) and the lines it marks with allow comments."""
    return _verdict(findings, target, code, fail_on) + _review_notes(notices, allowed)


def _review_notes(notices: Sequence[str], allowed: Sequence[tuple[str, int]]) -> str:
    lines = []
    if notices:
        lines += ["", "### Notices", "", *(f"- {_md(n)}" for n in notices)]
    if allowed:
        lines += ["", "### Lines this range marks with an allow comment", "",
                  "Keys on these lines are not reported: check each one is a false positive.", "",
                  *(f"- {_md(p)}:{n}" for p, n in allowed[:_SUMMARY_ROWS])]
        if len(allowed) > _SUMMARY_ROWS:
            lines.append(f"- …and {len(allowed) - _SUMMARY_ROWS} more")
    return "\n".join(lines) + "\n" if lines else ""


def _verdict(findings: list[Finding], target: Target, code: int, fail_on: str) -> str:
    keys = len({f.secret_sha256 for f in findings})
    if not findings:
        title = "✅ yardguard: no Trackyard API keys introduced"
    elif code:
        title = f"🔴 yardguard: {keys} Trackyard API key(s) introduced"
    else:
        title = f"⚠️ yardguard: {keys} Trackyard API key(s) found (not failing with --fail-on {fail_on})"
    lines = [f"## {title}", "", f"Scanned {_md(target.label)}."]
    if not findings:
        return "\n".join(lines) + "\n"
    counts = Counter(f.status for f in findings)
    lines[-1] += " " + ", ".join(f"{counts.get(s, 0)} {words(s)}" for s in STATUSES) + "."
    lines += ["", "| Status | Where | Key | Introduced in | Author |", "| --- | --- | --- | --- | --- |"]
    shown = ordered(findings)
    lines += [_row(f) for f in shown[:_SUMMARY_ROWS]]
    if len(shown) > _SUMMARY_ROWS:
        lines.append(f"\n…and {len(shown) - _SUMMARY_ROWS} more (see the SARIF file or code scanning alerts).")
    live = counts.get("live", 0)
    lines += [
        "", "### What to do next", "",
        f"1. **Revoke** {'the live key(s) now' if live else 'every key that may still work'} in the Trackyard "
        f"dashboard: {DASHBOARD_URL}. Deleting the line does not un-leak a key that was pushed.",
        "2. **Rotate**: create a replacement key and store it as a repository or environment secret.",
        f"3. **Read the key from `{ENV_VAR}`** in the code instead of hardcoding it.",
        "4. **Purge it from this branch's history** before merging (`git rebase -i` or `git filter-repo`, then "
        "force-push): a follow-up commit that deletes the line leaves the key in the history.",
        f"5. {ALLOW}",
    ]
    if all(f.status == "not_checked" for f in findings):
        lines += ["", "Set `verify: true` on the action to learn which keys are live."]
    return "\n".join(lines) + "\n"


def _append(path: str | None, text: str) -> None:
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise YardguardError(f"cannot write {path}: {e.strerror}") from None


def outputs_text(values: dict[str, object]) -> str:
    """``$GITHUB_OUTPUT`` lines in the multi-line ``name<<DELIMITER`` form (safe for any value)."""
    delimiter = f"ghadelimiter_{secrets.token_hex(8)}"
    return "".join(f"{name}<<{delimiter}\n{value}\n{delimiter}\n" for name, value in values.items())


def _log(text: str) -> None:
    """Print the text report to the log with workflow commands switched off around it (a file name
    must not be able to issue one)."""
    token = secrets.token_hex(8)
    sys.stdout.write(f"::stop-commands::{token}\n{text}::{token}::\n")


def run(options: Options) -> int:
    """Scan what the event introduced (or ``options.rev_range``) in ``options.repo`` and write every GitHub
    artifact; return the exit code. The action's ``revoke: true`` input is the consent to revoke (CI has no
    terminal to ask on)."""
    environ = os.environ
    repo = gitutil.require_repo(options.repo)
    options.yes = options.revoke
    rev_range, sarif_file = options.rev_range, options.sarif_file
    try:
        target = Target(rev_range, f"range {rev_range}") if rev_range else target_from_event(repo, environ)
        reviewed = [target.rev_range] if target.rev_range and not target.skip else []
        prepared = prepare_for_ranges(repo, options, reviewed)
        found = [] if target.skip else scan_history(prepared, repo, target.rev_range)
        findings, revoke_failed = check(prepared, found, "ci")
    except YardguardError as e:
        print(command("error", f"yardguard could not scan: {e}", title="yardguard"), flush=True)
        _append(environ.get("GITHUB_STEP_SUMMARY"), f"## ❌ yardguard could not scan\n\n{_md(e)}\n")
        raise
    ctx = context(prepared, "ci", {"range": target.label})
    write_output(render("sarif", findings, ctx), sarif_file)
    _log(render("text", findings, ctx))
    sys.stdout.write(render("github", findings, ctx))
    sys.stdout.flush()
    from scanner.reporters.advice import next_steps
    sys.stderr.write(f"{prepared.scope.line()} ({target.label})\n" + next_steps("ci", findings))
    sys.stderr.flush()
    code = exit_code(findings, prepared.fail_on, revoke_failed)
    allowed = allow_comments(repo, target.rev_range) if target.rev_range and ".." in target.rev_range else []
    _append(environ.get("GITHUB_STEP_SUMMARY"),
            summary_markdown(findings, target, code, prepared.fail_on, prepared.notices, allowed))
    _append(environ.get("GITHUB_OUTPUT"), outputs_text({
        "findings": len(findings),
        "live": sum(1 for f in findings if f.status == "live"),
        "sarif-file": sarif_file,
        "range": target.rev_range or "",
    }))
    return code

"""What to do next, after a text report: the steps that fit the command that found the keys (printed on
stderr, so they never mix into a report)."""
from __future__ import annotations

from scanner.model import NOT_CHECKED, Finding
from scanner.reporters.vocabulary import (
    ALLOW,
    BLOCKED_COMMIT,
    DASHBOARD_URL,
    ENV_VAR,
    MOVE,
    REJECTED_PUSH,
    REMOVE,
    ROTATE_IF_SHARED,
    UNPUSHED,
    bulleted,
    numbered,
)

ROTATE = f"Revoke or rotate every key that may still work: {DASHBOARD_URL}"


def _keys(findings: list[Finding]) -> int:
    return len({f.secret_sha256 for f in findings})


def _verify_hint(findings: list[Finding], command: str) -> list[str]:
    if any(f.status != NOT_CHECKED for f in findings):
        return []
    return [f"Learn which keys are live (a free GET /me to Trackyard): `yardguard {command} --verify`."]


def _history(findings: list[Finding]) -> list[str]:
    in_head = sorted({f.path for f in findings if f.in_head})
    past = _keys([f for f in findings if not f.in_head])
    steps = [ROTATE + " (deleting the line does not un-leak a key that was pushed)."]
    if in_head:
        shown = ", ".join(in_head[:3]) + (f" and {len(in_head) - 3} more" if len(in_head) > 3 else "")
        steps.append(f"Still in HEAD ({shown}): remove the key and read it from the `{ENV_VAR}` "
                     "environment variable.")
    if past:
        steps.append(f"{past} key(s) are only in the history: after revoking, purge them if you must "
                     "(`git filter-repo --replace-text`, force-push, everyone re-clones).")
    steps += _verify_hint(findings, "history")
    steps.append("Accept the findings you have dealt with: `yardguard baseline --history -o .yardguard-baseline.json`, "
                 "then `--baseline .yardguard-baseline.json`.")
    return steps


def _pre_push(findings: list[Finding]) -> list[str]:
    return [
        f"The commits are not pushed yet. {UNPUSHED}",
        MOVE,
        ROTATE_IF_SHARED,
        *_verify_hint(findings, "history --range @{upstream}..HEAD"),
        ALLOW,
    ]


def _scan(findings: list[Finding]) -> list[str]:
    return [
        REMOVE,
        f"If the file was ever committed, pushed or shared, rotate the key: {DASHBOARD_URL} "
        "(`yardguard history` shows whether the history has it).",
        *_verify_hint(findings, "scan"),
        ALLOW,
    ]


def _ci(findings: list[Finding]) -> list[str]:
    return [
        ROTATE + " (this pull request's commits carry it, even if a later commit deletes the line).",
        "Rewrite the branch so no commit has the key (`git rebase -i`, then force-push), and read it from "
        f"`{ENV_VAR}` (a repository secret).",
        *(["Set `verify: true` on the action to learn which keys are live."]
          if all(f.status == NOT_CHECKED for f in findings) else []),
        ALLOW,
    ]


_STEPS = {"history": _history, "pre-push": _pre_push, "scan": _scan, "ci": _ci}


def next_steps(command: str, findings: list[Finding]) -> str:
    """The ``what to do next`` block for ``command``'s findings ("" when there is nothing to do)."""
    steps = _STEPS.get(command)
    if not findings or steps is None:
        return ""
    head = f"yardguard found {_keys(findings)} Trackyard API key(s). Next steps:"
    return "\n".join([head, *(f"  - {step}" for step in steps(findings))]) + "\n"


def blocked_commit() -> str:
    """What the pre-commit hook tells a committer whose commit it blocked."""
    return "yardguard blocked this commit: it adds a Trackyard API key.\n" + bulleted(BLOCKED_COMMIT)


def rejected_push() -> str:
    """What a pre-receive hook tells a pusher whose push it rejected."""
    return "What to do:\n" + numbered(REJECTED_PUSH, "  ")

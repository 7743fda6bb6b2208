"""The words every report and message shares, each written once: the verification statuses (their order and
labels), where Trackyard keys are revoked, and the remediation steps (``code`` in backticks, as plain text
and Markdown show it). Each format composes them its own way."""
from __future__ import annotations

from scanner.model import INVALID, LIVE, NOT_CHECKED, UNKNOWN

DASHBOARD_URL = "https://app.trackyard.com/api-keys"
"""Where Trackyard users revoke and create keys."""
ENV_VAR = "TRACKYARD_API_KEY"
"""Where the code should read its key from."""

STATUSES = (LIVE, INVALID, UNKNOWN, NOT_CHECKED)
"""The order reports count statuses in."""
URGENCY = {LIVE: 0, UNKNOWN: 1, NOT_CHECKED: 2, INVALID: 3}
"""The order findings are listed in: live keys first, then those that may be live, proven invalid last."""


def words(status: str) -> str:
    """``not checked``: a status in running text."""
    return status.replace("_", " ")


def label(status: str) -> str:
    """``Not checked``: a status as a heading or a badge."""
    return words(status).capitalize()


def shout(status: str) -> str:
    """``NOT CHECKED``: a status that must stand out in plain text."""
    return words(status).upper()


# The remediation steps, one sentence each; `code` in backticks.
REVOKE = f"Revoke the key in the Trackyard dashboard ({DASHBOARD_URL}): deleting the line does not un-leak it."
REPLACE = f"Create a new key and store it outside the code: read it from the `{ENV_VAR}` environment variable."
REMOVE = f"Remove the key from the file and read it from the `{ENV_VAR}` environment variable instead."
MOVE = f"Read the key from the `{ENV_VAR}` environment variable instead."
ROTATE_IF_SHARED = f"If this key was ever pushed or shared, rotate it now: {DASHBOARD_URL}"
UNPUSHED = ("Take the key out of these commits, then push again: for the last one, fix the file and "
            "`git commit --amend`; for older ones, `git rebase -i @{upstream}` (a later commit that deletes the line "
            "still pushes the key).")
PURGE = ("If the key was pushed, purge it from the history (`git filter-repo --replace-text`), force-push, and "
         "ask collaborators to re-clone.")
ALLOW = "A false positive? Add `yardguard:allow` in a comment on that line."

REMEDIATION = (REVOKE, REPLACE, PURGE, ALLOW)
"""What to do about a leaked key, for the formats that carry one text for every finding (SARIF, GitLab)."""
BLOCKED_COMMIT = (REMOVE, ROTATE_IF_SHARED, ALLOW)
"""What to do when the pre-commit hook blocks a commit: the key has not left the machine."""
REJECTED_PUSH = (UNPUSHED, ROTATE_IF_SHARED, MOVE, ALLOW)
"""What to do when a server rejects a push: the key is in commits that were not published."""


def numbered(steps: tuple[str, ...] | list[str], indent: str = "") -> str:
    """``1. step`` lines."""
    return "\n".join(f"{indent}{i}. {step}" for i, step in enumerate(steps, 1))


def bulleted(steps: tuple[str, ...] | list[str], indent: str = "  ") -> str:
    """``- step`` lines."""
    return "\n".join(f"{indent}- {step}" for step in steps)


"""Reporters turn findings into text, JSON, SARIF (and more); each module has ``render(findings, ctx)``."""
from __future__ import annotations

import importlib

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from scanner.findings import Finding
    from scanner.rules import Rule

FORMATS = ("text", "json", "sarif", "github", "gitlab", "html")


class ReportContext:
    """What a reporter may need besides the findings: the ``command`` (scan | staged | history | audit ...),
    the loaded ``rules``, whether to show raw secrets, ``color`` (text only: ANSI colour, only when writing to
    a TTY), the repository root and ``extra`` values of particular reporters."""

    __slots__ = ("command", "rules", "show_secrets", "color", "repo_root", "extra")

    def __init__(self, command: str, rules: list[Rule] | None = None, show_secrets: bool = False,
                 color: bool = False, repo_root: str | None = None, extra: dict[str, Any] | None = None) -> None:
        self.command, self.show_secrets, self.color, self.repo_root = command, show_secrets, color, repo_root
        self.rules = [] if rules is None else rules
        self.extra = {} if extra is None else extra


def render(fmt: str, findings: list[Finding], ctx: ReportContext) -> str:
    """The report in ``fmt``; reporter modules are imported only when used."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    module = importlib.import_module(f"scanner.reporters.{fmt}")
    return module.render(findings, ctx)


_STATUS_ORDER = {"live": 0, "unknown": 1, "not_checked": 2, "invalid": 3}


def ordered(findings: list[Finding]) -> list[Finding]:
    """Live keys first, then unknown, unchecked, invalid; then by path and line."""
    return sorted(findings, key=lambda f: (_STATUS_ORDER.get(f.status, 9), f.path, f.line, f.column))

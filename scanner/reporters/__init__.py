"""Reporters turn findings into text, JSON, SARIF (and more); each module has ``render(findings, ctx)``."""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from scanner.findings import Finding
from scanner.rules import Rule

FORMATS = ("text", "json", "sarif", "github", "gitlab", "html")


@dataclass
class ReportContext:
    """What a reporter may need besides the findings."""

    command: str                       # scan | staged | history | audit ...
    rules: list[Rule] = field(default_factory=list)
    show_secrets: bool = False
    color: bool = False                # text only: ANSI colour (only when writing to a TTY)
    repo_root: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


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

"""Reporters turn findings into text, JSON, SARIF (and more); each module has ``render(findings, ctx)``."""
from __future__ import annotations

import importlib
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from scanner.model import Finding
    from scanner.rules import Rule

FORMATS = ("text", "json", "sarif", "github", "gitlab", "html")
NO_FINDINGS = "no Trackyard keys found"
"""What a text report says when nothing is found (the hook's clean answer says it too)."""


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


def use_color(stream: Any) -> bool:
    """ANSI colour on ``stream``: never with ``NO_COLOR`` set (https://no-color.org), always with
    ``FORCE_COLOR`` set (not ``0``), else only on a terminal."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    return bool(stream.isatty())


HOME_LABELS = ("homepage", "source", "repository")
"""The ``[project.urls]`` labels (pyproject.toml) that name the tool's home, in order of preference."""


def home_url() -> str | None:
    """The tool's home page, from the installed distribution's project URLs (pyproject's
    ``[project.urls]``, the one place it is defined); None when there is none, and reports then omit it."""
    from importlib import metadata
    try:
        entries = metadata.metadata("yardguard").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    urls = {label.strip().lower(): url.strip() for label, _, url in (e.partition(",") for e in entries)}
    return next((urls[label] for label in HOME_LABELS if urls.get(label)), None)


def render(fmt: str, findings: list[Finding], ctx: ReportContext) -> str:
    """The report in ``fmt``; reporter modules are imported only when used."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    module = importlib.import_module(f"scanner.reporters.{fmt}")
    text: str = module.render(findings, ctx)
    return text


def ordered(findings: list[Finding]) -> list[Finding]:
    """Live keys first, then unknown, unchecked, invalid (:data:`~scanner.reporters.vocabulary.URGENCY`);
    then by path and line."""
    from scanner.reporters.vocabulary import URGENCY
    return sorted(findings, key=lambda f: (URGENCY.get(f.status, 9), f.path, f.line, f.column))

"""Every command-line option, declared once, and the :class:`Options` a command runs with (a leaf: it imports
nothing of ours at load time, so the hook's start-up can read it).

Each :class:`Option` says its flags, the name its value goes under, its kind, default and help. :mod:`scanner.cli`
builds the click options from :data:`COMMANDS`; :mod:`scanner.entry` parses the commands of :data:`LEAN` without
click from the same declarations; both hand the values to ``scanner.commands.<command>.run(options)``.
"""
from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

FAIL_ON = ("any", "live", "verified", "never")
DEFAULT_JOBS = min(2, os.cpu_count() or 1)
"""``history --jobs``: git cat-file readers for a whole-history scan (docs/performance.md)."""


def _formats() -> tuple[str, ...]:
    from scanner.reporters import FORMATS  # only when a format other than the default is given
    return FORMATS


class Option:
    """One option: its ``flags`` (long first), the ``name`` its value goes under, its ``kind`` (``flag``: no
    value; ``text``; ``choice`` of ``choices``; ``count``: a whole number from 1; ``repeated``: a text
    value given any number of times; ``seconds``: a number from 0), its ``default`` and ``help``."""

    __slots__ = ("choices", "default", "flags", "help", "kind", "metavar", "name", "required", "show_default")

    def __init__(self, flags: tuple[str, ...], name: str, kind: str, help: str, default: Any = None,
                 metavar: str | None = None, choices: tuple[str, ...] | Callable[[], tuple[str, ...]] = (),
                 show_default: bool = False, required: bool = False) -> None:
        self.flags, self.name, self.kind, self.help, self.default = flags, name, kind, help, default
        self.metavar, self.choices, self.show_default, self.required = metavar, choices, show_default, required

    def but(self, **changes: Any) -> Option:
        """This option with some attributes changed (a command's own help for a shared option)."""
        values = {k: getattr(self, k) for k in self.__slots__}
        return Option(**{**values, **changes})

    def allowed(self) -> tuple[str, ...]:
        """The values a ``choice`` accepts."""
        return self.choices() if callable(self.choices) else self.choices

    def parse(self, text: str) -> Any:
        """The value of ``text`` given on the command line, or :class:`ValueError` when click would refuse it."""
        if self.kind == "flag":
            return True
        if self.kind == "choice" and text != self.default and text not in self.allowed():
            raise ValueError(text)
        if self.kind == "count":
            if not (text.isdigit() and int(text) >= 1):
                raise ValueError(text)
            return int(text)
        if self.kind == "seconds":
            seconds = float(text)  # ValueError when not a number
            if not seconds >= 0:
                raise ValueError(text)
            return seconds
        return (text,) if self.kind == "repeated" else text


FORMAT = Option(("--format",), "fmt", "choice", "Report format.", "text", choices=_formats, show_default=True)
OUTPUT = Option(("--output", "-o"), "output", "text", "Write the report to FILE (default stdout).", metavar="FILE")
SHOW_SECRETS = Option(("--show-secrets",), "show_secrets", "flag", "Print full secrets (redacted by default).", False)
FAIL_ON_OPTION = Option(("--fail-on",), "fail_on", "choice", "When to exit 1: any finding (default), any key not "
                        "proven invalid, keys proven live, or never.", choices=FAIL_ON)
BASELINE = Option(("--baseline",), "baseline", "text", "Suppress the findings listed in FILE.", metavar="FILE")
CONFIG = Option(("--config",), "config", "text", "Config file (default .yardguard.toml or pyproject.toml).",
                metavar="FILE")
RULES = Option(("--rules",), "rules", "repeated", "Extra rule file or directory (repeatable).", (), metavar="PATH")
VERIFY = Option(("--verify",), "verify", "flag", "Check each distinct key against Trackyard's GET /me.", False)
REVOKE = Option(("--revoke",), "revoke", "flag", "Revoke keys verified live (implies --verify).", False)
YES = Option(("--yes",), "yes", "flag", "Revoke without asking (for CI).", False)
API_BASE = Option(("--api-base",), "api_base", "text", "Trackyard API base URL (or TRACKYARD_API_BASE).",
                  metavar="URL")
AUDIT_LOG = Option(("--audit-log",), "audit_log", "text",
                   "Revocation audit log (default .yardguard/revocations.jsonl).", metavar="FILE")
NO_DECODE = Option(("--no-decode",), "no_decode", "flag",
                   "Do not decode base64, hex, percent, escapes, HTML entities or UTF-16.", False)
NO_ARCHIVES = Option(("--no-archives",), "no_archives", "flag",
                     "Do not open zip, tar, gzip, SQLite or .pyc files.", False)
QUIET = Option(("--quiet", "-q"), "quiet", "flag",
               "Text format: print nothing at all when nothing is found (the native hooks use it).", False)
ALL_FILES = Option(("--all-files",), "all_files", "flag", "Also scan files git ignores.", False)
REPO = Option(("--repo",), "repo", "text", "Repository to scan.", ".", metavar="DIR", show_default=True)
RANGE = Option(("--range",), "rev_range", "text",
               "Only keys the commits in A..B introduce; a single REV means its commits on no remote.", metavar="A..B")
JOBS = Option(("--jobs", "-j"), "jobs", "count", "git cat-file readers for a whole-history scan (see "
              "docs/performance.md).", DEFAULT_JOBS, metavar="N", show_default=True)
FROM_HISTORY = Option(("--history",), "from_history", "flag", "Take the findings of the whole history.", False)
FROM_REPORT = Option(("--from-report",), "from_report", "text", "Revoke the keys of a JSON report written with "
                     "--show-secrets (default: keys on stdin).", metavar="FILE")
SARIF_FILE = Option(("--sarif-file",), "sarif_file", "text", "Where to write the SARIF report (for "
                    "github/codeql-action/upload-sarif).", "yardguard.sarif", metavar="FILE", show_default=True)
STORE = Option(("--store",), "store", "text", "SQLite audit store.", "audit.db", metavar="FILE", show_default=True)
REPOS = Option(("--repos",), "repos_files", "repeated", "File with one git URL or local path per line (# comments); "
               "repeatable.", (), metavar="FILE")
REPOS_DIR = Option(("--repos-dir",), "repos_dirs", "repeated", "Audit every git repository (bare or not) under DIR; "
                   "repeatable.", (), metavar="DIR")
CACHE_DIR = Option(("--cache-dir",), "cache_dir", "text", "Where URLs are mirrored (default "
                   "~/.cache/yardguard/mirrors).", metavar="DIR")
AUDIT_JOBS = Option(("--jobs", "-j"), "audit_jobs", "count", "Repositories scanned at once (default: CPU count).",
                    metavar="N")
EXECUTOR = Option(("--executor",), "executor", "choice", "Local process pool, or Dask (pip install "
                  "'yardguard[dask]').", "local", choices=("local", "dask"), show_default=True)
SCHEDULER = Option(("--scheduler",), "scheduler", "text", "Dask scheduler (tcp://HOST:PORT; implies --executor "
                   "dask). Without it, --executor dask starts a LocalCluster.", metavar="URL")
FAIL_FAST = Option(("--fail-fast",), "fail_fast", "flag", "Stop at the first repository that fails.", False)
STORE_WAIT = Option(("--store-wait",), "store_wait", "seconds", "How long to wait while another audit holds the "
                    "store.", 30.0, metavar="SECONDS", show_default=True)
FORCE = Option(("--force",), "force", "flag", "Replace foreign hooks, kept as <hook>.yardguard-backup (the "
               "pre-commit and pre-push hooks run them after their own check passes).", False)
SERVER = Option(("--server",), "server", "flag", "Install the server-side pre-receive hook into a bare repository.",
                False)

DECODING = (NO_DECODE, NO_ARCHIVES)
PROVIDERS = (VERIFY, REVOKE, YES, API_BASE, AUDIT_LOG)


def _scanning(revoke: Option = REVOKE, yes: Option = YES) -> tuple[Option, ...]:
    """The options of the scanning commands, in ``--help`` order (``revoke``, ``yes``: that command's own)."""
    return (FORMAT, OUTPUT, SHOW_SECRETS, FAIL_ON_OPTION, BASELINE, CONFIG, RULES, *DECODING, QUIET, VERIFY, revoke,
            yes, API_BASE, AUDIT_LOG)


COMMANDS = {
    "scan": (ALL_FILES, *_scanning()),
    "staged": _scanning(
        REVOKE.but(help="Only verifies here (like --verify): a key in a commit is blocked, never revoked, since "
                        "it has not left your machine."),
        YES.but(help="No effect here (nothing is revoked on a commit).")),
    "history": (REPO, RANGE, JOBS, *_scanning()),
    "pre-push": _scanning(REVOKE.but(
        help="Revoke keys verified live, only with --yes: a hook's stdin is git's, so it cannot ask (without "
             "--yes nothing is revoked and the push is refused).")),
    "pre-receive": (FORMAT, OUTPUT, FAIL_ON_OPTION, BASELINE, CONFIG, RULES, *DECODING, VERIFY, API_BASE),
    "baseline": (FROM_HISTORY, REPO.but(help="Repository for --history."),
                 OUTPUT.but(help="Baseline file to write.", required=True), CONFIG, RULES, ALL_FILES),
    "revoke": (FROM_REPORT, YES, API_BASE, AUDIT_LOG, FORMAT, CONFIG, RULES),
    "audit": (REPOS, REPOS_DIR, STORE, CACHE_DIR, AUDIT_JOBS, EXECUTOR, SCHEDULER, FAIL_FAST, STORE_WAIT,
              FAIL_ON_OPTION, CONFIG, RULES, *DECODING, *PROVIDERS),
    "audit report": (STORE, FORMAT, OUTPUT, CONFIG, RULES),
    "ci github": (REPO, RANGE.but(help="Scan this range instead of the event's."), SARIF_FILE, FAIL_ON_OPTION, VERIFY,
                  REVOKE, BASELINE, CONFIG, RULES, *DECODING, API_BASE, AUDIT_LOG),
    "rules test": (RULES.but(help="Extra rule file or directory."),),
    "rules list": (RULES.but(help="Extra rule file or directory."),),
    "install-hooks": (REPO.but(help="Repository to install into."), FORCE, SERVER,
                      CONFIG.but(help="With --server: the operator's config file the hook passes.")),
}
"""The options of each command, in ``--help`` order."""

LEAN = {
    "staged": ("fmt", "output", "quiet", "no_decode", "no_archives"),
    "history": ("fmt", "output", "repo", "rev_range", "jobs", "rules", "quiet", "no_decode", "no_archives"),
    "scan": ("fmt", "output", "all_files", "rules", "quiet", "no_decode", "no_archives"),
    "pre-receive": ("fmt", "output", "config", "baseline", "fail_on", "no_decode", "no_archives"),
}
"""The commands :mod:`scanner.entry` runs without click, and the options each may be given there."""

POSITIONAL = {"staged", "scan"}
"""The lean commands that take arguments (files, paths)."""

FIELDS = ("paths", *dict.fromkeys(o.name for options in COMMANDS.values() for o in options))


class Options:
    """What a command runs with: its arguments (``paths``) and the value of every option of :data:`COMMANDS`
    by name; an option the command does not have keeps its default."""

    __slots__ = FIELDS
    paths: tuple[str, ...]
    fmt: str
    output: str | None
    show_secrets: bool
    fail_on: str | None
    baseline: str | None
    config: str | None
    rules: tuple[str, ...]
    verify: bool
    revoke: bool
    yes: bool
    api_base: str | None
    audit_log: str | None
    no_decode: bool
    no_archives: bool
    quiet: bool  # text only: print nothing at all when nothing is found (the native hooks)
    all_files: bool
    repo: str
    rev_range: str | None
    jobs: int
    from_history: bool
    from_report: str | None
    sarif_file: str
    store: str
    repos_files: tuple[str, ...]
    repos_dirs: tuple[str, ...]
    cache_dir: str | None
    audit_jobs: int | None
    executor: str
    scheduler: str | None
    fail_fast: bool
    store_wait: float
    force: bool
    server: bool

    def __init__(self, **values: Any) -> None:
        self.paths = ()
        for option in _DECLARED.values():
            setattr(self, option.name, option.default)
        for name, value in values.items():
            setattr(self, name, tuple(value) if isinstance(value, list) else value)


_DECLARED = {o.name: o for options in COMMANDS.values() for o in options}
"""Each option by name (every declaration of a name has the same default)."""


def lean_options(command: str) -> dict[str, Option]:
    """The options ``command`` takes without click, by flag."""
    names = LEAN[command]
    return {flag: o for o in COMMANDS[command] if o.name in names for flag in o.flags}

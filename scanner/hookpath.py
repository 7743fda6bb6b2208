"""Console entry point with a lean path for the pre-commit hook.

``yardguard staged [FILE...]`` runs on every commit. Almost every staged change mentions no rule keyword
at all, and that answer needs only git, the TOML rule files and a substring search: this module gives it
without importing click, regex or the pipeline (measured: ~60 ms of the hook's start-up). Anything else,
including a change that does mention a keyword, goes to the full CLI, which decides and reports.
The lean path does not compile the rules' regexes: a broken regex is reported by the first full run
(any other command, or a commit whose change mentions a keyword).
"""
from __future__ import annotations

import sys
from pathlib import Path

NO_FINDINGS = "no Trackyard keys found"
_WHOLE_FILE_LIMIT = 8 << 20


def _keywords(root: Path) -> list[bytes]:
    """Lower-case keywords of every enabled rule, with the repository's config applied."""
    from scanner.config import load_config
    from scanner.rules import all_rule_files, read_rule_file
    config = load_config(root)
    if config.baseline and not config.resolve(config.baseline).is_file():
        raise LookupError("baseline missing: let the full CLI report it")
    disabled = set(config.disabled_rules)
    files = all_rule_files([str(config.resolve(p)) for p in config.rules])
    return [k.encode() for f in files for r in read_rule_file(f)["rule"]
            if isinstance(r, dict) and r.get("id") not in disabled for k in r.get("keywords", [])]


def _mentions(data: bytes, keywords: list[bytes]) -> bool:
    lowered = data.lower()
    return any(k in lowered for k in keywords)


def staged_is_clean(names: list[str]) -> bool:
    """True when the staged change (narrowed to ``names``) mentions no rule keyword, so nothing can match.
    False means "not sure": the full CLI must run (it also reports every error)."""
    from scanner import gitutil
    from scanner.errors import YardguardError
    from scanner.sources import staged
    try:
        root = gitutil.toplevel(".")
        if root is None:
            return False
        keywords = _keywords(root)
        only = staged.repo_relative(root, names) if names else None
        added, touched = staged.staged_changes(root, only)
        if any(_mentions(a.data, keywords) for a in added.values()):
            return False
        whole = [real for _, real in staged.unstaged_files(root, only or [], touched)]
        if any(real.stat().st_size > _WHOLE_FILE_LIMIT for real in whole):
            return False  # big files go through the full CLI's memory-mapped reader
        return not any(_mentions(real.read_bytes(), keywords) for real in whole)
    except (YardguardError, LookupError, OSError, KeyError, TypeError):
        return False


def main() -> None:
    """``yardguard``: the lean answer for a clean ``staged`` run, else the full CLI."""
    args = sys.argv[1:]
    if args[:1] == ["staged"] and not any(a.startswith("-") for a in args[1:]) and staged_is_clean(args[1:]):
        print(NO_FINDINGS)
        sys.exit(0)
    from scanner.cli import main as cli_main
    cli_main()

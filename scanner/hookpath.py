"""Console entry point, and the pre-commit hook's path through it.

``yardguard staged [FILE...]`` runs on every commit, so without options it never imports click. Almost
every staged change mentions no rule keyword at all, and that answer needs only git, the TOML rule files and
a substring search: :func:`is_clean` gives it without importing regex or the pipeline either. A change
that does mention a keyword gets the full scan (:func:`run_staged`, shared with the click command). The
clean answer does not compile the rules' regexes: a broken regex is reported by the next full run.
Everything else goes to :mod:`scanner.cli`.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scanner.pipeline import Options
    from scanner.sources.staged import StagedChange

NO_FINDINGS = "no Trackyard keys found"
HOOK_ADVICE = """\
yardguard blocked this commit: it adds a Trackyard API key.
  - Remove the key from the file and read it from the TRACKYARD_API_KEY environment variable instead.
  - If this key was ever pushed or shared, rotate it now: https://app.trackyard.com/api-keys
  - A false positive? Add `yardguard:allow` in a comment on that line."""
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


def is_clean(change: StagedChange) -> bool:
    """True when the staged change mentions no rule keyword, so nothing can match. False means "not sure":
    the full scan must run (it also reports every configuration error)."""
    from scanner.errors import YardguardError
    try:
        keywords = _keywords(change.root)
    except (YardguardError, LookupError, OSError, KeyError, TypeError):
        return False
    if any(_mentions(a.data, keywords) for a in change.added.values()):
        return False
    whole = [real for _, real in change.whole_files()]
    if any(real.stat().st_size > _WHOLE_FILE_LIMIT for real in whole):
        return False  # big files go through the full scan's memory-mapped reader
    return not any(_mentions(real.read_bytes(), keywords) for real in whole)


def run_staged(names: list[str], options: Options, change: StagedChange | None = None) -> int:
    """``yardguard staged``: scan the staged change, report, and tell a blocked committer what to do."""
    from scanner.collect import scan_staged
    from scanner.pipeline import finish, prepare
    from scanner.sources.staged import read_change
    change = change or read_change(names)
    run = prepare(change.root, options)
    code = finish(run, scan_staged(run, change), "staged")
    if code == 1 and options.fmt == "text":
        print(HOOK_ADVICE, file=sys.stderr)
    return code


def hook_arguments(args: list[str]) -> tuple[list[str], str, str | None] | None:
    """(FILEs, format, output) of ``staged`` arguments that hold no other option than ``--format`` and
    ``-o/--output``; None sends the run to the click CLI (other options, ``--help``, a bad format)."""
    names: list[str] = []
    values = {"--format": "text", "--output": None}
    it = iter(args)
    for arg in it:
        name, eq, value = arg.partition("=")
        name = "--output" if name == "-o" else name
        if name in values:
            values[name] = value if eq else next(it, None)
            if values[name] is None:
                return None
        elif arg.startswith("-"):
            return None
        else:
            names.append(arg)
    fmt = values["--format"]
    if fmt != "text":
        from scanner.reporters import FORMATS
        if fmt not in FORMATS:
            return None
    return names, str(fmt), values["--output"]


def _staged_without_click(names: list[str], fmt: str, output: str | None) -> int:
    from scanner.sources.staged import read_change
    change = read_change(names)
    if fmt == "text" and output is None and is_clean(change):
        print(NO_FINDINGS)
        return 0
    from scanner.pipeline import Options
    return run_staged(names, Options(fmt=fmt, output=output), change)


def main() -> None:
    """``yardguard``: ``staged [FILE...]`` (with at most --format/--output) runs here without click: the
    lean answer when the change mentions no keyword, else the full scan. Everything else goes to the
    click CLI."""
    args = sys.argv[1:]
    lean = hook_arguments(args[1:]) if args[:1] == ["staged"] else None
    if lean is not None:
        from scanner.errors import guarded
        sys.exit(guarded(lambda: _staged_without_click(*lean)))
    from scanner.cli import main as cli_main
    cli_main()

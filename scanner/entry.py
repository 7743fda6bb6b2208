"""Console entry point, and the hot paths through it without click (~25 ms to import).

``yardguard staged [FILE...]`` runs on every commit, ``yardguard history`` in CI and ``yardguard scan``
over whole trees, so with no other options than those in :data:`LEAN_OPTIONS` they never import click.
Almost every staged change mentions no rule keyword at all, and that answer needs only git, the (cached)
rule files and a substring search: :func:`is_clean` gives it without importing regex or the pipeline
either. A change that does mention a keyword gets the full scan (:func:`run_staged`, shared with the click
command). The clean answer does not compile the rules' regexes: a broken regex is reported by the next full
run. Everything else goes to :mod:`scanner.cli`.
"""
from __future__ import annotations

import os
import sys
import time

STARTED = time.monotonic()
"""When this process started running yardguard (pre-receive counts its time budget from here)."""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from scanner.engine import KeywordMatcher
    from scanner.options import Options
    from scanner.sources.staged import StagedChange

NO_FINDINGS = "no Trackyard keys found"
LIGHT_LIMIT = 1 << 20
"""A staged change up to this size (bytes of hunks) is searched for keywords without importing anything."""
HOOK_ADVICE = """\
yardguard blocked this commit: it adds a Trackyard API key.
  - Remove the key from the file and read it from the TRACKYARD_API_KEY environment variable instead.
  - If this key was ever pushed or shared, rotate it now: https://app.trackyard.com/api-keys
  - A false positive? Add `yardguard:allow` in a comment on that line."""


def _keywords(root: str) -> list[bytes]:
    """Lower-case keywords of every enabled rule, with the repository's config applied."""
    from scanner.config import load_config
    from scanner.rules import all_rule_files, read_rule_file
    config = load_config(root)
    if config.baseline and not os.path.isfile(config.resolve(config.baseline)):
        raise LookupError("baseline missing: let the full CLI report it")
    disabled = set(config.disabled_rules)
    files = all_rule_files([config.resolve(p) for p in config.rules])
    return [k.encode() for f in files for r in read_rule_file(f, examples=False)["rule"]
            if isinstance(r, dict) and r.get("id") not in disabled for k in r.get("keywords", [])]


def _mentions(data: bytes, keywords: KeywordMatcher, literals: list[bytes]) -> bool:
    """``data`` holds a keyword, an encoded keyword, or NUL bytes (binary: its blob must be read whole)."""
    from scanner.decoding.gate import has_literal
    return keywords.any(data) or b"\0" in data or has_literal(data, literals)


def is_clean(change: StagedChange) -> bool:
    """True when the staged change mentions no rule keyword, plain or encoded, and adds no binary file,
    so nothing can match. False means "not sure": the full scan must run (it also reports every
    configuration error). Only the light :mod:`scanner.decoding.gate` is imported, none of the decoders."""
    from scanner.decoding.gate import encoded_literals
    from scanner.errors import YardguardError
    from scanner.engine import KeywordMatcher
    try:
        # a big change is searched with regex or Hyperscan: importing one costs less than lower-casing it
        big = sum(len(a.raw) for a in change.added.values()) > LIGHT_LIMIT
        keywords = KeywordMatcher(_keywords(change.root), light=not big)
    except (YardguardError, LookupError, OSError, KeyError, TypeError, ValueError, AttributeError):
        return False
    literals = encoded_literals(keywords.literals)
    if any(_mentions(a.data, keywords, literals) for a in change.added.values()):
        return False
    whole = [real for _, real in change.whole_files()]
    if not whole:
        return True
    from scanner.sources import files
    if any(os.path.getsize(real) >= files.MMAP_THRESHOLD for real in whole):
        return False  # big files go through the full scan's memory-mapped reader
    return not any(_mentions(files.read_small(real), keywords, literals) for real in whole)


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


def run_pre_receive_hook(options: Options) -> int:
    """``yardguard pre-receive``: read git's stdin and scan the push (see :mod:`scanner.prereceive`)."""
    from scanner.prereceive import run_pre_receive
    lines = [] if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read().splitlines()
    return run_pre_receive(options, lines, os.environ, STARTED)


_DECODING_FLAGS = {"--no-decode": "no_decode", "--no-archives": "no_archives"}
_QUIET_FLAGS = {"--quiet": "quiet", "-q": "quiet"}
LEAN_OPTIONS = {
    "staged": {"--format": "fmt", "--output": "output", "-o": "output", **_QUIET_FLAGS, **_DECODING_FLAGS},
    "history": {"--format": "fmt", "--output": "output", "-o": "output", "--repo": "repo", "--range": "rev_range",
                "--jobs": "jobs", "-j": "jobs", **_QUIET_FLAGS, **_DECODING_FLAGS},
    "scan": {"--format": "fmt", "--output": "output", "-o": "output", "--all-files": "all_files", **_QUIET_FLAGS,
             **_DECODING_FLAGS},
    "pre-receive": {"--format": "fmt", "--output": "output", "-o": "output", "--config": "config",
                    "--baseline": "baseline", "--fail-on": "fail_on", **_DECODING_FLAGS},
}
"""The options each lean command understands, by the name their value goes under; their click twins in
:mod:`scanner.cli` document them."""
LEAN_FLAGS = frozenset({"--all-files", *_QUIET_FLAGS, *_DECODING_FLAGS})
"""The options of :data:`LEAN_OPTIONS` that take no value."""


def lean_arguments(args: list[str]) -> tuple[str, list[str], dict[str, str]] | None:
    """(command, positional arguments, option values by name; a flag given maps to "") for a command line of
    :data:`LEAN_OPTIONS` whose options are all known there, with valid values; None sends it to the click
    CLI (other options, ``--help``, ``-`` for stdin, a bad or missing value: click explains those)."""
    command = args[0] if args else None
    if command not in LEAN_OPTIONS:
        return None
    known = LEAN_OPTIONS[command]
    positional: list[str] = []
    values: dict[str, str] = {}
    it = iter(args[1:])
    for arg in it:
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in known and name in LEAN_FLAGS:
            if eq:
                return None
            values[known[name]] = ""
        elif name in known:
            given = value if eq else next(it, None)
            if given is None:
                return None
            values[known[name]] = given
        elif arg.startswith("-"):
            return None
        else:
            positional.append(arg)
    if command == "history" and positional:
        return None
    if values.get("fmt", "text") != "text":
        from scanner.reporters import FORMATS
        if values["fmt"] not in FORMATS:
            return None
    if "jobs" in values and not (values["jobs"].isdigit() and int(values["jobs"]) >= 1):
        return None
    if values.get("fail_on", "any") not in ("any", "live", "verified", "never"):
        return None
    if command == "pre-receive" and positional:
        return None
    return command, positional, values


def _options(values: dict[str, str]) -> Options:
    from scanner.options import Options
    return Options(fmt=values.get("fmt", "text"), output=values.get("output"), config=values.get("config"),
                   baseline=values.get("baseline"), fail_on=values.get("fail_on"),
                   no_decode="no_decode" in values, no_archives="no_archives" in values, quiet="quiet" in values)


def _run_lean(command: str, positional: list[str], values: dict[str, str]) -> int:
    if command == "staged":
        return _staged_without_click(positional, values)
    options = _options(values)
    if command == "pre-receive":
        return run_pre_receive_hook(options)
    from scanner.collect import DEFAULT_JOBS, run_history, run_scan
    if command == "scan":
        return run_scan(positional, "all_files" in values, options)
    jobs = int(values["jobs"]) if "jobs" in values else DEFAULT_JOBS
    return run_history(values.get("repo", "."), values.get("rev_range"), jobs, options)


def _staged_without_click(names: list[str], values: dict[str, str]) -> int:
    from scanner.progress import Scope
    from scanner.sources.staged import read_change
    scope = Scope()
    change = read_change(names)
    if values.get("fmt", "text") == "text" and values.get("output") is None and is_clean(change):
        if "quiet" not in values:
            change.measure(scope)
            print(NO_FINDINGS)
            print(scope.line(), file=sys.stderr)
        return 0
    return run_staged(names, _options(values), change)


def main() -> None:
    """``yardguard``: ``staged``, ``history``, ``scan`` and ``pre-receive`` with only :data:`LEAN_OPTIONS`
    run here without click; everything else goes to the click CLI."""
    lean = lean_arguments(sys.argv[1:])
    if lean is not None:
        from scanner.errors import guarded
        sys.exit(guarded(lambda: _run_lean(*lean)))
    from scanner.cli import main as cli_main
    cli_main()

"""``yardguard staged``: scan the lines the staged change adds (the pre-commit hook's command).

It runs on every commit. Almost every staged change mentions no rule keyword at all, and that answer needs
only git, the (cached) rule files and a substring search: :func:`is_clean` gives it without importing
regex or the pipeline either (this module imports nothing heavy at load time). A change that does mention a
keyword gets the full scan. The clean answer does not compile the rules' regexes: a broken regex is
reported by the next full run.
"""
from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from scanner.engine import KeywordMatcher
    from scanner.options import Options
    from scanner.run import Run
    from scanner.sources.staged import StagedChange

LIGHT_LIMIT = 1 << 20
"""A staged change up to this size (bytes of hunks) is searched for keywords without importing anything."""


def run(options: Options) -> int:
    """Scan the staged change (narrowed to ``options.paths``), report, and tell a blocked committer what to do.
    With only the lean options and a text report on stdout, a change that mentions no keyword is answered
    without the pipeline. git starts first; what does not depend on the diff is done while it writes it."""
    from scanner.progress import Scope
    from scanner.sources.staged import start_reading
    scope = Scope()
    root, read = start_reading(list(options.paths))
    if _answers_fast(options):
        keywords = light_keywords(root)
        change = read()
        if keywords is not None and is_clean(change, keywords):
            if not options.quiet:
                from scanner.reporters import NO_FINDINGS
                change.measure(scope)
                print(NO_FINDINGS)
                print(scope.line(), file=sys.stderr)
            return 0
        prepared = _prepare(root, options)
    else:  # the full run whatever the change holds: its imports and settings while git works
        prepared = _prepare(root, options)
        change = read()
    if isinstance(prepared, Exception):  # a bad setting, reported after any git failure, as before
        raise prepared
    from scanner.collect import scan_staged
    from scanner.commands.report import finish
    code = finish(prepared, scan_staged(prepared, change), "staged")
    if code == 1 and options.fmt == "text":
        from scanner.reporters.advice import blocked_commit
        print(blocked_commit(), file=sys.stderr)
    return code


def _prepare(root: str, options: Options) -> Run | Exception:
    """The pipeline's settings for the work tree at ``root``, or the error preparing them raised."""
    from scanner.pipeline import prepare
    try:
        return prepare(root, options)
    except Exception as e:  # raised by the caller once the diff is read
        return e


def _answers_fast(options: Options) -> bool:
    """A clean change's answer needs no pipeline: a text report on stdout, and no option beyond the lean
    ones (:data:`scanner.options.LEAN`) that could add rules, a baseline, verification or a warning."""
    from scanner.options import COMMANDS, LEAN
    lean = LEAN["staged"]
    return (options.fmt == "text" and options.output is None
            and all(getattr(options, o.name) == o.default for o in COMMANDS["staged"] if o.name not in lean))


def _keywords(root: str) -> list[bytes]:
    """Lower-case keywords of every enabled rule, with the repository's config applied."""
    from scanner.rules import all_rule_files, read_rule_file
    from scanner.trust import load_config
    config = load_config(root)
    if config.baseline and not os.path.isfile(config.resolve(config.baseline)):
        raise LookupError("baseline missing: let the full run report it")
    disabled = set(config.disabled_rules)
    files = all_rule_files([config.resolve(p) for p in config.rules])
    return [k.encode() for f in files for r in read_rule_file(f, examples=False)["rule"]
            if isinstance(r, dict) and r.get("id") not in disabled for k in r.get("keywords", [])]


def _mentions(data: bytes, keywords: KeywordMatcher, literals: list[bytes]) -> bool:
    """``data`` holds a keyword, an encoded keyword, or NUL bytes (binary: its blob must be read whole)."""
    from scanner.decoding.gate import has_literal
    return keywords.any(data) or b"\0" in data or has_literal(data, literals)


def light_keywords(root: str) -> KeywordMatcher | None:
    """The keywords of every enabled rule of the repository at ``root`` (config applied), matched without
    regex, or None when its config or rules cannot say (the full run reports why)."""
    from scanner.engine import KeywordMatcher
    from scanner.errors import YardguardError
    try:
        return KeywordMatcher(_keywords(root), light=True)
    except (YardguardError, LookupError, OSError, KeyError, TypeError, ValueError, AttributeError):
        return None


def is_clean(change: StagedChange, keywords: KeywordMatcher) -> bool:
    """True when the staged change mentions none of ``keywords`` (:func:`light_keywords`), plain or
    encoded, and adds no binary file, so nothing can match. False means "not sure": the full scan must
    run (it also reports every configuration error). Only the light :mod:`scanner.decoding.gate` is
    imported, none of the decoders."""
    from scanner.decoding.gate import archive_literals, encoded_literals
    from scanner.engine import KeywordMatcher, minimal_keywords
    # a big change is searched with regex or Hyperscan: importing one costs less than lower-casing it
    if sum(len(a.raw) for a in change.added.values()) > LIGHT_LIMIT:
        keywords = KeywordMatcher(keywords.literals)
    # the full scan's decoder gates on the encoded forms of the keywords that contain no other (a longer
    # keyword's forms contain them): the same literals, a fraction of the work
    literals = encoded_literals(k.encode("latin-1") for k in minimal_keywords(k.decode("latin-1")
                                                                               for k in keywords.literals))
    literals += archive_literals()  # a base64-encoded zip shows no keyword, only its first bytes' base64
    # the raw hunks hold every added line (and the removed ones: at worst the full scan runs for nothing),
    # so a literal without a newline that is in the added lines is in them too
    raw = not any(b"\n" in k for k in (*keywords.literals, *literals))
    if any(_mentions(a.raw if raw else a.data, keywords, literals) for a in change.added.values()):
        return False
    whole = [real for _, real in change.whole_files()]
    if not whole:
        return True
    from scanner.sources import files
    if any(os.path.getsize(real) >= files.MMAP_THRESHOLD for real in whole):
        return False  # big files go through the full scan's memory-mapped reader
    return not any(_mentions(files.read_small(real), keywords, literals) for real in whole)

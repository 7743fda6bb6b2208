"""Where the settings of a scan come from: for paths, the repository around them; for history ranges under
review, the trusted revision they build on (never the commits under review)."""
from __future__ import annotations

import os

from scanner.pipeline import prepare

TYPE_CHECKING = False
if TYPE_CHECKING:
    from scanner.options import Options
    from scanner.run import Run


def repository_root(targets: list[str]) -> str:
    """The work tree around the first target that is not stdin (``-``): a directory's own, a file's
    directory's; else the current directory. Its config, rules and baseline apply, and findings are
    reported relative to it, so ``scan`` and ``baseline`` of the same paths agree."""
    from scanner import gitutil
    first = next((t for t in targets if t != "-"), ".")
    return gitutil.toplevel(first if os.path.isdir(first) else os.path.dirname(first) or ".") or os.getcwd()


def range_trust(root: str | os.PathLike[str], rev_ranges: list[str]) -> tuple[str, list[str]]:
    """(trusted revision, commits under review) for history ranges (``history --range``, a push): ``A``
    of the first ``A..B``; for single REVs (their commits on no remote), the published commit they
    build on."""
    from scanner.revision_config import published_base
    from scanner.sources.history import parse_range
    heads = [r.partition("..")[2] or r for r in rev_ranges]
    for rev_range in rev_ranges:
        base, _ = parse_range(root, rev_range)
        if base is not None:
            return base, heads
    return published_base(root, heads, ["--remotes"]), heads


def prepare_for_ranges(root: str, options: Options, rev_ranges: list[str]) -> Run:
    """The run for scanning ``rev_ranges`` of ``root``: its config, rules and baseline as the trusted revision
    has them (:func:`range_trust`), the operator's options laid over; with no range, the work tree's."""
    return prepare(root, options, *range_trust(root, rev_ranges)) if rev_ranges else prepare(root, options)

"""``yardguard history``: scan every blob and commit message of a repository, or what a range introduces."""
from __future__ import annotations

from scanner import gitutil
from scanner.collect import range_trust, scan_history
from scanner.commands.report import finish
from scanner.options import Options
from scanner.pipeline import prepare


def run(options: Options) -> int:
    """Scan ``options.repo`` (only ``options.rev_range`` when given, with the settings of the range's base),
    report, and return the exit code."""
    root = gitutil.require_repo(options.repo)
    rev_range = options.rev_range
    prepared = prepare(root, options, *range_trust(root, [rev_range])) if rev_range else prepare(root, options)
    return finish(prepared, scan_history(prepared, root, rev_range, options.jobs), "history")

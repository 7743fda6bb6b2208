"""``yardguard history``: scan every blob and commit message of a repository, or what a range introduces."""
from __future__ import annotations

from scanner import gitutil
from scanner.collect import scan_history
from scanner.commands.report import finish
from scanner.commands.targets import prepare_for_ranges
from scanner.options import Options


def run(options: Options) -> int:
    """Scan ``options.repo`` (only ``options.rev_range`` when given, with the settings of the range's base),
    report, and return the exit code."""
    root = gitutil.require_repo(options.repo)
    rev_range = options.rev_range
    prepared = prepare_for_ranges(root, options, [rev_range] if rev_range else [])
    return finish(prepared, scan_history(prepared, root, rev_range, options.jobs), "history")

"""``yardguard history``: scan every blob and commit message of a repository, or what a range introduces."""
from __future__ import annotations

from scanner import gitutil
from scanner.options import Options


def run(options: Options) -> int:
    """Scan ``options.repo`` (only ``options.rev_range`` when given, with the settings of the range's base),
    report, and return the exit code. A whole history's objects are listed from the start, while the run
    is prepared."""
    root = gitutil.require_repo(options.repo)
    rev_range = options.rev_range
    from scanner.sources.history import Listing
    listing = Listing(root) if not rev_range and options.jobs > 1 else None
    try:
        from scanner.collect import scan_history
        from scanner.commands.report import finish
        from scanner.commands.targets import prepare_for_ranges
        prepared = prepare_for_ranges(root, options, [rev_range] if rev_range else [])
        found = scan_history(prepared, root, rev_range, options.jobs, listing)
    finally:
        if listing is not None:
            listing.close()
    return finish(prepared, found, "history")

"""``yardguard history``: scan every blob and commit message of a repository, or what a range introduces."""
from __future__ import annotations

from scanner import gitutil
from scanner.options import Options


def run(options: Options) -> int:
    """Scan ``options.repo`` (only ``options.rev_range`` when given, with the settings of the range's base),
    report, and return the exit code. For a whole history, git lists the objects from the start (before
    the repository is checked: git lists nothing outside one) and writes the attribution log while the run
    is prepared."""
    whole = not options.rev_range
    from scanner.sources.history_start import Listing, Log
    listing = Listing(options.repo) if whole and options.jobs > 1 else None
    log = None
    try:
        root = gitutil.require_repo(options.repo)
        log = Log(root) if whole else None
        from scanner.collect import scan_history
        from scanner.commands.report import finish
        from scanner.commands.targets import prepare_for_ranges
        prepared = prepare_for_ranges(root, options, [options.rev_range] if options.rev_range else [])
        found = scan_history(prepared, root, options.rev_range, options.jobs, listing, log)
    finally:
        for started in (listing, log):
            if started is not None:
                started.close()
    return finish(prepared, found, "history")

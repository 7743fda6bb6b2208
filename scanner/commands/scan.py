"""``yardguard scan``: scan files and directories (default ``.``); ``-`` reads stdin."""
from __future__ import annotations

from scanner.collect import scan_paths
from scanner.commands.report import finish
from scanner.commands.targets import repository_root
from scanner.options import Options
from scanner.pipeline import prepare


def run(options: Options) -> int:
    """Scan ``options.paths`` with the settings of the repository around them, report, return the exit code."""
    targets = list(options.paths) or ["."]
    prepared = prepare(repository_root(targets), options)
    return finish(prepared, scan_paths(prepared, targets, options.all_files), "scan")

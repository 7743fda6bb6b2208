"""``yardguard baseline``: write the current findings to a baseline file (no secrets, no line numbers)."""
from __future__ import annotations

import sys

from scanner import baseline as baseline_file
from scanner import gitutil
from scanner.collect import scan_history, scan_paths
from scanner.commands.report import write_output
from scanner.commands.targets import repository_root
from scanner.options import Options
from scanner.pipeline import keep, prepare


def run(options: Options) -> int:
    """Take the findings of ``options.paths`` (or the whole history of ``options.repo`` with
    ``from_history``), as ``scan``/``history`` would report them, and write them to ``options.output``."""
    if options.from_history:
        root = gitutil.require_repo(options.repo)
        prepared = prepare(root, options)
        found = scan_history(prepared, root, None)
    else:
        targets = list(options.paths) or ["."]
        prepared = prepare(repository_root(targets), options)
        found = scan_paths(prepared, targets, options.all_files)
    findings = keep(prepared, found)
    write_output(baseline_file.dumps(findings), options.output)
    print(f"wrote {len(baseline_file.entries(findings))} baseline entries to {options.output}", file=sys.stderr)
    return 0

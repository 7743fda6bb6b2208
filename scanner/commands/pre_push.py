"""``yardguard pre-push``: scan the commits being pushed (git's pre-push stdin, or pre-commit's
``PRE_COMMIT_*_REF``)."""
from __future__ import annotations

import os
import sys

from scanner import gitutil
from scanner.collect import scan_history
from scanner.commands.report import finish
from scanner.commands.targets import prepare_for_ranges
from scanner.errors import YardguardError
from scanner.findings import dedupe_locations
from scanner.options import Options
from scanner.sources.push import push_ranges


def run(options: Options) -> int:
    """Scan what the push publishes, with the settings as published (never as the pushed commits have
    them), report, and return the exit code."""
    root = gitutil.toplevel(".")
    if root is None:
        raise YardguardError("not inside a git work tree")
    lines = [] if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read().splitlines()
    ranges = push_ranges(os.environ, lines, root)
    prepared = prepare_for_ranges(root, options, ranges)
    # a branch and a tag pushed on the same commit would report each key twice
    found = dedupe_locations(f for r in ranges for f in scan_history(prepared, root, r))
    return finish(prepared, found, "pre-push")

"""Where the settings of a scan of some paths come from: the repository around them."""
from __future__ import annotations

import os


def repository_root(targets: list[str]) -> str:
    """The work tree around the first target that is not stdin (``-``): a directory's own, a file's
    directory's; else the current directory. Its config, rules and baseline apply, and findings are
    reported relative to it, so ``scan`` and ``baseline`` of the same paths agree."""
    from scanner import gitutil
    first = next((t for t in targets if t != "-"), ".")
    return gitutil.toplevel(first if os.path.isdir(first) else os.path.dirname(first) or ".") or os.getcwd()

"""``yardguard install-hooks``: install the native pre-commit and pre-push hooks, or the server's pre-receive
hook (see :mod:`scanner.hookinstall`)."""
from __future__ import annotations

from pathlib import Path

from scanner.hookinstall import install, install_server
from scanner.options import Options


def run(options: Options) -> int:
    """Install into ``options.repo`` (with ``server``: the pre-receive hook, passing the operator's
    ``config``) and say what was done."""
    repo, force = Path(options.repo), options.force
    for line in install_server(repo, force, options.config) if options.server else install(repo, force):
        print(line)
    return 0

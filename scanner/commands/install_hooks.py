"""``yardguard install-hooks``: install the native pre-commit and pre-push hooks, or the server's pre-receive
hook (see :mod:`scanner.hookinstall`)."""
from __future__ import annotations

from pathlib import Path

from scanner.hookinstall import install, install_server


def run(repo: str, force: bool, server: bool, config: str | None) -> int:
    """Install into ``repo`` (``server``: the pre-receive hook, passing the operator's ``config``) and say
    what was done."""
    for line in install_server(Path(repo), force, config) if server else install(Path(repo), force):
        print(line)
    return 0

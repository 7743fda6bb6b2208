"""``yardguard install-hooks``: copy the native git hooks into a repository, safely and idempotently."""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from scanner import gitutil
from scanner.errors import YardguardError
from scanner.prereceive import SKIP_OPTION

_PACKAGE = Path(__file__).resolve().parent
HOOKS_DIR = _PACKAGE / "hooks" if (_PACKAGE / "hooks").is_dir() else _PACKAGE.parent / "hooks"
HOOK_NAMES = ("pre-commit", "pre-push")
MARKER = b"yardguard-hook"


def hooks_dir(repo: Path) -> Path:
    """The directory git runs hooks from (``core.hooksPath`` honoured)."""
    gitutil.require_repo(repo)
    out = os.fsdecode(gitutil.hooks_path(repo))
    path = Path(out)
    return path if path.is_absolute() else repo / path


def install(repo: Path, force: bool = False) -> Iterator[str]:
    """Install each hook; a foreign hook is kept as ``<name>.yardguard-backup`` only with ``force``."""
    target_dir = hooks_dir(repo)
    target_dir.mkdir(parents=True, exist_ok=True)
    for name in HOOK_NAMES:
        yield _write(target_dir / name, (HOOKS_DIR / name).read_bytes(), force)


def _write(target: Path, new: bytes, force: bool) -> str:
    """Write one hook (executable); an existing foreign hook needs ``force`` and is kept as a backup."""
    if target.exists():
        old = target.read_bytes()
        if old == new:
            return f"{target}: already installed"
        if MARKER not in old:
            if not force:
                raise YardguardError(f"{target} exists and is not yardguard's; use --force "
                                     "(the old hook is kept as .yardguard-backup)")
            shutil.copy2(target, target.with_name(target.name + ".yardguard-backup"))
    target.write_bytes(new)
    os.chmod(target, 0o755)
    return f"{target}: installed"


def yardguard_command() -> list[str]:
    """The absolute command that runs this yardguard: its console script beside this Python, else
    ``python -m scanner`` with this Python."""
    import sys
    script = Path(sys.executable).parent / "yardguard"
    return [str(script)] if os.access(script, os.X_OK) else [sys.executable, "-m", "scanner"]


def server_hook(config: str | None = None) -> bytes:
    """The text of the server-side pre-receive hook."""
    import shlex
    argv = [*yardguard_command(), "pre-receive"] + (["--config", os.path.abspath(config)] if config else [])
    return (f"#!/bin/sh\n# {MARKER.decode()}: reject pushes that add a Trackyard API key (installed by "
            "`yardguard install-hooks --server`).\n"
            "# git passes \"<old> <new> <ref>\" lines on stdin; exit 1 rejects the push.\n"
            f"exec {shlex.join(argv)}\n").encode()


def install_server(repo: Path, force: bool = False, config: str | None = None) -> Iterator[str]:
    """Install the pre-receive hook into a bare repository, and let pushes carry ``-o yardguard.skip``
    (``receive.advertisePushOptions``)."""
    if gitutil.git(repo, "rev-parse", "--is-bare-repository", check=False).strip() != b"true":
        raise YardguardError(f"{repo} is not a bare repository (a server's repository, e.g. project.git)")
    if config and not os.path.isfile(config):
        raise YardguardError(f"config file not found: {config}")
    target_dir = hooks_dir(repo)
    target_dir.mkdir(parents=True, exist_ok=True)
    yield _write(target_dir / "pre-receive", server_hook(config), force)
    gitutil.git(repo, "config", "receive.advertisePushOptions", "true")
    yield f"{repo}: receive.advertisePushOptions = true (for git push -o {SKIP_OPTION})"

"""``yardguard install-hooks``: copy the native git hooks into a repository, safely and idempotently.

Like pre-commit pins its interpreter, each client hook is written with the absolute path of the yardguard
that installs it, so commits work without the virtualenv activated; the hook falls back to ``yardguard`` on
PATH when that path is gone. ``--force`` keeps a foreign hook as ``<hook>.yardguard-backup``, which the
installed pre-commit and pre-push hooks run after their own check passes."""
from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

from scanner import gitutil
from scanner.errors import YardguardError
from scanner.sources.push import SKIP_OPTION

_PACKAGE = Path(__file__).resolve().parent
HOOKS_DIR = _PACKAGE / "hooks" if (_PACKAGE / "hooks").is_dir() else _PACKAGE.parent / "hooks"
HOOK_NAMES = ("pre-commit", "pre-push")
MARKER = b"yardguard-hook"
PIN = b"YARDGUARD=''"
"""The line of a hook template that :func:`render` fills in with the installing yardguard's path."""
BACKUP_SUFFIX = ".yardguard-backup"


def hooks_dir(repo: Path) -> Path:
    """The directory git runs hooks from (``core.hooksPath`` honoured)."""
    gitutil.require_repo(repo)
    out = os.fsdecode(gitutil.hooks_path(repo))
    path = Path(out)
    return path if path.is_absolute() else repo / path


def own_command() -> str | None:
    """The absolute path of the ``yardguard`` script running now (or the one beside this interpreter, for
    ``python -m scanner``); None when there is none."""
    candidates = [sys.argv[0]] if os.path.basename(sys.argv[0]).startswith("yardguard") else []
    candidates.append(os.path.join(os.path.dirname(sys.executable), "yardguard"))
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)
    return None


def render(name: str, command: str | None) -> bytes:
    """The client hook ``name`` with ``command`` pinned (left empty: PATH only)."""
    template = (HOOKS_DIR / name).read_bytes()
    if command is None:
        return template
    return template.replace(PIN, b"YARDGUARD=" + shlex.quote(command).encode(), 1)


def install(repo: Path, force: bool = False, command: str | None = None) -> Iterator[str]:
    """Install each client hook pinned to ``command`` (default :func:`own_command`). A yardguard hook is
    replaced; a foreign one only with ``force``, kept as ``<name>.yardguard-backup`` and chained."""
    target_dir = hooks_dir(repo)
    target_dir.mkdir(parents=True, exist_ok=True)
    command = command or own_command()
    runs = f" (runs {command})" if command else " (runs yardguard from PATH)"
    for name in HOOK_NAMES:
        for line in _write(target_dir / name, render(name, command), force):
            yield line + (runs if line.endswith(": installed") else "")


def _write(target: Path, new: bytes, force: bool) -> Iterator[str]:
    """Write one hook (executable); an existing foreign hook needs ``force`` and is kept as a backup."""
    if target.exists():
        old = target.read_bytes()
        if old == new:
            yield f"{target}: already installed"
            return
        if MARKER not in old:
            if not force:
                raise YardguardError(f"{target} exists and is not yardguard's; use --force "
                                     f"(the old hook is kept as {target.name}{BACKUP_SUFFIX})")
            backup = target.with_name(target.name + BACKUP_SUFFIX)
            os.replace(target, backup)
            yield f"{target}: previous hook kept as {backup.name}"
    target.write_bytes(new)
    os.chmod(target, 0o755)
    yield f"{target}: installed"


def yardguard_command() -> list[str]:
    """The absolute command that runs this yardguard: its console script, else ``python -m scanner`` with
    this Python."""
    script = own_command()
    return [script] if script else [sys.executable, "-m", "scanner"]


def server_hook(config: str | None = None) -> bytes:
    """The text of the server-side pre-receive hook."""
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
    yield from _write(target_dir / "pre-receive", server_hook(config), force)
    gitutil.git(repo, "config", "receive.advertisePushOptions", "true")
    yield f"{repo}: receive.advertisePushOptions = true (for git push -o {SKIP_OPTION})"

"""``yardguard install-hooks``: copy the native git hooks into a repository, safely and idempotently."""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from scanner import gitutil
from scanner.errors import YardguardError

_PACKAGE = Path(__file__).resolve().parent
HOOKS_DIR = _PACKAGE / "hooks" if (_PACKAGE / "hooks").is_dir() else _PACKAGE.parent / "hooks"
HOOK_NAMES = ("pre-commit", "pre-push")
MARKER = b"yardguard-hook"


def hooks_dir(repo: Path) -> Path:
    """The directory git runs hooks from (``core.hooksPath`` honoured)."""
    gitutil.require_repo(repo)
    out = gitutil.git(repo, "rev-parse", "--git-path", "hooks").decode().strip()
    path = Path(out)
    return path if path.is_absolute() else repo / path


def install(repo: Path, force: bool = False) -> Iterator[str]:
    """Install each hook; a foreign hook is kept as ``<name>.yardguard-backup`` only with ``force``."""
    target_dir = hooks_dir(repo)
    target_dir.mkdir(parents=True, exist_ok=True)
    for name in HOOK_NAMES:
        source, target = HOOKS_DIR / name, target_dir / name
        new = source.read_bytes()
        if target.exists():
            old = target.read_bytes()
            if old == new:
                yield f"{target}: already installed"
                continue
            if MARKER not in old:
                if not force:
                    raise YardguardError(f"{target} exists and is not yardguard's; use --force "
                                         "(the old hook is kept as .yardguard-backup)")
                shutil.copy2(target, target.with_name(name + ".yardguard-backup"))
        target.write_bytes(new)
        os.chmod(target, 0o755)
        yield f"{target}: installed"

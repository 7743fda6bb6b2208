"""Files, directories and stdin. Every file is read as bytes (binaries too); big ones through mmap."""
from __future__ import annotations

import mmap
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scanner import gitutil
from scanner.engine import Buffer
from scanner.errors import YardguardError

MMAP_THRESHOLD = 8 << 20  # files above this are mapped, not read, so memory stays flat


@dataclass(frozen=True)
class FileEntry:
    """A file to scan: ``shown`` is the path as reported, ``real`` where to read it."""

    shown: str
    real: Path
    size: int


def _posix(path: str) -> str:
    return path.replace(os.sep, "/") if os.sep != "/" else path


def _regular(path: Path) -> os.stat_result | None:
    try:
        st = path.lstat()
    except OSError:
        return None
    return st if stat.S_ISREG(st.st_mode) else None  # never follows a symlink; skips fifos, devices


def _git_listed(directory: Path) -> list[str] | None:
    """Tracked and untracked-but-not-ignored files below ``directory``, or None outside a work tree."""
    if gitutil.toplevel(directory) is None:
        return None
    out = gitutil.git(directory, "-c", "core.quotepath=off", "ls-files", "-z", "--cached", "--others",
                      "--exclude-standard", "--deduplicate")
    return [os.fsdecode(p) for p in out.split(b"\0") if p]


def _walked(directory: Path) -> Iterator[str]:
    for root, dirs, files in os.walk(directory, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        rel = os.path.relpath(root, directory)
        for name in sorted(files):
            yield name if rel == "." else os.path.join(rel, name)


def list_files(paths: list[str], all_files: bool = False) -> Iterator[FileEntry]:
    """Files under ``paths``: git-ignored files skipped unless ``all_files``; no symlinks followed.

    Reported paths are relative to a directory argument, or as given for a file argument."""
    for arg in paths:
        p = Path(arg)
        if p.is_dir():
            listed = None if all_files else _git_listed(p)
            for rel in (listed if listed is not None else _walked(p)):
                st = _regular(p / rel)
                if st is not None:
                    yield FileEntry(_posix(rel), p / rel, st.st_size)
        elif p.exists():
            st = p.stat()  # an explicitly named file (or link to one) is read
            if not stat.S_ISREG(st.st_mode):
                raise YardguardError(f"not a regular file: {arg}")
            yield FileEntry(_posix(arg), p, st.st_size)
        else:
            raise YardguardError(f"no such file or directory: {arg}")


@contextmanager
def open_buffer(entry: FileEntry) -> Iterator[Buffer]:
    """The file's bytes: read whole when small, memory-mapped when large (never all in memory)."""
    with open(entry.real, "rb") as f:
        if entry.size < MMAP_THRESHOLD:
            yield f.read()
            return
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
            yield m


def read_stdin() -> bytes:
    """All of standard input as bytes."""
    return sys.stdin.buffer.read()

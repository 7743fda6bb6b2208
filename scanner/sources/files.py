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


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return path.lstat()  # never follows a symlink
    except OSError:
        return None


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


def _dir_files(directory: Path, all_files: bool) -> Iterator[tuple[str, int]]:
    """(relative path, size) of the regular files below ``directory``; fifos, devices and symlinks are
    skipped. A nested repository or submodule checkout, which git lists as a directory, is entered."""
    listed = None if all_files else _git_listed(directory)
    for rel in (listed if listed is not None else _walked(directory)):
        st = _lstat(directory / rel)
        if st is None:
            continue
        if stat.S_ISREG(st.st_mode):
            yield rel, st.st_size
        elif stat.S_ISDIR(st.st_mode) and (directory / rel / ".git").exists():
            inner = rel.rstrip("/")
            for sub, size in _dir_files(directory / inner, all_files):
                yield f"{inner}/{sub}", size


def list_files(paths: list[str], all_files: bool = False) -> Iterator[FileEntry]:
    """Files under ``paths``: git-ignored files skipped unless ``all_files``; no symlinks followed.

    Reported paths are relative to a directory argument, or as given for a file argument."""
    for arg in paths:
        p = Path(arg)
        if p.is_dir():
            for rel, size in _dir_files(p, all_files):
                yield FileEntry(_posix(rel), p / rel, size)
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

"""Files, directories and stdin. Every file is read as bytes (binaries too); big ones through mmap."""
from __future__ import annotations

import mmap
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from scanner import gitutil
from scanner.engine import Buffer
from scanner.errors import YardguardError

MMAP_THRESHOLD = 8 << 20  # files above this are mapped, not read, so memory stays flat
_CHUNK = 1 << 20
_NOFOLLOW = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)  # a file swapped for a symlink after listing is not read


class FileEntry:
    """A file to scan: ``shown`` is the path as reported, ``real`` where to read it."""

    __slots__ = ("shown", "real", "size")

    def __init__(self, shown: str, real: str, size: int) -> None:
        self.shown, self.real, self.size = shown, real, size


def _posix(path: str) -> str:
    return path.replace(os.sep, "/") if os.sep != "/" else path


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)  # never follows a symlink
    except OSError:
        return None


def _git_listed(directory: str) -> list[str] | None:
    """Tracked and untracked-but-not-ignored files below ``directory``, or None outside a work tree."""
    if gitutil.toplevel(directory) is None:
        return None
    out = gitutil.git(directory, "-c", "core.quotepath=off", "ls-files", "-z", "--cached", "--others",
                      "--exclude-standard", "--deduplicate")
    return [os.fsdecode(p) for p in out.split(b"\0") if p]


def _walked(directory: str) -> Iterator[str]:
    for root, dirs, files in os.walk(directory, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        rel = os.path.relpath(root, directory)
        for name in sorted(files):
            yield name if rel == "." else os.path.join(rel, name)


def _real_dirs(directory: str, rel: str, known: dict[str, bool]) -> bool:
    """True when every directory between ``directory`` and the file ``rel`` is a real directory, not a
    symlink: git lists paths from the index, and the work tree may have replaced ``a/`` of ``a/b.txt`` by a
    link to anywhere. Each directory is checked once (``known``)."""
    parent = os.path.dirname(rel)
    if not parent:
        return True
    ok = known.get(parent)
    if ok is None:
        st = _lstat(os.path.join(directory, parent))
        ok = known[parent] = st is not None and stat.S_ISDIR(st.st_mode) and _real_dirs(directory, parent, known)
    return ok


def _dir_files(directory: str, all_files: bool) -> Iterator[tuple[str, int]]:
    """(relative path, size) of the regular files below ``directory``; fifos, devices and symlinks are
    skipped, and so is a file below a directory that is a symlink. A nested repository or submodule
    checkout, which git lists as a directory, is entered."""
    listed = None if all_files else _git_listed(directory)
    known: dict[str, bool] = {}
    for rel in (listed if listed is not None else _walked(directory)):
        if not _real_dirs(directory, rel, known):
            continue
        full = os.path.join(directory, rel)
        st = _lstat(full)
        if st is None:
            continue
        if stat.S_ISREG(st.st_mode):
            yield rel, st.st_size
        elif stat.S_ISDIR(st.st_mode) and os.path.exists(os.path.join(full, ".git")):
            inner = rel.rstrip("/")
            for sub, size in _dir_files(os.path.join(directory, inner), all_files):
                yield f"{inner}/{sub}", size


def list_files(paths: list[str], all_files: bool = False) -> Iterator[FileEntry]:
    """Files under ``paths``: git-ignored files skipped unless ``all_files``; no symlinks followed.

    Reported paths are relative to a directory argument, or as given for a file argument."""
    for arg in paths:
        if os.path.isdir(arg):
            for rel, size in _dir_files(arg, all_files):
                yield FileEntry(_posix(rel), os.path.join(arg, rel), size)
        elif os.path.exists(arg):
            st = os.stat(arg)  # an explicitly named file (or link to one) is read
            if not stat.S_ISREG(st.st_mode):
                raise YardguardError(f"not a regular file: {arg}")
            yield FileEntry(_posix(arg), arg, st.st_size)
        else:
            raise YardguardError(f"no such file or directory: {arg}")


def read_small(path: str) -> bytes:
    """A file below :data:`MMAP_THRESHOLD`, whole (``os.read``: measured fastest for thousands of small
    files)."""
    fd = os.open(path, _NOFOLLOW)
    try:
        chunks = []
        while chunk := os.read(fd, _CHUNK):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


@contextmanager
def mapped(path: str) -> Iterator[Buffer]:
    """A large file memory-mapped (never all in memory)."""
    with open(os.open(path, _NOFOLLOW), "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        yield m


def read_stdin() -> bytes:
    """All of standard input as bytes."""
    return sys.stdin.buffer.read()

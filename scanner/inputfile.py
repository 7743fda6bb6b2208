"""Reading a file that a config or the command line names (rule file, config, baseline, cache, report):
a regular file under :data:`MAX_SIZE`, never a device or a fifo, never read without a bound."""
from __future__ import annotations

import errno
import os
import stat

MAX_SIZE = 32 << 20
"""Bytes a named input file may hold (docs/configuration.md)."""


def check(fd: int) -> os.stat_result:
    """The ``fstat`` of an open input file; :class:`OSError` unless it is a regular file of at most
    :data:`MAX_SIZE` bytes."""
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        raise OSError(errno.EINVAL, "not a regular file")
    if st.st_size > MAX_SIZE:
        raise OSError(errno.EFBIG, f"larger than {MAX_SIZE >> 20} MiB")
    return st


def open_regular(path: str | os.PathLike[str]) -> int:
    """A read-only descriptor of ``path`` once :func:`check` passes (opening a fifo does not wait for a
    writer); the caller closes it."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        check(fd)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_fd(fd: int) -> bytes:
    """Everything in an open input file, but never more than :data:`MAX_SIZE` bytes (it may grow)."""
    chunks, left = [], MAX_SIZE + 1
    while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
        chunks.append(chunk)
        left -= len(chunk)
    if left <= 0:
        raise OSError(errno.EFBIG, f"larger than {MAX_SIZE >> 20} MiB")
    return b"".join(chunks)


def read(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a named input file; :class:`OSError` (with a ``strerror`` fit to show) otherwise."""
    fd = open_regular(path)
    try:
        return read_fd(fd)
    finally:
        os.close(fd)

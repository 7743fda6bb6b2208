"""Several ``git cat-file --batch`` outputs read by one thread, from whichever has data: each git reads its
share of the packs on a core of its own, and the objects are scanned in one thread, with no lock handed
between scanning threads for every object.

Each output is read into a buffer of its own that is used again and again, and an object's content is a
view into it (no new memory per read, no copy per object): valid until the next object is asked for."""
from __future__ import annotations

import os
import select

from scanner.errors import YardguardError
from scanner.gitutil import Unread

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

BUFFER = 1 << 20
"""Bytes of each output's buffer: a pipe's whole content (gitutil grows pipes to 1 MiB). A bigger object
is read into memory of its own."""

Content = memoryview | Unread


class _Pipe:
    """One git's output: its buffer, and how much of it holds bytes not yet parsed."""

    __slots__ = ("fd", "buffer", "view", "end")

    def __init__(self, fd: int) -> None:
        self.fd, self.buffer, self.end = fd, bytearray(BUFFER), 0
        self.view = memoryview(self.buffer)


def read_batches(fds: list[int], stream_over: int) -> Iterator[tuple[bytes, bytes, Content]]:
    """(oid, type, content) of every object the ``cat-file --batch`` outputs on ``fds`` carry, in each one's
    order, the outputs interleaved as they arrive. The content is a view valid until the next triple is
    asked for; a blob over ``stream_over`` bytes is an :class:`Unread` to read before then (what is left
    of it is skipped). ``<oid> missing`` lines are skipped. An output that ends inside an object is an
    error (git went away: its exit status says why)."""
    pipes = {fd: _Pipe(fd) for fd in fds}
    poller = select.poll() if hasattr(select, "poll") else None  # elsewhere: one output after the other
    for fd in pipes:
        if poller is not None:
            poller.register(fd, select.POLLIN)
    while pipes:
        for fd in [fd for fd, _ in poller.poll()] if poller is not None else [next(iter(pipes))]:
            pipe = pipes.get(fd)
            if pipe is None:
                continue
            got = os.readv(fd, [pipe.view[pipe.end:]])
            if not got:
                if poller is not None:
                    poller.unregister(fd)
                del pipes[fd]
                if pipe.end:
                    raise YardguardError("git cat-file stopped in the middle of an object")
                continue
            pipe.end += got
            yield from _objects(pipe, stream_over)


def _objects(pipe: _Pipe, stream_over: int) -> Iterator[tuple[bytes, bytes, Content]]:
    """The whole objects in ``pipe``'s buffer; what follows the last one moves to the buffer's start."""
    buffer, view, end, pos = pipe.buffer, pipe.view, pipe.end, 0
    find = buffer.find
    while (newline := find(b"\n", pos, end)) >= 0:
        parts = bytes(view[pos:newline]).split()
        if len(parts) < 3:  # "<oid> missing"
            pos = newline + 1
            continue
        oid, kind, size = parts[0], parts[1], int(parts[2])
        start, stop = newline + 1, newline + 1 + size  # stop: where its closing newline is
        if stop < end:
            yield oid, kind, view[start:stop]
            pos = stop + 1
            continue
        if size > stream_over and kind == b"blob":
            blob = _streamed(pipe.fd, view[start:end], size)
            yield oid, kind, blob
            blob.skip()
        elif stop + 1 - pos > len(buffer):  # bigger than the buffer: in memory of its own
            yield oid, kind, _whole(pipe.fd, view[start:end], size)
        else:  # not all here yet
            break
        pos = end = 0
        _newline(pipe.fd)
    rest = end - pos
    if rest and pos:
        buffer[:rest] = buffer[pos:end]
    pipe.end = rest


def _streamed(fd: int, head: memoryview, size: int) -> Unread:
    """A big blob whose first bytes are ``head``, the rest read from ``fd`` as it is asked for."""
    left = [bytes(head)]

    def read(n: int) -> bytes:
        if left[0]:
            data, left[0] = left[0][:n], left[0][n:]
            return data
        return os.read(fd, min(n, BUFFER))
    return Unread(read, size)


def _whole(fd: int, head: memoryview, size: int) -> memoryview:
    """An object bigger than the buffer: ``head``, then the rest read from ``fd`` into memory of its own."""
    whole = bytearray(size)
    whole[:len(head)] = head
    at = len(head)
    with memoryview(whole) as into:
        while at < size:
            got = os.readv(fd, [into[at:]])
            if not got:
                raise YardguardError("git cat-file stopped in the middle of an object")
            at += got
    return memoryview(whole)


def _newline(fd: int) -> None:
    """Read the newline that closes an object read straight from ``fd``."""
    if os.read(fd, 1) != b"\n":
        raise YardguardError("git cat-file stopped in the middle of an object")

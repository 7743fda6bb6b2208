"""Single gzip, bz2 and xz streams (concatenated streams too), decompressed with a bound.

A stream that holds a tar archive (``.tar.gz``, ``.tgz``, ``.tar.bz2``, ``.tar.xz``) is read as that
tar, member by member, without first holding the whole tar in memory.
"""
from __future__ import annotations

from collections.abc import Iterator

from scanner.decoding.containers.bounded import Decoder, read_all, stop_reason
from scanner.decoding.containers.members import ArchiveLimits, Member, Warn

_SUFFIXES = {"gzip": (".gz", ".gzip", ".z"), "bz2": (".bz2", ".bz"), "xz": (".xz",)}
_TAR_SUFFIXES = (".tgz", ".taz", ".tbz2", ".tbz", ".txz")


def member_name(fmt: str, name: str) -> str:
    """The label of a stream's content: the outer file's base name minus its suffix (``x.tgz`` -> ``x.tar``);
    empty when the outer name is not known."""
    base = name.rstrip("/").rsplit("/", 1)[-1].rsplit("!", 1)[-1]  # a nested name is outer!dir/inner.gz
    lower = base.lower()
    if lower.endswith(_TAR_SUFFIXES):
        return base.rsplit(".", 1)[0] + ".tar"
    for suffix in _SUFFIXES[fmt]:
        if lower.endswith(suffix) and len(base) > len(suffix):
            return base[:-len(suffix)]
    return base


class _Prefixed:
    """``reader`` with ``head`` (already read from it) put back in front."""

    def __init__(self, head: bytes, reader: Decoder) -> None:
        self.head = head
        self.reader = reader
        self.cap = reader.cap

    @property
    def status(self) -> str | None:
        return self.reader.status

    @status.setter
    def status(self, value: str | None) -> None:
        self.reader.status = value

    def read(self, n: int) -> bytes:
        if self.head:
            out, self.head = self.head[:n], self.head[n:]
            return out
        return self.reader.read(n)


def stream_members(fmt: str, view: memoryview, name: str, limits: ArchiveLimits, warn: Warn) -> Iterator[Member]:
    """The content of one gzip/bz2/xz stream as one member, or the members of the tar inside it."""
    reader = Decoder(fmt, view, limits.max_bytes, limits.max_ratio)
    head = reader.read(512)
    while len(head) < 512 and (more := reader.read(512 - len(head))):
        head += more
    if head[257:262] == b"ustar":
        from scanner.decoding.containers.tarfmt import tar_members  # tarfile: ~6 ms, for a tar only
        yield from tar_members(_Prefixed(head, reader), name, limits, warn)
        return
    data = head + read_all(reader)
    if reader.status:
        warn(f"{stop_reason(reader.status, limits.max_bytes, limits.max_ratio)}; "
             f"read {len(data)} bytes of its {fmt} content")
    if data or not reader.status:
        yield Member(member_name(fmt, name), data, fmt)

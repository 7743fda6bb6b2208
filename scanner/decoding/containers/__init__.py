"""Containers opened in memory, never extracted to disk: zip family, tar, gzip/bz2/xz streams,
SQLite databases and Python ``.pyc`` files.

``container_kind`` recognises a container by a few header bytes; ``open_container`` yields its members
lazily, bounded by :class:`ArchiveLimits`, and reports anything it skips through ``warn`` instead of raising.
Nested containers are not opened here: the caller recurses on the members.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

from scanner.decoding.containers.members import ArchiveLimits as ArchiveLimits
from scanner.decoding.containers.members import Member as Member
from scanner.decoding.containers.members import Warn as Warn
from scanner.decoding.containers.members import label as label

TYPE_CHECKING = False
if TYPE_CHECKING:
    from scanner.engine import Buffer, View

_SQLITE_MAGIC = b"SQLite format 3\x00"
_PYC_FLAGS = (b"\0\0\0\0", b"\1\0\0\0", b"\3\0\0\0")  # timestamp-, checked-hash- or unchecked-hash-based


def container_kind(data: View, name: str) -> str | None:
    """The container format of ``data`` by magic bytes ("zip", "tar", "gzip", "bz2", "xz", "sqlite",
    "pyc"), else None. Looks at a few header bytes only (tar's magic at offset 257; a pyc by its name
    ending in ``.pyc``, or without a name by its whole 3.7+ header: magic, flags and a code object)."""
    if not may_be_container(data):  # most data: two small copies, no more
        return None
    head = bytes(data[:16])
    if head[:4] == b"PK\x03\x04":
        return "zip"
    if head[:3] == b"\x1f\x8b\x08":
        return "gzip"
    if head[:3] == b"BZh" and head[4:10] in (b"1AY&SY", b"\x17rE8P\x90"):  # a block, or the empty stream
        return "bz2"
    if head[:6] == b"\xfd7zXZ\x00":
        return "xz"
    if head == _SQLITE_MAGIC:
        return "sqlite"
    if bytes(data[257:262]) == b"ustar":
        return "tar"
    if head[2:4] == b"\r\n" and len(head) == 16 and (name.endswith(".pyc") or _pyc_header(head, data)):
        return "pyc"
    return None


_LEADS = frozenset((b"PK", b"\x1f\x8b", b"BZ", b"\xfd7", b"SQ"))
"""The first two bytes of every container :func:`container_kind` knows by a magic at offset 0."""


def may_be_container(data: View) -> bool:
    """False when :func:`container_kind` surely finds no container in ``data``, whatever its name: its cheap
    first look (a whole history takes one at every blob)."""
    head = bytes(data[:4])
    return head[:2] in _LEADS or head[2:4] == b"\r\n" or bytes(data[257:262]) == b"ustar"


def _pyc_header(head: bytes, data: View) -> bool:
    """A Python 3.7+ .pyc header without its name (a git blob has none): magic number, flags, then a
    code object."""
    return (3390 <= int.from_bytes(head[:2], "little") < 4000 and head[4:8] in _PYC_FLAGS
            and bytes(data[16:17]) in (b"c", b"\xe3"))


def open_container(data: Buffer, name: str, limits: ArchiveLimits, warn: Warn) -> Iterator[Member]:
    """The members of one container, lazily, decompressed in memory (never written to disk).

    Never raises on hostile input: a corrupt, truncated or encrypted archive, or one that hits a limit,
    calls ``warn`` with one line saying what was skipped and why (the caller names the archive; entry
    names are shown through :func:`label`, never key material) and stops or skips. gzip/bz2/xz: one
    member named after the outer file minus its suffix, unless the stream holds a tar, whose members are
    yielded instead (kind "tar"). tar: regular files only. SQLite: one member per table, its text/blob
    cells separated by newlines. pyc: one member, "constants", the string/bytes constants separated by
    newlines. Nested containers are not opened here."""
    kind = container_kind(data, name)
    if kind is None:
        return
    view = memoryview(data)
    try:
        yield from _opener(kind)(view, name, limits, warn)
    except Exception as exc:  # a parser bug on hostile bytes must not crash the scan
        warn(f"{kind} reader failed ({type(exc).__name__}); the rest of it was not read")
    finally:
        view.release()


def _opener(kind: str) -> Callable[..., Iterator[Member]]:
    """The member reader for ``kind``; imported on first use (the hook path rarely needs any)."""
    if kind == "zip":
        from scanner.decoding.containers.zipfmt import zip_members
        return zip_members
    if kind == "tar":
        from scanner.decoding.containers.tarfmt import plain_tar_members
        return plain_tar_members
    if kind == "sqlite":
        from scanner.decoding.containers.sqlitefmt import sqlite_members
        return sqlite_members
    if kind == "pyc":
        from scanner.decoding.containers.pycfmt import pyc_members
        return pyc_members
    from scanner.decoding.containers.streams import stream_members
    return lambda view, name, limits, warn: stream_members(kind, view, name, limits, warn)

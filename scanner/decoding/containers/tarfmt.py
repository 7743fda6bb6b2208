"""tar archives (plain, or inside a gzip/bz2/xz stream), read with ``tarfile`` in stream mode.

Only regular files become members; symlinks, hardlinks, devices, fifos and directories are ignored.
The stream underneath is capped, and a member whose declared end lies past the cap stops the walk, so
a lying size field can neither allocate nor loop beyond the archive's limits.
"""
from __future__ import annotations

import tarfile
from collections.abc import Iterator

from scanner.decoding.containers.bounded import CORRUPT, LIMIT, TRUNCATED, MemReader, stop_reason
from scanner.decoding.containers.members import ArchiveLimits, Member, Warn

TYPE_CHECKING = False
if TYPE_CHECKING:
    from scanner.decoding.containers.bounded import Reader

_ERRORS = (tarfile.TarError, EOFError, OSError, ValueError, OverflowError)


def plain_tar_members(view: memoryview, name: str, limits: ArchiveLimits, warn: Warn) -> Iterator[Member]:
    """The regular files of an uncompressed tar held in memory."""
    yield from tar_members(MemReader(view, limits.max_bytes), name, limits, warn)


def tar_members(reader: Reader, name: str, limits: ArchiveLimits, warn: Warn) -> Iterator[Member]:
    """The regular files of the tar stream ``reader`` gives (a capped Decoder or MemReader)."""
    try:
        # stream mode only reads; typeshed asks any fileobj for write/tell/seek/close too
        archive = tarfile.open(fileobj=reader, mode="r|",  # type: ignore[call-overload]  # noqa: SIM115 - ours
                               errors="surrogateescape")
    except _ERRORS:
        warn("not a readable tar archive; its members were not read")
        return
    entries = 0
    while True:
        try:
            info = archive.next()
        except _ERRORS:
            reader.status = reader.status or CORRUPT
            break
        if info is None:
            break
        entries += 1
        if entries > limits.max_entries:
            warn(f"more than {limits.max_entries} entries; the rest were not read")
            return
        if info.offset_data + info.size > reader.cap:  # its end cannot be reached within the limits
            reader.status = reader.status or (LIMIT if reader.cap >= limits.max_bytes else TRUNCATED)
            break
        if not info.isreg():
            continue
        try:
            member = archive.extractfile(info)  # never None for a regular file
            data = member.read(info.size) if member is not None else b""
        except _ERRORS:
            reader.status = reader.status or TRUNCATED
            break
        yield Member(info.name, data, "tar")
    if reader.status:
        warn(f"{stop_reason(reader.status, limits.max_bytes, limits.max_ratio)}; "
             f"the tar was read only up to there")

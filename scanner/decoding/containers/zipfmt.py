"""zip archives and the formats built on them (jar, war, whl, docx/xlsx/pptx, odt, ...).

Our own reader of the zip layout, so that nothing is read or allocated on a header's word: the central
directory is walked lazily (at most ``max_entries`` records), each member's declared sizes are checked
against the limits before reading, and its data is decompressed through a capped :class:`Decoder`.
Encrypted members are skipped. Without a readable central directory (a truncated or damaged archive)
the local headers are walked from the start instead, and whatever they hold is read.
"""
from __future__ import annotations

import struct
from collections.abc import Iterator
from mmap import mmap

from scanner.decoding.containers.bounded import RATIO_FLOOR, Decoder, MemReader, read_all, stop_reason
from scanner.decoding.containers.members import ArchiveLimits, Member, Warn, label

_LOCAL = b"PK\x03\x04"
_CENTRAL = b"PK\x01\x02"
_END = b"PK\x05\x06"
_END64_LOCATOR = b"PK\x06\x07"
_END64 = b"PK\x06\x06"
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")            # 30 bytes
_CENTRAL_HEADER = struct.Struct("<4sHHHHHHIIIHHHHHII")   # 46 bytes
_END_RECORD = struct.Struct("<4sHHHHIIH")                # 22 bytes
_END64_RECORD = struct.Struct("<4sQHHIIQQQQ")            # 56 bytes
_STORED, _DEFLATED, _BZIP2 = 0, 8, 12
_METHODS = {_DEFLATED: "deflate", _BZIP2: "bz2"}
_ENCRYPTED, _DESCRIPTOR, _UTF8 = 0x1, 0x8, 0x800


class _Entry:
    """What the headers say about one member."""

    __slots__ = ("name", "flags", "method", "csize", "usize", "offset")

    def __init__(self, name: str, flags: int, method: int, csize: int, usize: int, offset: int) -> None:
        self.name, self.flags, self.method = name, flags, method
        self.csize, self.usize, self.offset = csize, usize, offset


def _name(raw: bytes, flags: int) -> str:
    return raw.decode("utf-8" if flags & _UTF8 else "cp437", "replace")


def _end_of_central_directory(view: memoryview) -> tuple[int, int, int] | None:
    """(first central record offset, entry count, offset to add to every stored offset), or None."""
    tail_start = max(0, len(view) - _END_RECORD.size - 0xFFFF)
    tail = bytes(view[tail_start:])
    at = tail.rfind(_END)
    while at >= 0 and len(tail) - at < _END_RECORD.size:
        at = tail.rfind(_END, 0, at)
    if at < 0:
        return None
    end = tail_start + at
    _, _, _, _, count, size, offset, _ = _END_RECORD.unpack_from(tail, at)
    locator = end - 20
    if (count == 0xFFFF or size == 0xFFFFFFFF or offset == 0xFFFFFFFF) and locator >= 0 \
            and bytes(view[locator:locator + 4]) == _END64_LOCATOR:
        end64 = struct.unpack_from("<Q", view, locator + 8)[0]
        if end64 + _END64_RECORD.size <= len(view) and bytes(view[end64:end64 + 4]) == _END64:
            _, _, _, _, _, _, _, count, size, offset = _END64_RECORD.unpack_from(view, end64)
            end = end64
    start = end - size            # where the central directory really is
    shift = start - offset        # bytes in front of the archive (a self-extracting stub, say)
    if start < 0 or shift < 0:
        return None
    return start, count, shift


def _zip64_sizes(extra: bytes, usize: int, csize: int, offset: int) -> tuple[int, int, int]:
    """The sizes and offset a zip64 extra field holds in place of the 0xFFFFFFFF ones."""
    at = 0
    while at + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, at)
        if tag == 0x0001:
            values = iter(struct.unpack_from(f"<{size // 8}Q", extra, at + 4))
            if usize == 0xFFFFFFFF:
                usize = next(values, usize)
            if csize == 0xFFFFFFFF:
                csize = next(values, csize)
            if offset == 0xFFFFFFFF:
                offset = next(values, offset)
            break
        at += 4 + size
    return usize, csize, offset


def _central_entries(view: memoryview, start: int, count: int, shift: int) -> Iterator[_Entry]:
    """The central directory's records, one at a time; stops at the first damaged one."""
    at = start
    for _ in range(count):
        if at + _CENTRAL_HEADER.size > len(view):
            return
        (sig, _, _, flags, method, _, _, _, csize, usize, name_len, extra_len, comment_len,
         _, _, _, offset) = _CENTRAL_HEADER.unpack_from(view, at)
        if sig != _CENTRAL:
            return
        at += _CENTRAL_HEADER.size
        name = _name(bytes(view[at:at + name_len]), flags)
        extra = bytes(view[at + name_len:at + name_len + extra_len])
        usize, csize, offset = _zip64_sizes(extra, usize, csize, offset)
        at += name_len + extra_len + comment_len
        yield _Entry(name, flags, method, csize, usize, offset + shift)


def _data_start(view: memoryview, entry: _Entry) -> int | None:
    """Where a member's data begins, from its local header; None if that header is not there."""
    if entry.offset + _LOCAL_HEADER.size > len(view):
        return None
    header = _LOCAL_HEADER.unpack_from(view, entry.offset)
    if header[0] != _LOCAL:
        return None
    start: int = entry.offset + _LOCAL_HEADER.size + header[9] + header[10]
    return start


def _local_entries(view: memoryview) -> Iterator[tuple[_Entry, int]]:
    """Members found by walking local headers from the start: (entry, data start) pairs."""
    obj = view.obj
    # one searchable copy at most
    raw = obj if isinstance(obj, bytes | bytearray | mmap) and len(obj) == view.nbytes else bytes(view)

    def next_header(start: int) -> int:
        hits = [h for h in (raw.find(_LOCAL, start), raw.find(_CENTRAL, start)) if h >= 0]
        return min(hits, default=-1)

    at = 0
    while at >= 0 and at + _LOCAL_HEADER.size <= len(view):
        (_, _, flags, method, _, _, _, csize, usize, name_len, extra_len) = _LOCAL_HEADER.unpack_from(view, at)
        if bytes(view[at:at + 4]) != _LOCAL:
            return
        start = at + _LOCAL_HEADER.size + name_len + extra_len
        name = _name(bytes(view[at + _LOCAL_HEADER.size:at + _LOCAL_HEADER.size + name_len]), flags)
        extra = bytes(view[at + _LOCAL_HEADER.size + name_len:start])
        usize, csize, _ = _zip64_sizes(extra, usize, csize, 0)
        known = not (flags & _DESCRIPTOR and csize == 0)
        if not known:  # sizes follow the data: a compressed stream ends by itself, stored data at a header
            following = next_header(start)
            csize = (following if method == _STORED and following >= 0 else len(view)) - start
            usize = -1
        yield _Entry(name, flags, method, csize, usize, at), start
        at = next_header(start + csize if known else start)


def zip_members(view: memoryview, name: str, limits: ArchiveLimits, warn: Warn) -> Iterator[Member]:
    """The files of a zip archive, within ``limits``; directories and encrypted members are skipped."""
    directory = _end_of_central_directory(view)
    if directory is not None:
        start, count, shift = directory
        if count > limits.max_entries:
            warn(f"{count} entries, more than {limits.max_entries}; only the first "
                 f"{limits.max_entries} were read")
        entries = _central_entries(view, start, min(count, limits.max_entries), shift)
        pairs: Iterator[tuple[_Entry, int | None]] = ((e, _data_start(view, e)) for e in entries)
    else:
        warn("no readable zip central directory (truncated or damaged); read what the local "
             "headers hold")
        pairs = _local_entries(view)
    left = limits.max_bytes
    total_ratio_floor = max(RATIO_FLOOR, limits.max_ratio * len(view))
    produced = seen = 0
    for entry, data_start in pairs:
        seen += 1
        if seen > limits.max_entries:
            warn(f"more than {limits.max_entries} entries; the rest were not read")
            return
        what = f"member {label(entry.name)}"
        if entry.name.endswith("/") and entry.usize <= 0:
            continue
        if entry.flags & _ENCRYPTED:
            warn(f"{what} is encrypted; skipped")
            continue
        if entry.method != _STORED and entry.method not in _METHODS:
            warn(f"{what} uses compression method {entry.method}, which is not supported; skipped")
            continue
        if data_start is None or data_start + entry.csize > len(view):
            warn(f"{what}: its data is missing or cut short; skipped")
            continue
        if entry.usize > limits.max_bytes:
            warn(f"{what} declares {entry.usize} bytes, over the {limits.max_bytes}-byte limit for the "
                 f"archive; skipped")
            continue
        if entry.usize > left:
            warn(f"uncompressed size limit reached ({limits.max_bytes} bytes); the rest was not read")
            return
        if entry.usize > RATIO_FLOOR and entry.usize > limits.max_ratio * max(entry.csize, 1):
            warn(f"{what} declares a compression ratio above {limits.max_ratio:g} (a possible "
                 f"decompression bomb); skipped")
            continue
        raw = view[data_start:data_start + entry.csize]
        reader = (MemReader(raw, left) if entry.method == _STORED
                  else Decoder(_METHODS[entry.method], raw, left, limits.max_ratio, multi=False))
        data = read_all(reader)
        if reader.status:
            warn(f"{what}: {stop_reason(reader.status, limits.max_bytes, limits.max_ratio)}; "
                 f"{'read its first ' + str(len(data)) + ' bytes' if data else 'skipped'}")
        left -= len(data)
        produced += len(data)
        if data:
            yield Member(entry.name, data, "zip")
        if left <= 0:
            warn(f"uncompressed size limit reached ({limits.max_bytes} bytes); the rest was not read")
            return
        if produced > total_ratio_floor:
            warn(f"compression ratio above {limits.max_ratio:g} over the whole archive (a possible "
                 f"decompression bomb); the rest was not read")
            return

"""Python ``.pyc`` files: the string and bytes constants of the code objects.

Read by our own bounded reader of the marshal format, never ``marshal.loads`` (which trusts its input
and builds whatever it describes). Every length is checked against the bytes left, nesting is bounded,
and only strings are kept: each on its own line, so a key is never glued to a length or type byte.
"""
from __future__ import annotations

import struct
from collections.abc import Iterator

from scanner.decoding.containers.members import ArchiveLimits, Member, Repeatable, Warn

MAX_DEPTH = 200
"""Nesting of tuples/code objects followed (CPython's own limit is 2000; real code nests far less)."""

_FLAG_REF = 0x80
_EMPTY = frozenset(b"0NFTS.")                     # NULL None False True StopIteration Ellipsis
_FIXED = {ord("i"): 4, ord("I"): 8, ord("g"): 8, ord("y"): 16, ord("r"): 4}
_LONG_STRINGS = frozenset(b"stuaA")               # int32 length, then bytes
_SHORT_STRINGS = frozenset(b"zZ")                 # 1-byte length, then bytes
_SEQUENCES = frozenset(b"[<>(")                   # int32 count, then objects
_INT32 = struct.Struct("<i")


class _Truncated(Exception):
    """The data ends (or nests) beyond what a real .pyc holds."""


def _layout(magic: int) -> tuple[int, tuple[bool | None, ...]] | None:
    """(raw int fields before the objects, whether each following field's strings are kept) of a
    code object, by the .pyc magic number; None for versions this reader does not know."""
    if 3450 <= magic < 4000:    # 3.11+: code consts names localsplusnames localspluskinds filename name
        return 5, (False, True, True, True, False, True, True, True, None, False, False)  # qualname int lines exc
    if 3400 <= magic < 3450:    # 3.8-3.10 (positional-only argcount added)
        return 6, (False, True, True, True, True, True, True, True, None, False)
    if 3000 <= magic < 3400:    # 3.0-3.7
        return 5, (False, True, True, True, True, True, True, True, None, False)
    return None


def _header_size(magic: int) -> int:
    return 16 if magic >= 3390 else 12 if magic >= 3200 else 8


class _Reader:
    """Walks one marshal stream, collecting the strings it holds."""

    def __init__(self, data: memoryview, at: int, ints: int, fields: tuple[bool | None, ...], budget: int) -> None:
        self.data, self.at, self.ints, self.fields = data, at, ints, fields
        self.strings: list[bytes] = []
        self.budget = budget

    def take(self, n: int) -> memoryview:
        if n < 0 or self.at + n > len(self.data):
            raise _Truncated
        chunk = self.data[self.at:self.at + n]
        self.at += n
        return chunk

    def int32(self) -> int:
        value: int = _INT32.unpack(self.take(4))[0]
        return value

    def keep(self, raw: memoryview) -> None:
        if raw and len(raw) <= self.budget:
            self.strings.append(bytes(raw))
            self.budget -= len(raw) + 1

    def object(self, depth: int, keep: bool = True) -> None:
        """Read one object; its strings are kept if ``keep``."""
        if depth > MAX_DEPTH:
            raise _Truncated
        code = self.take(1)[0] & ~_FLAG_REF
        if code in _EMPTY:
            return
        if code in _FIXED:
            self.take(_FIXED[code])
        elif code in _LONG_STRINGS or code in _SHORT_STRINGS:
            raw = self.take(self.int32() if code in _LONG_STRINGS else self.take(1)[0])
            if keep:
                self.keep(raw)
        elif code in _SEQUENCES or code == ord(")"):
            count = self.int32() if code in _SEQUENCES else self.take(1)[0]
            for _ in range(count):   # each object is at least one byte: a false count runs out of data
                self.object(depth + 1, keep)
        elif code == ord("{"):
            while bytes(self.data[self.at:self.at + 1]) != b"0":
                self.object(depth + 1, keep)
                self.object(depth + 1, keep)
            self.take(1)
        elif code == ord("l"):
            self.take(2 * abs(self.int32()))
        elif code == ord("f"):
            self.take(self.take(1)[0])
        elif code == ord("x"):
            self.take(self.take(1)[0])
            self.take(self.take(1)[0])
        elif code == ord(":"):   # slice (3.14)
            for _ in range(3):
                self.object(depth + 1, keep)
        elif code == ord("c"):
            self.code(depth)
        else:
            raise _Truncated

    def code(self, depth: int) -> None:
        self.take(4 * self.ints)
        for keep in self.fields:
            if keep is None:
                self.take(4)      # first line number, a raw int
            else:
                self.object(depth + 1, keep)


def pyc_members(view: memoryview, name: str, limits: ArchiveLimits, warn: Warn) -> Iterator[Member]:
    """One member named ``constants``: the .pyc's string and bytes constants, one per line."""
    magic = int.from_bytes(view[:2], "little")
    layout = _layout(magic)
    if layout is None:
        warn(Repeatable(f"bytecode version {magic} is not supported; its constants were not read",
                        f"{{count}} .pyc members have bytecode version {magic}, which is not supported; their "
                        "constants were not read (first: {first})"))
        return
    reader = _Reader(view, _header_size(magic), layout[0], layout[1], limits.max_bytes)
    try:
        reader.object(0)
    except (_Truncated, IndexError, struct.error):
        warn(f"damaged or unusual .pyc; read {len(reader.strings)} constants up to there")
    if reader.strings:
        yield Member("constants", b"\n".join(reader.strings), "pyc")

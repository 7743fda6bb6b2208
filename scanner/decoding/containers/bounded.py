"""Bounded decompression: never more output than asked for, whatever the headers claim.

A :class:`Decoder` turns compressed bytes (a memoryview, fed in small chunks) into at most ``cap`` bytes,
stops early when the output outgrows ``max_ratio`` times the input consumed (a bomb), and records why it
stopped instead of raising. :class:`MemReader` is the same file-like face over bytes already in memory.
"""
from __future__ import annotations

import bz2
import lzma
import zlib

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Protocol

    class Reader(Protocol):
        """What a capped reader (:class:`Decoder`, :class:`MemReader`) offers its consumers."""

        cap: int
        status: str | None

        def read(self, n: int, /) -> bytes: ...

CHUNK = 64 * 1024
"""Compressed bytes fed to a decompressor at once, and the largest piece of output asked for at once."""
RATIO_FLOOR = 1 << 20
"""Output below this size is never called a bomb: a small, very compressible file is normal."""
XZ_MEMLIMIT = 128 << 20
"""Memory an xz stream's decoder may ask for (``xz -9`` needs 65 MiB); a larger dictionary is refused."""

# why a reader stopped before the end of its data
LIMIT, RATIO, TRUNCATED, CORRUPT = "limit", "ratio", "truncated", "corrupt"

_MAGIC = {"gzip": b"\x1f\x8b", "bz2": b"BZh", "xz": b"\xfd7zXZ\x00"}
_ERRORS = (zlib.error, OSError, EOFError, ValueError, lzma.LZMAError)


def _decompressor(fmt: str) -> Any:
    """zlib's, bz2's or lzma's decompressor. They share ``decompress``, ``eof`` and ``unused_data``; zlib's alone
    has ``unconsumed_tail`` and the others alone ``needs_input``, so callers branch on the format."""
    if fmt == "gzip":
        return zlib.decompressobj(31)
    if fmt == "deflate":
        return zlib.decompressobj(-15)
    if fmt == "bz2":
        return bz2.BZ2Decompressor()
    return lzma.LZMADecompressor(lzma.FORMAT_XZ, memlimit=XZ_MEMLIMIT)


class Decoder:
    """A read-only file over the decompression of ``src`` (format "gzip", "deflate", "bz2" or "xz").

    ``read(n)`` returns at most ``n`` bytes, ``b""`` at the end. Output stops at ``cap`` bytes (status
    LIMIT), when it exceeds ``max_ratio`` times the compressed bytes consumed past RATIO_FLOOR (RATIO), at a
    stream cut short (TRUNCATED) or at invalid data (CORRUPT). gzip/bz2/xz read concatenated streams
    (``multi``), as their command-line tools do; anything after the last stream is ignored.
    """

    def __init__(self, fmt: str, src: memoryview, cap: int, max_ratio: float, *, multi: bool = True) -> None:
        self.fmt = fmt
        self.src = src
        self.cap = cap
        self.max_ratio = max_ratio
        self.multi = multi
        self.status: str | None = None
        self.produced = 0
        self._pos = 0            # input fed to the decompressor so far
        self._zlib = fmt in ("gzip", "deflate")
        self._d = _decompressor(fmt)
        self._pending = False    # the last call stopped at its output bound: more may come without input
        self._done = False

    def consumed(self) -> int:
        """Compressed bytes used so far (an estimate within one input chunk)."""
        return self._pos - len(self._d.unconsumed_tail) if self._zlib else self._pos

    def read(self, n: int) -> bytes:
        """Up to ``n`` decompressed bytes; ``b""`` once the data, a limit or an error ends the stream."""
        n = min(n, self.cap - self.produced)
        if n <= 0:  # at the cap: is there more than the cap?
            while not self._done:
                if self._more(1):
                    self.status, self._done = LIMIT, True
            return b""
        out = b""
        while not out and not self._done:
            out = self._more(n)
        self.produced += len(out)
        if (self.produced > RATIO_FLOOR and self.produced > self.max_ratio * max(self.consumed(), 1)
                and self.status is None):
            self.status = RATIO
            self._done = True
        return out

    def _more(self, n: int) -> bytes:
        """One step of decompression: up to ``n`` bytes (maybe none); sets ``_done`` at the end."""
        d = self._d
        out: bytes
        try:
            if self._pending:
                out = d.decompress(d.unconsumed_tail if self._zlib else b"", n)
            else:
                buf = self.src[self._pos:self._pos + CHUNK]
                if not buf:
                    self.status, self._done = TRUNCATED, True
                    return b""
                self._pos += len(buf)
                out = d.decompress(buf, n)
        except _ERRORS:
            self.status, self._done = CORRUPT, True
            return b""
        self._pending = not d.eof and (len(out) >= n if self._zlib else not d.needs_input)
        if d.eof and not self._pending and not self._next_stream():
            self._done = True
        return out

    def _next_stream(self) -> bool:
        """After a stream's end: start on the next concatenated stream, if there is one."""
        self._pos -= len(self._d.unused_data)
        if not self.multi:
            return False
        magic = _MAGIC[self.fmt]
        if bytes(self.src[self._pos:self._pos + len(magic)]) != magic:
            return False
        self._d = _decompressor(self.fmt)
        return True


class MemReader:
    """A read-only file over bytes already in memory, ending at ``cap`` (status LIMIT if more was there)."""

    def __init__(self, src: memoryview, cap: int) -> None:
        self.src = src
        self.cap = min(cap, len(src))
        self.status = LIMIT if len(src) > cap else None
        self.produced = 0

    def read(self, n: int) -> bytes:
        """Up to ``n`` bytes, ``b""`` at the end or the cap."""
        out = bytes(self.src[self.produced:min(self.produced + n, self.cap)])
        self.produced += len(out)
        return out


def read_all(reader: Reader) -> bytes:
    """Everything ``reader`` will still give (it is capped, so this is bounded)."""
    chunks = []
    while chunk := reader.read(CHUNK):
        chunks.append(chunk)
    return b"".join(chunks)


def stop_reason(status: str | None, limit_bytes: int, max_ratio: float) -> str:
    """Why a reader stopped, in words for a warning."""
    if status == LIMIT:
        return f"uncompressed size limit reached ({limit_bytes} bytes)"
    if status == RATIO:
        return f"compression ratio above {max_ratio:g} (a possible decompression bomb)"
    if status == TRUNCATED:
        return "data cut short (truncated)"
    return "corrupt data"

"""Base64, standard and URL-safe, padded or not, on one line or wrapped at 64/76 columns (MIME, PEM) with
a key split across the wrap."""
from __future__ import annotations

import binascii
import re
from collections.abc import Iterator

from scanner.decoding.runs import MAX_RUN, Alphabet, Run, Wanted, token_runs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from scanner.engine import Buffer

NAME = "base64"
_LINE = Alphabet(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-", 20, padding=2)
"""One unbroken run of the alphabet (both alphabets) and its padding, as ``[A-Za-z0-9+/_-]{20,}={0,2}``
finds it: 20 characters decode to 15 bytes, shorter than any key."""
_WRAPPED = re.compile(rb"(?<![A-Za-z0-9+/=])(?:(?:[A-Za-z0-9+/]{76}[ \t]*\r?\n[ \t]*)+|"
                      rb"(?:[A-Za-z0-9+/]{64}[ \t]*\r?\n[ \t]*)+)[A-Za-z0-9+/]{1,76}={0,2}")
"""Full lines of exactly 64 or 76 characters (indentation allowed) and the shorter line that ends them."""
_WHITESPACE = b" \t\n\r\f\v"
"""What ``\\s`` matches in a bytes regex: removed with ``bytes.translate``, no regex call per run."""
_URL_SAFE = bytes.maketrans(b"-_", b"+/")


def decode(run: bytes) -> bytes | None:
    """The bytes ``run`` encodes, or None when it is not base64 (mixed alphabets, a stray length)."""
    body = run.translate(None, _WHITESPACE).rstrip(b"=")
    url_safe = b"-" in body or b"_" in body
    if url_safe:
        if b"+" in body or b"/" in body:
            return None
        body = body.translate(_URL_SAFE)
    if len(body) % 4 == 1:
        return None
    try:
        return binascii.a2b_base64(body + b"=" * (-len(body) % 4), strict_mode=True)
    except binascii.Error:
        return None


def _wrap_start(data: Buffer, newline: int) -> int:
    """Where a wrapped block can begin at the earliest, given the first ``newline`` of ``data``: a block's
    first line is its 64 or 76 characters, spaces or tabs, maybe a carriage return, then a newline (a single
    line of 18 MB is not searched for blocks)."""
    end = newline
    if end and data[end - 1] == 13:  # \r
        end -= 1
    while end and data[end - 1] in (9, 32):  # tabs, spaces
        end -= 1
    return max(0, end - 76)


_BLOCK = re.compile(rb"[A-Za-z0-9+/_-]+(?:[ \t]*\r?\n[ \t]*[A-Za-z0-9+/_-]+)*={0,2}")
"""A base64 text on one line or wrapped over lines of any width."""


def block_at(data: Buffer, at: int) -> Run | None:
    """The base64 text that begins at ``at`` in ``data`` (one line or wrapped, at most
    :data:`~scanner.decoding.runs.MAX_RUN` bytes), decoded; None when it does not begin there or is no
    base64. Whether it is text is left to the caller (a base64-encoded archive is not)."""
    if at > 0 and re.match(rb"[A-Za-z0-9+/_-]", bytes(data[at - 1:at])):
        return None
    m = _BLOCK.match(data, at, min(len(data), at + MAX_RUN))
    decoded = decode(m.group()) if m else None
    return Run(NAME, m.start(), m.end(), decoded) if m and decoded else None


def encoded_chars(start: int, end: int) -> tuple[int, int]:
    """The base64 characters (counted without line breaks) that encode decoded bytes ``start:end``: each
    3 bytes are 4 characters."""
    return 4 * (start // 3), 4 * -(-end // 3)


def char_offsets(run: bytes, first: int, last: int) -> tuple[int, int]:
    """Offsets in ``run`` (base64 wrapped over lines) of its ``first`` character and just after its
    ``last - 1``-th, line breaks and indentation not counted; a line at a time."""
    low, high, seen = 0, len(run), 0
    for piece in re.finditer(rb"\S+", run):
        size = piece.end() - piece.start()
        if seen <= first < seen + size:
            low = piece.start() + first - seen
        if seen < last <= seen + size:
            high = piece.start() + last - seen
            break
        seen += size
    return low, high


def runs(data: Buffer, wanted: Wanted) -> Iterator[Run]:
    """Wanted base64 runs of ``data`` that decode to text: wrapped blocks first (only where there is a line
    break to wrap at), then single lines outside them."""
    first = data.find(b"\n")
    blocks = [] if first < 0 else list(token_runs(NAME, data, _WRAPPED, decode, wanted, _wrap_start(data, first)))
    yield from blocks
    for run in token_runs(NAME, data, _LINE, decode, wanted):
        if not any(b.start <= run.start < b.end for b in blocks):
            yield run

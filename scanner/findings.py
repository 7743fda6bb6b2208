"""Findings from buffers: where a match is (line/column, linear in the buffer), the filters on a match, and
de-duplication. The :class:`~scanner.model.Finding` itself is in :mod:`scanner.model`."""
from __future__ import annotations

import codecs
from collections.abc import Callable, Iterable, Iterator

from scanner import filters
from scanner.engine import Buffer, Engine, Match, RegexTimeout
from scanner.model import Finding as Finding  # re-exported: the sources import these from here
from scanner.model import printable
from scanner.model import redact as redact
from scanner.model import sha256 as sha256

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_CONTEXT = 4096  # bytes of a (possibly huge, binary) line looked at around a match for allow comments


class Location:
    """Where a match is: 1-based line and column, and the line around it (capped) for allow comments; empty
    when that holds no :data:`~scanner.filters.ALLOW_CUE` (then it holds no allow comment either)."""

    __slots__ = ("line", "column", "context")

    def __init__(self, line: int, column: int, context: bytes) -> None:
        self.line, self.column, self.context = line, column, context


def _count_newlines(data: Buffer, start: int, end: int) -> int:
    """``data.count(b"\n", start, end)`` for any buffer; an mmap has no ``count``, so read it in slices."""
    if isinstance(data, (bytes, bytearray)):
        return data.count(b"\n", start, end)
    step = 1 << 20
    return sum(bytes(data[i:min(i + step, end)]).count(b"\n") for i in range(start, end, step))


def _characters(data: Buffer, start: int, end: int) -> int:
    """Characters in ``data[start:end]`` decoded as UTF-8 with replacement, a slice at a time (a huge
    single-line file must not be decoded whole); ASCII bytes are one character each."""
    step = 1 << 20
    if end - start <= step:
        piece = bytes(data[start:end])
        return len(piece) if piece.isascii() else len(piece.decode("utf-8", "replace"))
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    count = sum(len(decoder.decode(bytes(data[i:min(i + step, end)]))) for i in range(start, end, step))
    return count + len(decoder.decode(b"", final=True))


def _starts_character(data: Buffer, i: int) -> bool:
    """True unless byte ``i`` continues a UTF-8 sequence: decoding a line split there counts the same
    characters as decoding it whole."""
    return i >= len(data) or not 0x80 <= data[i] < 0xC0


class Occurrences:
    """``data.find(needle, low, high)``, remembered: questions with ascending offsets (a :class:`Locator`'s,
    the decoding windows') together read each byte about once, each search reaching at least ``horizon``
    bytes ahead (10,000 keys on one line of 18 MB each asked for the next newline 4 KiB ahead, and for an
    allow comment in the 8 KiB around them)."""

    __slots__ = ("data", "needle", "horizon", "_low", "_high", "_at")

    def __init__(self, data: Buffer, needle: bytes, horizon: int = 1 << 16) -> None:
        self.data, self.needle, self.horizon = data, needle, horizon
        self._low = self._high = 0  # searched data[_low:_high]: the first occurrence there is at _at (-1: none)
        self._at = -1

    def find(self, low: int, high: int) -> int:
        """What ``data.find(needle, low, high)`` answers."""
        at = self._at
        if low < self._low or (at < 0 and high > self._high) or 0 <= at < low:
            self._low, self._high = low, max(high, low + self.horizon)
            at = self._at = self.data.find(self.needle, low, self._high)
        return at if at >= 0 and at + len(self.needle) <= high else -1


class Locator:
    """Turns byte offsets into 1-based line/column. Offsets come in ascending order (else it starts over),
    and each costs only the bytes since the previous one: many keys on one huge line stay linear."""

    def __init__(self, data: Buffer) -> None:
        self.data = data
        self._start_over()

    def _start_over(self) -> None:
        self._offset = 0  # the previous offset, on line ``_line`` that starts at ``_line_start``
        self._line = 1
        self._line_start = 0
        self._characters = 0  # characters from ``_line_start`` to ``_counted``
        self._counted = 0  # the character start that ``_characters`` counts up to
        self._newlines = Occurrences(self.data, b"\n")  # between offsets
        self._line_ends = Occurrences(self.data, b"\n")  # after matches
        self._cues = Occurrences(self.data, filters.ALLOW_CUE)

    def locate(self, start: int, end: int) -> Location:
        data = self.data
        if start < self._offset:
            self._start_over()
        newlines = _count_newlines(data, self._offset, start) if self._newlines.find(self._offset, start) >= 0 else 0
        if newlines:
            self._line += newlines
            self._line_start = data.rfind(b"\n", self._offset, start) + 1
            self._characters, self._counted = 0, self._line_start
        self._offset = start
        line_start = self._line_start
        if _starts_character(data, start):
            self._characters += _characters(data, self._counted, start)
            self._counted = start
            column = self._characters + 1
        else:
            column = _characters(data, line_start, start) + 1
        context_end = self._line_ends.find(end, end + _CONTEXT)
        if context_end < 0:
            context_end = min(len(data), end + _CONTEXT)
        context_start = max(line_start, start - _CONTEXT)
        cue = self._cues.find(context_start, context_end)
        return Location(self._line, column, b"" if cue < 0 else bytes(data[context_start:context_end]))


def matches_to_findings(matches: Iterable[Match], data: Buffer, path: str) -> Iterator[Finding]:
    """Findings for the matches that survive the secret and allow-comment filters (a decoded match keeps
    its ``encoding`` chain)."""
    locator = None
    for m in sorted(matches, key=lambda m: m.start):
        if filters.is_false_positive(m.rule, m.secret):
            continue
        locator = locator or Locator(data)
        loc = locator.locate(m.start, m.end)
        if filters.has_allow_comment(loc.context):
            continue
        yield Finding(m.rule, m.secret, path, loc.line, loc.column, encoding=getattr(m, "encoding", ()))


def scan_buffer(engine: Engine, data: Buffer, path: str, origin: str | None = None) -> list[Finding]:
    """Every finding in one buffer, before path filters and baseline. A rule's regex that runs too long is
    a :class:`RegexTimeout` naming ``origin`` (default: ``path``), e.g. ``blob <oid>``."""
    try:
        return dedupe_locations(matches_to_findings(engine.scan(data), data, path))
    except RegexTimeout as e:
        raise e.at(origin or printable(path)) from None


WINDOW = 32 << 20
"""Bytes of a streamed buffer scanned at once (:func:`scan_stream`)."""
OVERLAP = 1 << 16
"""Bytes each window shares with the next: a key, and the allow-comment context around it, lies whole in one."""


def scan_stream(engine: Engine, read: Callable[[int], bytes], path: str, origin: str) -> list[Finding]:
    """Every finding in a buffer too big to hold, read through ``read(n)`` (``b""`` at its end) a
    :data:`WINDOW` at a time, each window overlapping the next by :data:`OVERLAP` bytes. A match counts in
    the window where it starts away from both overlaps (the first window from its start, the last to its
    end), so it is found once with its whole context; lines and columns count from the start of the stream."""
    found: list[Finding] = []
    window = bytearray()
    lines = carry = 0  # newlines before the window; characters between the last of them and the window
    first = True
    while True:
        while len(window) < WINDOW and (chunk := read(min(4 << 20, WINDOW - len(window)))):
            window += chunk
        last = len(window) < WINDOW
        low, high = (0 if first else OVERLAP // 2), (len(window) if last else len(window) - OVERLAP // 2)
        if engine.has_keyword(window):
            try:
                matches = [m for m in engine.scan(window) if low <= m.start < high]
                for f in matches_to_findings(matches, window, path):
                    if f.line == 1 and not first:  # the line began before this window
                        f.column += carry
                    f.line += lines
                    found.append(f)
            except RegexTimeout as e:
                raise e.at(origin) from None
        if last:
            return dedupe_locations(found)
        cut = len(window) - OVERLAP
        newline = window.rfind(b"\n", 0, cut)
        lines += window.count(b"\n", 0, cut)
        carry = (carry if newline < 0 else 0) + _characters(window, newline + 1, cut)
        del window[:cut]
        first = False


def dedupe_locations(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per (path, line, column, secret): the first rule (in load order) wins."""
    seen: set[tuple[str, int, int, str]] = set()
    out = []
    for f in findings:
        key = (f.path, f.line, f.column, f.secret)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def summary(findings: list[Finding]) -> dict[str, Any]:
    """Counts for the report's ``summary``: total, by rule, by verification status, distinct secrets."""
    by_rule: dict[str, int] = {}
    by_status: dict[str, int] = {}
    for f in findings:
        by_rule[f.rule.id] = by_rule.get(f.rule.id, 0) + 1
        by_status[f.status] = by_status.get(f.status, 0) + 1
    return {
        "total": len(findings),
        "distinct_secrets": len({f.secret_sha256 for f in findings}),
        "by_rule": by_rule,
        "by_status": by_status,
    }

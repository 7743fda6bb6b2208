"""What every text decoder yields: an encoded run of the scanned buffer and its decoded bytes."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator

TYPE_CHECKING = False
if TYPE_CHECKING:
    from scanner.engine import Buffer

MAX_RUN = 1 << 20
"""Encoded runs longer than this (bytes) are not decoded: an embedded file, not a hidden key."""


class Run:
    """``data[start:end]`` is text in the encoding ``form``; ``decoded`` what it says."""

    __slots__ = ("form", "start", "end", "decoded")

    def __init__(self, form: str, start: int, end: int, decoded: bytes) -> None:
        self.form, self.start, self.end, self.decoded = form, start, end, decoded

    def __repr__(self) -> str:  # never the decoded bytes
        return f"Run({self.form!r}, {self.start}, {self.end})"


def is_text(decoded: bytes) -> bool:
    """Decoded bytes worth scanning: valid UTF-8 and printable (a random key decoded as base64 or hex is
    binary noise, and must stay the key it is)."""
    if len(decoded) < 8:
        return False
    try:
        text = decoded.decode("utf-8")
    except UnicodeDecodeError:
        return False
    printable = sum(1 for c in text if c.isprintable() or c in "\t\r\n")
    return printable >= 0.95 * len(text)


Wanted = Callable[[int, int], bool]
"""Whether the run at (start, end) is worth decoding (the stage says: near a keyword, plain or encoded)."""


class Alphabet:
    """Whole runs of bytes of one alphabet, ``shortest`` or longer, each with up to ``padding`` ``=`` after
    it: what ``re.finditer(rb"[ALPHABET]{shortest,}={0,padding}")`` finds. ``re`` starts a match at every
    byte of every word (0.55 s on a minified line of 18 MB); this looks for ``shortest`` alphabet bytes in
    a translated copy with C substring searches (~0.05 s)."""

    def __init__(self, chars: bytes, shortest: int, padding: int = 0) -> None:
        self._table = bytes(0x61 if c in chars else 0x20 for c in range(256))  # alphabet "a", the rest " "
        self._needle = b"a" * shortest
        self._padding = padding

    def finditer(self, data: Buffer, start: int = 0) -> Iterator[tuple[int, int]]:
        """(start, end) of each run in ``data``, left to right, none beginning before ``start``."""
        mask = (data if isinstance(data, (bytes, bytearray)) else bytes(data)).translate(self._table)
        size, pos = len(mask), start
        while (hit := mask.find(self._needle, pos)) >= 0:
            begin = mask.rfind(b" ", pos, hit) + 1 or pos
            end = mask.find(b" ", hit)
            end = size if end < 0 else end
            padding = 0
            while padding < self._padding and end < size and data[end] == 0x3D:  # "="
                end, padding = end + 1, padding + 1
            yield begin, end
            pos = end


def token_runs(form: str, data: Buffer, pattern: re.Pattern[bytes] | Alphabet,
               decode: Callable[[bytes], bytes | None], wanted: Wanted, start: int = 0) -> Iterator[Run]:
    """The matches of ``pattern`` (a regex or an :class:`Alphabet`) in ``data`` (none of which begins before
    ``start``) that are ``wanted`` and that ``decode`` turns into text, as runs of ``form``."""
    spans = pattern.finditer(data, start) if isinstance(pattern, Alphabet) else (
        m.span() for m in pattern.finditer(data, start))
    for begin, end in spans:
        if end - begin > MAX_RUN or not wanted(begin, end):
            continue
        decoded = decode(bytes(data[begin:end]))
        if decoded is not None and is_text(decoded):
            yield Run(form, begin, end, decoded)


class EscapeForm:
    """A form that escapes characters one by one inside otherwise plain text (``%5F``, ``\\u005f``,
    ``&#95;``): a run is a token (letters, digits, ``_.-~``) holding at least one escape, so the plain
    characters around the escapes are part of the key. ``cue`` is a literal every escape contains (a
    buffer without it is skipped), ``escape`` the escape's regex, ``replace`` what a match of it stands for."""

    def __init__(self, name: str, cue: bytes, escape: bytes, replace: Callable[[re.Match[bytes]], bytes]) -> None:
        self.name, self.cue, self.replace = name, cue, replace
        self.escape = re.compile(escape)
        self.token = re.compile(rb"(?<![A-Za-z0-9_.~-])[A-Za-z0-9_.~-]*(?:" + escape + rb"[A-Za-z0-9_.~-]*)+")

    def decode(self, run: bytes) -> bytes:
        """``run`` with every escape replaced."""
        return self.escape.sub(self.replace, run)

    def runs(self, data: Buffer, wanted: Wanted) -> Iterator[Run]:
        """The escaped tokens of ``data`` that are ``wanted``."""
        if data.find(self.cue) < 0:
            return iter(())
        return token_runs(self.name, data, self.token, self.decode, wanted)

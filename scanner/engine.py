"""Matching: a case-insensitive keyword prefilter, then each candidate rule's regex over the whole buffer."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from mmap import mmap

from scanner.rules import Rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from regex import Pattern

Buffer = bytes | bytearray | memoryview | mmap
"""What the engine reads: any bytes-like buffer, including an mmap of a huge file."""

_SLICE = 1 << 24  # an mmap of a huge file is lower-cased a slice at a time


class Match:
    """A rule's hit: ``start``/``end`` are byte offsets of the secret inside the scanned buffer."""

    __slots__ = ("rule", "start", "end", "secret")

    def __init__(self, rule: Rule, start: int, end: int, secret: str) -> None:
        self.rule, self.start, self.end, self.secret = rule, start, end, secret

    def __repr__(self) -> str:  # never the secret
        return f"Match({self.rule.id!r}, {self.start}, {self.end})"


def minimal_keywords(keywords: Iterable[str]) -> list[str]:
    """The keywords that do not contain another keyword: finding those decides the prefilter."""
    unique = sorted(set(keywords), key=len)
    kept: list[str] = []
    for k in unique:
        if not any(shorter in k for shorter in kept):
            kept.append(k)
    return kept


def keywords_in(data: Buffer, keywords: Iterable[bytes]) -> set[bytes]:
    """The lower-case ``keywords`` that occur in ``data``, ignoring case."""
    wanted = set(keywords)
    if not wanted:
        return set()
    if isinstance(data, bytes):
        lowered = data.lower()
        return {k for k in wanted if k in lowered}
    found: set[bytes] = set()
    overlap = max(map(len, wanted)) - 1
    for i in range(0, len(data), _SLICE):
        lowered = bytes(data[i:i + _SLICE + overlap]).lower()
        found |= {k for k in wanted - found if k in lowered}
        if found == wanted:
            break
    return found


class Engine:
    """Rules ready to run; ``scan`` finds every secret in a byte buffer."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = list(rules)
        self._keywords = [k.encode() for k in minimal_keywords(k for r in self.rules for k in r.keywords)]
        self._single: Pattern[bytes] | None = None  # compiled on first use (see has_keyword)
        self._rule_keywords = [(r, [k.encode() for k in r.keywords]) for r in self.rules]

    def has_keyword(self, data: Buffer) -> bool:
        """True when any rule's keyword occurs (case-insensitively): the cheap skip test."""
        if len(self._keywords) != 1:
            return bool(self._keywords) and bool(keywords_in(data, self._keywords))
        # one literal: regex's case-insensitive literal search is fast; an alternation is not
        if self._single is None:
            import regex
            self._single = regex.compile(b"(?i)" + regex.escape(self._keywords[0]))
        return self._single.search(data) is not None

    def candidate_rules(self, data: Buffer) -> list[Rule]:
        """The rules at least one of whose keywords occurs in ``data``."""
        if not self.has_keyword(data):
            return []
        if len(self.rules) == 1:
            return self.rules
        present = keywords_in(data, {k for _, keywords in self._rule_keywords for k in keywords})
        return [r for r, keywords in self._rule_keywords if any(k in present for k in keywords)]

    def scan(self, data: Buffer) -> Iterator[Match]:
        """Every raw match of every candidate rule (false-positive filters come later)."""
        for rule in self.candidate_rules(data):
            group = 1 if rule.pattern.groups else 0
            for m in rule.pattern.finditer(data):
                start, end = m.span(group)
                if start < 0:
                    continue
                yield Match(rule, start, end, bytes(data[start:end]).decode("utf-8", "replace"))

"""Matching: a case-insensitive keyword prefilter, then each candidate rule's regex over the whole buffer."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from mmap import mmap

import regex

from scanner.rules import Rule

Buffer = bytes | bytearray | memoryview | mmap
"""What the engine reads: any bytes-like buffer, including an mmap of a huge file."""


@dataclass(frozen=True, slots=True)
class Match:
    """A rule's hit: ``start``/``end`` are byte offsets of the secret inside the scanned buffer."""

    rule: Rule
    start: int
    end: int
    secret: str = field(repr=False)


def minimal_keywords(keywords: Iterable[str]) -> list[str]:
    """The keywords that do not contain another keyword: finding those decides the prefilter."""
    unique = sorted(set(keywords), key=len)
    kept: list[str] = []
    for k in unique:
        if not any(shorter in k for shorter in kept):
            kept.append(k)
    return kept


class Engine:
    """Compiled rules; ``scan`` finds every secret in a byte buffer."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = list(rules)
        self._keywords = minimal_keywords(k for r in self.rules for k in r.keywords)
        # one literal: regex's case-insensitive literal search is fast; an alternation is not
        self._single = regex.compile(b"(?i)" + regex.escape(self._keywords[0].encode())) \
            if len(self._keywords) == 1 else None
        self._rule_keywords = {
            r.id: regex.compile(b"(?i)" + b"|".join(regex.escape(k.encode()) for k in r.keywords))
            for r in self.rules
        }

    def has_keyword(self, data: Buffer) -> bool:
        """True when any rule's keyword occurs (case-insensitively): the cheap skip test."""
        if self._single is not None:
            return self._single.search(data) is not None
        if not self._keywords:
            return False
        keywords = [k.encode() for k in self._keywords]
        if isinstance(data, bytes):
            lowered = data.lower()
            return any(lowered.find(k) >= 0 for k in keywords)
        # an mmap of a huge file: lower-case it a slice at a time (overlapping by a keyword's length)
        step, overlap = 1 << 24, max(map(len, keywords)) - 1
        for i in range(0, len(data), step):
            lowered = bytes(data[i:i + step + overlap]).lower()
            if any(lowered.find(k) >= 0 for k in keywords):
                return True
        return False

    def candidate_rules(self, data: Buffer) -> list[Rule]:
        """The rules at least one of whose keywords occurs in ``data``."""
        if not self.has_keyword(data):
            return []
        if len(self.rules) == 1:
            return self.rules
        return [r for r in self.rules if self._rule_keywords[r.id].search(data)]

    def scan(self, data: Buffer) -> Iterator[Match]:
        """Every raw match of every candidate rule (false-positive filters come later)."""
        for rule in self.candidate_rules(data):
            group = 1 if rule.pattern.groups else 0
            for m in rule.pattern.finditer(data):
                start, end = m.span(group)
                if start < 0:
                    continue
                yield Match(rule, start, end, bytes(data[start:end]).decode("utf-8", "replace"))

"""Matching: a case-insensitive keyword prefilter, then each candidate rule's regex over the whole buffer."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
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
    secret: str


class Engine:
    """Compiled rules; ``scan`` finds every secret in a byte buffer."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = list(rules)
        keywords = sorted({k for r in self.rules for k in r.keywords}, key=len, reverse=True)
        alternation = b"|".join(regex.escape(k.encode()) for k in keywords)
        self._any_keyword = regex.compile(b"(?i)" + alternation) if keywords else None
        self._rule_keywords = {
            r.id: regex.compile(b"(?i)" + b"|".join(regex.escape(k.encode()) for k in r.keywords))
            for r in self.rules
        }

    def has_keyword(self, data: Buffer) -> bool:
        """True when any rule's keyword occurs (case-insensitively): the cheap skip test."""
        return self._any_keyword is not None and self._any_keyword.search(data) is not None

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

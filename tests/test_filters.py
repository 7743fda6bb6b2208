"""The false-positive filters' fast forms decide exactly as their plain definitions."""
from __future__ import annotations

import math
import random
from collections import Counter

from scanner import filters


def _entropy_by_definition(text: str) -> float:
    if not text:
        return 0.0
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


def test_entropy_is_the_same_float_as_its_definition() -> None:
    rng = random.Random(5)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789_-é😀\udcff"
    texts = ["", "a", "ab" * 100, "a" * filters._TERMS_UP_TO, "a" * (filters._TERMS_UP_TO + 1) + "bc" * 70]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 300))) for _ in range(5000)]
    for text in texts:
        assert filters.shannon_entropy(text) == _entropy_by_definition(text), text  # bit for bit
        assert filters.shannon_entropy(text) == _entropy_by_definition(text)  # from the table the first made


def test_sequential_bodies_by_definition() -> None:
    def by_definition(body: str) -> bool:
        core = body.lower().replace("-", "").replace("_", "")
        runs = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "0123456789abcdefghijklmnopqrstuvwxyz")
        return len(core) >= 8 and any(core in r * 4 or core in (r * 4)[::-1] for r in runs)

    rng = random.Random(6)
    bodies = ["0123456789abcdef", "ZYXWVUTSRQ", "9876543210", "abc-def_ghij", "abcdefg", "0123456789abcdeX"]
    bodies += ["".join(rng.choice("0123456789abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 40)))
               for _ in range(2000)]
    starts = [rng.randrange(36) for _ in range(500)]
    bodies += [("0123456789abcdefghijklmnopqrstuvwxyz" * 3)[s:s + rng.randint(6, 40)] for s in starts]
    for body in bodies:
        assert filters.is_sequential(body) == by_definition(body), body


def test_allow_comment_cue_is_in_every_marker() -> None:
    assert all(filters.ALLOW_CUE in marker for marker in filters.ALLOW_MARKERS)
    for line in (b"x = 1  # yardguard:allow", b"gitleaks:allow", b"# pragma: allowlist secret", b"allow",
                 b"pragma: allowlist", b"yardguard: allow", b""):
        assert filters.has_allow_comment(line) == any(m in line for m in filters.ALLOW_MARKERS)

"""Filters: small pure functions, each named for the false positive (or accepted finding) it removes."""
from __future__ import annotations

import collections
import math
import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from scanner.engine import RegexTimeout, regex_timeout

TYPE_CHECKING = False
if TYPE_CHECKING:
    from scanner.rules import Rule

ALLOW_MARKERS = (b"yardguard:allow", b"gitleaks:allow", b"pragma: allowlist secret")
ALLOW_CUE = b"allow"
"""In every marker: a line without it (almost every line) is searched once, not once per marker."""
_RUNS = ("0123456789", "abcdefghijklmnopqrstuvwxyz")
_SEQUENCES = tuple((doubled, doubled[::-1]) for doubled in (run * 4 for run in (
    *_RUNS, "0123456789abcdefghijklmnopqrstuvwxyz")))
"""Each straight run written out four times, forwards and backwards (what :func:`is_sequential` looks in)."""
_TERMS: dict[int, list[float]] = {}
"""For a text of n characters, ``c / n * log2(c / n)`` for each count c (``_TERMS[n][c]``): secrets have a
few lengths, and these are the terms of their entropy."""
_TERMS_UP_TO = 256
"""Texts longer than this compute their terms (a table per length would be as long)."""
_count: Callable[[dict[str, int], str], None] = collections._count_elements  # type: ignore[attr-defined]
"""What ``Counter(text)`` runs (in C), without the Counter: each character's count, in first-occurrence order."""


def shannon_entropy(text: str) -> float:
    """Bits per character of ``text``: ``-sum(c / n * log2(c / n))`` over the count c of each distinct
    character, in the order they first occur (the same float, term for term, as summing them directly)."""
    if not text:
        return 0.0
    n = len(text)
    counts: dict[str, int] = {}
    _count(counts, text)
    if n > _TERMS_UP_TO:
        return -sum(c / n * math.log2(c / n) for c in counts.values())
    terms = _TERMS.get(n)
    if terms is None:
        terms = _TERMS[n] = [0.0] + [c / n * math.log2(c / n) for c in range(1, n + 1)]
    return -sum(map(terms.__getitem__, counts.values()))


def is_repeated_characters(body: str) -> bool:
    """``xxxxxxxx``, ``abababab``: three or fewer distinct characters."""
    return len(set(body.lower())) <= 3


def is_sequential(body: str) -> bool:
    """``0123456789abcdef``, ``abcdefghijklmnop``: a straight run, forwards or backwards."""
    core = body.lower().replace("-", "").replace("_", "")
    if len(core) < 8:
        return False
    return any(core in forwards or core in backwards for forwards, backwards in _SEQUENCES)


def is_false_positive(rule: Rule, secret: str) -> bool:
    """True for placeholders and low-randomness values: the rule's ``allow`` list, its entropy floor,
    repeated or sequential characters.

    A regex on one secret (a few hundred characters) runs holding the GIL (``concurrent=False``): the regex
    module otherwise lets go of it for every call, and two history readers then handed it to each other
    on every finding (two readers used more CPU than one on 40,000 findings). A regex over a whole buffer
    (the engine's) still lets the other threads run."""
    if rule.allow:
        timeout = regex_timeout()
        try:
            for allow in rule.allow:
                if allow.search(secret, timeout=timeout, concurrent=False):
                    return True
        except TimeoutError:
            raise RegexTimeout(rule) from None
    body = rule.secret_body(secret)
    if is_repeated_characters(body) or is_sequential(body):
        return True
    return rule.entropy is not None and shannon_entropy(body) < rule.entropy


def has_allow_comment(line: bytes) -> bool:
    """A line marked ``yardguard:allow`` (or gitleaks' / detect-secrets' markers) is accepted."""
    return ALLOW_CUE in line and any(m in line for m in ALLOW_MARKERS)


@lru_cache(maxsize=512)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    anchored = "/" in pattern.rstrip("/")
    pattern = pattern.strip("/")
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    body = "".join(out)
    # gitignore-like: a pattern without a slash matches at any depth; a directory matches its contents
    return re.compile(("" if anchored else "(?:.*/)?") + body + "(?:/.*)?", re.DOTALL)


def path_matches(path: str, globs: Iterable[str]) -> bool:
    """True when the POSIX ``path`` matches any glob (``*``, ``?``, ``**``; no slash = any depth)."""
    return any(_glob_regex(g).fullmatch(path) for g in globs)


def is_excluded_path(rule: Rule, path: str, excluded: Iterable[str] = ()) -> bool:
    """The path is outside the rule's ``paths``, inside its ``exclude_paths`` or the config's excludes."""
    if rule.paths and not path_matches(path, rule.paths):
        return True
    return path_matches(path, rule.exclude_paths) or path_matches(path, excluded)


def is_in_baseline(rule_id: str, secret_sha256: str, path: str,
                   baseline: set[tuple[str, str, str]]) -> bool:
    """The finding was accepted earlier (``yardguard baseline``)."""
    return (rule_id, secret_sha256, path) in baseline

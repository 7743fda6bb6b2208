"""Filters: small pure functions, each named for the false positive (or accepted finding) it removes."""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from scanner.rules import Rule

ALLOW_MARKERS = (b"yardguard:allow", b"gitleaks:allow", b"pragma: allowlist secret")
_RUNS = ("0123456789", "abcdefghijklmnopqrstuvwxyz")


def shannon_entropy(text: str) -> float:
    """Bits per character of ``text``."""
    if not text:
        return 0.0
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


def is_repeated_characters(body: str) -> bool:
    """``xxxxxxxx``, ``abababab``: three or fewer distinct characters."""
    return len(set(body.lower())) <= 3


def is_sequential(body: str) -> bool:
    """``0123456789abcdef``, ``abcdefghijklmnop``: a straight run, forwards or backwards."""
    core = body.lower().replace("-", "").replace("_", "")
    if len(core) < 8:
        return False
    for run in _RUNS + ("0123456789abcdefghijklmnopqrstuvwxyz",):
        doubled = run * 4
        if core in doubled or core in doubled[::-1]:
            return True
    return False


def is_false_positive(rule: Rule, secret: str) -> bool:
    """True for placeholders and low-randomness values: the rule's ``allow`` list, its entropy floor,
    repeated or sequential characters."""
    if rule.allow:
        from scanner.engine import RegexTimeout, regex_timeout
        try:
            if any(a.search(secret, timeout=regex_timeout()) for a in rule.allow):
                return True
        except TimeoutError:
            raise RegexTimeout(rule) from None
    body = rule.secret_body(secret)
    if is_repeated_characters(body) or is_sequential(body):
        return True
    return rule.entropy is not None and shannon_entropy(body) < rule.entropy


def has_allow_comment(line: bytes) -> bool:
    """A line marked ``yardguard:allow`` (or gitleaks' / detect-secrets' markers) is accepted."""
    return any(m in line for m in ALLOW_MARKERS)


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

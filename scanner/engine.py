"""Matching: a case-insensitive keyword prefilter (:class:`KeywordMatcher`), then each candidate rule's regex
over the whole buffer, under a time bound (:func:`regex_timeout`)."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from mmap import mmap

from scanner.errors import YardguardError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from regex import Pattern

    from scanner.rules import Rule  # rules import the engine's timeout: a type here, never an import

Buffer = bytes | bytearray | mmap
"""What the engine reads: any bytes-like buffer, including an mmap of a huge file."""
View = Buffer | memoryview
"""What the skip tests read as well: a view into a reader's buffer (a whole history's blobs, uncopied)."""

_SLICE = 1 << 24  # a buffer above this is lower-cased a slice at a time (never a whole copy of a huge blob)
_WINDOW = 1 << 30  # Hyperscan takes a 32-bit length: a bigger buffer is scanned in overlapping windows
FEW_LITERALS = 4
"""Up to this many literals (that contain no other) are searched for one by one; more go through one
Hyperscan pass, whose cost does not grow with their number (bench/RESULTS.md, many rules)."""
_PRUNED_UP_TO = 64
"""Literals checked for containing one another (a quadratic step); more all go to Hyperscan."""
DEFAULT_REGEX_TIMEOUT = 10.0
"""Seconds one rule's regex may run over one buffer (``YARDGUARD_REGEX_TIMEOUT`` changes it)."""
_timeout: list[float] = []


def regex_timeout() -> float:
    """The time bound of one rule's regex over one buffer: ``$YARDGUARD_REGEX_TIMEOUT`` (the operator's
    environment; a repository cannot set it) or :data:`DEFAULT_REGEX_TIMEOUT` seconds."""
    if not _timeout:
        raw = os.environ.get("YARDGUARD_REGEX_TIMEOUT") or str(DEFAULT_REGEX_TIMEOUT)
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if not 0 < value < float("inf"):
            raise YardguardError("YARDGUARD_REGEX_TIMEOUT must be a positive number of seconds")
        _timeout.append(value)
    return _timeout[0]


class RegexTimeout(YardguardError):
    """A rule's regex ran past :func:`regex_timeout` on one buffer: the scan is incomplete (exit 2, never
    a pass). ``where`` names the file or blob once a caller knows it."""

    def __init__(self, rule: Rule, where: str = "") -> None:
        self.rule, self.where = rule, where
        on = f" on {where}" if where else ""
        super().__init__(f"rule {rule.id!r} ({rule.source}) ran longer than {regex_timeout():g}s{on}; the scan "
                         "is incomplete (a catastrophically backtracking regex?)")

    def at(self, where: str) -> RegexTimeout:
        """The same error naming ``where`` (kept if it already names a place)."""
        return self if self.where else RegexTimeout(self.rule, where)


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
    seen: set[str] = set()
    lengths: list[int] = []  # of the kept keywords, ascending
    for k in unique:
        # k's substrings of each kept length, looked up at once: linear in the keywords (300 extra rules'
        # keywords took ~45,000 substring tests one pair at a time)
        if not (lengths and seen.intersection(k[i:i + n] for n in lengths for i in range(len(k) - n + 1))):
            kept.append(k)
            seen.add(k)
            if not lengths or lengths[-1] != len(k):
                lengths.append(len(k))
    return kept


def keywords_in(data: View, keywords: Iterable[bytes], ignore_case: bool = True) -> set[bytes]:
    """The ``keywords`` that occur in ``data`` (lower-case ones, ignoring case), one substring search each:
    for a few keywords only (:class:`KeywordMatcher` picks). A huge buffer is lower-cased a slice at a time."""
    wanted = set(keywords)
    if not wanted:
        return set()
    if isinstance(data, bytes) and len(data) <= _SLICE:
        haystack = data.lower() if ignore_case else data
        return {k for k in wanted if k in haystack}
    found: set[bytes] = set()
    overlap = max(map(len, wanted)) - 1
    for i in range(0, len(data), _SLICE):
        piece = bytes(data[i:i + _SLICE + overlap])
        haystack = piece.lower() if ignore_case else piece
        found |= {k for k in wanted - found if k in haystack}
        if found == wanted:
            break
    return found


class KeywordMatcher:
    """Answers "which of these literals occur in this buffer?" (and "does any?"), ignoring ASCII case
    unless ``ignore_case`` is false; caseless literals must be lower-case. ``caseless`` adds literals matched
    ignoring case to a case-sensitive matcher (the decoding gate: keywords and their encoded forms in one
    pass); those always go through Hyperscan.

    Up to :data:`FEW_LITERALS` literals are searched one by one: a single one with regex's literal search,
    several over the buffer lower-cased a slice at a time (``light``: no regex either, for the pre-commit
    hook's clean path, whose buffers are small). More literals go through one Hyperscan pass over the raw
    bytes (never lower-cased, never copied). Hyperscan and regex are imported on first use only."""

    def __init__(self, literals: Iterable[bytes], ignore_case: bool = True, light: bool = False,
                 caseless: Iterable[bytes] = ()) -> None:
        self.caseless = frozenset(caseless)
        self.literals = frozenset(literals) | self.caseless
        self.ignore_case = ignore_case
        if any(not k for k in self.literals):
            raise ValueError("an empty literal occurs everywhere")
        if any(k != k.lower() for k in self.literals if ignore_case or k in self.caseless):
            raise ValueError("caseless literals must be lower-case")
        # pruning is quadratic: with many literals (a team's extra rules, their encoded forms) Hyperscan
        # takes them all anyway
        self._multi = len(self.literals) > _PRUNED_UP_TO or bool(self.caseless and not ignore_case)
        self._minimal = [] if self._multi else [
            k.encode("latin-1") for k in minimal_keywords(k.decode("latin-1") for k in self.literals)]
        self._multi = self._multi or len(self._minimal) > FEW_LITERALS
        self._single: Pattern[bytes] | None = None
        self._light = light
        self._hyperscan: _Hyperscan | None = None
        self._every: _Hyperscan | None = None

    def found(self, data: Buffer) -> set[bytes]:
        """The literals that occur in ``data``."""
        if self._multi:
            return self._hs().found(data)
        return keywords_in(data, self.literals, self.ignore_case)

    def any(self, data: View) -> bool:
        """True when at least one literal occurs in ``data``: the cheap skip test."""
        if self._multi:
            return self._hs().any(data)
        if len(self._minimal) == 1 and not self._light:
            # one literal: regex's literal search is fast and copies nothing; an alternation is not fast
            if self._single is None:
                import regex
                self._single = regex.compile((b"(?i)" if self.ignore_case else b"") + regex.escape(self._minimal[0]))
            return self._single.search(data) is not None
        return bool(self._minimal) and bool(keywords_in(data, self._minimal, self.ignore_case))

    def any_test(self) -> Callable[[View], bool]:
        """:meth:`any` for many buffers from the calling thread, its lookups done once (a whole history
        asks it of every blob)."""
        return self._hs().any_test() if self._multi else self.any

    def load(self) -> None:
        """Import Hyperscan and load the one-pass database now, not at the first search (a whole history
        does it while git still lists the objects)."""
        if self._multi:
            self._hs()

    def positions(self, data: Buffer) -> list[int]:
        """Sorted start offsets of the literals in ``data``, as a regex alternation of them finds them:
        leftmost first, each occurrence beginning after the previous one ends (literals must not contain
        one another: then at most one of them starts at any offset). One Hyperscan pass with many
        literals; with few, one search per literal over the buffer lower-cased a slice at a time."""
        if len(self.literals) > FEW_LITERALS or (self.caseless and not self.ignore_case):
            if self._every is None:
                self._every = _Hyperscan(sorted(self.literals), self._caseless(), every=True)
            found = self._every.occurrences(data)
        else:
            found = _occurrences(data, self.literals, self.ignore_case)
        found.sort()
        kept: list[int] = []
        free = 0  # where the previous kept occurrence ends
        for start, end in found:
            if start >= free:
                kept.append(start)
                free = end
        return kept

    def _hs(self) -> _Hyperscan:
        if self._hyperscan is None:
            self._hyperscan = _Hyperscan(sorted(self.literals), self._caseless())
        return self._hyperscan

    def _caseless(self) -> frozenset[bytes]:
        return self.literals if self.ignore_case else self.caseless


def _occurrences(data: Buffer, literals: Iterable[bytes], ignore_case: bool) -> list[tuple[int, int]]:
    """(start, end) of every occurrence of every literal, one search per literal; a huge buffer is
    lower-cased a slice at a time (an occurrence counts in the slice it starts in)."""
    wanted = list(literals)
    if not wanted:
        return []
    overlap = max(map(len, wanted)) - 1
    out: list[tuple[int, int]] = []
    for i in range(0, max(len(data), 1), _SLICE):
        piece = data if isinstance(data, bytes) and len(data) <= _SLICE else bytes(data[i:i + _SLICE + overlap])
        haystack = piece.lower() if ignore_case else piece
        for literal in wanted:
            at = haystack.find(literal)
            while 0 <= at < _SLICE:
                out.append((i + at, i + at + len(literal)))
                at = haystack.find(literal, at + 1)
    return out


class _Hyperscan:
    """One compiled Hyperscan database of literals, each reported at most once per scan (``every``: at
    each occurrence); a scratch space per thread (``history --jobs`` scans from several threads; the
    search itself releases the GIL)."""

    def __init__(self, literals: list[bytes], caseless: frozenset[bytes], every: bool = False) -> None:
        import threading

        import hyperscan
        self._hs = hyperscan
        self.literals = literals
        self._overlap = max(map(len, literals)) - 1
        self._db = self._compiled(literals, caseless, every)
        self._local = threading.local()

    def _compiled(self, literals: list[bytes], caseless: frozenset[bytes], every: bool) -> Any:
        """The database (``caseless``: the literals matched ignoring case), from the cache when these
        literals were compiled before (compiling 300 takes ~20-40 ms, loading one ~20 us)."""
        from scanner import tomlfile
        from scanner.digest import sha256_hex
        hs = self._hs
        ignored = [k in caseless for k in literals]
        key = [sha256_hex(b"\0".join(literals)), "".join("i" if i else "-" for i in ignored), hs.__version__,
               "hyperscan-every.db" if every else "hyperscan.db"]
        cached = tomlfile.recall(key)
        if cached is not None and isinstance(cached.get("db"), bytes):
            try:
                return hs.loadb(cached["db"], mode=hs.HS_MODE_BLOCK)
            except hs.error:  # another CPU or library version: compile again
                pass
        db = hs.Database(mode=hs.HS_MODE_BLOCK)
        flags = [(0 if every else hs.HS_FLAG_SINGLEMATCH) | (hs.HS_FLAG_CASELESS if i else 0) for i in ignored]
        # every byte as \xHH: any literal (even with regex syntax or a NUL) is matched exactly
        db.compile(expressions=[b"".join(b"\\x%02x" % c for c in k) for k in literals],
                   ids=list(range(len(literals))), elements=len(literals), flags=flags)
        tomlfile.remember(key, {"db": hs.dumpb(db)})
        return db

    def _scratch(self) -> Any:
        """The calling thread's scratch space (made on its first scan)."""
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = self._hs.Scratch(self._db)
        return scratch

    def _scan(self, data: View, on_match: Any, at: list[int] | None = None) -> None:
        """Run the database over ``data`` (window by window if huge; ``at[0]`` says where the window
        being scanned starts)."""
        scratch = self._scratch()
        if len(data) <= _WINDOW:
            self._db.scan(data, match_event_handler=on_match, scratch=scratch)
            return
        with memoryview(data) as view:
            for i in range(0, len(data), _WINDOW):
                if at is not None:
                    at[0] = i
                with view[i:i + _WINDOW + self._overlap] as window:
                    self._db.scan(window, match_event_handler=on_match, scratch=scratch)

    def occurrences(self, data: Buffer) -> list[tuple[int, int]]:
        """(start, end) of every occurrence of every literal (a database compiled with ``every``)."""
        out: list[tuple[int, int]] = []
        lengths = [len(k) for k in self.literals]
        at = [0]

        def on_match(i: int, _start: int, end: int, _flags: int, _context: Any) -> None:
            start = end - lengths[i]
            if start < _WINDOW:  # else it starts in the next window's own part: counted there
                out.append((at[0] + start, at[0] + end))

        self._scan(data, on_match, at)
        return out

    def found(self, data: Buffer) -> set[bytes]:
        ids: set[int] = set()
        self._scan(data, lambda i, _start, _end, _flags, _context: ids.add(i))
        return {self.literals[i] for i in ids}

    def any(self, data: View) -> bool:
        try:
            self._scan(data, _stop)
        except self._hs.ScanTerminated:
            return True
        return False

    def any_test(self) -> Callable[[View], bool]:
        """:meth:`any` for the calling thread, with its scratch space bound."""
        scratch, scan, terminated, any_ = self._scratch(), self._db.scan, self._hs.ScanTerminated, self.any

        def test(data: View) -> bool:
            if len(data) > _WINDOW:
                return any_(data)
            try:
                scan(data, match_event_handler=_stop, scratch=scratch)
            except terminated:
                return True
            return False
        return test


def _stop(*_: Any) -> bool:
    """A Hyperscan match handler that stops the scan at the first match."""
    return True


class Engine:
    """Rules ready to run; ``scan`` finds every secret in a byte buffer. ``keywords`` answers which of the
    rules' keywords a buffer holds (the prefilter)."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = list(rules)
        self._rule_keywords = [(r, [k.encode() for k in r.keywords]) for r in self.rules]
        self.keywords = KeywordMatcher({k for _, keywords in self._rule_keywords for k in keywords})

    def has_keyword(self, data: Buffer) -> bool:
        """True when any rule's keyword occurs (case-insensitively): the cheap skip test."""
        return self.keywords.any(data)

    def candidate_rules(self, data: Buffer) -> list[Rule]:
        """The rules at least one of whose keywords occurs in ``data``."""
        if len(self.rules) == 1:
            return self.rules if self.keywords.any(data) else []
        present = self.keywords.found(data)
        return [r for r, keywords in self._rule_keywords if any(k in present for k in keywords)] if present else []

    def scan(self, data: Buffer) -> Iterator[Match]:
        """Every raw match of every candidate rule (false-positive filters come later); a rule that runs
        past :func:`regex_timeout` is a :class:`RegexTimeout`."""
        timeout = regex_timeout()
        for rule in self.candidate_rules(data):
            group = 1 if rule.pattern.groups else 0
            try:
                found = [m.span(group) for m in rule.pattern.finditer(data, timeout=timeout)]
            except TimeoutError:
                raise RegexTimeout(rule) from None
            for start, end in found:
                if start >= 0:
                    yield Match(rule, start, end, bytes(data[start:end]).decode("utf-8", "replace"))

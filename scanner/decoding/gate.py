"""Where decoding can pay: the encoded forms of the rules' keywords are themselves literals (base64 of
``rackyard`` at its three alignments, and base64 of those, its hex, ``%72%61``, ``\\u0072``, ``&#114;``,
UTF-16...), so a buffer holding neither a keyword nor one of these literals cannot hide a key and is never decoded.

Light on purpose (``binascii`` only): the hook's quick answer for a clean change uses it."""
from __future__ import annotations

import binascii
from collections.abc import Callable, Iterable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from scanner.engine import Buffer, KeywordMatcher, View

_CORE = 6
"""A keyword longer than this loses its first character (so ``Trackyard`` and ``trackyard`` share
literals); the rest is encoded in lower and in upper case."""


def _base64_alignments(word: bytes) -> list[bytes]:
    """The base64 characters that depend only on ``word``, at each of the three byte alignments."""
    out = []
    for shift in range(3):
        encoded = binascii.b2a_base64(b"\0" * shift + word, newline=False)
        first, last = -(-8 * shift // 6), 8 * (shift + len(word)) // 6  # whole 6-bit groups inside word
        out.append(encoded[first:last])
    return out


def _digit_prefix(word: bytes) -> bytes:
    """The longest start of ``word`` whose hex has no letters (at least 3 bytes, else ``word``): its hex
    forms are then the same in lower and upper case."""
    n = 0
    while n < len(word) and word[n:n + 1].hex().isdigit():
        n += 1
    return word[:n] if n >= 3 else word


def _forms(word: bytes) -> list[bytes]:
    """Every encoded form of ``word`` the decoders recognise."""
    once = _base64_alignments(word)
    twice = [form for inner in once for form in _base64_alignments(inner)]  # .dockerconfigjson's auth
    forms = [*once, *twice, b"\0".join(word[i:i + 1] for i in range(len(word)))]  # UTF-16 LE/BE
    short = _digit_prefix(word)
    for digits in {short.hex(), short.hex().upper()}:
        pairs = [digits[i:i + 2] for i in range(0, len(digits), 2)]
        forms += [digits.encode(), "".join(f"%{p}" for p in pairs).encode(),
                  "".join(f"\\x{p}" for p in pairs).encode(), "".join(f"\\u00{p}" for p in pairs).encode(),
                  "".join(f"&#x{p};" for p in pairs).encode(), "".join(f"&#X{p};" for p in pairs).encode()]
    forms += ["".join(f"\\{b:o}" for b in short).encode(), "".join(f"&#{b};" for b in short).encode()]
    return forms


CACHED_FROM = 16
"""With more keywords than this (a team's extra rules), their encoded forms are kept in the cache (300
keywords: ~0.08 s to compute, ~2 ms to load); a few are computed, without touching it."""


def encoded_literals(keywords: Iterable[bytes]) -> list[bytes]:
    """The encoded forms of lower-case ``keywords`` (among one keyword's forms, none contains another)."""
    words = list(keywords)
    if len(words) <= CACHED_FROM:
        return _encoded_literals(words)
    import os

    from scanner import __version__, tomlfile
    from scanner.digest import sha256_hex
    here = os.stat(__file__)  # a changed gate (a development checkout) never reads an older entry
    # the keywords in any order (sets of them are listed in hash order): the literals' order means nothing
    key = [sha256_hex(b"\0".join(sorted(words))), __version__, here.st_size, here.st_mtime_ns, "encoded-literals"]
    cached = tomlfile.recall(key)
    literals = None if cached is None else cached.get("literals")
    if isinstance(literals, list) and all(isinstance(k, bytes) and k for k in literals):
        return literals
    literals = _encoded_literals(words)
    tomlfile.remember(key, {"literals": literals})
    return literals


def _encoded_literals(keywords: list[bytes]) -> list[bytes]:
    kept: dict[bytes, None] = {}  # ordered and unique
    for keyword in keywords:
        # pruned per keyword: linear in the number of keywords (a team's 150 extra rules), where pruning
        # across all of them is quadratic in the tens of thousands of forms
        core = keyword[1:] if len(keyword) > _CORE else keyword
        own = _minimal_forms(sorted({f for word in (core, core.upper()) for f in _forms(word)}, key=len))
        kept.update(dict.fromkeys(own))
    return list(kept)


def _minimal_forms(forms: list[bytes]) -> list[bytes]:
    """``forms`` (sorted by length) without those that contain a shorter one kept before them: one search
    through all of them (joined by newlines) per kept form, not one comparison per pair."""
    if any(b"\n" in form for form in forms):  # cannot be joined: pair by pair
        own: list[bytes] = []
        for form in forms:
            if not any(shorter in form for shorter in own):
                own.append(form)
        return own
    import bisect
    starts, at = [], 0
    for form in forms:
        starts.append(at)
        at += len(form) + 1
    joined = b"\n".join(forms)
    dropped = [False] * len(forms)
    for i, form in enumerate(forms):
        if dropped[i]:
            continue
        hit = joined.find(form, starts[i] + 1)
        while hit >= 0:
            dropped[bisect.bisect_right(starts, hit) - 1] = True  # the (longer) form the hit lies in
            hit = joined.find(form, hit + 1)
    return [form for i, form in enumerate(forms) if not dropped[i]]


ARCHIVE_MAGICS = (b"PK\x03\x04", b"\x1f\x8b\x08", b"BZh", b"\xfd7zXZ\x00", b"SQLite format 3\x00")
"""The first bytes of the containers whose base64 is looked for (zip, gzip, bz2, xz, SQLite)."""


def archive_literals() -> list[bytes]:
    """The base64 characters that begin a base64-encoded container (``UEsDB`` for a zip, ``H4sI`` for a
    gzip stream...): a run starts at its data's first byte, so one alignment each."""
    return [binascii.b2a_base64(magic, newline=False)[:8 * len(magic) // 6] for magic in ARCHIVE_MAGICS]


def has_literal(data: Buffer, literals: Iterable[bytes]) -> bool:
    """True when any of ``literals`` occurs in ``data`` (case-sensitively): one search each, for small data."""
    find = data.find
    return any(find(literal) >= 0 for literal in literals)


SMALL = 1 << 20
"""Bytes a :class:`LiteralSearch` reads one literal at a time before it starts the engine's matcher."""
FEW = 256
"""Literals a :class:`LiteralSearch` still searches one at a time; with more (many rules), the engine's
matcher starts at once."""


class LiteralSearch:
    """Which encoded literals occur in a buffer, case-sensitively. With :data:`FEW` literals or less, the
    first :data:`SMALL` bytes of a run are searched one literal at a time (a commit hook never pays for
    starting a multi-literal matcher); after that, or with more literals, the engine's
    :class:`~scanner.engine.KeywordMatcher` does one pass for all of them.

    With ``keywords`` (the engine's matcher of the rules' keywords, caseless), :meth:`any` also answers
    for those: past the first :data:`SMALL` bytes, keywords and encoded literals are one pass per buffer
    (a whole history reads every blob once; two passes cost ~1.6x one)."""

    def __init__(self, literals: list[bytes], keywords: KeywordMatcher | None = None) -> None:
        self.literals = literals
        self.keywords = keywords
        self._read = 0
        self._matcher: KeywordMatcher | None = None

    def expect_many(self) -> None:
        """Search with the engine's matcher from now on, loaded now: the caller is about to read many (a
        whole history), so searching its first :data:`SMALL` bytes one literal at a time would cost more."""
        self._read = max(self._read, SMALL + 1)  # past SMALL: any_test is the matcher's one pass
        matcher = self._engine_matcher(b"")
        if matcher is not None:
            matcher.load()

    def _engine_matcher(self, data: Buffer) -> KeywordMatcher | None:
        if self._matcher is None:
            self._read += len(data)
            if self._read <= SMALL and len(self.literals) <= FEW:
                return None
            from scanner.engine import KeywordMatcher
            caseless = self.keywords.literals if self.keywords is not None else ()
            self._matcher = KeywordMatcher(self.literals, ignore_case=False, caseless=caseless)
        return self._matcher

    def any(self, data: Buffer) -> bool:
        """True when at least one literal (or keyword) occurs in ``data``."""
        matcher = self._engine_matcher(data)
        if matcher is not None:
            return matcher.any(data)
        return (self.keywords is not None and self.keywords.any(data)) or has_literal(data, self.literals)

    def any_test(self) -> Callable[[View], bool]:
        """:meth:`any` for many buffers (views too) from the calling thread (after :meth:`expect_many`: one
        pass each)."""
        matcher = self._engine_matcher(b"")
        if matcher is not None:
            return matcher.any_test()

        def test(data: View) -> bool:  # the literals are searched one at a time: a view has no find()
            return self.any(bytes(data) if isinstance(data, memoryview) else data)
        return test

    def found(self, data: Buffer) -> set[bytes]:
        """The literals (and keywords) that occur in ``data``."""
        matcher = self._engine_matcher(data)
        if matcher is not None:
            return matcher.found(data)
        found = {k for k in self.literals if data.find(k) >= 0}
        return found | self.keywords.found(data) if self.keywords is not None else found

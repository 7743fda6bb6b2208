"""Findings: where a secret is (line/column), its redacted form and hash, and de-duplication."""
from __future__ import annotations

import codecs
from collections.abc import Callable, Iterable, Iterator

from scanner import filters
from scanner.digest import sha256_hex
from scanner.engine import Buffer, Engine, Match, RegexTimeout
from scanner.rules import Rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Self

COMMIT_MESSAGE_PATH = "<commit message>"
TAG_MESSAGE_PATH = "<tag message>"  # an annotated tag's message (pre-receive)
_CONTEXT = 4096  # bytes of a (possibly huge, binary) line looked at around a match for allow comments


def printable(path: str) -> str:
    """``path`` with undecodable bytes (lone surrogates) replaced by U+FFFD."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def redact(rule: Rule, secret: str) -> str:
    """The rule's fixed prefix (if any) plus four characters, then an ellipsis."""
    body = rule.secret_body(secret)
    return secret[: len(secret) - len(body)] + body[:4] + "…"


def sha256(secret: str) -> str:
    """Hex SHA-256 of the exact secret: the only form of it that may be stored."""
    return sha256_hex(secret.encode("utf-8", "surrogateescape"))


class Finding:
    """One reportable secret at one place. ``secret`` is raw (decoded, when it was found encoded): only
    reporters decide how it is shown, and it is never part of a repr (so never of a log line or a
    traceback). Its origin: ``encoding`` is the chain of encodings and containers it was found under,
    outermost first (empty for plain text); ``member`` the name inside the outer file when it was found in
    a container (``path`` is then ``outer!member``)."""

    def __init__(self, rule: Rule, secret: str, path: str, line: int, column: int, commit: str | None = None,
                 author_name: str | None = None, author_email: str | None = None, commit_date: str | None = None,
                 verification: dict[str, Any] | None = None, revocation: dict[str, Any] | None = None,
                 repo_path: str | None = None, encoding: tuple[str, ...] = (), member: str | None = None,
                 in_head: bool | None = None) -> None:
        self.rule, self.secret, self.line, self.column = rule, secret, line, column
        self.encoding, self.member = encoding, member
        # a file name that is not valid UTF-8 (surrogate-escaped by os.fsdecode) is shown with U+FFFD:
        # reports are UTF-8 text and must never fail to encode
        self.path = printable(path)
        # relative to the repository root, when ``path`` is relative to somewhere else
        self.repo_path = None if repo_path is None else printable(repo_path)
        self.commit, self.author_name, self.author_email = commit, author_name, author_email
        self.commit_date = commit_date
        self.verification: dict[str, Any] = {"status": "not_checked"} if verification is None else verification
        self.revocation = revocation
        self.in_head = in_head  # history: the key is still at this path in HEAD (None outside history)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.rule.id!r}, {self.path!r}, {self.line}, {self.column})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` applied."""
        unknown = set(changes) - set(vars(self))
        if unknown:
            raise TypeError(f"Finding has no field(s) {', '.join(sorted(unknown))}")
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__, **changes)
        new.path = printable(new.path)
        if new.repo_path is not None:
            new.repo_path = printable(new.repo_path)
        return new

    @property
    def root_path(self) -> str:
        """The path relative to the repository (config) root: what baselines and path excludes match.
        It differs from ``path`` for ``scan SUBDIR`` and ``scan ./file``."""
        return self.path if self.repo_path is None else self.repo_path

    @property
    def outer_path(self) -> str:
        """The file the user edits: ``path`` without the container member (``outer.zip!inner`` -> ``outer.zip``)."""
        return self._outer(self.path)

    @property
    def outer_root_path(self) -> str:
        """``root_path`` without the container member: the file a report's location points at."""
        return self._outer(self.root_path)

    def _outer(self, path: str) -> str:
        return path if self.member is None else path[:len(path) - len(self.member) - 1]

    @property
    def decoded_from(self) -> str:
        """The encoding chain for people (``base64 > gzip``), empty for plain text."""
        return " > ".join(self.encoding)

    @property
    def secret_sha256(self) -> str:
        return sha256(self.secret)

    @property
    def redacted(self) -> str:
        return redact(self.rule, self.secret)

    @property
    def status(self) -> str:
        """The verification status: ``live``, ``invalid``, ``unknown`` or ``not_checked``."""
        return self.verification.get("status", "not_checked")

    def to_dict(self, show_secrets: bool = False) -> dict[str, Any]:
        """The stable JSON shape documented in the README."""
        return {
            "rule_id": self.rule.id,
            "description": self.rule.description,
            "secret": self.secret if show_secrets else self.redacted,
            "secret_sha256": self.secret_sha256,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "encoding": list(self.encoding),
            "commit": self.commit,
            "author_name": self.author_name,
            "author_email": self.author_email,
            "commit_date": self.commit_date,
            "in_head": self.in_head,
            "verification": self.verification,
            "revocation": self.revocation,
        }


class Location:
    """Where a match is: 1-based line and column, and the line around it (capped) for allow comments."""

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
    single-line file must not be decoded whole)."""
    step = 1 << 20
    if end - start <= step:
        return len(bytes(data[start:end]).decode("utf-8", "replace"))
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    count = sum(len(decoder.decode(bytes(data[i:min(i + step, end)]))) for i in range(start, end, step))
    return count + len(decoder.decode(b"", final=True))


def _starts_character(data: Buffer, i: int) -> bool:
    """True unless byte ``i`` continues a UTF-8 sequence: decoding a line split there counts the same
    characters as decoding it whole."""
    return i >= len(data) or not 0x80 <= data[i] < 0xC0


class Locator:
    """Turns byte offsets into 1-based line/column. Offsets come in ascending order (else it starts over),
    and each costs only the bytes since the previous one: many keys on one huge line stay linear."""

    def __init__(self, data: Buffer) -> None:
        self.data = data
        self._offset = 0  # the previous offset, on line ``_line`` that starts at ``_line_start``
        self._line = 1
        self._line_start = 0
        self._characters = 0  # characters from ``_line_start`` to ``_counted``
        self._counted = 0  # the character start that ``_characters`` counts up to

    def locate(self, start: int, end: int) -> Location:
        data = self.data
        if start < self._offset:
            self._offset, self._line, self._line_start, self._characters, self._counted = 0, 1, 0, 0, 0
        newlines = _count_newlines(data, self._offset, start)
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
        context_end = data.find(b"\n", end, end + _CONTEXT)
        if context_end < 0:
            context_end = min(len(data), end + _CONTEXT)
        context = bytes(data[max(line_start, start - _CONTEXT): context_end])
        return Location(self._line, column, context)


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
        "distinct_secrets": len({f.secret for f in findings}),
        "by_rule": by_rule,
        "by_status": by_status,
    }

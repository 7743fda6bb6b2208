"""The model every stage shares: a :class:`Finding`, where it is (its origin), and the typed verdicts of
verification and revocation. Light on purpose (no dataclasses, no typing at run time): the pre-commit
hook builds findings."""
from __future__ import annotations

from scanner.digest import sha256_hex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, Self

    from scanner.rules import Rule

LIVE, INVALID, UNKNOWN, NOT_CHECKED = "live", "invalid", "unknown", "not_checked"
"""Verification statuses: proven live, proven invalid, not provable (outage, deadline), not asked."""

FILE, STDIN, COMMIT, COMMIT_MESSAGE, TAG_MESSAGE = "file", "stdin", "commit", "commit message", "tag message"
"""Origins: a file (work tree or index), standard input, a blob of a commit (``Finding.commit`` says which,
``in_head`` whether HEAD still has it), the message of a commit, the message of an annotated tag (its
``commit`` is the tag object). A finding in an archive also has a ``member`` inside its file or blob."""
MESSAGE_PATHS = {COMMIT_MESSAGE: "<commit message>", TAG_MESSAGE: "<tag message>"}
"""What a report shows as the path of a finding in a message (there is no file)."""


def stored_origin(path: str, commit: str | None) -> str:
    """The origin of a finding read back from a form that keeps no origin (an audit store row): the message
    paths of :data:`MESSAGE_PATHS` stand for those messages, else a commit's file or a file."""
    for origin, shown in MESSAGE_PATHS.items():
        if path == shown:
            return origin
    return COMMIT if commit else FILE


class Verification:
    """What a provider answered about a key: ``status`` (live, invalid, unknown; not_checked when nothing
    was asked), the provider's ``facts`` (``verify.fields`` of its rule table, in that order: tier,
    created_at, ...), a ``detail`` for people and the answer's HTTP status. Immutable by convention:
    every finding of one key shares the same verdict."""

    __slots__ = ("status", "facts", "detail", "http_status")

    def __init__(self, status: str = NOT_CHECKED, facts: dict[str, Any] | None = None, detail: str | None = None,
                 http_status: int | None = None) -> None:
        self.status, self.detail, self.http_status = status, detail, http_status
        self.facts: dict[str, Any] = {} if facts is None else facts

    def fact(self, name: str) -> Any:
        """The provider's value for ``name`` (None when it did not say)."""
        return self.facts.get(name)

    def stated(self) -> dict[str, Any]:
        """The facts the provider did state (no ``None``), in its order: what reports and prompts show."""
        return {k: v for k, v in self.facts.items() if v is not None}

    def to_dict(self) -> dict[str, Any]:
        """The report's ``verification`` object: ``{"status"}`` alone when nothing was asked, else the
        status, every fact, ``detail`` and ``http_status`` (None where unknown)."""
        if self.status == NOT_CHECKED and not self.facts and self.detail is None and self.http_status is None:
            return {"status": NOT_CHECKED}
        return {"status": self.status, **self.facts, "detail": self.detail, "http_status": self.http_status}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Verification:
        """A verdict read back from :meth:`to_dict` JSON (the verification cache, the audit store); values
        of the wrong type are dropped, never trusted."""
        status = data.get("status")
        return cls(status if isinstance(status, str) else UNKNOWN,
                   {k: v for k, v in data.items() if k not in ("status", "detail", "http_status")},
                   _text_or_none(data.get("detail")), _code_or_none(data.get("http_status")))

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Verification({self.status!r}, detail={self.detail!r}, http_status={self.http_status!r})"


class Revocation:
    """What happened when yardguard tried to revoke a key: ``status`` (revoked, failed, unsupported,
    skipped), a ``detail`` for people, the revoke request's HTTP status and that of the re-check that
    proves the key dead (the audit log keeps it; reports do not)."""

    __slots__ = ("status", "detail", "http_status", "recheck_http_status")

    def __init__(self, status: str, detail: str | None = None, http_status: int | None = None,
                 recheck_http_status: int | None = None) -> None:
        self.status, self.detail = status, detail
        self.http_status, self.recheck_http_status = http_status, recheck_http_status

    def to_dict(self) -> dict[str, Any]:
        """The report's ``revocation`` object."""
        return {"status": self.status, "detail": self.detail, "http_status": self.http_status}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Revocation:
        """A revocation read back from :meth:`to_dict` JSON (the audit store)."""
        return cls(str(data.get("status")), _text_or_none(data.get("detail")), _code_or_none(data.get("http_status")))

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Revocation({self.status!r}, detail={self.detail!r}, http_status={self.http_status!r})"


def _text_or_none(value: object) -> str | None:
    """``value`` if it is a string (read from untrusted JSON), else None."""
    return value if isinstance(value, str) else None


def _code_or_none(value: object) -> int | None:
    """``value`` if it is an integer and not a bool (an HTTP status read from untrusted JSON), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def printable(path: str) -> str:
    """``path`` as every output shows it: undecodable bytes (lone surrogates) replaced by U+FFFD, and a
    Trackyard key in a file or member name cut like any key (``trackyard_live_AbCd…``): a name is no place
    to print one. What a finding's path matches (baselines, path excludes) is this text too."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        path = path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if "yard_" in path.lower():
        from scanner.redaction import redact_prefixed
        path = redact_prefixed(path)
    return path


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
    traceback). Where it is: ``origin`` (:data:`FILE`, :data:`STDIN`, :data:`COMMIT`,
    :data:`COMMIT_MESSAGE`, :data:`TAG_MESSAGE`), ``path`` (for a message: :data:`MESSAGE_PATHS`), and
    ``member``, the name inside the outer file when it was found in a container (``path`` is then
    ``outer!member``); ``encoding`` is the chain of encodings and containers it was found under, outermost
    first (empty for plain text); ``repository``, in a multi-repository audit, the repository's name."""

    def __init__(self, rule: Rule, secret: str, path: str, line: int, column: int, commit: str | None = None,
                 author_name: str | None = None, author_email: str | None = None, commit_date: str | None = None,
                 verification: Verification | None = None, revocation: Revocation | None = None,
                 repo_path: str | None = None, encoding: tuple[str, ...] = (), member: str | None = None,
                 in_head: bool | None = None, origin: str = FILE, repository: str | None = None) -> None:
        self.rule, self.secret, self.line, self.column = rule, secret, line, column
        self.encoding, self.origin, self.repository = encoding, origin, repository
        self.member = None if member is None else printable(member)  # the tail of ``path``, shown the same way
        # a file name that is not valid UTF-8 (surrogate-escaped by os.fsdecode) is shown with U+FFFD:
        # reports are UTF-8 text and must never fail to encode
        self.path = printable(path)
        # relative to the repository root, when ``path`` is relative to somewhere else
        self.repo_path = None if repo_path is None else printable(repo_path)
        self.commit, self.author_name, self.author_email = commit, author_name, author_email
        self.commit_date = commit_date
        self.verification = Verification() if verification is None else verification
        self.revocation = revocation
        self.in_head = in_head  # history: the key is still at this path in HEAD (None outside history)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.rule.id!r}, {self.path!r}, {self.line}, {self.column})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` applied."""
        fields = self.__dict__
        if not changes.keys() <= fields.keys():
            raise TypeError(f"Finding has no field(s) {', '.join(sorted(set(changes) - set(fields)))}")
        new = object.__new__(type(self))
        new.__dict__.update(fields, **changes)
        # a path kept is printable already (every Finding's is)
        if "path" in changes:
            new.path = printable(new.path)
        if "repo_path" in changes and new.repo_path is not None:
            new.repo_path = printable(new.repo_path)
        if "member" in changes and new.member is not None:
            new.member = printable(new.member)
        return new

    @property
    def in_message(self) -> bool:
        """True for a key in a commit's or a tag's message (no file, no line of a file)."""
        return self.origin in MESSAGE_PATHS

    @property
    def in_file(self) -> bool:
        """True when a file (of the work tree, the index or a commit) holds the key: not stdin, not a message."""
        return self.origin in (FILE, COMMIT)

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
        return self.verification.status

    def to_dict(self, show_secrets: bool = False) -> dict[str, Any]:
        """The stable JSON shape documented in docs/reports.md (an audit's findings start with ``repository``)."""
        return {
            **({} if self.repository is None else {"repository": self.repository}),
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
            "verification": self.verification.to_dict(),
            "revocation": None if self.revocation is None else self.revocation.to_dict(),
        }

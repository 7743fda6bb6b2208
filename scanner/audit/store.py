"""The audit store: one SQLite file with repositories, findings (redacted, plus the secret's SHA-256) and
one verification/revocation verdict per secret. It never holds a raw secret. Each repository's result is
one transaction, so a crash or Ctrl-C loses nothing already recorded."""
from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scanner.audit.worker import Result
from scanner.errors import YardguardError

SCHEMA_VERSION = 2
DEFAULT_WAIT = 30.0
"""Seconds to wait for another process that holds the store (``audit --store-wait``)."""
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS repositories (
    url          TEXT PRIMARY KEY,  -- URL (password masked) or absolute local path
    status       TEXT NOT NULL,     -- pending | ok | error
    head         TEXT,              -- HEAD commit at the last good scan
    fingerprint  TEXT,              -- SHA-256 of all refs at the last good scan (NULL: scan again)
    rules_digest TEXT,              -- rules and filters that scan used
    scanned_at   TEXT,              -- UTC time of the last good scan
    error        TEXT,              -- the last failure, one line
    seconds      REAL               -- how long the last attempt took
);
CREATE TABLE IF NOT EXISTS findings (
    id            INTEGER PRIMARY KEY,
    repository    TEXT NOT NULL REFERENCES repositories(url) ON DELETE CASCADE,
    rule_id       TEXT NOT NULL,
    description   TEXT NOT NULL,
    secret        TEXT NOT NULL,    -- redacted: prefix and four characters
    secret_sha256 TEXT NOT NULL,
    path          TEXT NOT NULL,
    line          INTEGER NOT NULL,
    "column"      INTEGER NOT NULL,
    "commit"      TEXT,
    author_name   TEXT,
    author_email  TEXT,
    commit_date   TEXT,
    encoding      TEXT NOT NULL DEFAULT '[]',  -- JSON list: the chain of encodings and containers
    member        TEXT              -- the name inside a container (path is then outer!member), or NULL
);
CREATE INDEX IF NOT EXISTS findings_repository ON findings(repository);
CREATE INDEX IF NOT EXISTS findings_secret ON findings(secret_sha256);
CREATE TABLE IF NOT EXISTS secrets (
    secret_sha256 TEXT PRIMARY KEY,
    verification  TEXT NOT NULL,    -- JSON, as in the report's "verification"
    revocation    TEXT,             -- JSON or NULL
    updated_at    TEXT NOT NULL
);
"""
_FINDING_COLUMNS = ("rule_id", "description", "secret", "secret_sha256", "path", "line", "column", "commit",
                    "author_name", "author_email", "commit_date", "encoding", "member")
_UPGRADES = {1: ("ALTER TABLE findings ADD COLUMN encoding TEXT NOT NULL DEFAULT '[]'",
                 "ALTER TABLE findings ADD COLUMN member TEXT")}
"""The statements that bring a store of each older schema version to the next one."""


def now() -> str:
    """UTC time, ISO 8601, seconds."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Previous:
    """What the store remembers of a repository."""

    status: str
    fingerprint: str | None
    rules_digest: str | None


class Store:
    """An open audit store (the client process is its only writer)."""

    def __init__(self, path: Path | str, wait: float = DEFAULT_WAIT) -> None:
        """Open (or create) the store; while another audit holds it, wait up to ``wait`` seconds."""
        self.path, self.wait = str(path), wait
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=wait)
            self._switch_to_wal()
            self.db.execute("PRAGMA foreign_keys=ON")
            with self._transaction():  # one writer creates the schema; the others wait, then see it
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    self.db.execute(statement)
                row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
                if row is None:
                    self.db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                else:
                    row = self._upgrade(row[0])
        except sqlite3.DatabaseError as e:
            raise YardguardError(f"cannot open audit store {self.path}: {e}") from None
        if row is not None and row[0] != str(SCHEMA_VERSION):
            raise YardguardError(f"audit store {self.path} has schema version {row[0]}, "
                                 f"this yardguard reads version {SCHEMA_VERSION}")
        self.db.row_factory = sqlite3.Row

    def _upgrade(self, version: str) -> tuple[str]:
        """Bring a store of an older schema version to :data:`SCHEMA_VERSION` (in the open transaction);
        the version it now has."""
        while version.isdigit() and int(version) in _UPGRADES:
            for statement in _UPGRADES[int(version)]:
                self.db.execute(statement)
            version = str(int(version) + 1)
            self.db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (version,))
        return (version,)

    def _switch_to_wal(self) -> None:
        """``PRAGMA journal_mode=WAL``, waiting like every other statement: SQLite answers "database is
        locked" at once, without its busy timeout, while another connection is creating the store."""
        deadline = time.monotonic() + self.wait
        while True:
            try:
                self.db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as e:
                if not _is_busy(e):
                    raise
                if time.monotonic() >= deadline:
                    raise self._busy() from None
                time.sleep(0.05)

    def _busy(self) -> YardguardError:
        return YardguardError(f"audit store {self.path} is in use by another process (waited {self.wait:g}s for "
                              "it): let the other audit finish, or pass another --store")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add_pending(self, names: Iterable[str]) -> None:
        """Register repositories not seen before (status ``pending``), in one transaction."""
        with self._transaction():
            self.db.executemany("INSERT OR IGNORE INTO repositories (url, status) VALUES (?, 'pending')",
                                ((n,) for n in names))

    def previous(self, name: str) -> Previous | None:
        row = self.db.execute("SELECT status, fingerprint, rules_digest FROM repositories WHERE url=?",
                              (name,)).fetchone()
        return Previous(row["status"], row["fingerprint"], row["rules_digest"]) if row else None

    def has_unsettled_secrets(self, name: str, revoke: bool) -> bool:
        """True when a finding of ``name`` has no verdict yet, or only ``unknown`` (or, with ``revoke``,
        is live and not revoked yet)."""
        query = """SELECT 1 FROM findings f LEFT JOIN secrets s USING (secret_sha256)
                   WHERE f.repository=? AND (s.secret_sha256 IS NULL
                   OR json_extract(s.verification, '$.status') IN ('unknown', 'not_checked') {}) LIMIT 1"""
        extra = ("OR (json_extract(s.verification, '$.status')='live' AND (s.revocation IS NULL "
                 "OR json_extract(s.revocation, '$.status')!='revoked'))") if revoke else ""
        return self.db.execute(query.format(extra), (name,)).fetchone() is not None

    def record(self, result: Result, rules_digest: str) -> None:
        """Store one repository's result atomically. A scan replaces its findings; an error keeps the last
        good findings (a leak found before is still a leak) but forgets the fingerprint, so the next run
        tries again; ``unchanged`` needs nothing written."""
        with self._transaction():
            if result.status == "scanned":
                self.db.execute("DELETE FROM findings WHERE repository=?", (result.name,))
                self.db.executemany(
                    f"INSERT INTO findings (repository, {', '.join(map(_quote, _FINDING_COLUMNS))}) "
                    f"VALUES (?{', ?' * len(_FINDING_COLUMNS)})",
                    [(result.name, *(_stored(row, c) for c in _FINDING_COLUMNS)) for row in result.rows])
                self.db.execute(
                    """INSERT INTO repositories (url, status, head, fingerprint, rules_digest, scanned_at, error,
                       seconds) VALUES (?, 'ok', ?, ?, ?, ?, NULL, ?)
                       ON CONFLICT(url) DO UPDATE SET status='ok', head=excluded.head,
                       fingerprint=excluded.fingerprint, rules_digest=excluded.rules_digest,
                       scanned_at=excluded.scanned_at, error=NULL, seconds=excluded.seconds""",
                    (result.name, result.head, result.fingerprint, rules_digest, now(), result.seconds))
            elif result.status == "error":
                self.db.execute(
                    """INSERT INTO repositories (url, status, error, seconds) VALUES (?, 'error', ?, ?)
                       ON CONFLICT(url) DO UPDATE SET status='error', fingerprint=NULL, error=excluded.error,
                       seconds=excluded.seconds""",
                    (result.name, result.error, result.seconds))

    def save_verdicts(self, verdicts: dict[str, tuple[dict[str, Any], dict[str, Any] | None]]) -> None:
        """Store ``{secret_sha256: (verification, revocation)}`` in one transaction."""
        stamp = now()
        with self._transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO secrets VALUES (?, ?, ?, ?)",
                [(sha, json.dumps(v, sort_keys=True), None if r is None else json.dumps(r, sort_keys=True), stamp)
                 for sha, (v, r) in verdicts.items()])

    def repositories(self, names: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Repository rows with their finding counts (all, or only ``names``), by name."""
        rows = self.db.execute(
            """SELECT r.url, r.status, r.head, r.fingerprint, r.scanned_at, r.error, r.seconds,
                      COUNT(f.id) AS findings
               FROM repositories r LEFT JOIN findings f ON f.repository = r.url
               GROUP BY r.url ORDER BY r.url""").fetchall()
        wanted = None if names is None else set(names)
        return [dict(r) for r in rows if wanted is None or r["url"] in wanted]

    def findings(self, names: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Finding rows with their secret's verdict, shaped like ``Finding.to_dict()`` plus ``repository``."""
        rows = self.db.execute(
            f"""SELECT f.repository, {', '.join('f.' + _quote(c) for c in _FINDING_COLUMNS)},
                       s.verification, s.revocation
                FROM findings f LEFT JOIN secrets s USING (secret_sha256)
                ORDER BY f.repository, f.path, f.line, f."column" """).fetchall()
        wanted = None if names is None else set(names)
        out = []
        for r in rows:
            if wanted is not None and r["repository"] not in wanted:
                continue
            d = dict(r)
            d["encoding"] = json.loads(r["encoding"])
            d["verification"] = json.loads(r["verification"]) if r["verification"] else {"status": "not_checked"}
            d["revocation"] = json.loads(r["revocation"]) if r["revocation"] else None
            out.append(d)
        return out

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on an exception. Taking the write lock first
        (never upgrading a read) makes SQLite wait its busy timeout for another writer; when that runs out,
        a clear :class:`YardguardError`."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            if _is_busy(e):
                raise self._busy() from None
            raise
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")


def _stored(row: dict[str, Any], column: str) -> Any:
    """A finding row's value as its column stores it: the encoding chain as a JSON list."""
    if column == "encoding":
        return json.dumps(list(row.get("encoding", ())))
    return row.get(column)


def _is_busy(e: sqlite3.OperationalError) -> bool:
    return "locked" in str(e) or "busy" in str(e)


def _quote(column: str) -> str:
    return f'"{column}"'

"""SQLite databases: every text and blob cell of every ordinary table, read-only.

The file is loaded into a private in-memory database (``deserialize``; nothing touches the disk) and
read with plain ``SELECT column, ... FROM table`` statements of our own. Nothing the file holds is run:
an authorizer allows reads and nothing else (no function call, no view, no trigger, no write), virtual
tables and computed (generated) columns are not read, the schema is untrusted (``trusted_schema=OFF``),
the connection is ``query_only``, a value may not exceed the archive's byte limit, and a progress
handler ends a query that runs for longer than the file's size can justify.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from scanner.decoding.containers.members import ArchiveLimits, Member, Warn, label

STEPS_PER_BYTE = 64
"""Virtual-machine steps allowed per byte of the file (plus a fixed million): far above a full read."""
_PROGRESS_EVERY = 10_000
_ALLOWED = frozenset((sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ))
_ERRORS = (sqlite3.Error, UnicodeDecodeError)  # a message quoting bad bytes cannot be decoded
_STORED_COLUMN = frozenset((0, 3))   # table_xinfo "hidden": 0 ordinary, 3 stored generated (not computed on read)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _authorize(action: int, *_: object) -> int:
    return sqlite3.SQLITE_OK if action in _ALLOWED else sqlite3.SQLITE_DENY


def _open(view: memoryview, limits: ArchiveLimits) -> sqlite3.Connection:
    """A private in-memory copy of the database, locked down for reading (see the module docstring)."""
    image: memoryview | bytearray = view
    if bytes(view[18:20]) == b"\x02\x02":   # WAL mode: an in-memory copy reads as a rollback-journal database
        image = bytearray(view)
        image[18:20] = b"\x01\x01"
    con = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    con.text_factory = bytes
    con.deserialize(image)  # SQLite keeps its own copy
    for pragma in ("query_only=ON", "trusted_schema=OFF", "cell_size_check=ON"):
        con.execute(f"PRAGMA {pragma}")
    con.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max(1, min(limits.max_bytes, 1_000_000_000)))
    steps = [(STEPS_PER_BYTE * len(view) + 1_000_000) // _PROGRESS_EVERY]

    def progress() -> int:
        steps[0] -= 1
        return steps[0] < 0
    con.set_progress_handler(progress, _PROGRESS_EVERY)
    return con


def _tables(con: sqlite3.Connection, limit: int) -> list[tuple[str, list[str]]]:
    """(table, stored columns) of the ordinary tables, at most ``limit``; virtual tables left out."""
    rows = con.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'table' LIMIT ?", (limit + 1,)).fetchall()
    tables = []
    for raw_name, sql in rows:
        if (sql or b"").lstrip()[:14].upper() == b"CREATE VIRTUAL":
            continue
        name = raw_name.decode("utf-8", "replace")
        columns = [c[1].decode("utf-8", "replace") for c in con.execute(f"PRAGMA table_xinfo({_quote(name)})")
                   if c[6] in _STORED_COLUMN]
        tables.append((name, columns))
    return tables


def sqlite_members(view: memoryview, name: str, limits: ArchiveLimits, warn: Warn) -> Iterator[Member]:
    """One member per table: its text and blob values, one per line."""
    if len(view) > limits.max_bytes:
        warn(f"database larger than the {limits.max_bytes}-byte limit; its cells were not read")
        return
    try:
        con = _open(view, limits)
    except _ERRORS:
        warn("not a readable SQLite database; its cells were not read")
        return
    try:
        try:
            tables = _tables(con, limits.max_entries)
        except _ERRORS:
            warn("unreadable SQLite schema; its cells were not read")
            return
        if len(tables) > limits.max_entries:
            warn(f"more than {limits.max_entries} tables; only the first were read")
            del tables[limits.max_entries:]
        con.set_authorizer(_authorize)
        left = limits.max_bytes
        for table, columns in tables:
            if not columns:
                continue
            cells: list[bytes] = []
            query = f"SELECT {', '.join(map(_quote, columns))} FROM {_quote(table)}"
            try:
                for row in con.execute(query):
                    for value in row:
                        if isinstance(value, bytes) and value:
                            cells.append(value)
                            left -= len(value) + 1
                    if left < 0:
                        break
            except _ERRORS as exc:
                warn(f"table {label(table)} read only in part ({label(str(exc))})")
            if cells:
                yield Member(table, b"\n".join(cells), "sqlite")
            if left < 0:
                warn(f"uncompressed size limit reached ({limits.max_bytes} bytes); the rest was not read")
                return
    finally:
        con.close()

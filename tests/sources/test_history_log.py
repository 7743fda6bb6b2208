"""``parse_log``: ``git log --raw`` output (the format of ``history_start.LOG_ARGS``: a ``\\x01``-led header
per commit, then its first-parent changes) parsed into commits and (old blob, new blob, path) changes, in order.
Literal logs, so each edge case is visible."""
from __future__ import annotations

import io

from scanner.sources.history import ZERO_OID, parse_log

A, B, C, D = ("a" * 40, "b" * 40, "c" * 40, "d" * 40)
C1, C2, C3 = ("1" * 40, "2" * 40, "3" * 40)


def header(oid: str, name: str = "Ada Author", email: str = "ada@example.com",
           date: str = "2024-01-02T03:04:05+00:00") -> str:
    return f"\x01{oid}\0{name}\0{email}\0{date}\n\n"


def raw(old: str, new: str, status: str, path: str, modes: str = "100644 100644") -> str:
    return f":{modes} {old} {new} {status}\t{path}\n"


def parse(text: str, blobs: set[str] | None = None, commits: set[str] | None = None
          ) -> list[tuple[str, int, list[tuple[str, str, str]]]]:
    return [(c.oid, c.order, changes) for c, changes in parse_log(io.BytesIO(text.encode()), blobs, commits)]


LOG = (header(C1) + raw(ZERO_OID, A, "A", "a.txt", "000000 100644") + raw(ZERO_OID, B, "A", "b.txt", "000000 100644")
       + header(C2, "Bob", "bob@example.com") + raw(A, C, "M", "a.txt")
       + raw(B, ZERO_OID, "D", "b.txt", "100644 000000")
       + header(C3) + raw(ZERO_OID, D, "A", "docs/d.md", "000000 100644"))


def test_commits_in_order_with_their_changes() -> None:
    assert parse(LOG) == [
        (C1, 0, [(ZERO_OID, A, "a.txt"), (ZERO_OID, B, "b.txt")]),
        (C2, 1, [(A, C, "a.txt")]),      # the deletion of b.txt introduces nothing
        (C3, 2, [(ZERO_OID, D, "docs/d.md")]),
    ]


def test_author_email_and_date_come_from_the_header() -> None:
    [(first, _), (second, _), _] = parse_log(io.BytesIO(LOG.encode()))
    assert (first.author_name, first.author_email, first.date) == ("Ada Author", "ada@example.com",
                                                                  "2024-01-02T03:04:05+00:00")
    assert (second.author_name, second.author_email) == ("Bob", "bob@example.com")


def test_a_name_that_is_not_utf8_is_replaced_not_fatal() -> None:
    text = b"\x01" + C1.encode() + b"\0Ren\xe9\0r@example.com\0" + b"2024-01-02T03:04:05+00:00\n\n"
    [(commit, changes)] = parse_log(io.BytesIO(text))
    assert commit.author_name == "Ren\ufffd" and changes == []


def test_a_commit_without_changes_and_an_empty_log() -> None:
    assert parse(header(C1)) == [(C1, 0, [])]   # an empty commit, or a merge identical to its first parent
    assert parse("") == []


def test_a_merge_commit_shows_its_first_parent_changes_like_any_commit() -> None:
    """``--diff-merges=first-parent``: a merge lists what it brings onto its first parent."""
    merge = (header(C1) + raw(ZERO_OID, A, "A", "a.txt", "000000 100644")
             + header(C2) + raw(ZERO_OID, B, "A", "side.txt", "000000 100644"))
    assert parse(merge)[1] == (C2, 1, [(ZERO_OID, B, "side.txt")])


def test_quoted_and_odd_paths_are_unquoted() -> None:
    text = (header(C1) + raw(ZERO_OID, A, "A", '"caf\\303\\251 \\"q\\".txt"', "000000 100644")
            + raw(ZERO_OID, B, "A", "with space.txt", "000000 100644")
            + raw(ZERO_OID, C, "A", '"back\\\\slash\\ttab.txt"', "000000 100644"))
    assert [path for _, _, path in parse(text)[0][2]] == ['café "q".txt', "with space.txt", "back\\slash\ttab.txt"]


def test_a_submodule_removal_and_type_changes() -> None:
    """A change whose new side is the zero id (no blob to read) introduces nothing; a
    type change (``T``, file to symlink) still names its new blob."""
    text = (header(C1) + raw(A, ZERO_OID, "M", "vendor/lib", "160000 160000")
            + raw(B, C, "T", "link", "100644 120000"))
    assert parse(text) == [(C1, 0, [(B, C, "link")])]


def test_with_blobs_only_their_changes_and_the_commits_that_have_one() -> None:
    assert parse(LOG, blobs={C}) == [(C2, 1, [(A, C, "a.txt")])]
    assert parse(LOG, blobs={D, A}) == [(C1, 0, [(ZERO_OID, A, "a.txt")]), (C3, 2, [(ZERO_OID, D, "docs/d.md")])]


def test_with_blobs_a_named_commit_is_kept_without_a_change() -> None:
    """``commits`` keeps commits whose message had a hit, whatever their files."""
    assert parse(LOG, blobs={D}, commits={C1}) == [(C1, 0, []), (C3, 2, [(ZERO_OID, D, "docs/d.md")])]
    assert parse(LOG, blobs=set(), commits={C2}) == [(C2, 1, [])]


def test_raw_lines_before_any_header_are_ignored() -> None:
    assert parse(raw(ZERO_OID, A, "A", "stray.txt", "000000 100644") + header(C1)) == [(C1, 0, [])]

"""What ``history`` asks of git first (``scanner.sources.history_start``), its object readers
(``scanner.sources.batches``) and the git processes behind both (``gitutil.spawn``): real repositories,
real ``git`` processes, compared with git's own answers."""
from __future__ import annotations

import os
import subprocess

import pytest

from scanner import gitutil
from scanner.errors import YardguardError
from scanner.gitutil import Unread
from scanner.sources.batches import BUFFER, read_batches
from scanner.sources.history_start import LOG_ARGS, PACK_LIMITS, Listing, Log
from tests.conftest import Repo


def history(repo: Repo) -> None:
    """Three commits: small files, one over the readers' buffer, an edit, a binary."""
    repo.write("a.txt", "one\n")
    repo.write("big.bin", os.urandom(BUFFER + 12345))
    repo.commit("first")
    repo.write("b/c.txt", "two\n" * 1000)
    repo.commit("second")
    repo.write("a.txt", "one\nmore\n")
    repo.write("d.dat", bytes(range(256)) * 8)
    repo.commit("third")


def scanned_objects(repo: Repo) -> dict[bytes, bytes]:
    """{id: type} of every blob and commit, as git lists them."""
    out = repo.git("cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)")
    return {oid.encode(): kind.encode() for oid, kind in (line.split() for line in out.splitlines())
            if kind in ("blob", "commit")}


def content(repo: Repo, oid: bytes) -> bytes:
    """The object's content, from ``git cat-file`` on its own."""
    kind = repo.git("cat-file", "-t", oid.decode())
    return subprocess.run(["git", "-C", str(repo.path), "cat-file", kind, oid.decode()],
                          capture_output=True, check=True).stdout


def test_shares_hold_every_blob_and_commit_once_in_reversed_pack_order(repo: Repo) -> None:
    """The listing starts at once; its shares are the blobs and commits (no trees), each once, and read
    one after the other they are git's pack order backwards. ``close`` after ``shares`` is harmless."""
    history(repo)
    repo.git("gc", "-q")
    listing = Listing(repo.path)
    shares = listing.shares(2)
    listing.close()
    assert len(shares) == 2 and all(shares)
    flat = [oid for share in shares for oid in share]
    assert sorted(flat) == sorted(scanned_objects(repo))
    pack_order = [line.split()[0].encode() for line in repo.git(
        "cat-file", "--batch-all-objects", "--unordered", "--batch-check=%(objectname) %(objecttype)").splitlines()
        if line.split()[1] in ("blob", "commit")]
    assert flat == pack_order[::-1]


def test_one_job_is_one_share(repo: Repo) -> None:
    history(repo)
    listing = Listing(repo.path)
    assert [sorted(s) for s in listing.shares(1)] == [sorted(scanned_objects(repo))]


def test_a_listing_outside_a_repository_fails_when_read_and_closes_quietly(tmp_path) -> None:
    listing = Listing(tmp_path)
    with pytest.raises(YardguardError, match="git cat-file failed"):
        listing.shares(2)
    listing.close()
    Listing(tmp_path).close()  # never read: ended unread


def test_the_early_log_is_git_logs_own_output(repo: Repo) -> None:
    history(repo)
    repo.git("branch", "side")
    log = Log(repo.path)
    with log.read(repo.path) as stream:
        ours = stream.read()
    log.close()
    log.close()
    theirs = subprocess.run(gitutil.argv(repo.path, *LOG_ARGS, "--all", "--"), capture_output=True, check=True).stdout
    assert ours == theirs and ours.count(b"\x01") == 3


def test_a_log_ended_unread_leaves_no_process(repo: Repo) -> None:
    history(repo)
    log = Log(repo.path)
    log.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(log._git.pid, os.WNOHANG)  # already reaped


def cat_files(repo: Repo, shares: list[list[bytes]]) -> list[gitutil.Process]:
    return [gitutil.spawn(repo.path, *PACK_LIMITS, "cat-file", "--buffer", "--batch", stdin=b"\n".join(s) + b"\n")
            for s in shares]


def test_two_outputs_read_by_one_thread_give_every_object_whole(repo: Repo) -> None:
    """Every object of two ``cat-file`` outputs, byte for byte as git gives it, whatever the interleaving:
    one bigger than the buffer, one split across reads, empty ones."""
    history(repo)
    repo.write("empty", "")
    repo.commit("fourth")
    wanted = scanned_objects(repo)
    oids = sorted(wanted)
    procs = cat_files(repo, [oids[::2], oids[1::2]])
    got = {oid: (kind, bytes(data)) for oid, kind, data in read_batches([p.stdout for p in procs], 1 << 30)}
    assert all(p.wait() == 0 for p in procs)
    for p in procs:
        p.close()
    assert {oid: kind for oid, (kind, _) in got.items()} == wanted
    for oid, (_, data) in got.items():
        assert data == content(repo, oid)
    assert any(len(data) > BUFFER for _, data in got.values()) and any(not data for _, data in got.values())


def test_a_big_blob_is_streamed_and_what_is_left_of_it_skipped(repo: Repo) -> None:
    """Over ``stream_over`` bytes a blob is an ``Unread``: read whole it is the blob; left half read, the
    objects after it still come whole."""
    history(repo)
    big = repo.git("rev-parse", "HEAD:big.bin").encode()
    small = repo.git("rev-parse", "HEAD:a.txt").encode()
    for read_all in (True, False):
        procs = cat_files(repo, [[big, small, big]])
        seen = []
        for _, _, data in read_batches([procs[0].stdout], 100_000):
            if isinstance(data, Unread):
                part = data.read(5000)
                seen.append(part + (b"".join(iter(lambda d=data: d.read(70_000), b"")) if read_all else b""))
            else:
                seen.append(bytes(data))
        assert procs[0].wait() == 0
        procs[0].close()
        whole = content(repo, big)
        assert seen[1] == content(repo, small)
        assert seen[0] == seen[2] == (whole if read_all else whole[:5000])


def test_missing_objects_are_skipped(repo: Repo) -> None:
    history(repo)
    small = repo.git("rev-parse", "HEAD:a.txt").encode()
    procs = cat_files(repo, [[b"0" * 40, small, b"f" * 40]])
    assert [oid for oid, _, _ in read_batches([procs[0].stdout], 1 << 30)] == [small]
    procs[0].close()


def test_an_output_that_ends_inside_an_object_is_an_error() -> None:
    r, w = os.pipe()
    os.write(w, b"a" * 40 + b" blob 100\nonly ten b")
    os.close(w)
    with pytest.raises(YardguardError, match="middle of an object"):
        list(read_batches([r], 1 << 30))
    os.close(r)


@pytest.mark.parametrize("in_memory", [True, False])
def test_spawn_feeds_a_long_input_and_reports_failure(repo: Repo, monkeypatch, in_memory: bool) -> None:
    """stdin bigger than a pipe holds goes in (an in-memory file, else a pipe written from a thread); a
    failing git is an exit code; ``close`` twice and after ``wait`` is harmless."""
    if not in_memory:
        monkeypatch.setattr(gitutil, "_in_memory", lambda data: -1)
    history(repo)
    small = repo.git("rev-parse", "HEAD:a.txt").encode()
    proc = gitutil.spawn(repo.path, "cat-file", "--batch-check", stdin=(small + b"\n") * 200_000)
    out = b""
    while chunk := os.read(proc.stdout, 1 << 20):
        out += chunk
    assert proc.wait() == 0 and out.count(b"\n") == 200_000
    proc.close()
    proc.close()
    failing = gitutil.spawn(repo.path, "cat-file", "--no-such-option")
    assert failing.wait() != 0
    failing.close()

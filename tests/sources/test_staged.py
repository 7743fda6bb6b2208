"""The staged change's hunks (scanner/sources/staged.py): what a scan reads of them without building them."""
from __future__ import annotations

import gzip
import io
import zipfile

from scanner.decoding.stage import Decoder
from scanner.engine import Engine
from scanner.rules import load_rules
from scanner.sources.staged import HEAD, literals_span_no_lines, staged_changes
from tests.conftest import KEY, Repo


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("a.txt", "nothing here\n")
    return out.getvalue()


def test_hunks_answer_as_their_joined_lines_do(repo: Repo) -> None:
    """head, size and worth_scanning of each staged file equal those of its joined lines (data), for new
    and modified files, with and without a keyword, a final newline, a byte-order mark or magic bytes."""
    repo.write("old.py", "".join(f"line {i}\n" for i in range(40)))
    repo.commit("base")
    repo.write("old.py", "".join(f"line {i}\n" if i != 20 else f"key = '{KEY}'\n" for i in range(40)))
    repo.write("new.py", "print('hi')\n" * 300)
    repo.write("new_key.env", f"A=1\nTRACKYARD_API_KEY={KEY}")  # no final newline
    repo.write("short.txt", "x")
    repo.write("gzip.bin", gzip.compress(b"quiet\n" * 50, mtime=0))
    repo.write("archive.zip", _zip())
    repo.write("bom.txt", "\ufeffname=value\n".encode("utf-16-le"))
    repo.write("nl\n" * 3, "\n\n\n")
    repo.git("add", "-A")
    added, _ = staged_changes(str(repo.path))
    decoder = Decoder(Engine(load_rules().rules))
    assert literals_span_no_lines(decoder)
    verdicts = {}
    for path, hunks in added.items():
        fresh = type(hunks)(hunks.path, hunks.raw)  # nothing built yet
        assert fresh.worth_scanning(decoder) == decoder.worth_scanning(hunks.data)
        assert fresh.head(HEAD) == hunks.data[:HEAD] and fresh.head(3) == hunks.data[:3]
        assert fresh.size == len(hunks.data)
        verdicts[path] = decoder.worth_scanning(hunks.data)
    assert verdicts["old.py"] and verdicts["new_key.env"] and verdicts["gzip.bin"] and verdicts["archive.zip"]
    assert not verdicts["new.py"] and not verdicts["short.txt"]


def test_staged_findings_on_new_and_changed_files(repo: Repo) -> None:
    from tests.conftest import run_cli
    from tests.core_helpers import findings
    repo.write("kept.py", "a = 1\n" * 30)
    repo.commit("base")
    repo.write("kept.py", "a = 1\n" * 15 + f"k = '{KEY}'  # yardguard:allow\n" + "a = 1\n" * 15 + f"j = '{KEY}'\n")
    repo.write("fresh/new.env", "X=1\n" * 5 + f"TRACKYARD_API_KEY={KEY}")
    for i in range(50):
        repo.write(f"many/f{i}.py", f"v = {i}\n")
    repo.git("add", "-A")
    got = sorted((f["path"], f["line"], f["column"]) for f in findings(run_cli("staged", "--format", "json",
                                                                                   cwd=repo.path)))
    assert got == [("fresh/new.env", 6, 19), ("kept.py", 32, 6)]


def test_a_new_binary_file_is_rebuilt_from_its_hunk_exactly(repo: Repo) -> None:
    import os

    from scanner.sources.staged import binary_versions, staged_blobs
    repo.write("kept.bin", b"\0old\n")
    os.symlink("kept.bin", repo.path / "link")
    repo.commit("base")
    contents = {
        "a.bin": bytes(range(256)) * 3,  # every byte, no final newline
        "b.bin": b"\0\r\n\n\n+x\n-\n \\ y\n",  # lines that look like hunk syntax, a final newline
        "c.bin": b"\0",
        "kept.bin": b"\0new\n",  # changed: both versions come from git
        "link": b"\0now a file\n",  # a symlink replaced by a file: HEAD has the path
    }
    (repo.path / "link").unlink()
    for name, data in contents.items():
        repo.write(name, data)
    repo.git("add", "-A")
    added, _ = staged_changes(str(repo.path))
    assert [p for p in contents if added[p].new_file() is None] == ["kept.bin", "link"]
    assert binary_versions(str(repo.path), added) == staged_blobs(str(repo.path), list(contents))
    assert binary_versions(str(repo.path), added)["c.bin"] == (b"\0", b"")


def test_git_output_read_from_memory_files_is_what_pipes_deliver(repo: Repo) -> None:
    """gitutil runs git with its output in in-memory files where it can: the same exit code, stdout and
    stderr as through pipes, for a big diff, an empty one and a failing command."""
    from scanner import gitutil
    repo.write("big.txt", "".join(f"line {i} {'x' * (i % 90)}\n" for i in range(60_000)))
    repo.git("add", "big.txt")
    for args in (["diff", "--cached", "--text"], ["diff"], ["cat-file", "-p", "no-such-object"]):
        command = gitutil.argv(repo.path, *args)
        via_memory = gitutil._spawn(command, gitutil._ENV)
        assert via_memory == gitutil._spawn_piped(command, gitutil._ENV)
    assert len(via_memory[2]) > 0 and via_memory[0] != 0
    assert len(gitutil.git(repo.path, "diff", "--cached", "--text")) > 3_000_000

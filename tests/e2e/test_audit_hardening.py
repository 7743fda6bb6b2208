"""``yardguard audit`` against hostile input and a busy store (issue 11): credentials in repository URLs
(query tokens, scp-style passwords) never reach the store, a report, a log or an error; a second audit on
the same store waits for it, then proceeds or fails with a clear message."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.audit_helpers import audit, make_repo, query, repos_file
from tests.conftest import GIT_ENV, KEY, run_cli

TOKEN = "hunter2hunter2"  # short and plain: only URL masking (not key-shape redaction) can hide it
KEY_TOKEN = "glpatQ7x2Lm9Rt4Vb8Nn1Kk"


def test_credentials_in_urls_are_masked_everywhere(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "src", "alpha", {"a.py": "x = 1\n"})
    listing = repos_file(tmp_path / "repos.txt",
                         f"file://{repo.path}?private_token={TOKEN}",
                         f"file://{repo.path}/?access_token={KEY_TOKEN}&ref=main",
                         f"deploy:{TOKEN}@127.0.0.1:org/repo.git")
    result = audit(tmp_path, "--repos", str(listing), "--jobs", "1")
    assert result.code == 3, result.err  # none of them can be cloned
    names = [url for (url,) in query(tmp_path / "audit.db", "SELECT url FROM repositories ORDER BY url")]
    assert names == sorted([f"file://{repo.path}?private_token=***", f"file://{repo.path}/?access_token=***&ref=main",
                            "deploy:***@127.0.0.1:org/repo.git"])
    store_bytes = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("audit.db"))
    texts = [result.out, result.err, store_bytes.decode("utf-8", "replace")]
    for fmt in ("text", "json", "html"):
        report = run_cli("audit", "report", "--store", str(tmp_path / "audit.db"), "--format", fmt, cwd=tmp_path)
        texts += [report.out, report.err]
    texts += [p.name for p in (tmp_path / "cache").glob("*")] if (tmp_path / "cache").exists() else []
    for text in texts:
        assert TOKEN not in text and KEY_TOKEN not in text and KEY_TOKEN[:8] not in text


def _audit_in_background(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "scanner", "audit", "--store", str(tmp_path / "audit.db"),
                             "--cache-dir", str(tmp_path / "cache"), *args], cwd=tmp_path, text=True,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**__import__("os").environ, **GIT_ENV})


def test_a_second_audit_waits_while_the_store_is_being_created(tmp_path: Path) -> None:
    """SQLite answers "database is locked" at once, without its busy timeout, to a journal-mode switch while
    another connection writes: the second audit used to fail immediately."""
    make_repo(tmp_path / "src", "alpha", {"a.py": f"k = '{KEY}'\n"})
    holder = sqlite3.connect(tmp_path / "audit.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    second = _audit_in_background(tmp_path, "--repos-dir", str(tmp_path / "src"))
    time.sleep(2)  # the audit is now waiting for the lock (or, before the fix, has already failed)
    holder.execute("COMMIT")
    holder.close()
    out, err = second.communicate(timeout=120)
    assert second.returncode == 1, err  # it waited, then scanned: one finding
    assert "1 scanned" in err and "locked" not in err


def test_a_store_held_longer_than_store_wait_is_a_clear_error(tmp_path: Path) -> None:
    make_repo(tmp_path / "src", "alpha", {"a.py": "x = 1\n"})
    first = audit(tmp_path, "--repos-dir", str(tmp_path / "src"))
    assert first.code == 0, first.err
    holder = sqlite3.connect(tmp_path / "audit.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another audit recording a result
    try:
        second = audit(tmp_path, "--repos-dir", str(tmp_path / "src"), "--store-wait", "1")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert second.code == 2, second.err
    line = second.err.strip().splitlines()[-1]
    assert line.startswith("yardguard: error: audit store") and "in use by another process (waited 1s" in line
    assert "Traceback" not in second.err


def test_a_second_audit_proceeds_once_the_first_lets_go(tmp_path: Path) -> None:
    make_repo(tmp_path / "src", "alpha", {"a.py": "x = 1\n"})
    assert audit(tmp_path, "--repos-dir", str(tmp_path / "src")).code == 0
    holder = sqlite3.connect(tmp_path / "audit.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    second = _audit_in_background(tmp_path, "--repos-dir", str(tmp_path / "src"))
    time.sleep(2)
    holder.execute("ROLLBACK")
    holder.close()
    _, err = second.communicate(timeout=120)
    assert second.returncode == 0, err

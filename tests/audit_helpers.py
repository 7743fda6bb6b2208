"""Helpers for the ``yardguard audit`` tests: real repositories in tmp dirs and a look into the store."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.conftest import Repo, Result, run_cli


def make_repo(root: Path, name: str, files: dict[str, str], message: str = "init") -> Repo:
    """A repository ``root/name`` with one commit of ``files``."""
    path = root / name
    path.mkdir(parents=True)
    repo = Repo(path)
    repo.git("init", "-q", "-b", "main")
    for file, content in files.items():
        repo.write(file, content)
    repo.commit(message)
    return repo


def repos_file(path: Path, *lines: str) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def audit(tmp: Path, *args: str, store: str = "audit.db", cache: str = "cache", env: dict[str, str] | None = None,
          ) -> Result:
    """``yardguard audit --store tmp/STORE --cache-dir tmp/CACHE ARGS`` run in ``tmp`` (stdin not a terminal)."""
    return run_cli("audit", "--store", str(tmp / store), "--cache-dir", str(tmp / cache), *args, cwd=tmp, env=env,
                   stdin="")


def query(store: Path, sql: str, *params: object) -> list[tuple]:
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def statuses(store: Path) -> dict[str, tuple[str, str | None]]:
    """{repository: (status, error)}."""
    return {url: (status, error) for url, status, error in query(store, "SELECT url, status, error FROM repositories")}


def snapshot(store: Path) -> tuple[list[tuple], list[tuple]]:
    """Everything an audit decides (not timings): repositories and findings, sorted."""
    repositories = query(store, "SELECT url, status, head, fingerprint, rules_digest, error FROM repositories "
                                "ORDER BY url")
    findings = query(store, 'SELECT repository, rule_id, secret, secret_sha256, path, line, "column", "commit", '
                            "author_name, author_email, commit_date FROM findings ORDER BY 1, 5, 6, 7, 4")
    return repositories, findings

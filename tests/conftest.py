"""Shared fixtures: real temporary git repositories and a way to run the real CLI."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

# Fake keys used across the tests (random-looking, so the rules' filters keep them).
KEY = "trackyard_live_9fQ2xL7pK3mN8vR4tY6wZ1bC"
KEY2 = "trackyard_live_Hq7Zt2Wm9Xc4Vb8Nn1Lk5Jp3"
KEY3 = "trackyard_test_Rk3Md8Qs1Fw6Gy2Hz9Tx4Cv7"

# An empty global config of our own: pointing GIT_CONFIG_GLOBAL at /dev/null lets any
# `git config --global` (ours or a tool's) replace /dev/null with a regular file.
_SCRATCH = Path(tempfile.mkdtemp(prefix="yardguard-tests-"))
_GLOBAL_CONFIG = _SCRATCH / "gitconfig"
_GLOBAL_CONFIG.write_text("")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ada Author", "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_COMMITTER_NAME": "Ada Author", "GIT_COMMITTER_EMAIL": "ada@example.com",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": str(_GLOBAL_CONFIG),
}
# Run from a git hook or `git bisect run`, git's repository-locating variables would point every test's git
# (and yardguard) at the outer repository: drop them for this process and every one it starts.
for _name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
              "GIT_COMMON_DIR", "GIT_NAMESPACE"):
    os.environ.pop(_name, None)
# yardguard's TOML cache, for this process and every one it starts: never the real home's
CACHE_DIR = _SCRATCH / "yardguard-cache"
os.environ["YARDGUARD_CACHE_DIR"] = str(CACHE_DIR)
# the user-level config (the operator's, SECURITY.md): never the real home's; a test writes one here
USER_CONFIG_HOME = _SCRATCH / "xdg-config"
os.environ["XDG_CONFIG_HOME"] = str(USER_CONFIG_HOME)


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)


class Repo:
    """A real git repository in a temporary directory."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        proc = subprocess.run(["git", *args], cwd=self.path, capture_output=True, text=True,
                              env={**os.environ, **GIT_ENV, **(env or {})})
        if proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
        return proc.stdout.strip()

    def write(self, name: str, content: str | bytes) -> Path:
        p = self.path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            p.write_text(content)
        else:
            p.write_bytes(content)
        return p

    def commit(self, message: str = "change", *, author: str | None = None, date: str | None = None) -> str:
        self.git("add", "-A")
        env = {}
        if author:
            name, email = author.split(" <")
            env.update(GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email.rstrip(">"))
        if date:
            env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
        self.git("commit", "-q", "--allow-empty", "-m", message, env=env)
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """An empty repository (branch main)."""
    path = tmp_path / "repo"
    path.mkdir()
    r = Repo(path)
    r.git("init", "-q", "-b", "main")
    return r


def run_cli(*args: str, cwd: Path | str | None = None, stdin: str | bytes | None = None,
            env: dict[str, str] | None = None) -> Result:
    """Run ``python -m scanner ARGS`` as a real subprocess."""
    data = stdin.encode() if isinstance(stdin, str) else stdin
    proc = subprocess.run([sys.executable, "-m", "scanner", *args], cwd=cwd, input=data, capture_output=True,
                          env={**os.environ, **GIT_ENV, **(env or {})})
    return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))


@pytest.fixture
def user_config():
    """``user_config(key=value, ...)`` writes the user-level config (the operator's); removed afterwards."""
    path = USER_CONFIG_HOME / "yardguard" / "config.toml"

    def write(**values: object) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items()))
        return path
    yield write
    path.unlink(missing_ok=True)


@pytest.fixture
def cli():
    """The :func:`run_cli` helper as a fixture."""
    return run_cli


@pytest.fixture(autouse=True, scope="session")
def _dev_null_stays_a_device():
    """Nothing the suite runs may replace /dev/null (an atomic rename over it once did)."""
    yield
    assert os.path.exists(os.devnull) and not os.path.isfile(os.devnull), "/dev/null was replaced by a file"

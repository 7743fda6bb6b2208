"""The repository around the paths a ``scan`` or ``baseline`` is given (its config applies, paths are reported
relative to it)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner.commands.targets import repository_root
from tests.conftest import Repo


@pytest.fixture
def nested(repo: Repo) -> Repo:
    """``repo`` with ``app.py``, and ``sub/``: a repository of its own inside it."""
    repo.write("app.py", "x = 1\n")
    sub = Repo(repo.path / "sub")
    sub.path.mkdir()
    sub.git("init", "-q", "-b", "main")
    sub.write("lib.py", "y = 2\n")
    return sub


def real(path: Path) -> str:
    return os.path.realpath(path)


def test_every_path_form_finds_the_same_root(repo: Repo, nested: Repo, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    monkeypatch.chdir(outside)
    root = real(repo.path)
    for target in (str(repo.path / "app.py"), str(repo.path), os.path.relpath(repo.path / "app.py"),
                   os.path.relpath(repo.path), str(repo.path / "not-yet.py")):
        assert real(Path(repository_root([target]))) == root, target
    monkeypatch.chdir(repo.path)
    for target in ("app.py", ".", "./app.py"):
        assert real(Path(repository_root([target]))) == root, target


def test_a_file_in_a_nested_repository_takes_that_repository(repo: Repo, nested: Repo,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.path)
    assert real(Path(repository_root(["sub/lib.py"]))) == real(nested.path)
    assert real(Path(repository_root(["sub"]))) == real(nested.path)


def test_stdin_is_skipped_and_no_path_means_here(repo: Repo, nested: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.path)
    assert real(Path(repository_root(["-", "sub/lib.py"]))) == real(nested.path)
    assert real(Path(repository_root(["-"]))) == real(repo.path)


def test_outside_any_repository_it_is_the_current_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.py").write_text("x = 1\n")
    monkeypatch.chdir(plain)
    assert repository_root(["a.py"]) == os.getcwd()

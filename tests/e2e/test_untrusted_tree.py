"""``scan DIR`` on a hostile work tree (issue 11): git lists paths from the index, and the work tree may have
replaced a directory on such a path by a symlink to anywhere. Nothing outside the tree is ever read."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import KEY, KEY2, Repo, run_cli
from tests.core_helpers import paths


@pytest.mark.parametrize("depth", ["sub", "a/b/sub"])
@pytest.mark.parametrize("all_files", [False, True])
def test_a_tracked_directory_replaced_by_a_symlink_is_not_followed(repo: Repo, tmp_path: Path, depth: str,
                                                                   all_files: bool) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "config.py").write_text(f'OUTSIDE = "{KEY2}"\n')  # what the link would expose
    repo.write(f"{depth}/config.py", "nothing = 1\n")
    repo.write("top.py", f'INSIDE = "{KEY}"\n')
    repo.commit("tree")
    shutil.rmtree(repo.path / depth)
    (repo.path / depth).symlink_to(outside, target_is_directory=True)
    assert repo.git("ls-files") .splitlines() == [f"{depth}/config.py", "top.py"]  # still in the index
    args = ("--all-files",) if all_files else ()
    result = run_cli("scan", "--format", "json", *args, cwd=repo.path)
    assert paths(result) == ["top.py"]
    assert KEY2[15:19] not in result.out


def test_a_parent_directory_replaced_by_a_symlink_is_not_followed(repo: Repo, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "x.py").write_text(f'K = "{KEY2}"\n')
    repo.write("a/deep/x.py", "nothing = 1\n")
    repo.commit("tree")
    shutil.rmtree(repo.path / "a")
    (repo.path / "a").symlink_to(outside, target_is_directory=True)
    whole = run_cli("scan", "--format", "json", cwd=repo.path)
    assert paths(whole) == []

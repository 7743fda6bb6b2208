"""A hostile repository against git (SECURITY.md, section 3): no program its config names runs, in any
command that reads an untrusted repository, and refs/replace, grafts and a planted shallow file hide
nothing that is present. Every attack is checked to be live first: plain ``git`` falls for it."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.audit_helpers import audit, query, repos_file
from tests.conftest import KEY, KEY2, Repo, run_cli
from tests.core_helpers import findings, git


def _trap(tmp: Path, name: str) -> tuple[Path, Path]:
    """(a program that creates a marker file, that marker): what a hostile config names."""
    marker = tmp / f"{name}.ran"
    program = tmp / f"{name}.sh"
    program.write_text(f"#!/bin/sh\ntouch '{marker}'\ncat >/dev/null 2>&1\nexit 1\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return program, marker


def _signed_commit(repo: Repo, message: str) -> str:
    """A commit on top of HEAD (same tree) with a ``gpgsig`` header: ``git log --show-signature`` hands it
    to ``gpg.program``."""
    tree, parent = repo.git("rev-parse", "HEAD^{tree}"), repo.git("rev-parse", "HEAD")
    body = (f"tree {tree}\nparent {parent}\nauthor Eve <eve@example.com> 1700000000 +0000\n"
            f"committer Eve <eve@example.com> 1700000000 +0000\n"
            "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEEAAAA\n -----END PGP SIGNATURE-----\n"
            f"\n{message}\n")
    oid = git(repo.path, "hash-object", "-t", "commit", "-w", "--stdin", input=body.encode()).stdout.strip()
    repo.git("update-ref", "refs/heads/main", oid)
    return oid


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Repo, Path, str]:
    """A repository with a key in its history, a signed commit, and a config that names a marker-making
    program for every hook git has: fsmonitor, gpg, external diff, textconv, filters, pager, hooks. Half of
    it comes through ``include.path`` of a file committed in the repository. Returns (repo, marker dir,
    the base commit of the range that adds the key)."""
    repo = Repo(tmp_path / "evil")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.write("README", "hello\n")
    base = repo.commit("base")
    program, _ = _trap(tmp_path, "pwned")
    repo.write(".gitattributes", "* diff=evil filter=evil\n")
    repo.write("settings.cfg", f"[core]\n\tfsmonitor = {program}\n\tpager = {program}\n"
                               f"[log]\n\tshowSignature = true\n[gpg]\n\tprogram = {program}\n")
    repo.write("app.py", f"KEY = '{KEY}'\n")
    repo.commit("add key")
    _signed_commit(repo, "signed")
    config = repo.path / ".git" / "config"
    config.write_text(config.read_text() + "[include]\n\tpath = ../settings.cfg\n"
                      f"[diff]\n\texternal = {program}\n[diff \"evil\"]\n\ttextconv = {program}\n"
                      f"[filter \"evil\"]\n\tclean = {program}\n\tsmudge = {program}\n\tprocess = {program}\n"
                      f"[core]\n\thooksPath = {tmp_path}\n")
    for hook in ("post-index-change", "reference-transaction", "pre-auto-gc"):
        os.symlink(program, tmp_path / hook)
    (repo.path / "app.py").touch()  # racy stat data: tempts a refresh through the clean filter
    return repo, tmp_path / "pwned.ran", base


def test_the_hostile_repository_does_fool_plain_git(hostile: tuple[Repo, Path, str]) -> None:
    repo, marker, _ = hostile
    git(repo.path, "ls-files", "--others")  # core.fsmonitor
    assert marker.exists()
    marker.unlink()
    git(repo.path, "log", "--format=%H", "-1")  # log.showSignature -> gpg.program, both from the include
    assert marker.exists()


@pytest.mark.parametrize("command", [
    ("scan", "."), ("scan", "--all-files", "."), ("history",), ("history", "--jobs", "1"),
    ("history", "--range", "BASE..main"), ("baseline", "--history", "-o", "{tmp}/baseline.json"),
    ("ci", "github", "--range", "BASE..main", "--sarif-file", "{tmp}/out.sarif"),
])
def test_no_program_the_repository_names_runs(hostile: tuple[Repo, Path, str], command: tuple[str, ...]) -> None:
    repo, marker, base = hostile
    tmp = marker.parent
    args = [a.replace("BASE", base).replace("{tmp}", str(tmp)) for a in command]
    env = {"GITHUB_STEP_SUMMARY": str(tmp / "summary.md"), "GITHUB_OUTPUT": str(tmp / "output.txt")}
    result = run_cli(*args, *(["--format", "json"] if command[0] in ("scan", "history") else []),
                     cwd=repo.path, env=env)
    assert result.code in (0, 1), result.err
    assert not marker.exists(), f"yardguard {' '.join(args)} ran a program named by the repository"
    if command[0] in ("scan", "history"):
        assert [f["path"] for f in findings(result)] == ["app.py"]


def test_an_audit_of_a_local_path_runs_nothing(hostile: tuple[Repo, Path, str]) -> None:
    repo, marker, _ = hostile
    tmp = marker.parent
    result = audit(tmp, "--repos", str(repos_file(tmp / "repos.txt", str(repo.path))), "--jobs", "1")
    assert result.code == 1, result.err
    assert not marker.exists()
    assert query(tmp / "audit.db", "SELECT path FROM findings") == [("app.py",)]


def test_an_audit_of_a_url_runs_nothing_on_either_side(tmp_path: Path) -> None:
    """``git clone --mirror file://…`` runs upload-pack in the hostile repository: its packObjectsHook and
    hooks must not run there, and nothing in the mirror may run when it is scanned or fetched again."""
    repo = Repo(tmp_path / "evil")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.write("app.py", f"KEY = '{KEY}'\n")
    repo.commit("add key")
    program, marker = _trap(tmp_path, "pwned")
    repo.git("config", "uploadpack.packObjectsHook", str(program))
    repo.git("config", "core.hooksPath", str(tmp_path))
    os.symlink(program, tmp_path / "pre-upload-pack")
    listing = repos_file(tmp_path / "repos.txt", f"file://{repo.path}")
    for _ in range(2):  # a clone, then a fetch into the mirror
        result = audit(tmp_path, "--repos", str(listing), "--jobs", "1")
        assert result.code == 1, result.err
        assert not marker.exists()
    assert query(tmp_path / "audit.db", "SELECT path FROM findings") == [("app.py",)]


def test_the_own_repository_keeps_its_hooks_path_for_install_hooks(repo: Repo, tmp_path: Path) -> None:
    repo.git("config", "core.hooksPath", "my-hooks")
    result = run_cli("install-hooks", cwd=repo.path)
    assert result.code == 0, result.err
    assert (repo.path / "my-hooks" / "pre-commit").is_file()


# --- the true object graph -------------------------------------------------------------------------------

def _keyed_history(repo: Repo) -> tuple[str, str, str]:
    """base -> (adds the key) -> (removes it) -> clean tip: (base, the commit adding the key, its blob)."""
    repo.write("README", "hello\n")
    base = repo.commit("base")
    repo.write("app.py", f"KEY = '{KEY}'\n")
    keyed = repo.commit("add key")
    blob = repo.git("rev-parse", "HEAD:app.py")
    repo.write("app.py", "KEY = os.environ['TRACKYARD_API_KEY']\n")
    repo.commit("read it from the environment")
    repo.write("more.txt", "more\n")
    repo.commit("tip")
    return base, keyed, blob


def _history_paths(repo: Repo, *args: str) -> list[tuple[str, str]]:
    result = run_cli("history", "--format", "json", *args, cwd=repo.path)
    return [(f["path"], f["commit"]) for f in findings(result)]


@pytest.mark.parametrize("plant", ["blob", "commit"])
def test_replace_refs_hide_nothing(repo: Repo, plant: str) -> None:
    base, keyed, blob = _keyed_history(repo)
    if plant == "blob":
        clean = git(repo.path, "hash-object", "-w", "--stdin", input=b"KEY = None\n").stdout.strip()
        repo.git("replace", blob, clean)
        assert repo.git("show", f"{keyed}:app.py") == "KEY = None"  # plain git is fooled
    else:  # the commit that adds the key replaced by the base commit
        repo.git("replace", keyed, base)
        assert "add key" not in repo.git("log", "--format=%s")
    for args in ((), ("--jobs", "1"), ("--range", f"{base}..main")):
        assert _history_paths(repo, *args) == [("app.py", keyed)], args


def test_a_planted_shallow_file_or_graft_hides_nothing(repo: Repo) -> None:
    base, keyed, _ = _keyed_history(repo)
    tip = repo.git("rev-parse", "main")
    (repo.path / ".git" / "shallow").write_text(f"{tip}\n")
    (repo.path / ".git" / "info").mkdir(exist_ok=True)
    (repo.path / ".git" / "info" / "grafts").write_text(f"{tip}\n")
    assert "add key" not in repo.git("log", "--format=%s")  # plain git sees one commit
    for args in ((), ("--jobs", "1"), ("--range", f"{base}..main")):
        assert _history_paths(repo, *args) == [("app.py", keyed)], args


def test_a_real_shallow_clone_still_scans(repo: Repo, tmp_path: Path) -> None:
    _keyed_history(repo)
    repo.write("late.py", f"LATE = '{KEY2}'\n")
    late = repo.commit("late key")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{repo.path}", str(clone))
    result = run_cli("history", "--format", "json", cwd=clone)
    assert [(f["path"], f["commit"]) for f in findings(result)] == [("late.py", late)]


def test_a_key_no_commit_introduces_is_reported_with_an_unknown_commit(repo: Repo) -> None:
    _keyed_history(repo)
    orphan = git(repo.path, "hash-object", "-w", "--stdin", input=f"TOKEN = '{KEY2}'\n".encode()).stdout.strip()
    result = run_cli("history", "--format", "json", cwd=repo.path)
    found = {(f["path"], f["commit"]) for f in findings(result)}
    assert (f"<blob {orphan}>", "unknown") in found, found
    text = run_cli("history", cwd=repo.path)
    assert text.code == 1 and "commit:  unknown" in text.out, text.out


def test_an_audit_of_a_url_sees_through_mirrored_replace_refs(repo: Repo, tmp_path: Path) -> None:
    base, keyed, _ = _keyed_history(repo)
    repo.git("replace", keyed, base)  # `git clone --mirror` copies refs/replace/
    result = audit(tmp_path, "--repos", str(repos_file(tmp_path / "repos.txt", f"file://{repo.path}")),
                   "--jobs", "1")
    assert result.code == 1, result.err
    assert query(tmp_path / "audit.db", 'SELECT path, "commit" FROM findings') == [("app.py", keyed)]

"""Hooks end to end: ``yardguard install-hooks``, real ``git commit``/``git push`` through the native hooks,
and the pre-commit framework installing this checkout as a hook repository."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import KEY, KEY2, KEY3, Repo, run_cli
from tests.core_helpers import VENV_BIN, assert_error, git, hook_env

CHECKOUT = Path(__file__).resolve().parents[2]
HOOK_FILES = ("scanner", "rules", "hooks", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")


# --- install-hooks ----------------------------------------------------------------------------------

YARDGUARD = str(VENV_BIN / "yardguard")
"""The yardguard that ``run_cli`` (``python -m scanner`` in this virtualenv) pins into the hooks it installs."""


def expected_hook(name: str) -> bytes:
    """The template ``hooks/NAME`` with this virtualenv's yardguard pinned."""
    template = (CHECKOUT / "hooks" / name).read_bytes()
    assert template.count(b"YARDGUARD=''") == 1
    return template.replace(b"YARDGUARD=''", f"YARDGUARD={YARDGUARD}".encode())


def test_install_hooks(repo: Repo) -> None:
    result = run_cli("install-hooks", cwd=repo.path)
    assert result.code == 0, result.err
    hooks = repo.path / ".git" / "hooks"
    for name in ("pre-commit", "pre-push"):
        installed = hooks / name
        assert installed.read_bytes() == expected_hook(name)
        assert os.access(installed, os.X_OK)
        assert f"hooks/{name}: installed (runs {YARDGUARD})" in result.out


def test_install_hooks_is_idempotent(repo: Repo) -> None:
    assert run_cli("install-hooks", cwd=repo.path).code == 0
    hook = repo.path / ".git" / "hooks" / "pre-commit"
    before = (hook.read_bytes(), hook.stat().st_mtime_ns)
    again = run_cli("install-hooks", "--repo", str(repo.path))
    assert again.code == 0 and again.out.count("already installed") == 2
    assert (hook.read_bytes(), hook.stat().st_mtime_ns) == before
    assert not list((repo.path / ".git" / "hooks").glob("*.yardguard-backup"))


def test_install_hooks_replaces_an_older_yardguard_hook_without_force(repo: Repo) -> None:
    hook = repo.path / ".git" / "hooks" / "pre-commit"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text("#!/bin/sh\n# yardguard-hook: an older version\nexec yardguard staged\n")
    assert run_cli("install-hooks", cwd=repo.path).code == 0
    assert hook.read_bytes() == expected_hook("pre-commit")
    assert not hook.with_name("pre-commit.yardguard-backup").exists()


def test_install_hooks_honours_core_hooks_path(repo: Repo, tmp_path: Path) -> None:
    repo.git("config", "core.hooksPath", ".githooks")
    assert run_cli("install-hooks", cwd=repo.path).code == 0
    assert (repo.path / ".githooks" / "pre-commit").exists() and (repo.path / ".githooks" / "pre-push").exists()
    assert not (repo.path / ".git" / "hooks" / "pre-commit").exists()
    shared = tmp_path / "shared-hooks"
    repo.git("config", "core.hooksPath", str(shared))
    assert run_cli("install-hooks", "--repo", str(repo.path), cwd=tmp_path).code == 0
    assert (shared / "pre-push").exists()


def test_install_hooks_from_a_subdirectory_and_a_worktree(repo: Repo, tmp_path: Path) -> None:
    repo.write("sub/a.txt", "x\n")
    repo.commit("init")
    assert run_cli("install-hooks", cwd=repo.path / "sub").code == 0
    assert (repo.path / ".git" / "hooks" / "pre-commit").exists()
    assert not (repo.path / "sub" / ".git").exists()
    linked = tmp_path / "linked"
    repo.git("worktree", "add", "-q", str(linked))
    again = run_cli("install-hooks", cwd=linked)
    assert again.code == 0 and again.out.count("already installed") == 2


def test_install_hooks_refuses_a_foreign_hook(repo: Repo) -> None:
    hooks = repo.path / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    foreign = "#!/bin/sh\necho 'my own hook'\n"
    (hooks / "pre-commit").write_text(foreign)
    result = run_cli("install-hooks", cwd=repo.path)
    assert_error(result, "--force")
    assert (hooks / "pre-commit").read_text() == foreign
    forced = run_cli("install-hooks", "--force", cwd=repo.path)
    assert forced.code == 0, forced.err
    assert (hooks / "pre-commit.yardguard-backup").read_text() == foreign
    assert "previous hook kept as pre-commit.yardguard-backup" in forced.out
    assert (hooks / "pre-commit").read_bytes() == expected_hook("pre-commit")
    assert run_cli("install-hooks", cwd=repo.path).code == 0  # now ours: idempotent, backup kept
    assert (hooks / "pre-commit.yardguard-backup").read_text() == foreign


def test_install_hooks_outside_a_repository(tmp_path: Path) -> None:
    assert_error(run_cli("install-hooks", cwd=tmp_path), "not a git repository")


# --- native hooks with real git ---------------------------------------------------------------------

def commit(repo: Repo, message: str = "change") -> subprocess.CompletedProcess[str]:
    """A real ``git commit`` that runs the installed hooks (whose output git sends to stderr)."""
    return git(repo.path, "commit", "-q", "-m", message, env=hook_env(), check=False)


def bypass(repo: Repo, message: str) -> str:
    """Commit everything with the hooks skipped (how keys get into history in the first place)."""
    repo.git("add", "-A")
    repo.git("commit", "-q", "--no-verify", "--allow-empty", "-m", message)
    return repo.git("rev-parse", "HEAD")


@pytest.fixture
def hooked(repo: Repo) -> Repo:
    assert run_cli("install-hooks", cwd=repo.path).code == 0
    return repo


def test_native_pre_commit_blocks_a_key_and_passes_clean_commits(hooked: Repo) -> None:
    repo = hooked
    repo.write("a.py", "x = 1\n")
    repo.git("add", "a.py")
    assert commit(repo, "first").returncode == 0          # the very first commit (vs the empty tree)
    repo.write("a.py", f"x = 1\nkey = '{KEY}'\n")
    repo.git("add", "a.py")
    blocked = commit(repo, "add key")
    assert blocked.returncode != 0
    report = blocked.stdout + blocked.stderr
    assert "a.py:2:8" in report and "TRACKYARD_API_KEY" in report and "yardguard:allow" in report
    assert KEY not in blocked.stdout + blocked.stderr
    assert repo.git("rev-list", "--count", "HEAD") == "1"
    repo.write("a.py", "import os\nx = 1\nkey = os.environ['TRACKYARD_API_KEY']\n")
    repo.git("add", "a.py")
    assert commit(repo, "clean").returncode == 0
    repo.write("b.py", f"key = '{KEY}'  # yardguard:allow\n")
    repo.git("add", "b.py")
    assert commit(repo, "allowed").returncode == 0


def test_native_hooks_work_without_the_virtualenv_on_path_and_are_silent(hooked: Repo, tmp_path: Path) -> None:
    """The hooks run the yardguard that installed them (as pre-commit pins its interpreter): a shell where
    the virtualenv is not activated still scans, and a clean commit or push prints nothing."""
    repo = hooked
    env = {**hook_env(), "PATH": "/usr/bin:/bin"}
    shutil.which("yardguard", path=env["PATH"]) is None or pytest.skip("yardguard installed system-wide")
    repo.write("a.py", "x = 1\n")
    repo.git("add", "a.py")
    clean = git(repo.path, "commit", "-q", "-m", "clean", env=env, check=False)
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "", "")
    repo.write("a.py", f"key = '{KEY}'\n")
    repo.git("add", "a.py")
    blocked = git(repo.path, "commit", "-q", "-m", "key", env=env, check=False)
    assert blocked.returncode == 1 and "a.py:1:8" in blocked.stderr and "TRACKYARD_API_KEY" in blocked.stderr
    repo.git("reset", "-q", "--hard")
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    pushed = git(repo.path, "push", "-q", str(bare), "main", env=env, check=False)
    assert (pushed.returncode, pushed.stdout, pushed.stderr) == (0, "", "")


def test_native_hooks_fall_back_to_path_then_fail_closed(hooked: Repo) -> None:
    """When the pinned yardguard is gone (its virtualenv deleted), the hook uses the one on PATH; with none
    there either, the commit fails with what to do, never passing unscanned."""
    repo = hooked
    hook = repo.path / ".git" / "hooks" / "pre-commit"
    hook.write_bytes(hook.read_bytes().replace(YARDGUARD.encode(), b"/nonexistent/venv/bin/yardguard"))
    repo.write("a.py", f"key = '{KEY}'\n")
    repo.git("add", "a.py")
    via_path = git(repo.path, "commit", "-q", "-m", "x", env=hook_env(), check=False)
    assert via_path.returncode == 1 and "a.py:1:8" in via_path.stderr
    env = {**hook_env(), "PATH": "/usr/bin:/bin"}
    shutil.which("yardguard", path=env["PATH"]) is None or pytest.skip("yardguard installed system-wide")
    result = git(repo.path, "commit", "-q", "-m", "x", env=env, check=False)
    assert result.returncode == 1 and "yardguard install-hooks" in result.stderr
    assert "not scanned" in result.stderr


def test_install_hooks_force_chains_to_the_previous_hooks(repo: Repo, tmp_path: Path) -> None:
    """``--force`` keeps a foreign hook and runs it after yardguard's check passes, with git's arguments
    and (pre-push) the same stdin; a blocked commit does not reach it."""
    hooks = repo.path / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    log = tmp_path / "previous.log"
    for name in ("pre-commit", "pre-push"):
        (hooks / name).write_text(f"#!/bin/sh\necho \"{name} $*\" >> '{log}'\ncat >> '{log}'\nexit 0\n")
        (hooks / name).chmod(0o755)
    assert run_cli("install-hooks", "--force", cwd=repo.path).code == 0
    repo.write("a.py", f"key = '{KEY}'\n")
    repo.git("add", "a.py")
    assert git(repo.path, "commit", "-q", "-m", "key", env=hook_env(), check=False).returncode == 1
    assert not log.exists()  # blocked before the previous hook
    repo.write("a.py", "x = 1\n")
    repo.git("add", "a.py")
    assert git(repo.path, "commit", "-q", "-m", "clean", env=hook_env(), check=False).returncode == 0
    assert log.read_text() == "pre-commit \n"
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    pushed = git(repo.path, "push", "-q", str(bare), "main", env=hook_env(), check=False)
    assert pushed.returncode == 0, pushed.stderr
    head = repo.git("rev-parse", "HEAD")
    assert log.read_text().splitlines()[1:] == [f"pre-push {bare} {bare}",
                                                f"refs/heads/main {head} refs/heads/main {'0' * 40}"]


@pytest.fixture
def remote(hooked: Repo, tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    hooked.git("remote", "add", "origin", str(bare))
    return bare


def push(repo: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    return git(repo.path, "push", "-q", *args, env=hook_env(), check=False)


def test_native_pre_push_refuses_a_commit_that_introduces_a_key(hooked: Repo, remote: Path) -> None:
    repo = hooked
    repo.write("a.py", "x = 1\n")
    bypass(repo, "clean")
    assert push(repo, "origin", "main").returncode == 0
    repo.write("b.py", f"k = '{KEY}'\n")
    bypass(repo, "key, committed with --no-verify")
    repo.write("c.py", "y = 2\n")
    bypass(repo, "a later clean commit")
    refused = push(repo, "origin", "main")
    assert refused.returncode != 0 and "b.py:1:6" in refused.stdout + refused.stderr
    assert KEY not in refused.stdout + refused.stderr
    assert git(remote, "rev-list", "--count", "main").stdout.strip() == "1"
    (repo.path / "b.py").unlink()
    bypass(repo, "remove it again")                       # still in the pushed commits: still refused
    assert push(repo, "origin", "main").returncode != 0


def test_native_pre_push_new_branch_scans_only_commits_on_no_remote(hooked: Repo, remote: Path) -> None:
    repo = hooked
    repo.write("old.py", f"k = '{KEY}'\n")
    bypass(repo, "an old, already public key")
    assert push(repo, "--no-verify", "origin", "main").returncode == 0
    repo.git("checkout", "-q", "-b", "topic")
    repo.write("old.py", f"k = '{KEY}'\n# touched\n")
    repo.write("t.py", "t = 1\n")
    bypass(repo, "topic work")
    ok = push(repo, "origin", "topic")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    repo.git("checkout", "-q", "-b", "topic2")
    repo.write("t2.py", f"k = '{KEY2}'\n")
    bypass(repo, "new key on a second branch")
    refused = push(repo, "origin", "topic2")
    report = refused.stdout + refused.stderr
    assert refused.returncode != 0 and "t2.py" in report and "old.py" not in report
    tag = push(repo, "origin", "topic:refs/heads/topic-copy")  # already-pushed commits under a new name
    assert tag.returncode == 0, tag.stdout + tag.stderr


def test_native_pre_push_tags_and_deletions(hooked: Repo, remote: Path) -> None:
    repo = hooked
    repo.write("a.py", "x = 1\n")
    bypass(repo, "clean")
    assert push(repo, "origin", "main").returncode == 0
    repo.git("checkout", "-q", "--detach")
    repo.write("k.py", f"k = '{KEY3}'\n")
    c = bypass(repo, "tagged key")
    repo.git("tag", "-a", "-m", "release", "v1", c)
    repo.git("checkout", "-q", "main")
    refused = push(repo, "origin", "v1")
    assert refused.returncode != 0 and "k.py" in refused.stdout + refused.stderr
    assert push(repo, "--no-verify", "origin", "main:gone").returncode == 0
    assert push(repo, "origin", "--delete", "gone").returncode == 0


def test_native_pre_push_force_over_commits_we_never_fetched(hooked: Repo, remote: Path, tmp_path: Path) -> None:
    repo = hooked
    repo.write("a.py", "x = 1\n")
    bypass(repo, "clean")
    assert push(repo, "origin", "main").returncode == 0
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", "-b", "main", str(remote), str(other))
    (other / "o.py").write_text("o = 1\n")
    git(other, "add", "-A")
    git(other, "commit", "-q", "-m", "someone else's work")
    git(other, "push", "-q", "origin", "main")
    repo.write("mine.py", "m = 1\n")
    bypass(repo, "mine")
    ok = push(repo, "--force", "origin", "main")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    repo.write("mine.py", f"m = '{KEY}'\n")
    bypass(repo, "mine with a key")
    git(other, "fetch", "-q")
    git(other, "reset", "-q", "--hard", "origin/main")
    (other / "o2.py").write_text("o = 2\n")
    git(other, "add", "-A")
    git(other, "commit", "-q", "-m", "more work")
    git(other, "push", "-q", "origin", "main")
    refused = push(repo, "--force", "origin", "main")
    assert refused.returncode != 0 and "mine.py" in refused.stdout + refused.stderr, refused.stderr


def test_pre_push_command_reads_pre_commit_refs(repo: Repo) -> None:
    repo.write("a.py", "x = 1\n")
    base = bypass(repo, "clean")
    repo.write("b.py", f"k = '{KEY}'\n")
    head = bypass(repo, "key")
    env = {"PRE_COMMIT_FROM_REF": base, "PRE_COMMIT_TO_REF": head}
    assert run_cli("pre-push", cwd=repo.path, env=env, stdin="").code == 1
    env = {"PRE_COMMIT_FROM_REF": head, "PRE_COMMIT_TO_REF": head}
    assert run_cli("pre-push", cwd=repo.path, env=env, stdin="").code == 0
    # pre-commit pushing a root commit sets only the branch names
    env = {"PRE_COMMIT_LOCAL_BRANCH": "refs/heads/main", "PRE_COMMIT_REMOTE_BRANCH": "refs/heads/main"}
    assert run_cli("pre-push", cwd=repo.path, env=env, stdin="").code == 1


def test_pre_push_command_reads_git_stdin(repo: Repo) -> None:
    repo.write("a.py", "x = 1\n")
    base = bypass(repo, "clean")
    repo.write("b.py", f"k = '{KEY}'\n")
    head = bypass(repo, "key")
    zero = "0" * 40
    assert run_cli("pre-push", cwd=repo.path, stdin=f"refs/heads/main {head} refs/heads/main {base}\n").code == 1
    assert run_cli("pre-push", cwd=repo.path, stdin=f"refs/heads/main {base} refs/heads/main {zero}\n").code == 0
    assert run_cli("pre-push", cwd=repo.path, stdin=f"(delete) {zero} refs/heads/main {head}\n").code == 0
    assert run_cli("pre-push", cwd=repo.path, stdin="").code == 0


# --- the pre-commit framework -----------------------------------------------------------------------

def _ignore(directory: str, names: list[str]) -> list[str]:
    return [n for n in names if n in ("__pycache__", ".pytest_cache") or n.endswith((".pyc", ".egg-info"))]


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository holding the CURRENT working tree's hook files (the checkout is committed only now
    and then), as pre-commit's ``repo:`` needs."""
    path = tmp_path_factory.mktemp("hook-repo") / "yardguard"
    path.mkdir()
    for name in HOOK_FILES:
        src = CHECKOUT / name
        if src.is_dir():
            shutil.copytree(src, path / name, ignore=_ignore)
        else:
            shutil.copy2(src, path / name)
    git(path, "init", "-q")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "hook files")
    return path, git(path, "rev-parse", "HEAD").stdout.strip()


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit cache for the module: the hook environment is installed once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def pre_commit(repo: Repo, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=repo.path, capture_output=True,
                          text=True, env=hook_env(PRE_COMMIT_HOME=str(home)), timeout=600)


@pytest.fixture
def framework(repo: Repo, hook_repo: tuple[Path, str], pre_commit_home: Path) -> Repo:
    path, sha = hook_repo
    repo.write(".pre-commit-config.yaml", f"""\
repos:
  - repo: {path}
    rev: {sha}
    hooks:
      - id: yardguard
      - id: yardguard-push
""")
    bypass(repo, "pre-commit config")
    installed = pre_commit(repo, pre_commit_home, "install", "--install-hooks",
                           "--hook-type", "pre-commit", "--hook-type", "pre-push")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return repo


def fw_commit(repo: Repo, home: Path, message: str) -> subprocess.CompletedProcess[str]:
    return git(repo.path, "commit", "-q", "-m", message, env=hook_env(PRE_COMMIT_HOME=str(home)), check=False)


def test_pre_commit_framework_blocks_a_key(framework: Repo, pre_commit_home: Path) -> None:
    repo = framework
    repo.write("src/app/settings.py", f"import os\nAPI = '{KEY}'\n")
    repo.write("src/app/clean.py", "x = 1\n")
    repo.git("add", "-A")
    blocked = fw_commit(repo, pre_commit_home, "add key")
    assert blocked.returncode != 0
    report = blocked.stdout + blocked.stderr
    assert "src/app/settings.py:2:8" in report and "TRACKYARD_API_KEY" in report
    assert KEY not in report
    repo.write("src/app/settings.py", "import os\nAPI = os.environ['TRACKYARD_API_KEY']\n")
    repo.git("add", "-A")
    ok = fw_commit(repo, pre_commit_home, "clean")
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_pre_commit_framework_with_unstaged_key(framework: Repo, pre_commit_home: Path) -> None:
    """pre-commit stashes unstaged changes: only what is committed is scanned."""
    repo = framework
    repo.write("a.py", "x = 1\n")
    repo.git("add", "a.py")
    repo.write("a.py", f"x = 1\nk = '{KEY}'\n")
    ok = fw_commit(repo, pre_commit_home, "clean part only")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert (repo.path / "a.py").read_text() == f"x = 1\nk = '{KEY}'\n"


def test_pre_commit_run_all_files_scans_committed_files_whole(framework: Repo, pre_commit_home: Path) -> None:
    repo = framework
    repo.write("old/leak.env", f"TRACKYARD_API_KEY={KEY2}\n")
    bypass(repo, "already committed (hooks bypassed)")
    run = pre_commit(repo, pre_commit_home, "run", "--all-files", "yardguard")
    assert run.returncode != 0 and "old/leak.env:1:19" in run.stdout, run.stdout + run.stderr
    (repo.path / "old/leak.env").unlink()
    bypass(repo, "removed")
    run = pre_commit(repo, pre_commit_home, "run", "--all-files", "yardguard")
    assert run.returncode == 0, run.stdout + run.stderr


def test_pre_commit_framework_pre_push(framework: Repo, pre_commit_home: Path, tmp_path: Path) -> None:
    repo = framework
    bare = tmp_path / "fw-remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    repo.git("remote", "add", "origin", str(bare))
    env = hook_env(PRE_COMMIT_HOME=str(pre_commit_home))
    first = git(repo.path, "push", "-q", "origin", "main", env=env, check=False)   # root commit: all_files
    assert first.returncode == 0, first.stdout + first.stderr
    repo.write("k.py", f"k = '{KEY3}'\n")
    bypass(repo, "key committed with the hooks bypassed")
    refused = git(repo.path, "push", "-q", "origin", "main", env=env, check=False)
    assert refused.returncode != 0 and "k.py" in refused.stdout + refused.stderr
    repo.git("checkout", "-q", "-b", "fresh", "origin/main")
    repo.write("f.py", "f = 1\n")
    bypass(repo, "clean branch")
    ok = git(repo.path, "push", "-q", "origin", "fresh", env=env, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_pre_commit_framework_first_push_with_a_key_in_the_root_commit(
        repo: Repo, hook_repo: tuple[Path, str], pre_commit_home: Path, tmp_path: Path) -> None:
    path, sha = hook_repo
    repo.write(".pre-commit-config.yaml", f"repos:\n  - repo: {path}\n    rev: {sha}\n"
                                          "    hooks:\n      - id: yardguard-push\n")
    repo.write("k.py", f"k = '{KEY}'\n")
    bypass(repo, "root with a key")
    assert pre_commit(repo, pre_commit_home, "install", "--hook-type", "pre-push").returncode == 0
    bare = tmp_path / "first.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    repo.git("remote", "add", "origin", str(bare))
    refused = git(repo.path, "push", "-q", "origin", "main", env=hook_env(PRE_COMMIT_HOME=str(pre_commit_home)),
                  check=False)
    assert refused.returncode != 0 and "k.py" in refused.stdout + refused.stderr


def test_native_pre_commit_with_commit_all_and_partial_commits(hooked: Repo) -> None:
    """``git commit -a`` and ``git commit PATH`` run the hook against a temporary index."""
    repo = hooked
    repo.write("a.py", "x = 1\n")
    repo.write("b.py", "y = 1\n")
    bypass(repo, "base")
    repo.write("a.py", f"x = '{KEY}'\n")
    blocked = git(repo.path, "commit", "-q", "-a", "-m", "all", env=hook_env(), check=False)
    assert blocked.returncode != 0 and "a.py:1:6" in blocked.stdout + blocked.stderr
    repo.write("b.py", "y = 2\n")
    ok = git(repo.path, "commit", "-q", "-m", "only b", "b.py", env=hook_env(), check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    blocked = git(repo.path, "commit", "-q", "-m", "only a", "a.py", env=hook_env(), check=False)
    assert blocked.returncode != 0 and "a.py:1:6" in blocked.stdout + blocked.stderr

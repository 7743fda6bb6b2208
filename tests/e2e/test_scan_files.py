"""``yardguard scan``: directories, files and stdin, git-ignore handling, symlinks, binaries, big files,
odd names, and how paths are reported."""
from __future__ import annotations

import hashlib
import json
import os
import py_compile
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import GIT_ENV, KEY, KEY2, KEY3, Repo, run_cli
from tests.core_helpers import ACME_RULE, assert_error, findings, paths


def scan_json(*args: str, cwd: Path | str | None = None, stdin: str | bytes | None = None) -> list[dict]:
    return findings(run_cli("scan", "--format", "json", "--show-secrets", *args, cwd=cwd, stdin=stdin))


def tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


# --- sources and path reporting -----------------------------------------------------------------

def test_directory_paths_are_relative_to_the_argument(tmp_path: Path) -> None:
    proj = tree(tmp_path / "proj", {"a.py": f'k = "{KEY}"\n', "sub/deep/b.env": f"X={KEY2}\n", "clean.txt": "hi\n"})
    for arg, cwd in ((str(proj), None), ("proj", tmp_path), ("proj/", tmp_path), (".", proj)):
        assert paths(run_cli("scan", arg, "--format", "json", cwd=cwd)) == ["a.py", "sub/deep/b.env"], arg


def test_default_target_is_the_current_directory(tmp_path: Path) -> None:
    proj = tree(tmp_path / "proj", {"sub/a.py": f'k = "{KEY}"\n'})
    assert paths(run_cli("scan", "--format", "json", cwd=proj)) == ["sub/a.py"]


def test_file_paths_are_reported_as_given(tmp_path: Path) -> None:
    tree(tmp_path, {"proj/sub/a.py": f'k = "{KEY}"\n'})
    for arg in ("proj/sub/a.py", "./proj/sub/a.py", str(tmp_path / "proj/sub/a.py"), "proj/sub/../sub/a.py"):
        assert paths(run_cli("scan", arg, "--format", "json", cwd=tmp_path)) == [arg]


def test_stdin_is_reported_as_dash() -> None:
    found = scan_json("-", stdin=f"first line\n  key = {KEY}\n")
    assert [(f["path"], f["line"], f["column"], f["secret"]) for f in found] == [("-", 2, 9, KEY)]


def test_files_dirs_and_stdin_together(tmp_path: Path) -> None:
    tree(tmp_path, {"d/x.py": f"{KEY}\n", "f.txt": f"{KEY2}\n"})
    found = scan_json("d", "f.txt", "-", cwd=tmp_path, stdin=f"{KEY3}\n")
    assert sorted((f["path"], f["secret"]) for f in found) == sorted(
        [("x.py", KEY), ("f.txt", KEY2), ("-", KEY3)])


def test_missing_path_is_exit_2(tmp_path: Path) -> None:
    assert_error(run_cli("scan", "nope", cwd=tmp_path), "nope")


def test_clean_tree_is_exit_0_and_text_says_so(tmp_path: Path) -> None:
    tree(tmp_path, {"a.py": "print('hello')\n", "empty": ""})
    result = run_cli("scan", ".", cwd=tmp_path)
    assert result.code == 0
    assert result.out.strip() == "no Trackyard keys found"


# --- git work trees ----------------------------------------------------------------------------

def test_gitignored_files_are_skipped_unless_all_files(repo: Repo) -> None:
    repo.write(".gitignore", "secrets.env\nbuild/\n")
    repo.write("tracked.py", f'k = "{KEY}"\n')
    repo.commit("init")
    repo.write("untracked.py", f'k = "{KEY2}"\n')  # untracked but not ignored: scanned
    repo.write("secrets.env", f"TRACKYARD_API_KEY={KEY3}\n")
    repo.write("build/out.js", f'var k="{KEY3}";\n')
    assert paths(run_cli("scan", "--format", "json", cwd=repo.path)) == ["tracked.py", "untracked.py"]
    assert paths(run_cli("scan", "--format", "json", "--all-files", cwd=repo.path)) == [
        "build/out.js", "secrets.env", "tracked.py", "untracked.py"]


def test_ignored_file_named_explicitly_is_scanned(repo: Repo) -> None:
    repo.write(".gitignore", "secrets.env\n")
    repo.write("secrets.env", f"TRACKYARD_API_KEY={KEY}\n")
    assert paths(run_cli("scan", "secrets.env", "--format", "json", cwd=repo.path)) == ["secrets.env"]


def test_subdirectory_of_a_work_tree(repo: Repo) -> None:
    repo.write(".gitignore", "*.log\n")
    repo.write("src/app.py", f'k = "{KEY}"\n')
    repo.write("src/debug.log", f"{KEY2}\n")
    repo.write("other.py", f'k = "{KEY3}"\n')
    assert paths(run_cli("scan", "src", "--format", "json", cwd=repo.path)) == ["app.py"]
    assert paths(run_cli("scan", ".", "--format", "json", cwd=repo.path / "src")) == ["app.py"]


def test_dot_git_is_skipped(tmp_path: Path, repo: Repo) -> None:
    repo.write("a.py", "x = 1\n")
    repo.commit(f"add key {KEY} in a message")  # lands in .git/COMMIT_EDITMSG and .git/logs
    (repo.path / ".git" / "description").write_text(f"{KEY2}\n")
    for extra in ((), ("--all-files",)):
        assert findings(run_cli("scan", "--format", "json", *extra, cwd=repo.path)) == []
    # a plain directory holding a .git folder (not a work tree) is walked, .git still skipped
    plain = tree(tmp_path / "plain", {".git/config": f"{KEY}\n", "sub/.git/HEAD": f"{KEY}\n", "a.txt": f"{KEY2}\n"})
    assert paths(run_cli("scan", str(plain), "--format", "json")) == ["a.txt"]


def test_files_of_a_nested_repository_are_scanned(repo: Repo) -> None:
    """A cloned repo (or submodule checkout) inside the scanned tree is not a blind spot."""
    repo.write("top.py", "x = 1\n")
    repo.commit("init")
    inner = Repo(repo.path / "vendor" / "inner")
    inner.path.mkdir(parents=True)
    inner.git("init", "-q")
    inner.write("conf.py", f'k = "{KEY}"\n')
    inner.commit("inner")
    assert paths(run_cli("scan", "--format", "json", cwd=repo.path)) == ["vendor/inner/conf.py"]


# --- symlinks, special files -----------------------------------------------------------------

@pytest.mark.parametrize("in_git", [False, True])
def test_symlinks_are_never_followed_out_of_the_tree(tmp_path: Path, in_git: bool) -> None:
    outside = tree(tmp_path / "outside", {"secret.txt": f"{KEY}\n", "dir/more.txt": f"{KEY2}\n"})
    proj = tree(tmp_path / "proj", {"inside.txt": f"{KEY3}\n"})
    (proj / "link.txt").symlink_to(outside / "secret.txt")
    (proj / "linkdir").symlink_to(outside / "dir", target_is_directory=True)
    (proj / "loop").symlink_to(proj, target_is_directory=True)
    (proj / "dangling").symlink_to(tmp_path / "missing")
    if in_git:
        r = Repo(proj)
        r.git("init", "-q")
        r.commit("with links")
    for extra in ((), ("--all-files",)):
        result = run_cli("scan", str(proj), "--format", "json", *extra)
        assert paths(result) == ["inside.txt"], extra


def test_fifo_does_not_hang(tmp_path: Path) -> None:
    proj = tree(tmp_path / "proj", {"a.txt": f"{KEY}\n"})
    os.mkfifo(proj / "pipe")
    start = time.monotonic()
    result = run_cli("scan", str(proj), "--format", "json", "--all-files")
    assert paths(result) == ["a.txt"]
    named = subprocess.run([sys.executable, "-m", "scanner", "scan", str(proj / "pipe")],
                           capture_output=True, text=True, timeout=30, env={**os.environ, **GIT_ENV})
    assert named.returncode == 2 and "not a regular file" in named.stderr
    assert time.monotonic() - start < 30


def test_empty_files_and_empty_dir(tmp_path: Path) -> None:
    proj = tree(tmp_path / "proj", {"empty.txt": "", "also/empty.bin": b""})
    (proj / "nothing").mkdir()
    assert run_cli("scan", str(proj)).code == 0
    assert run_cli("scan", str(proj / "empty.txt")).code == 0
    assert run_cli("scan", "-", stdin=b"").code == 0


# --- content: binaries, encodings, size -----------------------------------------------------------

def test_key_inside_binary_bytes(tmp_path: Path) -> None:
    blob = b"\x7fELF\x00\x00\x01" + bytes(range(256)) + b"\n\x00\xff\xc3(" + KEY.encode() + b"\x00\x00tail\n"
    tree(tmp_path, {"lib.so": blob, "cache.pyc": b"\x00" * 16 + KEY2.encode() + b"\x00"})
    found = {f["path"]: f for f in scan_json(str(tmp_path))}
    assert found["lib.so"]["secret"] == KEY
    # lines are counted by b"\n"; the column counts characters of the line decoded with replacement
    assert found["lib.so"]["line"] == 3
    assert found["lib.so"]["column"] == len(b"\x00\xff\xc3(".decode("utf-8", "replace")) + 1
    assert found["cache.pyc"]["secret"] == KEY2 and found["cache.pyc"]["line"] == 1


def test_key_inside_a_real_pyc_file(tmp_path: Path) -> None:
    source = tree(tmp_path, {"src/settings.py": f'API_KEY = "{KEY}"\n'}) / "src/settings.py"
    py_compile.compile(str(source), cfile=str(tmp_path / "bytecode/settings.cpython.pyc"), doraise=True)
    source.unlink()
    found = scan_json(str(tmp_path))
    # marshal strings are length-prefixed, not delimited: in the raw bytes the next object's type byte may
    # be glued on; the .pyc's string constants give the bare key, reported once (inside the file)
    assert [f["path"].split("!")[0] for f in found] == ["bytecode/settings.cpython.pyc"]
    assert found[0]["secret_sha256"] == hashlib.sha256(KEY.encode()).hexdigest()


def test_invalid_utf8_never_crashes_and_columns_count_characters(tmp_path: Path) -> None:
    data = b"\xff\xfe bad \xc3\x28 start\n" + "héllo wörld ".encode() + KEY.encode() + b" \xe2\x82\n"
    tree(tmp_path, {"mixed.txt": data, "latin1.txt": "naïve café = ".encode("latin-1") + KEY2.encode()})
    found = {f["path"]: f for f in scan_json(str(tmp_path))}
    assert (found["mixed.txt"]["line"], found["mixed.txt"]["column"]) == (2, len("héllo wörld ") + 1)
    assert (found["latin1.txt"]["line"], found["latin1.txt"]["column"]) == (1, len("naïve café = ") + 1)
    assert run_cli("scan", "-", stdin=data).code == 1


def test_big_file_key_near_the_end(tmp_path: Path) -> None:
    """A file above the mmap threshold (8 MiB) is scanned to its last bytes."""
    size = 9 << 20
    line = b"x" * 1023 + b"\n"
    big = tmp_path / "big.log"
    with open(big, "wb") as f:
        for _ in range(size // len(line)):
            f.write(line)
        f.write(b"tail " + KEY.encode() + b"\n")
    assert big.stat().st_size > 8 << 20
    found = scan_json(str(tmp_path))
    assert [(f["path"], f["line"], f["column"], f["secret"]) for f in found] == [
        ("big.log", size // len(line) + 1, 6, KEY)]


def test_big_file_with_a_key_only_at_the_very_end(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        f.truncate((8 << 20) + 4096)
        f.seek(0, os.SEEK_END)
        f.write(KEY.encode())  # no trailing newline: the match ends at EOF
    found = scan_json(str(big))
    assert [(f["line"], f["secret"]) for f in found] == [(1, KEY)]


def test_max_file_size_skips_bigger_files(tmp_path: Path) -> None:
    proj = tree(tmp_path / "proj", {
        ".yardguard.toml": "max_file_size = 100\n",
        "small.py": f"k = '{KEY}'\n",
        "large.py": "#" * 200 + f"\nk = '{KEY2}'\n",
    })
    result = run_cli("scan", ".", "--format", "json", cwd=proj)
    assert paths(result) == ["small.py"]
    assert "skipped 1 file" in result.err and "max_file_size" in result.err
    result = run_cli("scan", "large.py", "--format", "json", cwd=proj)
    assert findings(result) == [] and result.code == 0


# --- odd file names ---------------------------------------------------------------------------

ODD_NAMES = ["with space.py", "ünïcødé/ключ.py", "new\nline.py", "-leading-dash.py", "tab\there.py",
             'quote"d.py', "back\\slash.py", "*.py", "[ab].py"]


@pytest.mark.parametrize("in_git", [False, True])
def test_odd_file_names_in_a_directory(tmp_path: Path, in_git: bool) -> None:
    proj = tree(tmp_path / "proj", {name: f"k = '{KEY}'\n" for name in ODD_NAMES})
    if in_git:
        r = Repo(proj)
        r.git("init", "-q")
        r.commit("odd")
    assert paths(run_cli("scan", str(proj), "--format", "json")) == sorted(ODD_NAMES)


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_file_name_as_an_argument(tmp_path: Path, name: str) -> None:
    tree(tmp_path, {name: f"k = '{KEY}'\n"})
    args = ["--", name] if name.startswith("-") else [name]
    assert paths(run_cli("scan", "--format", "json", *args, cwd=tmp_path)) == [name]


def test_non_utf8_file_name_does_not_crash(tmp_path: Path) -> None:
    (tmp_path / os.fsdecode(b"caf\xe9.txt")).write_text(f"{KEY}\n")
    result = run_cli("scan", str(tmp_path), "--format", "json")
    assert result.code == 1 and len(result.json()["findings"]) == 1
    assert run_cli("scan", str(tmp_path)).code == 1




@pytest.mark.parametrize("extra_rule", [False, True])
def test_huge_file_is_never_read_whole_into_memory(tmp_path: Path, extra_rule: bool) -> None:
    """A 384 MiB (sparse) file scanned with the heap capped at 192 MiB: only mmap keeps it working."""
    big = tmp_path / "huge.img"
    with open(big, "wb") as f:
        f.truncate(384 << 20)
        f.seek(0, os.SEEK_END)
        f.write(b"\nacme_Q2x7Lp3Nm8Rt4Vw6Yb1Z " + KEY.encode() + b"\n")
    args = [sys.executable, "-m", "scanner", "scan", str(big), "--format", "json"]
    if extra_rule:
        (tmp_path / "acme.toml").write_text(ACME_RULE)
        args += ["--rules", str(tmp_path / "acme.toml")]

    def cap_heap() -> None:
        resource.setrlimit(resource.RLIMIT_DATA, (192 << 20, 192 << 20))

    proc = subprocess.run(args, capture_output=True, text=True, preexec_fn=cap_heap, timeout=300,
                          env={**os.environ, **GIT_ENV})
    assert proc.returncode == 1, proc.stderr
    found = {f["rule_id"]: f for f in json.loads(proc.stdout)["findings"]}
    assert found["trackyard-api-key"]["line"] == 2
    assert ("acme-token" in found) == extra_rule

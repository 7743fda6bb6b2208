"""``yardguard staged``: only the lines the staged change adds (the pre-commit path)."""
from __future__ import annotations

import json
import random
import string
from pathlib import Path

import pytest

from tests.conftest import KEY, KEY2, KEY3, Repo, run_cli
from tests.core_helpers import assert_error, findings


def staged(repo: Repo, *files: str, cwd: Path | None = None) -> list[tuple[str, int, str]]:
    """(path, line, secret) of every finding of ``yardguard staged --format json``."""
    result = run_cli("staged", "--format", "json", "--show-secrets", *files, cwd=cwd or repo.path)
    return sorted((f["path"], f["line"], f["secret"]) for f in findings(result))


def lines(*items: str) -> str:
    return "".join(f"{i}\n" for i in items)


BASE = lines(*(f"line {n}" for n in range(1, 11)))


def test_only_added_lines_of_the_index_are_reported(repo: Repo) -> None:
    repo.write("app.py", BASE)
    repo.commit("base")
    edited = BASE.splitlines()
    edited.insert(2, f"key = '{KEY}'")          # staged: new line 3
    repo.write("app.py", lines(*edited))
    repo.git("add", "app.py")
    repo.write("app.py", lines(*edited, f"later = '{KEY2}'"))  # unstaged edit: not reported
    repo.write("other.py", f"k = '{KEY3}'\n")                  # untracked: not reported
    assert staged(repo) == [("app.py", 3, KEY)]


def test_index_content_counts_not_the_work_tree(repo: Repo) -> None:
    repo.write("a.py", f"k = '{KEY}'\n")
    repo.git("add", "a.py")
    repo.write("a.py", "k = os.environ['TRACKYARD_API_KEY']\n")  # fixed on disk but not staged
    assert staged(repo) == [("a.py", 1, KEY)]


def test_deleted_and_untouched_lines_are_not_reported(repo: Repo) -> None:
    repo.write("a.py", lines("one", f"old = '{KEY}'", "three", f"kept = '{KEY2}'", "five"))
    repo.commit("old keys")
    repo.write("a.py", lines("one", "three", f"kept = '{KEY2}'", "five", "six"))  # delete one, add a clean line
    repo.git("add", "a.py")
    assert staged(repo) == []


def test_deleted_file_is_not_reported(repo: Repo) -> None:
    repo.write("a.py", f"k = '{KEY}'\n")
    repo.commit("old")
    repo.git("rm", "-q", "a.py")
    assert staged(repo) == []


def test_mode_change_is_not_new(repo: Repo) -> None:
    repo.write("run.sh", f"export TRACKYARD_API_KEY={KEY}\n")
    repo.commit("old")
    (repo.path / "run.sh").chmod(0o755)
    repo.git("add", "run.sh")
    assert staged(repo) == []


def test_pure_rename_is_not_new(repo: Repo) -> None:
    repo.write("old/name.py", lines("a", f"k = '{KEY}'", "c"))
    repo.commit("old")
    repo.git("mv", "old", "new")
    assert staged(repo) == []
    assert staged(repo, "new/name.py") == []  # as pre-commit passes it


def test_rename_with_edit_reports_only_the_added_line(repo: Repo) -> None:
    repo.write("conf.py", lines(*(f"setting_{n} = {n}" for n in range(20)), f"k = '{KEY}'"))
    repo.commit("old")
    repo.git("mv", "conf.py", "settings.py")
    text = (repo.path / "settings.py").read_text().splitlines()
    text.insert(5, f"k2 = '{KEY2}'")
    repo.write("settings.py", lines(*text))
    repo.git("add", "settings.py")
    assert staged(repo) == [("settings.py", 6, KEY2)]
    assert staged(repo, "settings.py") == [("settings.py", 6, KEY2)]


def test_before_the_first_commit(repo: Repo) -> None:
    repo.write("a.py", lines("x = 1", f"k = '{KEY}'"))
    repo.write("b.txt", "clean\n")
    repo.git("add", "-A")
    assert staged(repo) == [("a.py", 2, KEY)]
    assert staged(repo, "b.txt") == []


def test_empty_index_before_the_first_commit(repo: Repo) -> None:
    result = run_cli("staged", cwd=repo.path)
    assert result.code == 0, result.err


def test_line_numbers_across_several_hunks(repo: Repo) -> None:
    original = [f"l{n}" for n in range(1, 41)]
    repo.write("a.txt", lines(*original))
    repo.commit("base")
    edited = list(original)
    edited[4] = f"changed {KEY}"            # line 5 replaced
    edited.insert(20, f"inserted {KEY2}")    # new line 21
    del edited[30:33]                         # a deletion further down shifts nothing above it
    edited.append(f"appended {KEY3}")
    repo.write("a.txt", lines(*edited))
    repo.git("add", "a.txt")
    assert staged(repo) == sorted([("a.txt", 5, KEY), ("a.txt", 21, KEY2), ("a.txt", len(edited), KEY3)])


def test_column_is_that_of_the_file_line(repo: Repo) -> None:
    repo.write("a.py", "x = 1\n")
    repo.commit("base")
    repo.write("a.py", f"x = 1\n    key = '{KEY}'\n")
    repo.git("add", "a.py")
    found = findings(run_cli("staged", "--format", "json", cwd=repo.path))
    assert [(f["line"], f["column"]) for f in found] == [(2, 12)]


def test_file_arguments_narrow_the_scan(repo: Repo) -> None:
    repo.write("a.py", f"k = '{KEY}'\n")
    repo.write("sub/b.py", f"k = '{KEY2}'\n")
    repo.git("add", "-A")
    assert staged(repo, "a.py") == [("a.py", 1, KEY)]
    assert staged(repo, "sub/b.py") == [("sub/b.py", 1, KEY2)]
    assert staged(repo, "a.py", "sub/b.py") == [("a.py", 1, KEY), ("sub/b.py", 1, KEY2)]
    assert staged(repo, "sub") == [("sub/b.py", 1, KEY2)]


def test_file_arguments_relative_to_a_subdirectory(repo: Repo) -> None:
    repo.write("sub/b.py", f"k = '{KEY2}'\n")
    repo.git("add", "-A")
    assert staged(repo, "b.py", cwd=repo.path / "sub") == [("sub/b.py", 1, KEY2)]


def test_passed_file_without_staged_change_is_scanned_whole(repo: Repo) -> None:
    """``pre-commit run --all-files`` passes every file: the hook must not pass scanning nothing."""
    repo.write("old.py", lines("x = 1", f"k = '{KEY}'"))
    repo.write("clean.py", "x = 1\n")
    repo.commit("old key")
    assert staged(repo) == []
    assert staged(repo, "old.py", "clean.py") == [("old.py", 2, KEY)]


def test_staged_and_whole_files_together(repo: Repo) -> None:
    repo.write("old.py", f"k = '{KEY}'\n")
    repo.write("edited.py", lines("a", f"k = '{KEY2}'"))
    repo.commit("old keys")
    repo.write("edited.py", lines("a", f"k = '{KEY2}'", "b"))
    repo.git("add", "-A")
    assert staged(repo, "old.py", "edited.py") == [("old.py", 1, KEY)]


def test_symlink_argument_is_not_resolved(repo: Repo, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text(f"{KEY}\n")
    repo.write("real.py", f"k = '{KEY2}'\n")
    (repo.path / "link.py").symlink_to("real.py")
    (repo.path / "out.txt").symlink_to(outside)
    repo.git("add", "-A")
    assert staged(repo, "link.py", "out.txt") == []   # a staged symlink adds only its target's name
    assert staged(repo, "real.py") == [("real.py", 1, KEY2)]


ODD = ["with space.py", "ünïcødé.py", "new\nline.py", "-dash.py", "tab\t.py", 'quo"te.py', "back\\slash.py",
       "*.py", ":(glob)x.py"]


def test_odd_file_names(repo: Repo) -> None:
    repo.write("base.txt", "x\n")
    repo.commit("base")
    for name in ODD:
        repo.write(name, f"k = '{KEY}'\n")
    repo.git("add", "-A")
    assert staged(repo) == sorted((name, 1, KEY) for name in ODD)
    assert staged(repo, "--", *ODD[:4]) == sorted((name, 1, KEY) for name in ODD[:4])
    for name in ODD:
        assert staged(repo, "--", name) == [(name, 1, KEY)], name


def test_odd_file_names_scanned_whole(repo: Repo) -> None:
    for name in ODD:
        repo.write(name, f"k = '{KEY}'\n")
    repo.commit("old")
    assert staged(repo, "--", *ODD) == sorted((name, 1, KEY) for name in ODD)


def test_binary_staged_file(repo: Repo) -> None:
    repo.write("data.bin", b"\x00\x01\x02header\n")
    repo.commit("base")
    repo.write("data.bin", b"\x00\x01\x02header\n\x00\xff\x00=" + KEY.encode() + b"\x00\x00\n\x89PNG\x00")
    repo.git("add", "data.bin")
    assert staged(repo) == [("data.bin", 2, KEY)]


def test_added_lines_that_look_like_patch_headers(repo: Repo) -> None:
    """Content lines starting with ``++ `` or ``rename to`` must not be taken for diff headers."""
    repo.write("fix.patch", "x\n")
    repo.commit("base")
    repo.write("fix.patch", lines("x", "++ b/elsewhere.py", f"key {KEY}", "rename to nowhere", "@@ -1 +1 @@",
                                  f"again {KEY2}"))
    repo.git("add", "fix.patch")
    assert staged(repo) == [("fix.patch", 3, KEY), ("fix.patch", 6, KEY2)]


def test_crlf_and_no_final_newline(repo: Repo) -> None:
    repo.write("win.txt", b"a\r\nb\r\n")
    repo.commit("base")
    repo.write("win.txt", b"a\r\nb\r\nkey " + KEY.encode() + b"\r\nlast " + KEY2.encode())
    repo.git("add", "win.txt")
    assert staged(repo) == [("win.txt", 3, KEY), ("win.txt", 4, KEY2)]


def test_allow_comment_on_a_staged_line(repo: Repo) -> None:
    repo.write("a.py", f"k = '{KEY}'  # yardguard:allow\n")
    repo.git("add", "a.py")
    assert staged(repo) == []


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_exit_code_and_hook_advice(repo: Repo, fmt: str) -> None:
    repo.write("a.py", f"k = '{KEY}'\n")
    repo.git("add", "a.py")
    result = run_cli("staged", "--format", fmt, cwd=repo.path)
    assert result.code == 1
    assert KEY not in result.out + result.err
    if fmt == "text":
        assert "TRACKYARD_API_KEY" in result.err and "yardguard:allow" in result.err and "rotate" in result.err
        assert "a.py:1:6" in result.out


def test_outside_a_work_tree_is_exit_2(tmp_path: Path) -> None:
    assert_error(run_cli("staged", cwd=tmp_path), "git")


def test_user_git_config_does_not_change_the_result(repo: Repo) -> None:
    for key, value in (("diff.interHunkContext", "10"), ("diff.noprefix", "true"), ("diff.mnemonicPrefix", "true"),
                       ("color.diff", "always"), ("color.ui", "always"), ("diff.external", "false"),
                       ("diff.renames", "false"), ("diff.context", "8"), ("core.quotePath", "true")):
        repo.git("config", key, value)
    original = [f"l{n}" for n in range(1, 21)]
    repo.write("a.txt", lines(*original))
    repo.write("old.txt", lines(*original))
    repo.commit("base")
    edited = list(original)
    edited[2] = f"three {KEY}"
    edited[6] = f"seven {KEY2}"
    repo.write("a.txt", lines(*edited))
    repo.git("mv", "old.txt", "ñew.txt")
    repo.git("add", "-A")
    assert staged(repo) == [("a.txt", 3, KEY), ("a.txt", 7, KEY2)]


def test_key_recognisable_only_with_unchanged_neighbours(repo: Repo) -> None:
    """Rotating the value under an existing ``- name:`` line, or the token of an existing request."""
    old, new = "Pq8Wm2Xk7Rt4Vb9Nc3Lz6Hy1", "Xk29fLq8Zm3Np7Rt5Vw1Yb4C"
    repo.write("deploy.yaml", f"env:\n  - name: TRACKYARD_API_KEY\n\n    value: \"{old}\"\n  - name: OTHER\n")
    repo.write("me.http", f"GET https://api.trackyard.com/api/external/v1/me\nAccept: */*\n"
                          f"Authorization: Bearer {old}\n")
    repo.commit("old")
    repo.write("deploy.yaml", f"env:\n  - name: TRACKYARD_API_KEY\n\n    value: \"{new}\"\n  - name: OTHER\n")
    repo.write("me.http", f"GET https://api.trackyard.com/api/external/v1/me\nAccept: */*\n"
                          f"Authorization: Bearer {new}\n")
    repo.git("add", "-A")
    repo.git("config", "diff.suppressBlankEmpty", "true")
    assert staged(repo) == [("deploy.yaml", 4, new), ("me.http", 3, new)]


def test_key_on_an_unchanged_context_line_is_not_new(repo: Repo) -> None:
    value = "Pq8Wm2Xk7Rt4Vb9Nc3Lz6Hy1"
    repo.write("deploy.yaml", f"env:\n  - name: OTHER\n    value: \"{value}\"\n")
    repo.commit("old")
    repo.write("deploy.yaml", f"env:\n  - name: TRACKYARD_API_KEY\n    value: \"{value}\"\n")
    repo.git("add", "-A")
    assert staged(repo) == []



@pytest.mark.parametrize(("args", "expected"), [
    (["staged"], ("staged", [], {})),
    (["staged", "a.py", "b c.py"], ("staged", ["a.py", "b c.py"], {})),
    (["staged", "--format", "json", "a.py"], ("staged", ["a.py"], {"fmt": ["json"]})),
    (["staged", "--format=sarif", "-o", "out.sarif", "a.py"],
     ("staged", ["a.py"], {"fmt": ["sarif"], "output": ["out.sarif"]})),
    (["staged", "--output=r.json", "--format", "json"], ("staged", [], {"fmt": ["json"], "output": ["r.json"]})),
    (["history", "--repo", "r", "--range", "a..b", "-j", "3", "--format", "sarif"],
     ("history", [], {"repo": ["r"], "rev_range": ["a..b"], "jobs": ["3"], "fmt": ["sarif"]})),
    (["staged", "--format", "bogus"], None),   # click reports the bad choice
    (["staged", "--format"], None),            # and the missing value
    (["staged", "-o=r.json"], None),           # and what click makes of a short option with "="
    (["staged", "--verify", "a.py"], None),    # any other option: the click CLI
    (["staged", "--help"], None),
    (["staged", "--repo", "r"], None),         # history's options are not staged's
    (["history", "extra"], None),              # history takes no arguments
    (["history", "--jobs", "0"], None),
    (["history", "--jobs", "two"], None),
    (["scan", ".", "--all-files", "--format", "json"], ("scan", ["."], {"all_files": [""], "fmt": ["json"]})),
    (["scan"], ("scan", [], {})),
    (["scan", "--rules", "a.toml", "--rules=b", "--format", "json", "--format", "sarif"],
     ("scan", [], {"rules": ["a.toml", "b"], "fmt": ["json", "sarif"]})),  # click: every --rules, the last --format
    (["scan", "-"], None),                     # stdin: the click CLI
    (["scan", "--all-files=yes"], None),       # a flag takes no value
    (["baseline", "."], None),
    ([], None),
])
def test_which_runs_skip_click(args: list[str], expected) -> None:
    from scanner.entry import lean_arguments
    assert lean_arguments(args) == expected


def test_staged_with_format_and_output_without_click(repo: Repo, tmp_path: Path) -> None:
    repo.write("a.py", "x = 1\n")
    repo.commit("init")
    repo.write("a.py", f"x = 1\nkey = '{KEY}'\n")
    repo.git("add", "a.py")
    out = tmp_path / "r.json"
    result = run_cli("staged", "--format=json", "-o", str(out), "a.py", cwd=repo.path)
    assert result.code == 1 and result.out == ""
    [f] = json.loads(out.read_text())["findings"]
    assert (f["path"], f["line"]) == ("a.py", 2)


def _key(n: int) -> str:
    rng = random.Random(n)
    return "trackyard_live_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(28))


def _file(n: int, key_at: int | None) -> str:
    """Some lines of code; the key (if any) on line ``key_at``; every third file without a final newline,
    every fifth with CRLF line ends."""
    rows = [f"value_{n}_{i} = {i}" for i in range(40)]
    if key_at is not None:
        rows[key_at - 1] = f"token = '{_key(n)}'"
    text = ("\r\n" if n % 5 == 0 else "\n").join(rows)
    return text if n % 3 == 0 else text + "\n"


def test_a_big_first_commit_reports_every_key_at_its_line(repo: Repo) -> None:
    """Hundreds of new files in a repository's first commit (new files take a fast path): the same findings
    as line-by-line reading gives."""
    expected = []
    for n in range(300):
        key_at = (n % 37) + 1 if n % 50 == 7 else None
        repo.write(f"pkg/m{n:03d}.py", _file(n, key_at))
        if key_at is not None:
            expected.append((f"pkg/m{n:03d}.py", key_at, _key(n)))
    repo.write("empty.txt", "")
    repo.write("no-newline.py", f"k = '{_key(999)}'")
    expected.append(("no-newline.py", 1, _key(999)))
    repo.git("add", "-A")
    assert staged(repo) == sorted(expected)


def test_a_big_edit_reports_only_the_added_keys(repo: Repo) -> None:
    for n in range(200):
        repo.write(f"src/f{n:03d}.py", _file(n, None))
    repo.write("src/old.py", f"old = '{_key(500)}'\n")  # already committed: never new
    repo.commit("base")
    expected = []
    for n in range(200):
        rows = _file(n, None).splitlines()
        if n % 40 == 3:
            rows.insert(n % 30, f"token = '{_key(n)}'")
            expected.append((f"src/f{n:03d}.py", n % 30 + 1, _key(n)))
        else:
            rows.append(f"# edited {n}")
        repo.write(f"src/f{n:03d}.py", "\n".join(rows) + "\n")
    repo.write("src/old.py", f"old = '{_key(500)}'\nnew = 1\n")
    repo.git("mv", "src/f199.py", "src/renamed.py")
    repo.git("add", "-A")
    assert staged(repo) == sorted(expected)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_settings_are_read_while_git_diffs_and_their_errors_come_after_gits(repo: Repo, fmt: str) -> None:
    """staged starts git first and reads its settings meanwhile: a bad config is still one error line
    (exit 2), and a git failure is still what is reported when both are wrong."""
    repo.write("app.py", f"key = '{KEY}'\n")
    repo.git("add", "app.py")
    repo.write(".yardguard.toml", "fail_on = [\n")
    assert_error(run_cli("staged", "--format", fmt, cwd=repo.path), "invalid TOML")
    (repo.path / ".git" / "index").write_bytes(b"DIRC garbage")
    result = run_cli("staged", "--format", fmt, cwd=repo.path)
    assert_error(result, "git")
    assert "TOML" not in result.err

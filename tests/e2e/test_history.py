"""``yardguard history``: every blob and commit message reachable from any ref, attributed to the commit
that introduced it; ``--range`` for the CI gate and pushes."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import KEY, KEY2, KEY3, Repo, run_cli
from tests.core_helpers import assert_error, findings, git

KEY4 = "trackyard_live_Vn4Kp8Tz2Qw6Ys1Rm7Hx3Jb5"
KEY5 = "trackyard_test_Lc5Wd9Pq3Gz7Nh2Tv8Xk4Mf6"


def history(where: Path, *args: str) -> list[dict]:
    result = run_cli("history", "--repo", str(where), "--format", "json", "--show-secrets", *args)
    return findings(result)


def brief(found: list[dict]) -> list[tuple[str, str, str]]:
    """Sorted (secret, path, commit) triples."""
    return sorted((f["secret"], f["path"], f["commit"]) for f in found)


def test_clean_history_and_text_report(repo: Repo) -> None:
    repo.write("a.py", "x = 1\n")
    repo.commit("init")
    result = run_cli("history", cwd=repo.path)
    assert result.code == 0 and result.out.strip() == "no Trackyard keys found"


def test_finding_fields_and_text_report(repo: Repo) -> None:
    repo.write("src/a.py", f"x = 1\nkey = '{KEY}'\n")
    c = repo.commit("add key", author="Bob Builder <bob@example.com>", date="2021-03-04T05:06:07+00:00")
    [f] = history(repo.path)
    assert (f["path"], f["line"], f["column"], f["commit"]) == ("src/a.py", 2, 8, c)
    assert (f["author_name"], f["author_email"], f["commit_date"]) == (
        "Bob Builder", "bob@example.com", "2021-03-04T05:06:07+00:00")
    text = run_cli("history", cwd=repo.path)
    assert text.code == 1
    assert "src/a.py:2:8" in text.out and c[:12] in text.out and "Bob Builder <bob@example.com>" in text.out
    assert KEY not in text.out


def test_every_kind_of_ref_is_scanned(repo: Repo) -> None:
    repo.write("main.py", f"k = '{KEY}'\n")
    repo.commit("main")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("feature.py", f"k = '{KEY2}'\n")
    repo.commit("feature, never merged")
    repo.git("checkout", "-q", "--detach", "main")
    repo.write("annotated.py", f"k = '{KEY3}'\n")
    tagged = repo.commit("only an annotated tag points here")
    repo.git("tag", "-a", "-m", "release", "v1", tagged)
    repo.git("checkout", "-q", "--detach", "main")
    repo.write("light.py", f"k = '{KEY4}'\n")
    light = repo.commit("only a lightweight tag points here")
    repo.git("tag", "v2-light", light)
    repo.git("checkout", "-q", "--detach", "main")
    repo.write("remote.py", f"k = '{KEY5}'\n")
    remote = repo.commit("only a remote-tracking ref points here")
    repo.git("update-ref", "refs/remotes/origin/gone", remote)
    repo.git("checkout", "-q", "main")
    assert sorted((f["path"], f["secret"]) for f in history(repo.path)) == [
        ("annotated.py", KEY3), ("feature.py", KEY2), ("light.py", KEY4), ("main.py", KEY), ("remote.py", KEY5)]


@pytest.mark.parametrize("jobs", ["2", "5"])
def test_parallel_readers_find_the_same(repo: Repo, jobs: str) -> None:
    """--jobs splits the objects between several cat-file readers; the findings must not change."""
    for i, key in enumerate((KEY, KEY2, KEY3)):
        repo.write(f"f{i}.py", f"k = '{key}'\n")
        repo.commit(f"key {i}\n\nrotated {KEY5}" if i == 2 else f"key {i}")
        repo.write(f"f{i}.py", "k = None\n")
        repo.commit(f"remove {i}")
    one = history(repo.path)
    assert len(one) == 4
    assert history(repo.path, "--jobs", jobs) == one


def test_nested_annotated_tag_is_peeled(repo: Repo) -> None:
    repo.write("x.py", "x = 1\n")
    repo.commit("base")
    repo.git("checkout", "-q", "--detach")
    repo.write("t.py", f"k = '{KEY}'\n")
    c = repo.commit("tagged")
    repo.git("tag", "-a", "-m", "inner", "inner", c)
    repo.git("tag", "-a", "-m", "outer", "outer", "inner")
    repo.git("tag", "-d", "inner")
    repo.git("checkout", "-q", "main")
    assert brief(history(repo.path)) == [(KEY, "t.py", c)]


def test_deleted_file_is_reported_at_the_commit_that_added_it(repo: Repo) -> None:
    repo.write("config/old.env", f"TRACKYARD_API_KEY={KEY}\n")
    added = repo.commit("add")
    (repo.path / "config/old.env").unlink()
    repo.commit("remove the key")
    assert brief(history(repo.path)) == [(KEY, "config/old.env", added)]


def test_evil_merge_resolution_is_scanned(repo: Repo) -> None:
    repo.write("app.py", "a = 1\n")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "side")
    repo.write("side.py", "s = 1\n")
    repo.commit("side")
    repo.git("checkout", "-q", "main")
    repo.write("main.py", "m = 1\n")
    repo.commit("main")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "side")
    repo.write("app.py", f"a = 1\nkey = '{KEY}'\n")   # in neither parent: only in the merge resolution
    merge = repo.commit("Merge branch 'side'")
    assert len(repo.git("rev-list", "--parents", "-n1", merge).split()) == 3
    [f] = history(repo.path)
    assert (f["secret"], f["path"], f["line"], f["commit"]) == (KEY, "app.py", 2, merge)


def test_key_from_a_merged_branch_is_attributed_to_the_branch_commit(repo: Repo) -> None:
    repo.write("app.py", "a = 1\n")
    repo.commit("base", date="2020-01-01T00:00:00+00:00")
    repo.git("checkout", "-q", "-b", "side")
    repo.write("side.py", f"k = '{KEY}'\n")
    side = repo.commit("side adds key", author="Sid <sid@example.com>", date="2020-01-02T00:00:00+00:00")
    repo.git("checkout", "-q", "main")
    repo.write("main.py", "m = 1\n")
    repo.commit("main", date="2020-01-03T00:00:00+00:00")
    repo.git("merge", "-q", "--no-ff", "-m", "merge", "side", env={"GIT_AUTHOR_DATE": "2020-01-04T00:00:00+00:00",
                                                                   "GIT_COMMITTER_DATE": "2020-01-04T00:00:00+00:00"})
    [f] = history(repo.path)
    assert (f["commit"], f["author_name"]) == (side, "Sid")


def test_same_secret_same_path_is_one_finding_at_the_earliest_commit(repo: Repo) -> None:
    repo.write("settings.py", f"KEY = '{KEY}'\n")
    first = repo.commit("add", author="Early Bird <early@example.com>", date="2019-05-06T07:08:09+02:00")
    for n in range(5):
        repo.write("settings.py", f"KEY = '{KEY}'\n" + "".join(f"opt{i} = {i}\n" for i in range(n + 1)))
        repo.commit(f"edit {n}", author="Late Comer <late@example.com>", date=f"2020-01-0{n + 1}T00:00:00+00:00")
    repo.write("settings.py", "KEY = None\n")
    repo.commit("remove", date="2021-01-01T00:00:00+00:00")
    repo.write("settings.py", f"KEY = '{KEY}'\n")
    repo.commit("re-add", author="Late Comer <late@example.com>", date="2022-01-01T00:00:00+00:00")
    [f] = history(repo.path)
    assert (f["path"], f["commit"], f["author_name"], f["author_email"], f["commit_date"]) == (
        "settings.py", first, "Early Bird", "early@example.com", "2019-05-06T07:08:09+02:00")


def test_earliest_commit_with_equal_timestamps_and_many_refs(repo: Repo) -> None:
    """Attribution follows ancestry, not ref order or timestamps (scripts commit within one second)."""
    date = "2022-02-02T02:02:02+00:00"
    repo.write("a.py", f"k = '{KEY}'\n")
    first = repo.commit("add", date=date)
    repo.git("branch", "aaa-old")  # sorts before main: its tip enters the walk first
    for n in range(3):
        repo.write("a.py", f"k = '{KEY}'\n# {n}\n")
        repo.commit(f"edit {n}", date=date)
    assert brief(history(repo.path)) == [(KEY, "a.py", first)]


def test_earliest_commit_despite_clock_skew(repo: Repo) -> None:
    repo.write("a.py", f"k = '{KEY}'\n")
    first = repo.commit("add", date="2030-01-01T00:00:00+00:00")   # committed with a clock far ahead
    repo.write("a.py", f"k = '{KEY}'\nx = 1\n")
    repo.commit("edit", date="2020-01-01T00:00:00+00:00")
    assert brief(history(repo.path)) == [(KEY, "a.py", first)]


def test_same_key_copied_to_a_new_path_is_a_second_finding(repo: Repo) -> None:
    repo.write("a.py", f"k = '{KEY}'\n")
    first = repo.commit("add")
    repo.write("copy/b.py", f"# copied\nk = '{KEY}'\n")
    second = repo.commit("copy")
    assert brief(history(repo.path)) == [(KEY, "a.py", first), (KEY, "copy/b.py", second)]


def test_two_keys_in_one_blob(repo: Repo) -> None:
    repo.write("a.env", f"A={KEY}\nB={KEY2}\n")
    c = repo.commit("two")
    assert sorted((f["secret"], f["line"], f["commit"]) for f in history(repo.path)) == [(KEY, 1, c), (KEY2, 2, c)]


def test_commit_messages_are_scanned(repo: Repo) -> None:
    repo.write("a.py", "x = 1\n")
    c = repo.commit(f"fix login\n\nused key {KEY} to test")
    [f] = history(repo.path)
    assert (f["path"], f["commit"], f["line"], f["secret"]) == ("<commit message>", c, 3, KEY)


def test_root_commits_and_orphan_branches(repo: Repo) -> None:
    repo.write("a.py", f"k = '{KEY}'\n")
    root1 = repo.commit("root one")
    repo.git("checkout", "-q", "--orphan", "pages")
    repo.git("rm", "-rq", "--cached", ".")
    (repo.path / "a.py").unlink()
    repo.write("index.html", f"<script>key='{KEY2}'</script>\n")
    root2 = repo.commit("root two")
    assert brief(history(repo.path)) == [(KEY, "a.py", root1), (KEY2, "index.html", root2)]


def test_unreachable_objects_are_reported_with_an_unknown_commit(repo: Repo) -> None:
    """Every object present is scanned (SECURITY.md): what no ref reaches could be hidden on purpose."""
    repo.write("a.py", "x = 1\n")
    repo.commit("init")
    dangling = git(repo.path, "hash-object", "-w", "--stdin", input=f"{KEY}\n".encode()).stdout.strip()
    repo.git("checkout", "-q", "-b", "tmp")
    repo.write("b.py", f"k = '{KEY2}'\n")
    gone = repo.commit(f"gone {KEY3}")
    gone_blob = repo.git("rev-parse", "HEAD:b.py")
    repo.git("checkout", "-q", "main")
    repo.git("branch", "-D", "tmp")                                                # unreachable commit
    repo.write("staged.py", f"k = '{KEY4}'\n")
    repo.git("add", "staged.py")                                                   # only in the index
    staged = repo.git("rev-parse", ":staged.py")
    assert brief(history(repo.path)) == sorted([
        (KEY, f"<blob {dangling}>", "unknown"), (KEY2, f"<blob {gone_blob}>", "unknown"),
        (KEY3, "<commit message>", gone), (KEY4, f"<blob {staged}>", "unknown")])


def test_repo_with_no_commits(repo: Repo) -> None:
    assert run_cli("history", cwd=repo.path).code == 0
    repo.write("a.py", f"k = '{KEY}'\n")
    repo.git("add", "a.py")  # a blob in the object database, in no commit
    assert [f["commit"] for f in history(repo.path)] == ["unknown"]
    assert run_cli("history", "--range", "HEAD", cwd=repo.path).code == 2


def test_shallow_clone(repo: Repo, tmp_path: Path) -> None:
    repo.write("old.py", f"k = '{KEY}'\n")
    repo.commit("old")
    repo.write("new.py", f"k = '{KEY2}'\n")
    repo.commit("new")
    (repo.path / "old.py").unlink()
    repo.commit("drop old")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone))
    assert (clone / ".git" / "shallow").exists()
    [f] = history(clone)
    assert (f["path"], f["secret"]) == ("new.py", KEY2)  # attributed to the shallow root
    assert f["commit"] == git(clone, "rev-parse", "HEAD").stdout.strip()
    result = run_cli("history", "--repo", str(clone), "--range", "HEAD~3..HEAD")
    assert_error(result, "shallow")


def test_bare_repository(repo: Repo, tmp_path: Path) -> None:
    repo.write("a.py", f"k = '{KEY}'\n")
    c = repo.commit("add")
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo.path), str(bare))
    assert brief(history(bare)) == [(KEY, "a.py", c)]


def test_submodule_entries_do_not_break_the_walk(repo: Repo, tmp_path: Path) -> None:
    lib = Repo(tmp_path / "lib")
    lib.path.mkdir()
    lib.git("init", "-q")
    lib.write("lib.py", "x = 1\n")
    lib.commit("lib")
    repo.write("a.py", f"k = '{KEY}'\n")
    c = repo.commit("add")
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib.path), "vendor/lib")
    repo.commit("submodule")
    lib.write("lib.py", "x = 2\n")
    lib.commit("lib 2")
    repo.git("-C", "vendor/lib", "pull", "-q")
    repo.commit("bump submodule")
    repo.git("rm", "-q", "vendor/lib")
    repo.commit("remove submodule")
    assert brief(history(repo.path)) == [(KEY, "a.py", c)]


def test_odd_paths_in_history(repo: Repo) -> None:
    names = ["with space.py", "ünï/cødé.py", "new\nline.py", "-dash.py", 'q"uote.py']
    for name in names:
        repo.write(name, f"k = '{KEY}'\n")
    repo.commit("odd")
    assert sorted(f["path"] for f in history(repo.path)) == sorted(names)


def test_not_a_repository_and_bad_ranges(repo: Repo, tmp_path: Path) -> None:
    assert_error(run_cli("history", "--repo", str(tmp_path / "missing")), "not a directory")
    plain = tmp_path / "plain"
    plain.mkdir()
    assert_error(run_cli("history", "--repo", str(plain)), "not a git repository")
    repo.write("a.py", "x = 1\n")
    repo.commit("one")
    repo.commit("two")
    for spec in ("nope..HEAD", "HEAD..nope", "..", "HEAD..", "..HEAD", "HEAD...HEAD~1", "nope", "HEAD~5..HEAD"):
        result = run_cli("history", "--range", spec, "--format", "json", cwd=repo.path)
        assert_error(result, "range")
        assert result.out == ""


# --- --range -------------------------------------------------------------------------------------

@pytest.fixture
def ranged(repo: Repo) -> tuple[Repo, dict[str, str]]:
    """base A holds KEY in f.py (and KEY4 only in an old commit message); the range A..B edits f.py
    elsewhere, copies KEY to g.py, adds KEY2 to h.py and mentions KEY3 in a message."""
    c: dict[str, str] = {}
    repo.write("f.py", f"one = 1\nk = '{KEY}'\n")
    repo.commit(f"old message with {KEY4}")
    repo.write("gone.py", f"k = '{KEY5}'\n")
    repo.commit("old key in a file later removed")
    (repo.path / "gone.py").unlink()
    c["A"] = repo.commit("base")
    repo.write("f.py", f"one = 1\nk = '{KEY}'\nthree = 3\n")
    c["edit"] = repo.commit("edit f.py elsewhere")
    repo.write("g.py", f"copied = '{KEY}'\n")
    c["copy"] = repo.commit("copy old key to a new path")
    repo.write("h.py", f"new = '{KEY2}'\n")
    c["new"] = repo.commit("add a new key")
    c["msg"] = repo.commit(f"message with {KEY3}")
    repo.write("gone.py", f"k = '{KEY5}'\n")
    c["readd"] = repo.commit("re-add a key that was not present at A")
    c["B"] = c["readd"]
    return repo, c


def test_range_reports_only_what_the_range_introduces(ranged: tuple[Repo, dict[str, str]]) -> None:
    repo, c = ranged
    found = history(repo.path, "--range", f"{c['A']}..{c['B']}")
    assert brief(found) == sorted([
        (KEY, "g.py", c["copy"]),
        (KEY2, "h.py", c["new"]),
        (KEY3, "<commit message>", c["msg"]),
        (KEY5, "gone.py", c["readd"]),
    ])
    assert history(repo.path, "--range", f"{c['A']}..{c['edit']}") == []
    assert history(repo.path, "--range", f"{c['B']}..{c['B']}") == []


def test_range_with_symbolic_names(ranged: tuple[Repo, dict[str, str]]) -> None:
    repo, c = ranged
    repo.git("branch", "base", c["A"])
    assert [f["path"] for f in history(repo.path, "--range", "base..main")] != []
    assert brief(history(repo.path, "--range", "HEAD~1..HEAD")) == [(KEY5, "gone.py", c["readd"])]


def test_range_over_a_merge(repo: Repo) -> None:
    repo.write("f.py", f"k = '{KEY}'\n")
    base = repo.commit("base")
    repo.git("checkout", "-q", "-b", "pr")
    repo.write("pr.py", f"k = '{KEY2}'\n")
    pr = repo.commit("pr")
    repo.git("checkout", "-q", "main")
    repo.write("main.py", "m = 1\n")
    repo.commit("main")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "pr")
    repo.write("f.py", f"k = '{KEY}'\n# resolved\n")
    repo.write("evil.py", f"k = '{KEY3}'\n")
    merge = repo.commit("merge")
    assert brief(history(repo.path, "--range", f"{base}..{merge}")) == [(KEY2, "pr.py", pr), (KEY3, "evil.py", merge)]


@pytest.fixture
def pushed(repo: Repo, tmp_path: Path) -> tuple[Repo, dict[str, str]]:
    """main with an old key pushed to a bare remote, then local-only commits."""
    c: dict[str, str] = {}
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    repo.git("remote", "add", "origin", str(remote))
    repo.write("f.py", f"k = '{KEY}'\n")
    c["pushed"] = repo.commit("published")
    repo.git("push", "-q", "origin", "main")
    repo.write("f.py", f"k = '{KEY}'\nx = 1\n")
    c["edit"] = repo.commit("local edit keeps the old key")
    repo.write("n.py", f"k = '{KEY2}'\n")
    c["new"] = repo.commit("local new key")
    return repo, c


def test_single_rev_range_is_commits_on_no_remote(pushed: tuple[Repo, dict[str, str]]) -> None:
    repo, c = pushed
    assert brief(history(repo.path, "--range", "HEAD")) == [(KEY2, "n.py", c["new"])]
    assert brief(history(repo.path, "--range", "main")) == [(KEY2, "n.py", c["new"])]
    repo.git("push", "-q", "origin", "main")
    assert history(repo.path, "--range", "HEAD") == []


def test_single_rev_range_of_a_new_branch(pushed: tuple[Repo, dict[str, str]]) -> None:
    repo, c = pushed
    repo.git("push", "-q", "origin", "main")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write("t.py", f"k = '{KEY3}'\n")
    t = repo.commit("topic key")
    assert brief(history(repo.path, "--range", "topic")) == [(KEY3, "t.py", t)]


# --- the scan never writes to the repository ---------------------------------------------------------

def _snapshot(repo: Repo) -> dict[str, object]:
    files = {}
    for root, _, names in os.walk(repo.path):
        for name in names:
            p = Path(root) / name
            st = p.lstat()
            files[str(p.relative_to(repo.path))] = (st.st_size, st.st_mtime_ns, st.st_mode)
    status = git(repo.path, "status", "--porcelain", "--ignored",
                 env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"}).stdout
    refs = git(repo.path, "for-each-ref", "--format=%(refname) %(objectname)").stdout
    return {"files": files, "status": status, "refs": refs}


def test_scans_never_modify_the_repository(ranged: tuple[Repo, dict[str, str]], tmp_path: Path) -> None:
    repo, c = ranged
    repo.write("dirty.py", f"k = '{KEY2}'\n")
    repo.write("f.py", "changed on disk\n")
    repo.git("add", "dirty.py")
    before = _snapshot(repo)
    for args in (("history",), ("history", "--range", f"{c['A']}..{c['B']}"), ("history", "--range", "HEAD"),
                 ("scan", "."), ("scan", ".", "--all-files"), ("staged",), ("staged", "f.py"),
                 ("baseline", "--history", "--output", str(tmp_path / "b.json")),
                 ("rules", "test")):
        result = run_cli(*args, cwd=repo.path)
        assert result.code in (0, 1), (args, result.err)
        assert _snapshot(repo) == before, args


def test_user_git_config_does_not_hide_commits(repo: Repo) -> None:
    for key, value in (("log.showRoot", "false"), ("log.showSignature", "false"), ("diff.renames", "copies"),
                       ("core.abbrev", "7"), ("log.diffMerges", "off"), ("color.ui", "always"),
                       ("core.quotePath", "true")):
        repo.git("config", key, value)
    repo.write("ñ/a.py", f"k = '{KEY}'\n")
    root = repo.commit("root")
    repo.write("b.py", f"k = '{KEY}'\n")
    copy = repo.commit("copy")
    assert brief(history(repo.path)) == [(KEY, "b.py", copy), (KEY, "ñ/a.py", root)]


def test_in_head_for_many_keys_kept_encoded_or_deleted(repo: Repo) -> None:
    import base64
    import hashlib
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    keys = ["trackyard_live_" + "".join(alphabet[b % len(alphabet)] for b in hashlib.sha256(b"%d" % i).digest()[:24])
            for i in range(12)]

    def encoded(key: str) -> str:
        return base64.b64encode(f"TRACKYARD_API_KEY={key}\n".encode()).decode()

    repo.write("many.env", "".join(f"KEY_{i}={k}\n" for i, k in enumerate(keys[:10])))  # 10 keys: one scan
    repo.write("few.env", f"A={keys[10]}\nB={keys[11]}\n")  # 2 keys: looked for one by one
    repo.commit("keys")
    kept, as_base64 = keys[:3], keys[3:6]
    repo.write("many.env", "# trackyard keys moved to the vault\n" + "".join(f"K={k}\n" for k in kept)
               + "".join(encoded(k) + "\n" for k in as_base64))
    repo.write("few.env", f"# trackyard\n{encoded(keys[10])}\n")
    repo.commit("rotate")
    in_head = {(f["path"], f["secret_sha256"]): f["in_head"]
               for f in findings(run_cli("history", "--format", "json", cwd=repo.path)) if f["encoding"] == []}
    sha = {k: hashlib.sha256(k.encode()).hexdigest() for k in keys}
    assert in_head == {**{("many.env", sha[k]): k in kept + as_base64 for k in keys[:10]},
                       ("few.env", sha[keys[10]]): True, ("few.env", sha[keys[11]]): False}


def test_range_with_many_keys_in_one_file_reports_only_the_new_ones(repo: Repo) -> None:
    import base64
    import hashlib
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    keys = ["trackyard_live_" + "".join(alphabet[b % len(alphabet)] for b in hashlib.sha256(b"r%d" % i).digest()[:24])
            for i in range(12)]
    old, new = keys[:6], keys[6:]

    def encoded(key: str) -> str:
        return base64.b64encode(f"TRACKYARD_API_KEY={key}\n".encode()).decode()

    repo.write("keys.env", "".join(f"K={k}\n" for k in old[:3]) + "".join(encoded(k) + "\n" for k in old[3:]))
    base = repo.commit("six keys, three of them base64")
    repo.write("keys.env", "".join(f"K={k}\n" for k in keys))
    repo.commit("all twelve in plain text")
    found = findings(run_cli("history", "--range", f"{base}..HEAD", "--format", "json", cwd=repo.path))
    assert sorted(f["secret_sha256"] for f in found) == sorted(hashlib.sha256(k.encode()).hexdigest() for k in new)

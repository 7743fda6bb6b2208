"""Start-up work of the hot paths (the pre-commit hook, ``history`` in CI) and the TOML cache behind it.

These tests never time anything: they check what a run imports and reads, which is what the timings in
bench/RESULTS.md depend on."""
from __future__ import annotations

import json
import marshal
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import CACHE_DIR, GIT_ENV, KEY, Repo, run_cli
from tests.core_helpers import ACME_RULE, findings

ROOT = Path(__file__).resolve().parent.parent
HEAVY = {"click", "regex", "tomllib", "dataclasses", "pathlib", "typing", "hashlib", "tempfile", "inspect",
         "subprocess", "json"}
"""Modules the hook must not need for a change without a keyword (click alone costs ~25 ms)."""

_DUMP_MODULES = """
import atexit, sys
out = sys.argv[1]
def dump():
    with open(out, "w") as f:
        f.write("\\n".join(sorted(sys.modules)))
atexit.register(dump)
sys.argv = ["yardguard", *sys.argv[2:]]
from scanner.entry import main
main()
"""


def imported(cwd: Path, tmp_path: Path, *args: str) -> set[str]:
    """The modules loaded by the end of ``yardguard ARGS``, run in a fresh interpreter in ``cwd``."""
    out = tmp_path / "modules.txt"
    subprocess.run([sys.executable, "-c", _DUMP_MODULES, str(out), *args], cwd=cwd, capture_output=True,
                   env={**os.environ, **GIT_ENV}, timeout=60)
    return set(out.read_text().split())


@pytest.fixture
def committed(repo: Repo) -> Repo:
    repo.write("app.py", "x = 1\n")
    repo.commit("init")
    return repo


def test_clean_change_loads_nothing_heavy(committed: Repo, tmp_path: Path) -> None:
    committed.write("app.py", "x = 1\ny = 2\n")
    committed.git("add", "app.py")
    run_cli("staged", cwd=committed.path)  # fills the TOML cache, as the previous commit would have
    assert not imported(committed.path, tmp_path, "staged") & HEAVY


def test_key_change_loads_regex_but_not_click_or_tomllib(committed: Repo, tmp_path: Path) -> None:
    committed.write("app.py", f"x = 1\nkey = '{KEY}'\n")
    committed.git("add", "app.py")
    run_cli("staged", cwd=committed.path)
    loaded = imported(committed.path, tmp_path, "staged", "--format", "json")
    assert "regex" in loaded and not loaded & (HEAVY - {"regex", "json"})


def test_history_with_lean_options_skips_click(committed: Repo, tmp_path: Path) -> None:
    loaded = imported(committed.path, tmp_path, "history", "--format", "sarif", "-o", str(tmp_path / "r.sarif"))
    assert "click" not in loaded and (tmp_path / "r.sarif").exists()


def test_history_starts_git_without_subprocess_or_tempfile(committed: Repo, tmp_path: Path) -> None:
    """A whole history's git processes are spawned directly and its log has an unnamed file (~25 ms of
    imports before git could start), also when something is found."""
    committed.write("app.py", f"x = 1\nkey = '{KEY}'\n")
    committed.commit("key")
    loaded = imported(committed.path, tmp_path, "history", "--format", "json", "-o", str(tmp_path / "r.json"))
    assert not loaded & {"subprocess", "tempfile"}
    assert len(json.loads((tmp_path / "r.json").read_text())["findings"]) == 1


def test_history_without_click_reports_what_the_click_command_does(committed: Repo) -> None:
    committed.write("app.py", f"x = 1\nkey = '{KEY}'\n")
    committed.commit("leak")
    lean = run_cli("history", "--repo", str(committed.path), "--jobs", "2", "--format", "json")
    full = run_cli("history", "--repo", str(committed.path), "--jobs", "2", "--format", "json", "--fail-on", "any")
    assert lean.code == full.code == 1
    assert findings(lean) == findings(full) and len(findings(lean)) == 1


def test_scan_without_click_reports_what_the_click_command_does(committed: Repo, tmp_path: Path) -> None:
    committed.write("app.py", f"x = 1\nkey = '{KEY}'\n")
    committed.write("ignored.txt", f"k = '{KEY}'\n")
    committed.write(".gitignore", "ignored.txt\n")
    for flags in ([], ["--all-files"]):
        lean = run_cli("scan", *flags, "--format", "json", cwd=committed.path)
        full = run_cli("scan", *flags, "--format", "json", "--fail-on", "any", cwd=committed.path)
        assert lean.code == full.code == 1 and findings(lean) == findings(full)
    assert "click" not in imported(committed.path, tmp_path, "scan", "--format", "json")


def test_scan_with_extra_rules_skips_click_and_their_examples_once_checked(committed: Repo, tmp_path: Path) -> None:
    """``--rules`` is a lean option of scan: the same findings as through click; once the rule file has
    passed its checks, a run reads it from the TOML cache, without its examples (no tomllib)."""
    rules = tmp_path / "extra.toml"
    rules.write_text(ACME_RULE + 'examples = ["token = acme_Q2x7Lp3Nm8Rt4Vw6Yb1Z"]\n')
    committed.write("app.py", "x = 1\ntoken = 'acme_Hq7Zt2Wm9Xc4Vb8Nn1Lk'\n")
    lean = run_cli("scan", "--rules", str(rules), "--format", "json", cwd=committed.path)
    full = run_cli("scan", "--rules", str(rules), "--format", "json", "--fail-on", "any", cwd=committed.path)
    assert lean.code == full.code == 1 and findings(lean) == findings(full)
    assert [f["rule_id"] for f in findings(lean)] == ["acme-token"]
    loaded = imported(committed.path, tmp_path, "scan", "--rules", str(rules), "--format", "json")
    assert not loaded & {"click", "tomllib"}
    assert not any(b"acme_Q2x7Lp3Nm8Rt4Vw6Yb1Z" in entry.read_bytes() for entry in CACHE_DIR.iterdir())


def test_an_extra_rule_file_that_fails_its_checks_is_never_cached(committed: Repo, tmp_path: Path) -> None:
    """Only a rule file's version that passed its checks is read through the cache: one with a key-shaped
    rule id (an error, exit 2) never has its rules written there."""
    cache = tmp_path / "cache"
    rules = tmp_path / "leaky.toml"
    rules.write_text(f'[[rule]]\nid = "{KEY}"\ndescription = "x"\nregex = "acme_[a-z]+"\nkeywords = ["acme_"]\n')
    for _ in range(2):
        result = run_cli("scan", "--rules", str(rules), cwd=committed.path, env={"YARDGUARD_CACHE_DIR": str(cache)})
        assert result.code == 2 and "looks like a key" in result.err
    assert not any(KEY[15:] in entry.read_bytes().decode("latin-1") for entry in cache.iterdir())


def test_the_clean_answer_caches_no_key_shaped_rule_text(committed: Repo, tmp_path: Path) -> None:
    """The hook's clean answer reads a repository's rule files without checking them (a full run does): a
    key-shaped rule id there is still never written to the cache."""
    cache = tmp_path / "cache"
    committed.write("rules/x.toml", f'[[rule]]\nid = "{KEY}"\ndescription = "x"\nregex = "acme_[a-z]+"\n'
                                    'keywords = ["acme_"]\n')
    committed.write(".yardguard.toml", 'rules = ["rules"]\n')
    committed.write("app.py", "x = 1\ny = 2\n")
    committed.git("add", "app.py")
    assert run_cli("staged", cwd=committed.path, env={"YARDGUARD_CACHE_DIR": str(cache)}).code == 0
    assert list(cache.iterdir()) and not any(KEY[15:] in entry.read_bytes().decode("latin-1")
                                             for entry in cache.iterdir())


def test_bad_lean_option_values_get_click_errors(committed: Repo) -> None:
    result = run_cli("history", "--jobs", "0", cwd=committed.path)
    assert result.code == 2 and "--jobs" in result.err and "Traceback" not in result.err


# ---------------------------------------------------------------- the TOML cache

KEYLIKE = re.compile(r"trackyard_(?:live|test)_[A-Za-z0-9_-]{16}|Xk29fLq8Zm3Np7Rt5Vw1Yb4C")


def shipped_examples() -> list[str]:
    with open(ROOT / "rules" / "trackyard.toml", "rb") as f:
        rules = tomllib.load(f)["rule"]
    return [e for r in rules for e in r.get("examples", []) + r.get("negative_examples", [])]


def test_cache_holds_no_rule_examples(committed: Repo) -> None:
    committed.write("app.py", f"x = 1\nkey = '{KEY}'\n")
    committed.git("add", "app.py")
    assert run_cli("staged", cwd=committed.path).code == 1
    entries = list(CACHE_DIR.iterdir())
    assert entries
    for entry in entries:
        text = entry.read_bytes().decode("utf-8", "replace")
        assert not KEYLIKE.search(text), entry
        assert not any(example in text for example in shipped_examples() if len(example) > 12), entry
        assert entry.stat().st_mode & 0o077 == 0


def test_only_the_yardguard_table_of_a_pyproject_is_cached(committed: Repo, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    committed.write("pyproject.toml", f'[tool.other]\ntoken = "{KEY}"\n\n[tool.yardguard]\nexclude_paths = ["b.py"]\n')
    committed.write("b.py", f"k = '{KEY}'\n")
    committed.git("add", "b.py")
    env = {"YARDGUARD_CACHE_DIR": str(cache)}
    for _ in range(2):  # the second run reads the cache
        assert run_cli("staged", cwd=committed.path, env=env).code == 0
    assert len(list(cache.iterdir())) == 2  # the rule file and the pyproject's table
    assert not any(KEY.encode() in entry.read_bytes() for entry in cache.iterdir())


def test_config_option_on_a_pyproject_without_the_table(committed: Repo) -> None:
    committed.write("pyproject.toml", '[project]\nname = "x"\n')
    result = run_cli("scan", "--config", "pyproject.toml", cwd=committed.path)
    assert result.code == 2 and "no [tool.yardguard] table" in result.err


def test_a_changed_config_is_read_again(committed: Repo) -> None:
    committed.write("app.py", f"x = 1\nkey = '{KEY}'\n")
    committed.write("b.py", "y = 1\n")
    committed.git("add", "-A")
    committed.write(".yardguard.toml", 'exclude_paths = ["b.py"]\n')
    assert run_cli("staged", cwd=committed.path).code == 1
    committed.write(".yardguard.toml", 'exclude_paths = ["a*py"]\n')  # same size, new mtime and ctime
    assert run_cli("staged", cwd=committed.path).code == 0


@pytest.mark.parametrize("junk", [b"\xffnot marshal", marshal.dumps({"signature": "x", "doc": {"rule": []}})])
def test_corrupt_or_stale_cache_entries_are_ignored(committed: Repo, tmp_path: Path, junk: bytes) -> None:
    cache = tmp_path / "cache"
    committed.write("app.py", f"x = 1\nkey = '{KEY}'\n")
    committed.git("add", "app.py")
    env = {"YARDGUARD_CACHE_DIR": str(cache)}
    assert run_cli("staged", cwd=committed.path, env=env).code == 1
    for entry in cache.iterdir():
        entry.write_bytes(junk)
    result = run_cli("staged", "--format", "json", cwd=committed.path, env=env)
    assert [f["rule_id"] for f in findings(result)] == ["trackyard-api-key"]


def test_a_cache_others_can_write_is_not_used(committed: Repo, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    committed.write("app.py", f"x = 1\nkey = '{KEY}'\n")
    committed.git("add", "app.py")
    env = {"YARDGUARD_CACHE_DIR": str(cache)}
    assert run_cli("staged", cwd=committed.path, env=env).code == 1
    [entry] = cache.iterdir()  # the shipped rule file, parsed
    planted = {**marshal.loads(entry.read_bytes()), "doc": {"rule": []}}  # a valid entry with no rules
    entry.write_bytes(marshal.dumps(planted))
    assert run_cli("staged", cwd=committed.path, env=env).code == 0  # the owner's cache is believed
    cache.chmod(0o777)  # now anyone could have planted it
    assert run_cli("staged", cwd=committed.path, env=env).code == 1
    assert marshal.loads(entry.read_bytes()) == planted  # and nothing is written there either


@pytest.mark.parametrize("where", ["", "under-a-file/cache"])
def test_no_cache_or_an_unusable_one_still_scans(committed: Repo, tmp_path: Path, where: str) -> None:
    (tmp_path / "under-a-file").write_text("")
    committed.write("app.py", f"x = 1\nkey = '{KEY}'\n")
    committed.git("add", "app.py")
    env = {"YARDGUARD_CACHE_DIR": str(tmp_path / where) if where else ""}
    result = run_cli("staged", "--format", "json", cwd=committed.path, env=env)
    assert len(findings(result)) == 1 and result.err == ""


# ---------------------------------------------------------------- where staged finds the repository

def test_staged_in_a_linked_worktree(committed: Repo, tmp_path: Path) -> None:
    other = tmp_path / "other"
    committed.git("worktree", "add", "-q", str(other))
    (other / "app.py").write_text(f"x = 1\nkey = '{KEY}'\n")
    subprocess.run(["git", "add", "app.py"], cwd=other, check=True, env={**os.environ, **GIT_ENV})
    result = run_cli("staged", "--format", "json", cwd=other)
    assert [(f["path"], f["line"]) for f in findings(result)] == [("app.py", 2)]
    assert run_cli("staged", cwd=committed.path).code == 0  # the main work tree's index is untouched


def test_staged_honours_git_dir_and_work_tree(committed: Repo, tmp_path: Path) -> None:
    committed.write("app.py", f"x = 1\nkey = '{KEY}'\n")
    committed.git("add", "app.py")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / ".git").mkdir(parents=True)  # a decoy: the environment names the real repository
    env = {"GIT_DIR": str(committed.path / ".git"), "GIT_WORK_TREE": str(committed.path)}
    result = run_cli("staged", "--format", "json", cwd=elsewhere, env=env)
    assert [f["path"] for f in findings(result)] == ["app.py"]


def test_json_report_of_a_lean_run_is_complete(committed: Repo, tmp_path: Path) -> None:
    committed.write("app.py", f"x = 1\nkey = '{KEY}'\n")
    committed.git("add", "app.py")
    out = tmp_path / "r.json"
    assert run_cli("staged", "--format", "json", "-o", str(out), cwd=committed.path).code == 1
    doc = json.loads(out.read_text())
    assert doc["summary"]["total"] == 1 and doc["findings"][0]["secret"].endswith("…")


def test_rules_added_by_config_are_compiled_and_checked_on_the_hook_path(committed: Repo) -> None:
    committed.write("rules/extra.toml", '[[rule]]\nid = "acme"\ndescription = "Acme"\nregex = "acme_(["\n'
                                        'keywords = ["acme_"]\n')
    committed.write(".yardguard.toml", 'rules = ["rules"]\n')
    committed.write("app.py", f"x = 1\nkey = '{KEY}'\n")
    committed.git("add", "app.py")
    result = run_cli("staged", cwd=committed.path)
    assert result.code == 2 and "bad 'regex' regex" in result.err

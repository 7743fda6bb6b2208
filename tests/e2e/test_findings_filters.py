"""Findings and filters end to end: the JSON shape, redaction and hashing, allow comments, baselines,
configuration, output files and exit codes."""
from __future__ import annotations

import hashlib
import json
import os
import random
import stat
import string
from pathlib import Path

import pytest

from tests.conftest import KEY, KEY2, KEY3, Repo, run_cli
from tests.core_helpers import ACME, ACME_RULE, assert_error, findings, paths

FINDING_FIELDS = {"rule_id", "description", "secret", "secret_sha256", "path", "line", "column", "encoding", "commit",
                  "author_name", "author_email", "commit_date", "in_head", "verification", "revocation"}
SECRET = "Xk29fLq8Zm3Np7Rt5Vw1Yb4C"


def project(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    root = tmp_path / "proj"
    for name, content in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content.encode() if isinstance(content, str) else content)
    root.mkdir(exist_ok=True)
    return root


# --- the JSON document ----------------------------------------------------------------------------

def test_json_document_shape(tmp_path: Path) -> None:
    root = project(tmp_path, {"a.py": f"x = 1\nk = '{KEY}'\n", "b.env": f"TRACKYARD_API_KEY={SECRET}\n"})
    result = run_cli("scan", ".", "--format", "json", cwd=root)
    assert result.code == 1
    doc = result.json()
    assert set(doc) == {"version", "findings", "summary"} and doc["version"] == 1
    assert len(doc["findings"]) == 2
    for f in doc["findings"]:
        assert set(f) == FINDING_FIELDS
        assert f["verification"] == {"status": "not_checked"} and f["revocation"] is None
        assert f["commit"] is f["author_name"] is f["author_email"] is f["commit_date"] is None
        assert isinstance(f["line"], int) and isinstance(f["column"], int)
    by_path = {f["path"]: f for f in doc["findings"]}
    a = by_path["a.py"]
    assert (a["rule_id"], a["line"], a["column"]) == ("trackyard-api-key", 2, 6)
    assert a["description"] and a["secret"] == "trackyard_live_9fQ2…"
    assert a["secret_sha256"] == hashlib.sha256(KEY.encode()).hexdigest()
    b = by_path["b.env"]
    assert (b["rule_id"], b["secret"]) == ("trackyard-api-key-assignment", "Xk29…")
    assert b["secret_sha256"] == hashlib.sha256(SECRET.encode()).hexdigest()
    assert doc["summary"]["total"] == 2 and doc["summary"]["distinct_secrets"] == 2
    assert doc["summary"]["by_rule"] == {"trackyard-api-key": 1, "trackyard-api-key-assignment": 1}
    assert doc["summary"]["by_status"] == {"not_checked": 2}


def test_clean_json_document() -> None:
    result = run_cli("scan", "-", "--format", "json", stdin="nothing here\n")
    assert result.code == 0
    doc = result.json()
    assert doc["findings"] == [] and doc["summary"]["total"] == 0 and doc["version"] == 1


def test_redaction_of_test_keys_keeps_the_prefix() -> None:
    [f] = findings(run_cli("scan", "-", "--format", "json", stdin=f"{KEY3}\n"))
    assert f["secret"] == "trackyard_test_Rk3M…"


def test_one_finding_per_place_even_when_several_rules_match() -> None:
    found = findings(run_cli("scan", "-", "--format", "json", stdin=f'TRACKYARD_API_KEY="{KEY}"\n'))
    assert [(f["line"], f["column"]) for f in found] == [(1, 20)]


def test_column_counts_decoded_characters() -> None:
    [f] = findings(run_cli("scan", "-", "--format", "json", stdin=f"ключ = «{KEY}»\n"))
    assert f["column"] == len("ключ = «") + 1


def test_many_keys_on_one_long_line_get_their_own_columns(tmp_path: Path) -> None:
    """Columns are counted incrementally along a line: each must equal the characters before it, with
    multi-byte and invalid UTF-8 between the keys."""
    rng = random.Random(7)
    keys = ["trackyard_live_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(28))
            for _ in range(300)]
    fillers = [b"x" * 5000, "ключ «".encode() * 400, b"\xff\xfe \xe2\x82 " * 300, "🙂".encode() * 900]
    line = b"".join(fillers[i % len(fillers)] + f' "{k}" '.encode() for i, k in enumerate(keys))
    (tmp_path / "bundle.js").write_bytes(b"first line\n" + line + b"\nlast\n")
    found = findings(run_cli("scan", "bundle.js", "--format", "json", "--show-secrets", cwd=tmp_path))
    expected = []
    for k in keys:
        at = line.index(k.encode())
        expected.append((k, 2, len(line[:at].decode("utf-8", "replace")) + 1))
    assert sorted((f["secret"], f["line"], f["column"]) for f in found) == sorted(expected)


# --- the raw secret never leaks ---------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["text", "json"])
def test_raw_secret_only_with_show_secrets(tmp_path: Path, fmt: str) -> None:
    root = project(tmp_path, {"a.py": f"k = '{KEY}'\n", "b.env": f"TRACKYARD_KEY={SECRET}\n"})
    hidden = run_cli("scan", ".", "--format", fmt, cwd=root)
    assert hidden.code == 1
    for secret in (KEY, SECRET, KEY[:20], SECRET[:8]):
        assert secret not in hidden.out + hidden.err
    shown = run_cli("scan", ".", "--format", fmt, "--show-secrets", cwd=root)
    assert shown.code == 1 and KEY in shown.out and SECRET in shown.out


def test_raw_secret_not_in_the_output_file(tmp_path: Path) -> None:
    root = project(tmp_path, {"a.py": f"k = '{KEY}'\n"})
    out = tmp_path / "report.json"
    result = run_cli("scan", ".", "--format", "json", "--output", str(out), cwd=root)
    assert result.code == 1 and result.out == ""
    text = out.read_text()
    assert KEY not in text and json.loads(text)["findings"][0]["path"] == "a.py"


# --- allow comments ---------------------------------------------------------------------------------

@pytest.mark.parametrize("marker", ["# yardguard:allow", "// gitleaks:allow", "# pragma: allowlist secret",
                                    "/* yardguard:allow */"])
def test_allow_comments(marker: str) -> None:
    text = f"a = '{KEY}'  {marker}\nb = '{KEY2}'\n{marker}\nc = '{KEY3}'\n"
    found = findings(run_cli("scan", "-", "--format", "json", "--show-secrets", stdin=text))
    assert [(f["line"], f["secret"]) for f in found] == [(2, KEY2), (4, KEY3)]


def test_allow_comment_applies_to_its_line_in_multiline_matches() -> None:
    text = f"GET https://api.trackyard.com/v1/me\nAuthorization: Bearer {SECRET}  # yardguard:allow\n"
    assert findings(run_cli("scan", "-", "--format", "json", stdin=text)) == []


# --- baseline ---------------------------------------------------------------------------------------

def test_baseline_write_suppress_and_no_churn(tmp_path: Path) -> None:
    root = project(tmp_path, {"a.py": f"x = 1\nk = '{KEY}'\n", "sub/b.env": f"TRACKYARD_API_KEY={SECRET}\n"})
    base = tmp_path / "baseline.json"
    written = run_cli("baseline", ".", "--output", str(base), cwd=root)
    assert written.code == 0, written.err
    assert written.out == "" and "2 baseline entries" in written.err
    doc = json.loads(base.read_text())
    assert doc["version"] == 1
    assert sorted(doc["findings"], key=lambda e: e["path"]) == [
        {"rule_id": "trackyard-api-key", "secret_sha256": hashlib.sha256(KEY.encode()).hexdigest(), "path": "a.py"},
        {"rule_id": "trackyard-api-key-assignment", "secret_sha256": hashlib.sha256(SECRET.encode()).hexdigest(),
         "path": "sub/b.env"},
    ]
    assert KEY not in base.read_text() and SECRET not in base.read_text() and '"line"' not in base.read_text()
    assert run_cli("scan", ".", "--baseline", str(base), cwd=root).code == 0
    # moving lines neither re-raises nor changes the file
    (root / "a.py").write_text(f"# header\n\n\nimport os\nx = 1\nk = '{KEY}'\n")
    assert run_cli("scan", ".", "--baseline", str(base), cwd=root).code == 0
    before = base.read_bytes()
    assert run_cli("baseline", ".", "--output", str(base), cwd=root).code == 0
    assert base.read_bytes() == before
    # a new key, or an accepted key in a new place, is reported
    (root / "c.py").write_text(f"k = '{KEY2}'\nk2 = '{KEY}'\n")
    found = findings(run_cli("scan", ".", "--format", "json", "--baseline", str(base), cwd=root))
    assert sorted((f["path"], f["line"]) for f in found) == [("c.py", 1), ("c.py", 2)]


def test_baseline_from_history(repo: Repo, tmp_path: Path) -> None:
    repo.write("a.py", f"k = '{KEY}'\n")
    repo.commit("old")
    (repo.path / "a.py").unlink()
    repo.commit("drop")
    base = tmp_path / "b.json"
    assert run_cli("baseline", "--history", "--output", str(base), cwd=repo.path).code == 0
    assert [e["path"] for e in json.loads(base.read_text())["findings"]] == ["a.py"]
    assert run_cli("history", "--baseline", str(base), cwd=repo.path).code == 0
    repo.write("b.py", f"k = '{KEY2}'\n")
    repo.commit("new")
    assert run_cli("history", "--baseline", str(base), cwd=repo.path).code == 1


def test_baseline_writes_even_with_fail_on_defaults(tmp_path: Path) -> None:
    """Writing a baseline is exit 0 whatever it found."""
    root = project(tmp_path, {"clean.py": "x = 1\n"})
    base = tmp_path / "b.json"
    assert run_cli("baseline", ".", "--output", str(base), cwd=root).code == 0
    assert json.loads(base.read_text()) == {"version": 1, "findings": []}


@pytest.mark.parametrize("content, words", [
    (None, "not found"),
    ("{not json", "not valid JSON"),
    ('{"version": 2, "findings": []}', "malformed"),
    ('{"version": 1, "findings": [{"rule_id": "x"}]}', "malformed"),
    ('[]', "malformed"),
    (b"\xff\xfe", "baseline"),
])
def test_bad_baseline_is_exit_2(tmp_path: Path, content: str | bytes | None, words: str) -> None:
    base = tmp_path / "b.json"
    if isinstance(content, str):
        base.write_text(content)
    elif content is not None:
        base.write_bytes(content)
    out = tmp_path / "report.json"
    result = run_cli("scan", "-", "--baseline", str(base), "--output", str(out), stdin=f"{KEY}\n")
    assert_error(result, words)
    assert not out.exists()


# --- configuration ----------------------------------------------------------------------------------



def config_project(tmp_path: Path) -> Path:
    return project(tmp_path, {
        "src/app.py": f"k = '{KEY}'\n",
        "tests/fixtures/keys.txt": f"{KEY2}\n",
        "docs/example.env": f"TRACKYARD_API_KEY={SECRET}\n",
        "acme.txt": f"{ACME}\n",
        "big.bin": "#" * 5000 + f"\n{KEY3}\n",
        "rules/acme.toml": ACME_RULE,
    })


CONFIG = """
exclude_paths = ["tests/fixtures/**"]
disabled_rules = ["trackyard-api-key-assignment"]
rules = ["rules/acme.toml"]
max_file_size = 1000
"""


def test_defaults_without_config(tmp_path: Path) -> None:
    root = config_project(tmp_path)
    assert paths(run_cli("scan", ".", "--format", "json", cwd=root)) == [
        "big.bin", "docs/example.env", "src/app.py", "tests/fixtures/keys.txt"]


@pytest.mark.parametrize("where", [".yardguard.toml", "pyproject.toml"])
def test_config_keys(tmp_path: Path, where: str) -> None:
    root = config_project(tmp_path)
    if where == "pyproject.toml":
        (root / where).write_text('[project]\nname = "x"\n\n[tool.yardguard]\n' + CONFIG)
    else:
        (root / where).write_text(CONFIG)
    result = run_cli("scan", ".", "--format", "json", cwd=root)
    assert paths(result) == ["acme.txt", "src/app.py"]


def test_config_globs_are_relative_to_the_repo_root_when_scanning_a_subdirectory(tmp_path: Path) -> None:
    root = config_project(tmp_path)
    (root / ".yardguard.toml").write_text(CONFIG)
    Repo(root).git("init", "-q")
    found = findings(run_cli("scan", "tests", "--format", "json", cwd=root))
    assert found == []
    found = findings(run_cli("scan", "./tests/fixtures/keys.txt", "--format", "json", cwd=root))
    assert found == []


def test_baseline_paths_are_relative_to_the_repo_root(tmp_path: Path) -> None:
    root = project(tmp_path, {"sub/a.py": f"k = '{KEY}'\n"})
    Repo(root).git("init", "-q")
    base = tmp_path / "b.json"
    assert run_cli("baseline", "sub", "--output", str(base), cwd=root).code == 0
    assert [e["path"] for e in json.loads(base.read_text())["findings"]] == ["sub/a.py"]
    for args in (("scan", "sub"), ("scan", "."), ("scan", "./sub/a.py"), ("scan", "a.py")):
        cwd = root / "sub" if args[1] == "a.py" else root
        assert run_cli(*args, "--baseline", str(base), cwd=cwd).code == 0, args
    Repo(root).git("add", "-A")
    assert run_cli("staged", "--baseline", str(base), cwd=root).code == 0


def test_config_baseline_key(tmp_path: Path) -> None:
    root = project(tmp_path, {"a.py": f"k = '{KEY}'\n"})
    assert run_cli("baseline", ".", "--output", str(root / ".yardguard-baseline.json"), cwd=root).code == 0
    (root / ".yardguard.toml").write_text('baseline = ".yardguard-baseline.json"\n')
    assert run_cli("scan", ".", cwd=root).code == 0
    (root / ".yardguard.toml").write_text('baseline = "missing.json"\n')
    assert_error(run_cli("scan", ".", cwd=root), "missing.json")


def test_config_fail_on_never(tmp_path: Path) -> None:
    root = project(tmp_path, {"a.py": f"k = '{KEY}'\n", ".yardguard.toml": 'fail_on = "never"\n'})
    result = run_cli("scan", ".", "--format", "json", cwd=root)
    assert result.code == 0 and len(result.json()["findings"]) == 1
    assert run_cli("scan", ".", "--fail-on", "any", cwd=root).code == 1


@pytest.mark.parametrize("text, words", [
    ("unknown_key = 1\n", "unknown config key"),
    ("exclude_paths = 'notalist'\n", "exclude_paths"),
    ("max_file_size = 'big'\n", "max_file_size"),
    ("max_file_size = true\n", "max_file_size"),
    ("disabled_rules = [1, 2]\n", "disabled_rules"),
    ("fail_on = 'sometimes'\n", "fail_on"),
    ("rules = ['nope.toml']\n", "not found"),
    ("this is not toml\n", "invalid TOML"),
])
def test_bad_config_is_exit_2(tmp_path: Path, text: str, words: str) -> None:
    root = project(tmp_path, {"a.py": "x = 1\n", ".yardguard.toml": text})
    out = tmp_path / "out.json"
    result = run_cli("scan", ".", "--output", str(out), cwd=root)
    assert_error(result, words)
    assert not out.exists()


def test_unknown_key_in_pyproject_is_exit_2(tmp_path: Path) -> None:
    root = project(tmp_path, {"pyproject.toml": "[tool.yardguard]\nexclude = ['x']\n"})
    assert_error(run_cli("scan", ".", cwd=root), "unknown config key", "exclude")


def test_broken_pyproject_without_yardguard_table_is_not_our_error(tmp_path: Path) -> None:
    root = project(tmp_path, {"pyproject.toml": "[project\nname = 'x'\n", "a.py": f"k = '{KEY}'\n"})
    assert run_cli("scan", ".", cwd=root).code == 1


def test_explicit_config_overrides(tmp_path: Path) -> None:
    root = config_project(tmp_path)
    (root / ".yardguard.toml").write_text('exclude_paths = ["**"]\n')
    other = tmp_path / "other.toml"
    other.write_text('exclude_paths = ["src/**", "big.bin"]\nrules = ["proj/rules/acme.toml"]\n')
    result = run_cli("scan", ".", "--format", "json", "--config", str(other), cwd=root)
    assert paths(result) == ["acme.txt", "docs/example.env", "tests/fixtures/keys.txt"]
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.yardguard]\ndisabled_rules = ["trackyard-api-key"]\n')
    assert paths(run_cli("scan", ".", "--format", "json", "--config", str(pyproject), cwd=root)) == [
        "docs/example.env"]
    assert_error(run_cli("scan", ".", "--config", str(tmp_path / "missing.toml"), cwd=root), "not found")


def test_exclude_paths_globs(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "a.py": f"{KEY}\n", "deep/x/a.py": f"{KEY}\n", "deep/x/keep.txt": f"{KEY}\n", "vendor/lib.js": f"{KEY}\n",
        "one/fixture.json": f"{KEY}\n", "two/three/fixture.json": f"{KEY}\n",
        ".yardguard.toml": 'exclude_paths = ["*.py", "vendor/", "one/*.json"]\n',
    })
    assert paths(run_cli("scan", ".", "--format", "json", cwd=root)) == ["deep/x/keep.txt", "two/three/fixture.json"]


# --- output and exit codes --------------------------------------------------------------------------

def test_output_file_and_stdout(tmp_path: Path) -> None:
    root = project(tmp_path, {"a.py": f"k = '{KEY}'\n"})
    out = tmp_path / "report.txt"
    result = run_cli("scan", ".", "--output", str(out), cwd=root)
    assert result.code == 1 and result.out == ""
    assert "a.py:1:6" in out.read_text()
    dash = run_cli("scan", ".", "--output", "-", cwd=root)
    assert dash.code == 1 and "a.py:1:6" in dash.out


def test_nothing_written_on_error(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    out.write_text("previous report\n")
    result = run_cli("scan", "missing-dir", "--format", "json", "--output", str(out), cwd=tmp_path)
    assert_error(result, "missing-dir")
    assert out.read_text() == "previous report\n"
    assert_error(run_cli("scan", ".", "--output", str(tmp_path / "no/such/dir/r.json"), cwd=tmp_path), "cannot write")


def test_exit_codes(tmp_path: Path) -> None:
    assert run_cli("scan", "-", stdin="clean\n").code == 0
    assert run_cli("scan", "-", stdin=f"{KEY}\n").code == 1
    never = run_cli("scan", "-", "--fail-on", "never", "--format", "json", stdin=f"{KEY}\n")
    assert never.code == 0 and len(never.json()["findings"]) == 1
    assert run_cli("scan", "-", "--fail-on", "any", stdin=f"{KEY}\n").code == 1
    bad = run_cli("scan", "-", "--fail-on", "sometimes", stdin="")
    assert bad.code == 2 and "Traceback" not in bad.err
    assert run_cli("scan", "-", "--format", "xml", stdin="").code == 2
    assert run_cli("no-such-command").code == 2


def test_text_report(tmp_path: Path) -> None:
    root = project(tmp_path, {"a.py": f"k = '{KEY}'\n", "b.py": f"k = '{KEY}'\nj = '{KEY2}'\n"})
    result = run_cli("scan", ".", cwd=root)
    assert result.code == 1 and result.err.startswith("scanned 2 files (")  # the scope line, then next steps
    assert "\033[" not in result.out  # no colour when stdout is not a TTY
    for where in ("a.py:1:6", "b.py:1:6", "b.py:2:6"):
        assert where in result.out
    assert "trackyard_live_9fQ2…" in result.out and "trackyard-api-key" in result.out
    assert result.out.rstrip().splitlines()[-1].startswith("3 finding(s), 2 distinct secret(s)")


def test_output_to_a_device_writes_through_it_and_never_replaces_it(repo: Repo) -> None:
    """`-o /dev/null` (or a FIFO) must be written to, not renamed over: a rename would replace the device."""
    repo.write("app.py", f'KEY = "{KEY}"\n')
    before = os.stat(os.devnull)
    result = run_cli("scan", ".", "--format", "json", "-o", os.devnull, cwd=repo.path)
    assert result.code == 1
    after = os.stat(os.devnull)
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_output_file_gets_the_umask_mode_and_replaces_a_symlinked_target(repo: Repo, tmp_path: Path) -> None:
    repo.write("app.py", f'KEY = "{KEY}"\n')
    target = tmp_path / "report.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert run_cli("scan", ".", "--format", "json", "-o", str(link), cwd=repo.path).code == 1
    assert link.is_symlink() and json.loads(target.read_text())["version"] == 1
    assert stat.S_IMODE(target.stat().st_mode) & 0o044  # not the 0600 of a bare temporary file


def test_a_secret_never_shows_in_a_repr() -> None:
    """A repr ends up in tracebacks and debug logs: it must not carry the key."""
    from scanner.engine import Match
    from scanner.findings import Finding
    from scanner.rules import load_rules
    rule = load_rules().rules[0]
    assert KEY not in repr(Finding(rule, KEY, "a.py", 1, 1))
    assert KEY not in repr(Match(rule, 0, len(KEY), KEY))


def test_finding_replace_copies_and_rejects_unknown_fields() -> None:
    from scanner.findings import Finding
    from scanner.rules import load_rules
    f = Finding(load_rules().rules[0], KEY, "a.py", 1, 1)
    moved = f.replace(line=7)
    assert (moved.line, f.line, moved.secret) == (7, 1, KEY) and moved != f and moved.replace(line=1) == f
    with pytest.raises(TypeError):
        f.replace(lines=7)
    odd = f.replace(path="b\udcff.py", repo_path="sub/b\udcff.py")  # an undecodable name is shown printable
    assert (odd.path, odd.repo_path) == ("b\ufffd.py", "sub/b\ufffd.py")
    assert (odd.replace(line=2).path, odd.replace(line=2).repo_path) == (odd.path, odd.repo_path)
    assert Finding(f.rule, KEY, "c\udcff.py", 1, 1, repo_path="d\udcff.py").replace(column=3).path == "c\ufffd.py"

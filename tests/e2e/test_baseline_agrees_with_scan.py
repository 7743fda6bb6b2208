"""``baseline PATHS`` writes exactly what ``scan PATHS`` reports, however the paths are written: both take
the settings of the repository around the paths and report paths relative to it."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.conftest import KEY, KEY2, Repo, run_cli
from tests.core_helpers import findings


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """``a/`` (excludes ``skip.py`` and ``sub/app.py``) holding ``sub/``, a repository of its own with no
    config, and ``b/``, a plain directory next to them."""
    sub = Repo(tmp_path / "a" / "sub")
    sub.path.mkdir(parents=True)
    sub.git("init", "-q", "-b", "main")
    sub.write("app.py", f"token = '{KEY2}'\n")
    sub.commit("sub")
    a = Repo(tmp_path / "a")
    a.git("init", "-q", "-b", "main")
    a.write(".yardguard.toml", 'exclude_paths = ["skip.py", "sub/app.py"]\n')
    a.write("app.py", f"key = '{KEY}'\n")
    a.write("skip.py", f"key = '{KEY2}'\n")
    a.git("add", ".yardguard.toml", "app.py", "skip.py")
    a.git("commit", "-q", "-m", "a")
    (tmp_path / "b").mkdir()
    return tmp_path


FORMS = [
    pytest.param("a", "app.py", KEY, id="relative"),
    pytest.param("b", "../a/app.py", KEY, id="dot-dot"),
    pytest.param(".", "ABSOLUTE/a/app.py", KEY, id="absolute"),
    pytest.param(".", "a", KEY, id="directory"),
    pytest.param("b", "../a", KEY, id="dot-dot-directory"),
    pytest.param("a", "sub/app.py", KEY2, id="file-in-a-sub-repository"),
]


@pytest.mark.parametrize(("cwd", "target", "key"), FORMS)
def test_baseline_and_scan_agree(tree: Path, tmp_path: Path, cwd: str, target: str, key: str) -> None:
    target = target.replace("ABSOLUTE", str(tree))
    where = tree / cwd
    scanned = findings(run_cli("scan", target, "--format", "json", cwd=where))
    # the config of the repository around the target applies: one key, the other excluded
    assert [f["secret_sha256"] for f in scanned] == [hashlib.sha256(key.encode()).hexdigest()]
    out = tmp_path / "baseline.json"
    written = run_cli("baseline", target, "-o", str(out), cwd=where)
    assert written.code == 0, written.err
    entries = json.loads(out.read_text())["findings"]
    # paths relative to that repository's root
    assert [(e["rule_id"], e["secret_sha256"], e["path"]) for e in entries] == [
        (f["rule_id"], f["secret_sha256"], "app.py") for f in scanned]
    again = run_cli("scan", target, "--baseline", str(out), "--format", "json", cwd=where)
    assert again.code == 0 and findings(again) == []

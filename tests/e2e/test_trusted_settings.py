"""Gates read the repository's settings from a trusted revision (the base), never from the commits under
review: a pull request cannot switch off the gate that reviews it (issue 11, item 4)."""
from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from scanner.findings import sha256
from tests.conftest import KEY, Repo, run_cli
from tests.core_helpers import ACME, ACME_RULE, assert_error, findings, git, hook_env, paths
from tests.e2e.test_ci_github import actions, pull_request, run_action
from tests.trackyard_double import TrackyardDouble, double_servers, trackyard  # noqa: F401 - fixtures

RULE_ID = "trackyard-api-key"


def hostile_range(repo: Repo, api_base: str) -> tuple[str, str]:
    """base: a clean project; head: adds a key and, beside it, a config excluding its file, a baseline
    listing it and a verification cache claiming it invalid for a year."""
    repo.write("README.md", "hello\n")
    base = repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("secret.py", f'KEY = "{KEY}"\n')
    repo.write(".yardguard.toml", 'exclude_paths = ["secret.py"]\nbaseline = "baseline.json"\n'
                                  'verify_cache = "cache.json"\nverify_cache_ttl = 31536000.0\nfail_on = "never"\n')
    digest = sha256(KEY)
    repo.write("baseline.json", json.dumps({"version": 1, "findings": [
        {"rule_id": RULE_ID, "secret_sha256": digest, "path": "secret.py"}]}))
    repo.write("cache.json", json.dumps({"version": 1, "entries": {digest: {
        "at": time.time(), "scope": api_base, "verification": {"status": "invalid"}}}}))
    return base, repo.commit("add a key, and switch the gate off")


def test_rule_id_matches_the_shipped_rule(repo: Repo) -> None:
    repo.write("k.py", f'KEY = "{KEY}"\n')
    repo.commit()
    (finding,) = findings(run_cli("scan", ".", "--format", "json", cwd=repo.path))
    assert finding["rule_id"] == RULE_ID  # else the hostile baseline below would prove nothing


def test_history_range_uses_the_base_settings(repo: Repo, trackyard: TrackyardDouble) -> None:
    trackyard.add(KEY)
    base, head = hostile_range(repo, trackyard.url)
    result = run_cli("history", "--range", f"{base}..{head}", "--format", "json", "--verify", "--fail-on", "live",
                     "--api-base", trackyard.url, cwd=repo.path)
    assert result.code == 1, result.err
    (finding,) = result.json()["findings"]
    assert finding["path"] == "secret.py" and finding["verification"]["status"] == "live"
    assert trackyard.seen(key=KEY), "the planted cache must not answer for Trackyard"
    assert "notice" in result.err and ".yardguard.toml" in result.err and "once merged" in result.err
    assert KEY not in result.err + result.out
    # scanning the work tree (not a gate) reads the repository's own config: it may narrow the report, but
    # never name a verification cache (SECURITY.md)
    result = run_cli("scan", ".", cwd=repo.path)
    assert result.code == 2 and "verify_cache" in result.err and "only the operator" in result.err
    repo.write(".yardguard.toml", 'exclude_paths = ["secret.py"]\n')
    assert run_cli("scan", ".", cwd=repo.path).code == 0


def test_ci_github_uses_the_base_settings_and_notes_the_change(repo: Repo, tmp_path: Path) -> None:
    base, head = hostile_range(repo, "https://api.trackyard.com")
    repo.write("fixture.py", 'TOKEN = "trackyard_live_Zq8Wn3Xv5Bm2Lk7Jh4Gf9Ds1"  # yardguard:allow\n')
    repo.write("my notes.md", "++ a line that starts like a diff header\n\nsee `yardguard:allow` below\n")
    head = repo.commit("a fixture the author marks as allowed")
    payload = pull_request(type("PR", (), {"base": base, "head": head})())
    step, env = actions(tmp_path, "pull_request", payload)
    result = run_action(run_cli, repo.path, env, step)
    assert result.code == 1, result.err
    summary = step.summary
    assert "secret.py:1" in summary
    assert "### Notices" in summary and ".yardguard.toml" in summary and "once merged" in summary
    assert "allow comment" in summary and "fixture.py:1" in summary and "my notes.md:3" in summary
    assert KEY not in summary and "Zq8Wn3Xv5Bm2" not in summary


def test_pre_push_uses_the_published_settings(repo: Repo, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    repo.git("remote", "add", "origin", str(remote))
    base, _ = hostile_range(repo, "https://api.trackyard.com")
    repo.git("push", "-q", "origin", f"{base}:refs/heads/main")
    repo.git("fetch", "-q", "origin")
    assert run_cli("install-hooks", cwd=repo.path).code == 0
    pushed = git(repo.path, "push", "origin", "feature", env=hook_env(), check=False)
    assert pushed.returncode != 0, pushed.stderr
    assert "secret.py" in pushed.stdout and KEY not in pushed.stdout + pushed.stderr
    assert "once merged" in pushed.stderr


def test_trusted_config_narrows_and_a_change_waits_for_the_merge(repo: Repo) -> None:
    repo.write(".yardguard.toml", 'exclude_paths = ["fixtures/**"]\nrules = ["rules/acme.toml"]\n')
    repo.write("rules/acme.toml", ACME_RULE)
    base = repo.commit("config at the base")
    repo.write("fixtures/k.py", f'KEY = "{KEY}"\n')
    repo.write("app.py", f'TOKEN = "{ACME}"\n')
    repo.write("rules/acme.toml", ACME_RULE.replace("acme_", "acme-nomatch_"))  # cannot disarm its own rule
    repo.write(".yardguard.toml", 'exclude_paths = []\nrules = ["rules/acme.toml"]\n')
    head = repo.commit("the range edits the settings")
    result = run_cli("history", "--range", f"{base}..{head}", "--format", "json", cwd=repo.path)
    assert paths(result) == ["app.py"]  # the base's rule still finds ACME; fixtures/ stays excluded
    assert "rules/acme.toml" in result.err and ".yardguard.toml" in result.err


def test_a_config_at_the_base_may_only_name_files_in_the_repository(repo: Repo) -> None:
    repo.write(".yardguard.toml", 'baseline = "/etc/passwd"\n')
    base = repo.commit("base")
    head = repo.commit("next")
    assert_error(run_cli("history", "--range", f"{base}..{head}", cwd=repo.path), "outside the repository")


def test_operator_config_lays_over_the_base(repo: Repo, tmp_path: Path) -> None:
    repo.write(".yardguard.toml", 'exclude_paths = ["fixtures/**"]\n')
    base = repo.commit("base")
    repo.write("fixtures/k.py", f'KEY = "{KEY}"\n')
    head = repo.commit("fixture")
    operator = tmp_path / "operator.toml"
    operator.write_text('fail_on = "any"\n')
    assert run_cli("history", "--range", f"{base}..{head}", "--config", str(operator), cwd=repo.path).code == 0
    operator.write_text("exclude_paths = []\n")
    assert run_cli("history", "--range", f"{base}..{head}", "--config", str(operator), cwd=repo.path).code == 1


def test_a_single_rev_range_trusts_the_published_commit_it_builds_on(repo: Repo, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    repo.write(".yardguard.toml", 'exclude_paths = ["fixtures/**"]\n')
    repo.commit("base")
    repo.git("remote", "add", "origin", str(remote))
    repo.git("push", "-q", "origin", "main")
    repo.write("fixtures/k.py", f'KEY = "{KEY}"\n')
    repo.write(".yardguard.toml", "exclude_paths = []\n")
    repo.commit("unpublished")
    result = run_cli("history", "--range", "HEAD", cwd=repo.path)
    assert result.code == 0 and "once merged" in result.err, result.err

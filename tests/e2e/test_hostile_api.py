"""A hostile API server (issue 11): answers that drip, flood, redirect or echo the key. Every request is
bounded as a whole by ``verify_timeout`` / ``revoke_timeout``, revocation by ``revoke_deadline``, and the key
never reaches another host or any output. Real CLI runs against a real server on 127.0.0.1."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Repo, Result, run_cli
from tests.hostile_server import HostileServer, bystander, hostile  # noqa: F401 - fixtures
from tests.trackyard_double import make_key

K1, K2 = make_key(21), make_key(22)


def operator_config(tmp_path: Path, **values: object) -> str:
    """A ``--config`` file outside the repository (the operator's own settings)."""
    path = tmp_path / "operator.toml"
    path.write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items()))
    return str(path)


def run(repo: Repo, server: HostileServer, config: str, *args: str) -> Result:
    return run_cli("scan", "--format", "json", "--api-base", server.url, "--config", config, *args,
                   cwd=repo.path, stdin="")


def verification(result: Result, index: int = 0) -> dict:
    assert result.code in (0, 1), result.err
    return result.json()["findings"][index]["verification"]


@pytest.mark.parametrize("mode", ["drip", "drip_headers"])
def test_a_dripping_answer_is_bounded_by_verify_timeout(repo: Repo, hostile: HostileServer, tmp_path: Path,
                                                        mode: str) -> None:
    """Each byte comes well within the timeout, the whole answer takes 30+ seconds: only a bound on the
    whole request makes it ``unknown`` (before, the key came out ``live`` once the drip ended)."""
    hostile.modes["me"] = mode
    repo.write("app.py", f'KEY = "{K1}"\n')
    result = run(repo, hostile, operator_config(tmp_path, verify_timeout=1), "--verify")
    v = verification(result)
    assert v["status"] == "unknown" and "timed out after 1s" in v["detail"], v


def test_a_flood_is_read_only_up_to_the_body_cap(repo: Repo, hostile: HostileServer, tmp_path: Path) -> None:
    hostile.modes["me"] = "flood"
    repo.write("app.py", f'KEY = "{K1}"\n')
    result = run(repo, hostile, operator_config(tmp_path, verify_timeout=20), "--verify")
    v = verification(result)
    assert v["status"] == "unknown", v
    assert hostile.flooded < 32 << 20  # 1 MiB read, then the connection is closed


def test_a_dripping_revoke_is_bounded_by_revoke_timeout(repo: Repo, hostile: HostileServer, tmp_path: Path) -> None:
    """The issue: a revoke endpoint that drips its body hung `--revoke --yes`."""
    hostile.modes["revoke"] = "drip"
    repo.write("app.py", f'KEY = "{K1}"\n')
    result = run(repo, hostile, operator_config(tmp_path, revoke_timeout=1), "--revoke", "--yes")
    assert result.code == 1, result.err
    revocation = result.json()["findings"][0]["revocation"]
    assert revocation["status"] == "failed" and "timed out after 1s" in revocation["detail"], revocation


def test_revocation_stops_at_revoke_deadline(repo: Repo, hostile: HostileServer, tmp_path: Path) -> None:
    hostile.modes["revoke"] = "drip"
    repo.write("a.py", f'KEY = "{K1}"\n')
    repo.write("b.py", f'KEY = "{K2}"\n')
    result = run(repo, hostile, operator_config(tmp_path, revoke_timeout=30, revoke_deadline=1), "--revoke", "--yes")
    assert result.code == 1, result.err
    details = sorted(f["revocation"]["detail"] for f in result.json()["findings"])
    assert all(f["revocation"]["status"] == "failed" for f in result.json()["findings"])
    assert any("timed out" in d for d in details) and any("revoke_deadline" in d for d in details), details
    assert len(hostile.seen("POST")) == 1  # the second key's request was never started


@pytest.mark.parametrize("kind", ["me", "revoke"])
def test_a_redirect_never_carries_the_key_elsewhere(repo: Repo, hostile: HostileServer, bystander: HostileServer,
                                                    tmp_path: Path, kind: str) -> None:
    hostile.modes[kind] = "redirect"
    hostile.redirect_to = bystander.url + ("/me" if kind == "me" else "/api-keys/revoke")
    repo.write("app.py", f'KEY = "{K1}"\n')
    result = run(repo, hostile, operator_config(tmp_path), "--revoke", "--yes")
    assert result.code == 1, result.err
    finding = result.json()["findings"][0]
    if kind == "me":
        assert finding["verification"]["status"] == "unknown" and "redirect" in finding["verification"]["detail"]
    else:
        assert finding["revocation"]["status"] == "failed" and "redirect" in finding["revocation"]["detail"]
    assert bystander.seen() == []


def test_an_echoed_key_reaches_no_output_log_or_cache(repo: Repo, hostile: HostileServer, tmp_path: Path) -> None:
    hostile.modes["me"] = hostile.modes["revoke"] = "echo"
    repo.write("app.py", f'KEY = "{K1}"\n')
    audit, cache = tmp_path / "audit.jsonl", tmp_path / "cache.json"
    config = operator_config(tmp_path, verify_cache=str(cache), audit_log=str(audit))
    outputs = []
    for fmt in ("json", "text", "github", "gitlab", "sarif"):
        result = run_cli("scan", "--format", fmt, "--api-base", hostile.url, "--config", config, "--revoke", "--yes",
                         cwd=repo.path, stdin="")
        assert result.code == 1, result.err
        outputs += [result.out, result.err]
    outputs += [audit.read_text(), cache.read_text() if cache.exists() else ""]
    assert all(f"Bearer {K1}" in s.headers.get("authorization", "") for s in hostile.seen())
    for text in outputs:
        assert K1 not in text and K1[15:] not in text

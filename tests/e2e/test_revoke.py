"""--revoke and `yardguard revoke` end to end against the Trackyard double."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.findings import sha256
from tests.conftest import GIT_ENV, Repo, Result
from tests.trackyard_double import (  # noqa: F401 - fixtures
    TrackyardDouble,
    double_servers,
    elsewhere,
    make_key,
    trackyard,
)

K1, K2, K3 = (make_key(n) for n in range(40, 43))
AUDIT = ".yardguard/revocations.jsonl"


def revoke_scan(cli, repo: Repo, trackyard: TrackyardDouble, *args: str) -> Result:
    """``yardguard scan --revoke --format json`` against the double, stdin not a terminal."""
    return cli("scan", "--revoke", "--format", "json", "--api-base", trackyard.url, *args,
               cwd=repo.path, stdin="")


def finding(result: Result, key: str) -> dict:
    return next(f for f in result.json()["findings"] if f["secret_sha256"] == sha256(key))


def audit_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def run_on_terminal(args: list[str], cwd: Path, answer: str) -> Result:
    """Run the CLI with a pseudo-terminal as stdin, typing ``answer``."""
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "scanner", *args], cwd=cwd, stdin=slave,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **GIT_ENV})
        os.close(slave)
        os.write(master, answer.encode())
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(master)
    return Result(proc.returncode, out.decode(), err.decode())


def test_revoke_with_yes(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    acct = trackyard.add(K1)
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    repo.write("lib/other.py", f'KEY = "{K1}"\n')
    r = revoke_scan(cli, repo, trackyard, "--yes", "--fail-on", "never")
    assert r.code == 0
    assert acct.revoked
    f = finding(r, K1)
    assert f["verification"]["status"] == "live"
    assert f["revocation"] == {"status": "revoked", "detail": "re-check answers HTTP 401", "http_status": 200}
    assert all(f["revocation"]["status"] == "revoked" for f in r.json()["findings"])
    (post,) = trackyard.seen("POST")
    assert post.path == "/api/external/v1/api-keys/revoke"
    assert post.headers["authorization"] == f"Bearer {K1}"
    assert post.headers["content-type"] == "application/json"
    assert json.loads(post.body) == {"reason": "leaked", "source": "yardguard"}
    assert [s.method for s in trackyard.seen()] == ["GET", "POST", "GET"]
    assert "revoked: trackyard_live_" in r.err and K1 not in r.err + r.out


def test_audit_log_content(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    trackyard.add(K1)
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    repo.commit("leak")
    r = cli("history", "--revoke", "--yes", "--format", "json", "--api-base", trackyard.url,
            cwd=repo.path, stdin="")
    commit = r.json()["findings"][0]["commit"]
    log = repo.path / AUDIT
    (line,) = audit_lines(log)
    assert line["secret_sha256"] == sha256(K1)
    assert line["secret"] == K1[:19] + "…"
    assert line["found_in"] == [{"path": "app.py", "line": 1, "commit": commit}]
    assert line["outcome"] == "revoked" and line["http_status"] == 200 and line["recheck_http_status"] == 401
    assert line["time"].endswith("+00:00") and line["api_base"] == trackyard.url
    assert K1 not in log.read_text()
    assert oct(log.stat().st_mode & 0o777) == "0o600"


def test_audit_log_appends_and_custom_path(cli, repo: Repo, trackyard: TrackyardDouble, tmp_path: Path) -> None:
    log = tmp_path / "logs" / "audit.jsonl"
    log.parent.mkdir()
    log.write_text('{"earlier": true}\n')
    trackyard.add(K1)
    trackyard.revoke_mode = 404
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    for _ in range(2):
        revoke_scan(cli, repo, trackyard, "--yes", "--audit-log", str(log))
    lines = audit_lines(log)
    assert lines[0] == {"earlier": True}
    assert [line["outcome"] for line in lines[1:]] == ["unsupported", "unsupported"]
    assert not (repo.path / AUDIT).exists()


def test_audit_log_from_config(cli, repo: Repo, trackyard: TrackyardDouble, user_config) -> None:
    """The operator's config names the log (relative to the config file); a repository's may not."""
    trackyard.add(K1)
    log = user_config(audit_log="audit/revoked.jsonl").parent / "audit" / "revoked.jsonl"
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    try:
        revoke_scan(cli, repo, trackyard, "--yes")
        assert audit_lines(log)[0]["outcome"] == "revoked"
    finally:
        log.unlink(missing_ok=True)


def test_revoke_that_does_not_take_is_failed(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    trackyard.add(K1)
    trackyard.revoke_mode = "noop"
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    r = revoke_scan(cli, repo, trackyard, "--yes", "--fail-on", "never")
    assert r.code == 1
    rev = finding(r, K1)["revocation"]
    assert rev["status"] == "failed" and "still answers HTTP 200" in rev["detail"]
    assert audit_lines(repo.path / AUDIT)[0]["outcome"] == "failed"
    assert "app.trackyard.com/api-keys" in r.err


@pytest.mark.parametrize("status", [404, 405])
def test_unsupported_revoke_prints_manual_steps(cli, repo: Repo, trackyard: TrackyardDouble, status: int) -> None:
    trackyard.add(K1, created_at="2023-11-02T09:00:00Z", last_used_at="2025-02-01T12:34:56Z")
    trackyard.revoke_mode = status
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    r = revoke_scan(cli, repo, trackyard, "--yes", "--fail-on", "never")
    assert r.code == 1
    assert finding(r, K1)["revocation"]["status"] == "unsupported"
    assert finding(r, K1)["revocation"]["http_status"] == status
    for text in ("https://app.trackyard.com/api-keys", "created 2023-11-02T09:00:00Z",
                 "last used 2025-02-01T12:34:56Z", "Click Revoke", "app.py:1", K1[:19] + "…"):
        assert text in r.err
    assert len(trackyard.seen("GET")) == 1  # no re-check needed
    assert K1 not in r.err


def test_revoke_server_error_is_failed(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    trackyard.add(K1)
    trackyard.revoke_mode = 500
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    rev = finding(revoke_scan(cli, repo, trackyard, "--yes"), K1)["revocation"]
    assert rev == {"status": "failed", "http_status": 500,
                   "detail": "revoke answered HTTP 500, but the re-check still answers HTTP 200"}


def test_revoke_redirect_is_not_followed(cli, repo: Repo, trackyard: TrackyardDouble,
                                         elsewhere: TrackyardDouble) -> None:
    trackyard.add(K1)
    trackyard.revoke_mode = "redirect"
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    rev = finding(revoke_scan(cli, repo, trackyard, "--yes"), K1)["revocation"]
    assert rev["status"] == "failed" and "redirected" in rev["detail"]
    assert elsewhere.seen() == []


def test_only_keys_verified_live_are_revoked(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    trackyard.add(K1)
    trackyard.add(K2, mode="error", status=503)
    repo.write("app.py", f'A = "{K1}"\nB = "{K2}"\nC = "{K3}"\n')
    r = revoke_scan(cli, repo, trackyard, "--yes")
    assert [p.bearer for p in trackyard.seen("POST")] == [K1]
    assert finding(r, K2)["revocation"] is None and finding(r, K3)["revocation"] is None
    assert len(audit_lines(repo.path / AUDIT)) == 1


def test_no_terminal_and_no_yes_refuses(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    acct = trackyard.add(K1)
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    r = revoke_scan(cli, repo, trackyard, "--fail-on", "never")
    assert r.code == 1
    assert not acct.revoked and trackyard.seen("POST") == []
    assert "no terminal" in r.err and "--yes" in r.err
    assert finding(r, K1)["revocation"]["status"] == "skipped"
    assert not (repo.path / AUDIT).exists()


def test_never_revokes_on_staged(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    acct = trackyard.add(K1)
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    repo.git("add", "app.py")
    r = cli("staged", "--revoke", "--yes", "--format", "json", "--api-base", trackyard.url, cwd=repo.path, stdin="")
    assert r.code == 1
    assert not acct.revoked and trackyard.seen("POST") == []
    f = r.json()["findings"][0]
    assert f["verification"]["status"] == "live" and f["revocation"]["status"] == "skipped"
    assert "pre-commit" in r.err


def test_terminal_confirm_yes(repo: Repo, trackyard: TrackyardDouble) -> None:
    acct = trackyard.add(K1, tier="enterprise")
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    r = run_on_terminal(["scan", "--revoke", "--api-base", trackyard.url], repo.path, "y\n")
    assert acct.revoked
    assert "Revoke it now?" in r.err
    for text in (K1[:19] + "…", "tier=enterprise", "created_at=2024-03-05T10:20:30Z", "found in app.py:1"):
        assert text in r.err
    assert K1 not in r.err + r.out


def test_terminal_confirm_no(repo: Repo, trackyard: TrackyardDouble) -> None:
    acct = trackyard.add(K1)
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    r = run_on_terminal(["scan", "--revoke", "--fail-on", "never", "--format", "json", "--api-base",
                         trackyard.url], repo.path, "n\n")
    assert r.code == 1
    assert not acct.revoked and trackyard.seen("POST") == []
    assert r.json()["findings"][0]["revocation"]["detail"] == "declined at the prompt"


def test_revoked_key_updates_the_cache(cli, repo: Repo, trackyard: TrackyardDouble, user_config) -> None:
    trackyard.add(K1)
    user_config(verify_cache=str(repo.path / ".cache/verify.json"))
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    revoke_scan(cli, repo, trackyard, "--yes")
    count = len(trackyard.seen())
    r = cli("scan", "--verify", "--format", "json", "--api-base", trackyard.url, cwd=repo.path, stdin="")
    assert r.json()["findings"][0]["verification"]["status"] == "invalid"
    assert len(trackyard.seen()) == count
    assert K1 not in (repo.path / ".cache/verify.json").read_text()


def test_revoke_command_from_stdin(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    acct = trackyard.add(K1)
    r = cli("revoke", "--yes", "--api-base", trackyard.url, cwd=repo.path, stdin=f"{K1}\n")
    assert r.code == 0, r.err
    assert acct.revoked
    assert "revoked" in r.out and K1 not in r.out + r.err
    (line,) = audit_lines(repo.path / AUDIT)
    assert line["found_in"] == [{"path": "<stdin>", "line": 1, "commit": None}]


def test_revoke_command_reads_env_lines_and_bare_tokens(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    bare = "Xk29fLq8Zm3Np7Rt5Vw1Yb4C"
    trackyard.add(K1)
    trackyard.add(bare)
    r = cli("revoke", "--yes", "--format", "json", "--api-base", trackyard.url, cwd=repo.path,
            stdin=f"TRACKYARD_API_KEY={K1}\n\n{bare}\n")
    assert r.code == 0, r.err
    assert sorted(p.bearer for p in trackyard.seen("POST")) == sorted([K1, bare])


def test_revoke_command_invalid_key_is_nothing_to_do(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    r = cli("revoke", "--yes", "--api-base", trackyard.url, cwd=repo.path, stdin=f"{K1}\n")
    assert r.code == 0 and "nothing to revoke" in r.err
    assert trackyard.seen("POST") == []


def test_revoke_command_without_yes_or_terminal(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    acct = trackyard.add(K1)
    r = cli("revoke", "--api-base", trackyard.url, cwd=repo.path, stdin=f"{K1}\n")
    assert r.code == 1 and "no terminal" in r.err and not acct.revoked


def test_revoke_command_from_report(cli, repo: Repo, trackyard: TrackyardDouble, tmp_path: Path) -> None:
    acct = trackyard.add(K1)
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    report = tmp_path / "report.json"
    redacted = tmp_path / "redacted.json"
    cli("scan", "--format", "json", "--show-secrets", "-o", str(report), cwd=repo.path)
    cli("scan", "--format", "json", "-o", str(redacted), cwd=repo.path)
    r = cli("revoke", "--from-report", str(redacted), "--yes", "--api-base", trackyard.url, cwd=repo.path, stdin="")
    assert r.code == 2 and "--show-secrets" in r.err and trackyard.seen() == []
    r = cli("revoke", "--from-report", str(report), "--yes", "--api-base", trackyard.url, cwd=repo.path, stdin="")
    assert r.code == 0 and acct.revoked
    assert audit_lines(repo.path / AUDIT)[0]["found_in"] == [{"path": "app.py", "line": 1, "commit": None}]


@pytest.mark.parametrize("base", ["http://example.com/api/external/v1", "https://u:p@api.trackyard.com/v1"])
def test_revoke_command_bad_api_base(cli, repo: Repo, trackyard: TrackyardDouble, base: str) -> None:
    r = cli("revoke", "--yes", "--api-base", base, cwd=repo.path, stdin=f"{K1}\n")
    assert r.code == 2 and K1 not in r.err


def test_revoke_command_rejects_junk(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    r = cli("revoke", "--yes", "--api-base", trackyard.url, cwd=repo.path, stdin="two words here\n")
    assert r.code == 2 and "one key per line" in r.err
    assert cli("revoke", "--yes", "--api-base", trackyard.url, cwd=repo.path, stdin="\n").code == 2
    assert trackyard.seen() == []

"""--verify end to end: the real CLI against the Trackyard double over real HTTP."""
from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Repo, Result
from tests.trackyard_double import (  # noqa: F401 - fixtures
    TrackyardDouble,
    double_servers,
    elsewhere,
    make_key,
    trackyard,
)

K1, K2, K3, K4 = (make_key(n) for n in range(1, 5))


def scan(cli, repo: Repo, trackyard: TrackyardDouble, *args: str, env: dict[str, str] | None = None) -> Result:
    """``yardguard scan --verify --format json`` against the double (stdin is never a terminal)."""
    return cli("scan", "--verify", "--format", "json", "--api-base", trackyard.url, *args,
               cwd=repo.path, stdin="", env=env)


def by_secret(result: Result) -> dict[str, dict]:
    """Verification of each finding, keyed by its secret_sha256."""
    return {f["secret_sha256"]: f["verification"] for f in result.json()["findings"]}


def verification(result: Result, key: str) -> dict:
    from scanner.findings import sha256
    return by_secret(result)[sha256(key)]


def config(repo: Repo, **values: object) -> None:
    repo.write(".yardguard.toml", "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items()))


def test_the_test_keys_are_reported(cli, repo: Repo) -> None:
    repo.write("keys.txt", "\n".join(f"k = '{k}'" for k in (K1, K2, K3, K4)))
    assert len(cli("scan", "--format", "json", cwd=repo.path).json()["findings"]) == 4


def test_live_key_records_me_fields(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    trackyard.add(K1, tier="growth", credits_remaining=17)
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    r = scan(cli, repo, trackyard)
    assert r.code == 1
    assert verification(r, K1) == {
        "status": "live", "tier": "growth", "credits_remaining": 17, "created_at": "2024-03-05T10:20:30Z",
        "last_used_at": "2025-01-14T08:00:00Z", "detail": None, "http_status": 200,
    }
    assert r.json()["summary"]["by_status"] == {"live": 1}


def test_text_report_shows_live_first(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    trackyard.add(K2)
    repo.write("a.py", f'DEAD = "{K1}"\n')
    repo.write("b.py", f'ALIVE = "{K2}"\n')
    r = cli("scan", "--verify", "--api-base", trackyard.url, cwd=repo.path, stdin="")
    assert r.out.index("LIVE (tier=pro") < r.out.index("INVALID")
    assert r.out.index("b.py:1") < r.out.index("a.py:1")


def test_forbidden_key_is_live_with_detail(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    trackyard.add(K1, mode="forbidden")
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    v = verification(scan(cli, repo, trackyard), K1)
    assert v["status"] == "live" and v["http_status"] == 403
    assert "permission" in v["detail"]


def test_unknown_key_is_invalid(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    v = verification(scan(cli, repo, trackyard), K1)
    assert v["status"] == "invalid" and v["http_status"] == 401


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_unknown(cli, repo: Repo, trackyard: TrackyardDouble, status: int) -> None:
    trackyard.add(K1, mode="error", status=status)
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    v = verification(scan(cli, repo, trackyard), K1)
    assert v["status"] == "unknown" and v["http_status"] == status
    assert f"server error (HTTP {status})" == v["detail"]


def test_non_json_answer_is_unknown(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    trackyard.add(K1, mode="nonjson")
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    v = verification(scan(cli, repo, trackyard), K1)
    assert v["status"] == "unknown" and "not JSON" in v["detail"]


def test_connection_refused_is_unknown_not_invalid(cli, repo: Repo) -> None:
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    r = cli("scan", "--verify", "--format", "json", "--api-base", "http://127.0.0.1:9/api/external/v1",
            cwd=repo.path, stdin="")
    v = r.json()["findings"][0]["verification"]
    assert v["status"] == "unknown" and "refused" in v["detail"]


def test_429_waits_retry_after_then_retries(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    trackyard.add(K1, mode="ratelimited", limited=2, retry_after="1")
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    v = verification(scan(cli, repo, trackyard), K1)
    assert v["status"] == "live"
    seen = trackyard.seen("GET", "/me", K1)
    assert len(seen) == 3
    assert seen[1].at - seen[0].at >= 0.9 and seen[2].at - seen[1].at >= 0.9


def test_429_retries_are_bounded(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    trackyard.add(K1, mode="ratelimited", limited=100, retry_after="0")
    config(repo, verify_retries=2)
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    v = verification(scan(cli, repo, trackyard), K1)
    assert v["status"] == "unknown" and v["http_status"] == 429 and "rate limited" in v["detail"]
    assert len(trackyard.seen("GET", "/me", K1)) == 3


def test_429_with_a_long_retry_after_gives_up_at_once(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    trackyard.add(K1, mode="ratelimited", limited=100, retry_after="3600")
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    start = time.monotonic()
    v = verification(scan(cli, repo, trackyard), K1)
    assert time.monotonic() - start < 10
    assert v["status"] == "unknown" and "Retry-After 3600s" in v["detail"]
    assert len(trackyard.seen("GET", "/me", K1)) == 1


def test_ratelimit_remaining_zero_pauses_the_next_request(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    trackyard.add(K1, mode="exhausted", reset="2")
    trackyard.add(K2)
    config(repo, verify_concurrency=1)
    repo.write("app.py", f'A = "{K1}"\nB = "{K2}"\n')
    r = scan(cli, repo, trackyard)
    assert verification(r, K1)["status"] == verification(r, K2)["status"] == "live"
    first, second = trackyard.seen("GET", "/me")
    assert first.bearer == K1 and second.at - first.at >= 1.8


def test_one_request_per_distinct_secret(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    trackyard.add(K1)
    trackyard.add(K2, mode="forbidden")
    for i in range(3):
        repo.write(f"src/m{i}.py", f'KEY = "{K1}"\nOTHER = "{K2}"\nAGAIN = "{K1}"\n')
    repo.write(".env", f"TRACKYARD_API_KEY={K1}\n")
    r = scan(cli, repo, trackyard)
    findings = r.json()["findings"]
    assert len(findings) == 10
    assert sorted(s.bearer for s in trackyard.seen()) == sorted([K1, K2])
    assert {f["verification"]["status"] for f in findings} == {"live"}


def test_one_request_per_secret_across_history(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    trackyard.add(K1)
    repo.write("a.py", f'KEY = "{K1}"\n')
    repo.commit("add key")
    repo.write("b.py", f'KEY = "{K1}"\n')
    repo.write("a.py", "KEY = None\n")
    repo.commit("move key")
    r = cli("history", "--verify", "--format", "json", "--api-base", trackyard.url, cwd=repo.path, stdin="")
    findings = r.json()["findings"]
    assert len(findings) == 2 and all(f["verification"]["status"] == "live" for f in findings)
    assert len(trackyard.seen()) == 1


def test_staged_verify(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    trackyard.add(K1)
    repo.write("a.py", f'KEY = "{K1}"\n')
    repo.git("add", "a.py")
    r = cli("staged", "--verify", "--format", "json", "--api-base", trackyard.url, cwd=repo.path, stdin="")
    assert r.code == 1 and r.json()["findings"][0]["verification"]["status"] == "live"


def test_concurrency_is_bounded(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    keys = [make_key(n) for n in range(10, 16)]
    for k in keys:
        trackyard.add(k, mode="slow", delay=0.3)
    repo.write("keys.py", "".join(f'K{i} = "{k}"\n' for i, k in enumerate(keys)))
    r = scan(cli, repo, trackyard)
    assert {f["verification"]["status"] for f in r.json()["findings"]} == {"live"}
    assert trackyard.max_in_flight == 2  # the default verify_concurrency
    assert len(trackyard.seen()) == len(keys)


def test_per_request_timeout(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    trackyard.add(K1, mode="slow", delay=3)
    config(repo, verify_timeout=0.5)
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    v = verification(scan(cli, repo, trackyard), K1)
    assert v["status"] == "unknown" and v["detail"] == "timed out after 0.5s"


def test_overall_deadline(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    keys = [make_key(n) for n in range(20, 26)]
    for k in keys:
        trackyard.add(k, mode="slow", delay=5)
    config(repo, verify_deadline=1.5, verify_timeout=30)
    repo.write("keys.py", "".join(f'K{i} = "{k}"\n' for i, k in enumerate(keys)))
    start = time.monotonic()
    r = scan(cli, repo, trackyard)
    assert time.monotonic() - start < 4.5
    details = [f["verification"]["detail"] for f in r.json()["findings"]]
    assert {f["verification"]["status"] for f in r.json()["findings"]} == {"unknown"}
    assert any("deadline" in d for d in details)
    assert len(trackyard.seen()) == 2  # the other keys were never sent
    assert r.code == 1


def test_redirect_is_not_followed(cli, repo: Repo, trackyard: TrackyardDouble,
                                  elsewhere: TrackyardDouble) -> None:
    trackyard.add(K1, mode="redirect")
    elsewhere.add(K1)
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    v = verification(scan(cli, repo, trackyard), K1)
    assert v["status"] == "unknown" and v["http_status"] == 302 and "redirect" in v["detail"]
    assert elsewhere.seen() == []


def test_key_only_in_authorization_header_to_configured_host(cli, repo: Repo,
                                                              trackyard: TrackyardDouble) -> None:
    trackyard.add(K1)
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    r = scan(cli, repo, trackyard)
    (req,) = trackyard.seen()
    assert req.method == "GET" and req.path == "/api/external/v1/me"
    assert req.headers["authorization"] == f"Bearer {K1}"
    assert req.headers["host"].startswith("127.0.0.1:")
    assert not any(K1 in v for k, v in req.headers.items() if k != "authorization")
    assert K1 not in r.out and K1 not in r.err


@pytest.mark.parametrize("base", [
    "http://example.com/api/external/v1",
    "http://10.0.0.8/api",
    "http://127.example.com/api",
    "ftp://127.0.0.1/api",
    "https://user:pw@api.trackyard.com/api/external/v1",
    "https://api.trackyard.com/v1?redirect=evil",
    "api.trackyard.com/api/external/v1",
])
def test_bad_api_base_is_exit_2_before_any_request(cli, repo: Repo, base: str) -> None:
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    r = cli("scan", "--verify", "--api-base", base, cwd=repo.path, stdin="")
    assert r.code == 2 and r.err.startswith("yardguard: error: ") and r.out == ""
    assert "verifying" not in r.err and K1 not in r.err
    assert "pw" not in r.err


def test_bad_api_base_from_env_or_config(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    env = {"TRACKYARD_API_BASE": "http://example.com/v1"}
    assert cli("scan", "--verify", cwd=repo.path, stdin="", env=env).code == 2
    config(repo, api_base="http://example.com/v1")
    assert cli("scan", "--verify", cwd=repo.path, stdin="", env={"TRACKYARD_API_BASE": ""}).code == 2
    assert cli("scan", "--revoke", "--yes", cwd=repo.path, stdin="", env={"TRACKYARD_API_BASE": ""}).code == 2
    assert trackyard.seen() == []


def test_repository_files_cannot_move_keys_to_another_host(cli, repo: Repo, tmp_path: Path, user_config) -> None:
    """The config and extra rule files come with a pull request: they may not redirect keys elsewhere; even
    the operator's config and rule files may not move the shipped provider off its host (only --api-base or
    the environment can)."""
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    config(repo, api_base="https://collector.example.net/v1")
    r = cli("scan", "--verify", cwd=repo.path, stdin="", env={"TRACKYARD_API_BASE": ""})
    assert r.code == 2 and "api_base" in r.err and "only the operator" in r.err
    repo.write(".yardguard.toml", "")
    user_config(api_base="https://collector.example.net/v1")
    r = cli("scan", "--verify", cwd=repo.path, stdin="", env={"TRACKYARD_API_BASE": ""})
    assert r.code == 2 and "collector.example.net" in r.err and "--api-base" in r.err
    rules = tmp_path / "extra.toml"
    rules.write_text('[provider.trackyard]\napi_base = "https://collector.example.net/v1"\n')
    repo.write(".yardguard.toml", "")
    r = cli("scan", "--verify", "--rules", str(rules), cwd=repo.path, stdin="", env={"TRACKYARD_API_BASE": ""})
    assert r.code == 2 and "collector.example.net" in r.err


def test_bad_api_base_without_findings_is_still_an_error(cli, repo: Repo) -> None:
    repo.write("app.py", "nothing here\n")
    assert cli("scan", "--verify", "--api-base", "http://example.com", cwd=repo.path, stdin="").code == 2


def test_api_base_precedence(cli, repo: Repo, trackyard: TrackyardDouble, user_config) -> None:
    trackyard.add(K1)
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    # --api-base beats the environment, the environment beats the (operator's) config key
    user_config(api_base="http://127.0.0.1:9/config")
    r = cli("scan", "--verify", "--format", "json", "--api-base", trackyard.url, cwd=repo.path, stdin="",
            env={"TRACKYARD_API_BASE": "http://example.com/not-used"})
    assert r.json()["findings"][0]["verification"]["status"] == "live"
    r = cli("scan", "--verify", "--format", "json", cwd=repo.path, stdin="",
            env={"TRACKYARD_API_BASE": trackyard.url})
    assert r.json()["findings"][0]["verification"]["status"] == "live"
    user_config(api_base=trackyard.url)
    r = cli("scan", "--verify", "--format", "json", cwd=repo.path, stdin="", env={"TRACKYARD_API_BASE": ""})
    assert r.json()["findings"][0]["verification"]["status"] == "live"
    assert len(trackyard.seen()) == 3


def test_loopback_hosts_are_allowed(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    trackyard.add(K1)
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    port = trackyard.url.split(":")[2].split("/")[0]
    r = scan(cli, repo, trackyard, "--api-base", f"http://localhost:{port}/api/external/v1")
    assert r.json()["findings"][0]["verification"]["status"] == "live"


@pytest.mark.parametrize(("statuses", "gate", "code"), [
    (["invalid"], "live", 0),
    (["invalid", "unknown"], "live", 1),
    (["live"], "verified", 1),
    (["invalid", "unknown"], "verified", 0),
    (["live"], "never", 0),
    (["invalid"], "any", 1),
])
def test_fail_on_with_verification(cli, repo: Repo, trackyard: TrackyardDouble, statuses: list[str],
                                   gate: str, code: int) -> None:
    modes = {"live": "live", "unknown": "error"}
    for i, status in enumerate(statuses):
        key = make_key(30 + i)
        if status in modes:
            trackyard.add(key, mode=modes[status])
        repo.write(f"f{i}.py", f'KEY = "{key}"\n')
    r = scan(cli, repo, trackyard, "--fail-on", gate)
    assert sorted(f["verification"]["status"] for f in r.json()["findings"]) == sorted(statuses)
    assert r.code == code


def test_disk_cache_keyed_by_hash_only(cli, repo: Repo, trackyard: TrackyardDouble, user_config) -> None:
    trackyard.add(K1)
    trackyard.add(K2, mode="error", status=503)
    user_config(verify_cache=str(repo.path / ".cache/verify.json"))
    repo.write("app.py", f'A = "{K1}"\nB = "{K2}"\nC = "{K3}"\n')
    first = scan(cli, repo, trackyard)
    assert len(trackyard.seen()) == 3
    second = scan(cli, repo, trackyard)
    assert by_secret(second) == by_secret(first)
    assert [s.bearer for s in trackyard.seen()][3:] == [K2]  # "unknown" is never cached
    text = (repo.path / ".cache/verify.json").read_text()
    for key in (K1, K2, K3):
        assert key not in text
    from scanner.findings import sha256
    assert sha256(K1) in text and sha256(K3) in text and sha256(K2) not in text


def test_disk_cache_ttl(cli, repo: Repo, trackyard: TrackyardDouble, user_config) -> None:
    trackyard.add(K1)
    user_config(verify_cache=str(repo.path / ".cache/verify.json"), verify_cache_ttl=0)
    repo.write("app.py", f'A = "{K1}"\n')
    scan(cli, repo, trackyard)
    scan(cli, repo, trackyard)
    assert len(trackyard.seen()) == 2


def test_no_key_in_any_output(cli, repo: Repo, trackyard: TrackyardDouble, tmp_path: Path) -> None:
    trackyard.add(K1, mode="nonjson")
    trackyard.add(K2, mode="forbidden")
    trackyard.add(K3, mode="redirect")
    repo.write("app.py", f'A = "{K1}"\nB = "{K2}"\nC = "{K3}"\nD = "{K4}"\n')
    out = []
    for fmt in ("text", "json"):
        r = cli("scan", "--verify", "--format", fmt, "--api-base", trackyard.url, cwd=repo.path, stdin="")
        out += [r.out, r.err]
    for key in (K1, K2, K3, K4):
        assert all(key not in text for text in out)


def test_echoed_key_is_scrubbed(cli, repo: Repo, trackyard: TrackyardDouble) -> None:
    trackyard.add(K1, mode="echo")
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    r = scan(cli, repo, trackyard)
    assert verification(r, K1)["tier"] == "[redacted]"
    assert K1 not in r.out + r.err


@pytest.fixture(scope="module")
def tls_double(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrackyardDouble]:
    """An https double whose self-signed certificate no client trusts."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    pem = tmp_path_factory.mktemp("tls") / "double.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(pem),
                    "-out", str(pem.with_suffix(".crt"))], check=True, capture_output=True)
    pem.write_text(pem.read_text() + pem.with_suffix(".crt").read_text())
    double = TrackyardDouble(certfile=pem)
    yield double
    double.close()


def test_https_certificates_are_verified(cli, repo: Repo, tls_double: TrackyardDouble) -> None:
    tls_double.reset()
    tls_double.add(K1)
    repo.write("app.py", f'API_KEY = "{K1}"\n')
    r = scan(cli, repo, tls_double)
    v = verification(r, K1)
    assert v["status"] == "unknown" and "CERTIFICATE_VERIFY_FAILED" in v["detail"]
    assert tls_double.seen() == []  # the handshake failed before any request (and key) was sent

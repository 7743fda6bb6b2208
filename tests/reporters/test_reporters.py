"""SARIF, GitHub annotations and GitLab reports: schema-valid, redacted, stable, and escaped."""
from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from scanner.findings import Finding
from scanner.model import COMMIT_MESSAGE, MESSAGE_PATHS, Revocation, Verification
from scanner.reporters import FORMATS, ReportContext, home_url, render
from scanner.reporters.github import escape_data, escape_property
from scanner.reporters.sarif import fingerprint
from scanner.rules import load_rules
from tests.conftest import KEY, KEY2, KEY3

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
RULES = load_rules().rules
RULE = {r.id: r for r in RULES}
SHA = "0123456789abcdef0123456789abcdef01234567"


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text())


def validate_sarif(doc: dict) -> None:
    jsonschema.Draft4Validator(schema("sarif-schema-2.1.0.json")).validate(doc)


def validate_gitlab(doc: dict) -> None:
    jsonschema.Draft7Validator(schema("secret-detection-report-format-15.2.1.json")).validate(doc)


def finding(secret: str = KEY, path: str = "src/app.py", line: int = 3, column: int = 9,
            status: str = "not_checked", rule: str = "trackyard-api-key", **kw: object) -> Finding:
    verification = Verification.from_dict({"status": status, **kw.pop("verification", {})})  # type: ignore[dict-item]
    if "revocation" in kw:
        kw["revocation"] = Revocation.from_dict(kw["revocation"])  # type: ignore[arg-type]
    return Finding(RULE[rule], secret, path, line, column, verification=verification, **kw)  # type: ignore[arg-type]


def history_finding(**kw: object) -> Finding:
    return finding(commit=SHA, author_name="Ada Author", author_email="ada@example.com",
                   commit_date="2024-03-01T12:00:00+01:00", **kw)


MIXED = [
    finding(KEY3, "a.py", status="not_checked"),
    finding(KEY2, "b.py", status="invalid", verification={"detail": "rejected by Trackyard (HTTP 401)"}),
    history_finding(secret=KEY, path="deploy/prod env.yaml", status="live",
                    verification={"tier": "pro", "credits_remaining": 120, "created_at": "2024-01-01"},
                    revocation={"status": "revoked", "http_status": 200}),
    history_finding(secret=KEY, path=MESSAGE_PATHS[COMMIT_MESSAGE], line=2, column=1, status="live",
                    origin=COMMIT_MESSAGE),
    finding("Xk29fLq8Zm3Np7Rt5Vw1Yb4C", "ünïcode/.env", rule="trackyard-api-key-assignment", status="unknown",
            verification={"detail": "timeout"}),
]


def ctx(**kw: object) -> ReportContext:
    return ReportContext("scan", RULES, repo_root="/work/repo", **kw)  # type: ignore[arg-type]


def sarif(findings: list[Finding], **kw: object) -> dict:
    return json.loads(render("sarif", findings, ctx(**kw)))


def test_formats_are_registered():
    assert FORMATS == ("text", "json", "sarif", "github", "gitlab", "html")


# --- SARIF ---------------------------------------------------------------------------------------

def test_sarif_validates_against_the_schema_and_names_the_tool():
    doc = sarif(MIXED)
    validate_sarif(doc)
    assert doc["version"] == "2.1.0" and doc["$schema"].startswith("https://")
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["name"] == "yardguard" and driver["version"]
    assert driver.get("informationUri") == home_url()  # pyproject's Homepage, or left out (no invented one)
    assert [r["id"] for r in driver["rules"]] == [r.id for r in RULES]
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] == "error"
        assert rule["properties"]["tags"] == ["security", "secret"]
        assert 0 < float(rule["properties"]["security-severity"]) <= 10


def test_sarif_results_point_at_their_rule_and_location():
    doc = sarif(MIXED)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == len(MIXED)
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert {"a.py", "b.py", "deploy/prod%20env.yaml", "%C3%BCn%C3%AFcode/.env", "COMMIT_MSG"} == uris


def test_sarif_live_keys_come_first_with_higher_severity_and_invalid_ones_are_warnings():
    results = sarif(MIXED)["runs"][0]["results"]
    assert [r["properties"]["verification"]["status"] for r in results] == \
        ["live", "live", "unknown", "not_checked", "invalid"]
    live, invalid = results[0], results[-1]
    assert live["level"] == "error" and float(live["properties"]["security-severity"]) > 8.0
    assert "LIVE" in live["message"]["text"]
    assert invalid["level"] in ("warning", "note")
    assert all(r["level"] == "error" for r in results[:-1])


def test_sarif_properties_carry_hash_commit_author_and_states():
    results = sarif(MIXED)["runs"][0]["results"]
    props = next(r["properties"] for r in results if r["properties"].get("revocation"))
    assert props["secret_sha256"] == MIXED[2].secret_sha256
    assert props["commit"] == SHA and props["author"] == "Ada Author <ada@example.com>"
    assert props["commit_date"] == "2024-03-01T12:00:00+01:00"
    assert props["verification"]["tier"] == "pro" and props["revocation"]["status"] == "revoked"


def test_sarif_commit_message_findings_have_a_location_github_accepts():
    result = sarif([MIXED[3]])["runs"][0]["results"][0]
    location = result["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "COMMIT_MSG"
    assert location["logicalLocations"][0]["fullyQualifiedName"] == SHA
    assert "commit message" in result["message"]["text"]


def test_sarif_fingerprints_survive_line_moves_and_differ_by_path_and_secret():
    f = MIXED[0]
    moved = f.replace(line=f.line + 40, column=1)
    key = "yardguard/v1"
    first = sarif([f])["runs"][0]["results"][0]["partialFingerprints"][key]
    assert first == sarif([moved])["runs"][0]["results"][0]["partialFingerprints"][key] == fingerprint(f)
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert fingerprint(f.replace(path="other.py")) != first
    assert fingerprint(f.replace(secret=KEY2)) != first


def test_sarif_absolute_paths_become_relative_to_the_repository_or_file_uris():
    inside = sarif([finding(path="/work/repo/src/x.py")])["runs"][0]["results"][0]
    outside = sarif([finding(path="/tmp/elsewhere/y.py")])["runs"][0]["results"][0]
    assert inside["locations"][0]["physicalLocation"]["artifactLocation"] == \
        {"uri": "src/x.py", "uriBaseId": "%SRCROOT%"}
    assert outside["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "file:///tmp/elsewhere/y.py"}


def test_sarif_never_contains_the_raw_secret_unless_asked():
    text = render("sarif", MIXED, ctx())
    for secret in (KEY, KEY2, KEY3, "Xk29fLq8Zm3Np7Rt5Vw1Yb4C"):
        assert secret not in text
    assert KEY in render("sarif", MIXED, ctx(show_secrets=True))


def test_sarif_with_no_findings_is_still_valid():
    doc = sarif([])
    validate_sarif(doc)
    assert doc["runs"][0]["results"] == []


def test_sarif_from_the_cli_is_valid_and_exits_1(repo, cli, tmp_path):
    repo.write("config/settings.py", f'API = "{KEY}"\n')
    repo.commit("add key", author="Bob Builder <bob@example.com>")
    out = tmp_path / "out.sarif"
    result = cli("history", "--format", "sarif", "--output", str(out), cwd=repo.path)
    assert result.code == 1, result.err
    assert result.out == ""
    doc = json.loads(out.read_text())
    validate_sarif(doc)
    (r,) = doc["runs"][0]["results"]
    assert r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "config/settings.py"
    assert r["locations"][0]["physicalLocation"]["region"] == {"startLine": 1, "startColumn": 8}
    assert r["properties"]["author"] == "Bob Builder <bob@example.com>"
    assert KEY not in out.read_text()


def test_scan_of_a_subdirectory_reports_repository_relative_locations(repo, cli):
    """`scan config` shows `settings.py` to a person, but code scanning needs `config/settings.py`."""
    repo.write("config/settings.py", f'API = "{KEY}"\n')
    sarif = json.loads(cli("scan", "config", "--format", "sarif", cwd=repo.path).out)
    uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "config/settings.py"
    annotations = cli("scan", "config", "--format", "github", cwd=repo.path).out
    assert "file=config/settings.py," in annotations
    assert cli("scan", "config", "--format", "json", cwd=repo.path).json()["findings"][0]["path"] == "settings.py"


# --- GitHub annotations --------------------------------------------------------------------------

def test_workflow_command_escaping_follows_githubs_rules():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"


def test_github_annotations_one_per_finding_live_first_and_redacted():
    lines = render("github", MIXED, ctx()).splitlines()
    assert len(lines) == len(MIXED)
    assert lines[0].startswith("::error title=") and "commit message" in lines[0]  # no file for a message
    assert lines[1].startswith("::error file=deploy/prod env.yaml,line=3,col=9,title=")
    assert lines[-1].startswith("::warning file=b.py,")  # a key proven invalid
    text = "\n".join(lines)
    assert "trackyard_live_9fQ2…" in text and KEY not in text and KEY2 not in text


def test_github_annotations_escape_hostile_paths():
    hostile = finding(path="a,b:c%d\n::warning::pwned.py")
    (line,) = render("github", [hostile], ctx()).splitlines()
    props, _, message = line[len("::error "):].partition("::")
    assert props.startswith("file=a%2Cb%3Ac%25d%0A%3A%3Awarning%3A%3Apwned.py,line=3,col=9,title=")
    assert "\n" not in message and "%0A::warning::pwned.py" in message


def test_github_format_without_findings_is_a_notice(repo, cli):
    repo.write("clean.py", "print('hello')\n")
    result = cli("scan", "--format", "github", ".", cwd=repo.path)
    assert result.code == 0
    assert result.out.startswith("::notice title=yardguard::")


def test_github_format_from_the_cli(repo, cli):
    repo.write("app.py", f'key = "{KEY}"\n')
    result = cli("scan", "--format", "github", cwd=repo.path)
    assert result.code == 1
    assert result.out.startswith("::error file=app.py,line=1,col=8,title=")
    assert KEY not in result.out


# --- GitLab --------------------------------------------------------------------------------------

def test_gitlab_report_validates_and_has_the_secret_detection_fields():
    doc = json.loads(render("gitlab", MIXED, ctx()))
    validate_gitlab(doc)
    assert doc["version"] == "15.2.1"
    scan = doc["scan"]
    assert scan["type"] == "secret_detection" and scan["status"] == "success"
    assert scan["analyzer"]["id"] == scan["scanner"]["id"] == "yardguard"
    for key in ("start_time", "end_time"):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", scan[key])
    vulns = doc["vulnerabilities"]
    assert len(vulns) == len(MIXED) and len({v["id"] for v in vulns}) == len(vulns)
    live = vulns[1]
    assert vulns[0]["severity"] == live["severity"] == "Critical" and vulns[-1]["severity"] == "Low"
    assert live["location"]["file"] == "deploy/prod env.yaml" and live["location"]["start_line"] == 3
    assert live["location"]["commit"] == {"sha": SHA, "author": "Ada Author <ada@example.com>",
                                          "date": "2024-03-01T12:00:00+01:00"}
    assert live["identifiers"][0]["value"] == "trackyard-api-key"
    assert next(v for v in vulns if v["location"]["file"] == "a.py")["location"]["commit"]["sha"] == "0000000"


def test_gitlab_report_never_holds_the_raw_secret():
    text = render("gitlab", MIXED, ctx())
    for secret in (KEY, KEY2, KEY3, "Xk29fLq8Zm3Np7Rt5Vw1Yb4C"):
        assert secret not in text
    vulns = json.loads(text)["vulnerabilities"]
    assert vulns[0]["raw_source_code_extract"] == "trackyard_live_9fQ2…"


def test_gitlab_ids_are_stable_across_runs():
    first = [v["id"] for v in json.loads(render("gitlab", MIXED, ctx()))["vulnerabilities"]]
    second = [v["id"] for v in json.loads(render("gitlab", MIXED, ctx()))["vulnerabilities"]]
    assert first == second


@pytest.mark.parametrize("command", ["scan", "history"])
def test_gitlab_report_from_the_cli_validates(repo, cli, tmp_path, command):
    repo.write("app.py", f'key = "{KEY}"\n')
    repo.commit("add key")
    out = tmp_path / "gl-secret-detection-report.json"
    result = cli(command, "--format", "gitlab", "--output", str(out), cwd=repo.path)
    assert result.code == 1, result.err
    doc = json.loads(out.read_text())
    validate_gitlab(doc)
    (vuln,) = doc["vulnerabilities"]
    assert vuln["location"]["file"] == "app.py"
    assert (vuln["location"]["commit"]["sha"] == repo.git("rev-parse", "HEAD")) == (command == "history")
    assert KEY not in out.read_text()


def test_gitlab_report_for_a_clean_range_is_valid_and_exits_0(repo, cli, tmp_path):
    repo.write("a.txt", "a\n")
    base = repo.commit("a")
    repo.write("b.txt", "b\n")
    head = repo.commit("b")
    out = tmp_path / "gl.json"
    result = cli("history", "--range", f"{base}..{head}", "--format", "gitlab", "--output", str(out),
                 cwd=repo.path)
    assert result.code == 0, result.err
    doc = json.loads(out.read_text())
    validate_gitlab(doc)
    assert doc["vulnerabilities"] == []

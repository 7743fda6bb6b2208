"""Escaped output and secret-free errors (issue 11): control characters from file names, authors, commit
messages, rule files and API answers never reach a terminal or a CI log raw, never add a line or a workflow
command; no error prints a key. Real CLI runs on real repositories and the HTTP double."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import KEY, Repo, run_cli
from tests.core_helpers import assert_error
from tests.trackyard_double import TrackyardDouble, double_servers, make_key, trackyard  # noqa: F401 - fixtures

# ESC ] title BEL, a CSI clear screen, CR, a line break that starts a forged workflow command, C1 CSI, DEL,
# a right-to-left override
HOSTILE = "\x1b]0;pwned\x07\x1b[2J\rX\n::error file=forged.py::forged\x9b31m\x7f\u202e"


def raw_controls(text: str) -> list[str]:
    """Control characters in ``text`` other than the line breaks that separate report lines."""
    return [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029\u202e"]


def hostile_repo(repo: Repo) -> None:
    repo.write(f"dir{HOSTILE}/name{HOSTILE}.py", f'KEY = "{KEY}"\n')
    repo.commit(f"message {HOSTILE}", author=f"Eve{HOSTILE} <eve{HOSTILE}@example.com>")


@pytest.mark.parametrize("command", ["scan", "history"])
def test_text_report_escapes_file_author_and_commit_fields(repo: Repo, command: str) -> None:
    hostile_repo(repo)
    result = run_cli(command, cwd=repo.path)
    assert result.code == 1, result.err
    assert raw_controls(result.out) == []
    assert not any(line.startswith("::") for line in result.out.splitlines())
    assert "\\x1b]0;pwned\\x07" in result.out and "\\r" in result.out and "\\n::error" in result.out
    # one block per finding: path line, rule, secret, (commit, author), summary
    blocks = result.out.strip().split("\n\n")
    assert len(blocks) == 2 and len(blocks[0].splitlines()) == (6 if command == "history" else 3), blocks


@pytest.mark.parametrize("command", ["scan", "history"])
def test_github_annotations_are_one_line_each_and_forge_no_command(repo: Repo, command: str) -> None:
    hostile_repo(repo)
    result = run_cli(command, "--format", "github", cwd=repo.path)
    assert result.code == 1, result.err
    lines = result.out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("::error file=")
    assert raw_controls(result.out) == []
    assert "%0AX%0A::error file=forged.py" in result.out or "%0DX%0A::error" in result.out  # inert, mid-line


def test_gitlab_report_escapes_every_string(repo: Repo) -> None:
    hostile_repo(repo)
    result = run_cli("history", "--format", "gitlab", cwd=repo.path)
    assert result.code == 1, result.err
    assert raw_controls(result.out) == []
    vulnerability = json.loads(result.out)["vulnerabilities"][0]
    assert raw_controls(json.dumps(vulnerability, ensure_ascii=False)) == []
    assert "\\x1b" in vulnerability["location"]["file"] and "\\x1b" in vulnerability["location"]["commit"]["author"]


def test_rule_fields_from_a_rule_file_are_escaped(repo: Repo, tmp_path: Path) -> None:
    rules = tmp_path / "hostile.toml"
    rules.write_text('[[rule]]\nid = "acme\\u001b[2J"\ndescription = "Acme\\r\\n::error::forged\\u0007"\n'
                     "regex = '''acme_[A-Za-z0-9]{20}'''\nkeywords = [\"acme_\"]\n")
    repo.write("a.txt", "acme_Q2x7Lp3Nm8Rt4Vw6Yb1Z\n")
    for fmt in ("text", "github"):
        result = run_cli("scan", "--rules", str(rules), "--format", fmt, cwd=repo.path)
        assert result.code == 1 and raw_controls(result.out) == [], (fmt, result.out)
        assert not any(line.startswith("::error::forged") for line in result.out.splitlines())
    listing = run_cli("rules", "list", "--rules", str(rules))
    assert set(raw_controls(listing.out)) == {"\t"} and "acme\\x1b[2J\tAcme\\r\\n::error" in listing.out


def test_me_fields_from_the_api_are_escaped(repo: Repo, trackyard: TrackyardDouble) -> None:
    key = make_key(11)
    trackyard.add(key, tier=f"pro{HOSTILE}", created_at=f"2024{HOSTILE}")
    repo.write("app.py", f'API_KEY = "{key}"\n')
    result = run_cli("scan", "--verify", "--api-base", trackyard.url, cwd=repo.path, stdin="")
    assert result.code == 1, result.err
    assert "LIVE (tier=pro\\x1b]0;pwned" in result.out
    assert raw_controls(result.out) == [] and raw_controls(result.err) == []
    github = run_cli("scan", "--verify", "--format", "github", "--api-base", trackyard.url, cwd=repo.path, stdin="")
    assert raw_controls(github.out) == [] and len(github.out.splitlines()) == 1


def test_error_messages_are_escaped(tmp_path: Path) -> None:
    missing = tmp_path / f"no{HOSTILE}such.toml"
    result = run_cli("scan", "-", "--rules", str(missing), stdin="")
    assert_error(result, "rule path not found")
    assert raw_controls(result.err) == [] and len(result.err.strip().splitlines()) == 1


# --- nothing secret in errors ---------------------------------------------------------------------

FAILING = {
    "examples": ("acme_short_Q2x7Lp3Nm", "should match but does not"),
    "negative_examples": ("acme_Q2x7Lp3Nm8Rt4Vw6Yb1Z", "should not match but does"),
}


@pytest.mark.parametrize("field", sorted(FAILING))
def test_a_failing_rule_example_is_named_by_index_never_echoed(tmp_path: Path, field: str) -> None:
    example, wording = FAILING[field]
    rules = tmp_path / "acme.toml"
    rules.write_text('[[rule]]\nid = "acme-token"\ndescription = "Acme"\nregex = \'\'\'acme_([A-Za-z0-9]{20})\'\'\'\n'
                     f'keywords = ["acme_"]\n{field} = ["acme_Hq7Zt2Wm9Xc4Vb8Nn1Lk", "{example}"]\n'
                     .replace('["acme_Hq7Zt2Wm9Xc4Vb8Nn1Lk", ', '["acme_Hq7Zt2Wm9Xc4Vb8Nn1Lk", ' if field == "examples"
                              else '["acme_x", '))
    scan = run_cli("scan", "-", "--rules", str(rules), stdin="")
    assert_error(scan, "acme-token", f"{field} #2", wording)
    test = run_cli("rules", "test", "--rules", str(rules))
    assert test.code == 1 and f"{field} #2 {wording}" in test.out
    for out in (scan.err, scan.out, test.out, test.err):
        assert example not in out and "Q2x7Lp3Nm" not in out


def test_a_key_shaped_rule_id_is_never_echoed(tmp_path: Path) -> None:
    rules = tmp_path / "leaky.toml"
    rules.write_text(f'[[rule]]\nid = "{KEY}"\ndescription = "x"\nregex = "acme_[a-z]+"\nkeywords = ["acme_"]\n')
    for args in (("scan", "-"), ("rules", "list"), ("rules", "test")):
        result = run_cli(*args, "--rules", str(rules), stdin="")
        assert_error(result, "rule #1", "looks like a key")
        assert KEY[15:] not in result.err + result.out and KEY[19:] not in result.err + result.out


def test_a_key_in_a_path_is_redacted_in_the_error(tmp_path: Path) -> None:
    result = run_cli("scan", "-", "--rules", str(tmp_path / KEY / "rules.toml"), stdin="")
    assert_error(result, "rule path not found", "trackyard_live_9fQ2")
    assert KEY not in result.err


def test_a_key_typed_as_an_option_value_is_redacted_in_the_usage_error() -> None:
    result = run_cli("scan", "--fail-on", KEY, stdin="")
    assert result.code == 2 and "Invalid value for '--fail-on'" in result.err
    assert KEY not in result.err and "trackyard_live_9fQ2…" in result.err


def test_ci_github_log_annotations_and_summary_are_escaped(repo: Repo, tmp_path: Path) -> None:
    repo.write("README.md", "hello\n")
    base = repo.commit("base")
    hostile_repo(repo)
    head = repo.git("rev-parse", "HEAD")
    summary = tmp_path / "summary.md"
    result = run_cli("ci", "github", "--range", f"{base}..{head}", "--sarif-file", str(tmp_path / "y.sarif"),
                     cwd=repo.path, env={"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(tmp_path / "o")})
    assert result.code == 1, result.err
    assert raw_controls(result.out) == [] and raw_controls(summary.read_text()) == []
    commands = [line for line in result.out.splitlines() if line.startswith("::") and not line.startswith("::stop")]
    assert all(line.startswith(("::error file=", "::warning file=")) or line.endswith("::") for line in commands)


def test_a_key_in_a_file_or_member_name_is_cut_in_every_output(repo: Repo, tmp_path: Path) -> None:
    """A file, and a zip member, named with a key: every format of scan, staged and history shows the name cut
    like the key itself, the blob's member is placed under its archive, and a baseline (which holds paths)
    holds no key and still matches."""
    import io
    import zipfile
    named = f"{KEY}.env"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(named, f"TRACKYARD_API_KEY={KEY}\n")
    repo.write(named, f"TRACKYARD_API_KEY={KEY}\n")
    repo.write("p.zip", buffer.getvalue())
    repo.git("add", "-A")
    cut = f"{KEY[:19]}…"
    staged = run_cli("staged", "--format", "json", cwd=repo.path)
    assert sorted(f["path"] for f in staged.json()["findings"]) == [f"p.zip!{cut}.env", f"{cut}.env"], staged.err
    repo.commit("names")
    for command in ("scan", "history", "staged"):
        for fmt in ("text", "json", "sarif", "github", "gitlab", "html"):
            result = run_cli(command, "--format", fmt, cwd=repo.path)
            assert KEY not in result.out + result.err, (command, fmt)
    doc = run_cli("history", "--format", "json", cwd=repo.path).json()
    assert sorted(f["path"] for f in doc["findings"]) == [f"p.zip!{cut}.env", f"{cut}.env"]
    base = tmp_path / "baseline.json"
    assert run_cli("baseline", ".", "--output", str(base), cwd=repo.path).code == 0
    assert KEY not in base.read_text()
    assert run_cli("scan", ".", "--baseline", str(base), cwd=repo.path).code == 0

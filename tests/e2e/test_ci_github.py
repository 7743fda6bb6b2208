"""The GitHub Action's logic, driven locally: real repositories, a fake event payload, and the files GitHub
Actions provides ($GITHUB_EVENT_PATH, $GITHUB_STEP_SUMMARY, $GITHUB_OUTPUT)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
import yaml

from scanner.commands.ci_github import ZERO, target_from_event
from tests.conftest import GIT_ENV, KEY, KEY2, KEY3, Repo, Result
from tests.trackyard_double import double_servers, trackyard  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[2]
SARIF_SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "schemas" / "sarif-schema-2.1.0.json").read_text())


@dataclass
class PR:
    repo: Repo
    base: str
    head: str


@dataclass
class Actions:
    """The files of one fake GitHub Actions step."""

    dir: Path

    @property
    def summary(self) -> str:
        return (self.dir / "summary.md").read_text()

    @property
    def sarif(self) -> Path:
        return self.dir / "yardguard.sarif"

    def outputs(self) -> dict[str, str]:
        """Parse $GITHUB_OUTPUT's ``name<<DELIMITER`` blocks."""
        lines = (self.dir / "output.txt").read_text().splitlines()
        out, i = {}, 0
        while i < len(lines):
            name, _, delimiter = lines[i].partition("<<")
            end = lines.index(delimiter, i + 1)
            out[name] = "\n".join(lines[i + 1:end])
            i = end + 1
        return out


@pytest.fixture
def pr(repo: Repo) -> PR:
    """main with an old key in settings.py; branch feature adds a key in app.py and edits settings.py."""
    repo.write("README.md", "hello\n")
    repo.write("settings.py", f'OLD = "{KEY2}"\n')
    base = repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("app.py", f'KEY = "{KEY}"\n')
    repo.write("settings.py", f'OLD = "{KEY2}"\nDEBUG = True\n')
    head = repo.commit("add feature", author="Bob Builder <bob@example.com>")
    return PR(repo, base, head)


def pull_request(pr: PR) -> dict:
    return {"action": "synchronize", "number": 7,
            "pull_request": {"number": 7, "base": {"ref": "main", "sha": pr.base},
                             "head": {"ref": "feature", "sha": pr.head}}}


def actions(tmp_path: Path, event: str, payload: dict | str) -> tuple[Actions, dict[str, str]]:
    step = tmp_path / "step"
    step.mkdir(exist_ok=True)
    (step / "event.json").write_text(payload if isinstance(payload, str) else json.dumps(payload))
    for name in ("summary.md", "output.txt"):
        (step / name).write_text("")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event, "GITHUB_EVENT_PATH": str(step / "event.json"),
           "GITHUB_STEP_SUMMARY": str(step / "summary.md"), "GITHUB_OUTPUT": str(step / "output.txt")}
    return Actions(step), env


def run_action(cli, cwd: Path, env: dict[str, str], step: Actions, *args: str) -> Result:
    return cli("ci", "github", "--sarif-file", str(step.sarif), *args, cwd=cwd, env=env)


def workflow_commands(stdout: str) -> list[str]:
    """Lines GitHub would treat as workflow commands (outside ``::stop-commands::`` blocks)."""
    out, stop = [], None
    for line in stdout.splitlines():
        if stop:
            if line == f"::{stop}::":
                stop = None
        elif line.startswith("::stop-commands::"):
            stop = line.split("::")[2]
        elif line.startswith("::"):
            out.append(line)
    return out


def assert_clear_error(result: Result, *words: str) -> None:
    assert result.code == 2, (result.code, result.out, result.err)
    assert "Traceback" not in result.err and "internal error" not in result.err
    for w in words:
        assert w in result.err, (w, result.err)


def test_pull_request_scans_exactly_its_commits(pr, cli, tmp_path):
    step, env = actions(tmp_path, "pull_request", pull_request(pr))
    result = run_action(cli, pr.repo.path, env, step)
    assert result.code == 1, result.err
    (annotation,) = workflow_commands(result.out)
    assert annotation.startswith("::error file=app.py,line=1,col=8,title=")  # not the old key in settings.py
    assert "trackyard_live_9fQ2…" in annotation and "Bob Builder" in annotation
    assert step.outputs() == {"findings": "1", "live": "0", "sarif-file": str(step.sarif),
                              "range": f"{pr.base}..{pr.head}"}
    summary = step.summary
    assert summary.startswith("## 🔴 yardguard: 1 Trackyard API key(s) introduced")
    assert "pull request \\#7" in summary and f"{pr.base[:12]}..{pr.head[:12]}" in summary
    assert "| not checked | app.py:1 | trackyard\\_live\\_9fQ2… |" in summary and "Bob Builder" in summary
    assert "### What to do next" in summary and "TRACKYARD_API_KEY" in summary
    assert "https://app.trackyard.com/api-keys" in summary and "settings.py" not in summary
    doc = json.loads(step.sarif.read_text())
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(doc)
    (sarif_result,) = doc["runs"][0]["results"]
    assert sarif_result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app.py"
    for text in (result.out, result.err, summary, step.sarif.read_text(), (step.dir / "output.txt").read_text()):
        assert KEY not in text and KEY2 not in text


def test_the_text_report_in_the_log_cannot_issue_workflow_commands(pr, cli, tmp_path):
    step, env = actions(tmp_path, "pull_request", pull_request(pr))
    result = run_action(cli, pr.repo.path, env, step)
    assert "app.py:1:8" in result.out  # the human-readable report is in the log ...
    assert all(not line.startswith("app.py") for line in workflow_commands(result.out))  # ... but inert


def test_hostile_file_name_cannot_inject_a_workflow_command(repo, cli, tmp_path):
    repo.write("README.md", "x\n")
    base = repo.commit("base")
    repo.write("a,b:c\n::warning::pwned.py", f'KEY = "{KEY}"\n')
    head = repo.commit("hostile")
    step, env = actions(tmp_path, "pull_request", pull_request(PR(repo, base, head)))
    result = run_action(cli, repo.path, env, step)
    assert result.code == 1, result.err
    commands = workflow_commands(result.out)
    assert len(commands) == 1 and not any(c.startswith("::warning::pwned") for c in commands)
    assert commands[0].startswith("::error file=a%2Cb%3Ac%0A%3A%3Awarning%3A%3Apwned.py,line=1,col=8,")
    assert "\n::warning::pwned.py" not in step.summary


def test_fail_on_never_reports_but_passes(pr, cli, tmp_path):
    step, env = actions(tmp_path, "pull_request", pull_request(pr))
    result = run_action(cli, pr.repo.path, env, step, "--fail-on", "never")
    assert result.code == 0, result.err
    assert len(workflow_commands(result.out)) == 1
    assert "not failing with --fail-on never" in step.summary


def test_clean_pull_request_passes_with_a_summary_and_an_empty_sarif(repo, cli, tmp_path):
    repo.write("README.md", "hello\n")
    base = repo.commit("base")
    repo.write("app.py", "import os\nKEY = os.environ['TRACKYARD_API_KEY']\n")
    head = repo.commit("clean")
    step, env = actions(tmp_path, "pull_request", pull_request(PR(repo, base, head)))
    result = run_action(cli, repo.path, env, step)
    assert result.code == 0, result.err
    assert workflow_commands(result.out) == ["::notice title=yardguard::No Trackyard API keys found."]
    assert step.summary.startswith("## ✅ yardguard: no Trackyard API keys introduced")
    assert step.outputs()["findings"] == "0"
    assert json.loads(step.sarif.read_text())["runs"][0]["results"] == []


def test_verified_live_keys_lead_the_summary_and_fail_the_verified_gate(pr, cli, tmp_path, trackyard):
    trackyard.add(KEY, tier="growth", credits_remaining=17)
    step, env = actions(tmp_path, "pull_request", pull_request(pr))
    result = run_action(cli, pr.repo.path, env, step, "--verify", "--fail-on", "verified",
                        "--api-base", trackyard.url)
    assert result.code == 1, result.err
    assert step.outputs()["live"] == "1"
    assert "| **LIVE** | app.py:1 |" in step.summary and "Revoke** the live key(s) now" in step.summary
    (annotation,) = workflow_commands(result.out)
    assert "LIVE (tier growth, 17 credits left)" in annotation  # the message part keeps its commas
    (sarif_result,) = json.loads(step.sarif.read_text())["runs"][0]["results"]
    assert sarif_result["level"] == "error" and sarif_result["properties"]["security-severity"] == "9.5"
    assert sarif_result["properties"]["verification"]["tier"] == "growth"


def test_a_key_proven_invalid_passes_the_live_gate(pr, cli, tmp_path, trackyard):
    step, env = actions(tmp_path, "pull_request", pull_request(pr))  # the double does not know KEY: 401
    result = run_action(cli, pr.repo.path, env, step, "--verify", "--fail-on", "live", "--api-base", trackyard.url)
    assert result.code == 0, result.err
    (annotation,) = workflow_commands(result.out)
    assert annotation.startswith("::warning file=app.py,")
    assert "1 invalid" in step.summary and "not failing with --fail-on live" in step.summary


def test_push_scans_before_to_after(pr, cli, tmp_path):
    payload = {"ref": "refs/heads/feature", "before": pr.base, "after": pr.head,
               "repository": {"default_branch": "main"}}
    step, env = actions(tmp_path, "push", payload)
    result = run_action(cli, pr.repo.path, env, step)
    assert result.code == 1, result.err
    assert step.outputs()["range"] == f"{pr.base}..{pr.head}"
    assert len(workflow_commands(result.out)) == 1


def clone(source: Path, dest: Path, *args: str) -> Repo:
    subprocess.run(["git", "clone", "-q", *args, source.as_uri(), str(dest)], check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV})
    return Repo(dest)


def test_push_of_a_new_branch_scans_the_commits_the_default_branch_lacks(pr, cli, tmp_path):
    pr.repo.git("checkout", "-q", "main")
    work = clone(pr.repo.path, tmp_path / "work")
    work.git("checkout", "-q", "-b", "topic")
    work.write("topic.py", f'KEY = "{KEY3}"\n')
    after = work.commit("topic")
    payload = {"ref": "refs/heads/topic", "before": ZERO, "after": after, "created": True,
               "repository": {"default_branch": "main"}}
    step, env = actions(tmp_path, "push", payload)
    result = run_action(cli, work.path, env, step)
    assert result.code == 1, result.err
    assert step.outputs()["range"] == f"refs/remotes/origin/main..{after}"
    (annotation,) = workflow_commands(result.out)
    assert annotation.startswith("::error file=topic.py,")  # not app.py of the other branch, nor settings.py


def test_push_of_a_new_branch_in_a_shallow_clone_is_an_error(pr, cli, tmp_path):
    shallow = clone(pr.repo.path, tmp_path / "shallow", "--depth", "1", "--branch", "feature")
    payload = {"ref": "refs/heads/feature", "before": ZERO, "after": pr.head,
               "repository": {"default_branch": "main"}}
    step, env = actions(tmp_path, "push", payload)
    result = run_action(cli, shallow.path, env, step)
    assert_clear_error(result, "shallow", "fetch-depth: 0")


def test_deleting_a_branch_scans_nothing(pr, cli, tmp_path):
    payload = {"ref": "refs/heads/feature", "before": pr.head, "after": ZERO, "deleted": True}
    step, env = actions(tmp_path, "push", payload)
    result = run_action(cli, pr.repo.path, env, step)
    assert result.code == 0, result.err
    assert step.outputs()["findings"] == "0"


def test_shallow_clone_without_the_base_commit_fails_clearly(pr, cli, tmp_path):
    shallow = clone(pr.repo.path, tmp_path / "shallow", "--depth", "1", "--branch", "feature")
    step, env = actions(tmp_path, "pull_request", pull_request(pr))
    result = run_action(cli, shallow.path, env, step)
    assert_clear_error(result, "bad range", pr.base, "shallow clone", "fetch-depth: 0")
    (annotation,) = workflow_commands(result.out)
    assert annotation.startswith("::error title=yardguard::yardguard could not scan: bad range")
    assert "could not scan" in step.summary and "fetch-depth: 0" in step.summary
    assert not step.sarif.exists()


def test_a_full_clone_of_the_same_pull_request_works(pr, cli, tmp_path):
    full = clone(pr.repo.path, tmp_path / "full", "--branch", "feature")
    step, env = actions(tmp_path, "pull_request", pull_request(pr))
    assert run_action(cli, full.path, env, step).code == 1


@pytest.mark.parametrize(("event", "payload", "words"), [
    ("", {}, ["GITHUB_EVENT_NAME is not set"]),
    ("pull_request", "{not json", ["not valid JSON"]),
    ("pull_request", {"pull_request": {"base": {"sha": "0" * 40}}}, ["pull_request.head.sha", "not a commit id"]),
    ("pull_request", {"pull_request": {"base": {"sha": "--output=x"}, "head": {"sha": "abc"}}},
     ["pull_request.base.sha"]),
])
def test_bad_events_are_clear_errors(pr, cli, tmp_path, event, payload, words):
    step, env = actions(tmp_path, event, payload)
    assert_clear_error(run_action(cli, pr.repo.path, env, step), *words)


def test_an_explicit_range_needs_no_event(pr, cli, tmp_path):
    step, env = actions(tmp_path, "", {})
    result = run_action(cli, pr.repo.path, env, step, "--range", f"{pr.base}..{pr.head}")
    assert result.code == 1, result.err
    assert step.outputs()["range"] == f"{pr.base}..{pr.head}"


def test_other_events_and_merge_queues(pr, tmp_path):
    step, env = actions(tmp_path, "merge_group", {"merge_group": {"base_sha": pr.base, "head_sha": pr.head}})
    assert target_from_event(pr.repo.path, env).rev_range == f"{pr.base}..{pr.head}"
    step, env = actions(tmp_path, "workflow_dispatch", {})
    target = target_from_event(pr.repo.path, env)
    assert target.rev_range is None and "every ref" in target.label


# --- action.yml ----------------------------------------------------------------------------------

def action() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text())


def test_action_is_a_composite_action_with_the_documented_inputs():
    doc = action()
    assert doc["runs"]["using"] == "composite"
    inputs = doc["inputs"]
    assert {k: v.get("default") for k, v in inputs.items()} == {
        "fail-on": "any", "verify": "false", "revoke": "false", "args": "", "sarif-file": "yardguard.sarif",
        "python-version": "3.12"}
    assert set(doc["outputs"]) >= {"findings", "live", "sarif-file"}
    steps = doc["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    assert '"$GITHUB_ACTION_PATH"' in steps[1]["run"] and "pip install" in steps[1]["run"]
    assert "ci github" in steps[2]["run"]
    for step in steps[1:]:
        assert "${{" not in step["run"]  # inputs reach scripts through env only (no script injection)
    assert "fetch-depth: 0" in (ROOT / "action.yml").read_text()


def run_scan_step(cwd: Path, env: dict[str, str], tmp_path: Path, **inputs: str) -> subprocess.CompletedProcess:
    """Run the action's scan step script with bash, as the runner would, against this checkout's yardguard."""
    step = next(s for s in action()["runs"]["steps"] if s.get("id") == "scan")
    defaults = {k: v.get("default", "") for k, v in action()["inputs"].items()}
    values = {**defaults, **inputs}
    step_env = {"YG_BIN": str(Path(sys.executable).parent), "YG_FAIL_ON": values["fail-on"],
                "YG_VERIFY": values["verify"], "YG_REVOKE": values["revoke"], "YG_ARGS": values["args"],
                "YG_SARIF_FILE": values["sarif-file"], "RUNNER_TEMP": str(tmp_path)}
    assert set(step_env) - {"YG_BIN", "RUNNER_TEMP"} <= set(step["env"])
    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV, **env, **step_env})


def test_action_scan_step_passes_inputs_and_shell_quoted_args(pr, cli, tmp_path):
    baseline = pr.repo.path.parent / "accepted keys.json"
    assert cli("baseline", "--history", "--output", str(baseline), cwd=pr.repo.path).code == 0
    step, env = actions(tmp_path, "pull_request", pull_request(pr))
    sarif = str(step.sarif)
    failing = run_scan_step(pr.repo.path, env, tmp_path, **{"sarif-file": sarif})
    assert failing.returncode == 1, failing.stderr
    assert step.outputs()["findings"] == "1"
    step, env = actions(tmp_path, "pull_request", pull_request(pr))
    quoted = run_scan_step(pr.repo.path, env, tmp_path, args=f"--baseline '{baseline}'", **{"sarif-file": sarif})
    assert quoted.returncode == 0, quoted.stderr  # the baseline's path has a space: it was split like a shell
    assert step.outputs()["findings"] == "0"


def test_action_scan_step_rejects_bad_quoting_and_bad_inputs(pr, tmp_path):
    step, env = actions(tmp_path, "pull_request", pull_request(pr))
    bad = run_scan_step(pr.repo.path, env, tmp_path, args="--baseline 'unterminated")
    assert bad.returncode != 0 and "::error title=yardguard::the args input" in bad.stderr
    wrong = run_scan_step(pr.repo.path, env, tmp_path, **{"fail-on": "sometimes"})
    assert wrong.returncode == 2 and "sometimes" in wrong.stderr

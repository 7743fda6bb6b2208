"""Bounded everything (issue 11): a catastrophic rule regex, config-named files that are not regular
files, and the memory one huge blob costs. Each is a real CLI run on real files and repositories."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import GIT_ENV, KEY, Repo, Result

EVIL_RULE = """
[[rule]]
id = "evil-backtracking"
description = "a catastrophically backtracking regex"
regex = '''(a|aa)+$'''
keywords = ["aaaa"]
"""
VICTIM = "a" * 20_000 + "b\n"  # 20 KB: (a|aa)+$ tries every split of the run before failing


def run(*args: str, cwd: Path, timeout: float = 120, env: dict[str, str] | None = None) -> tuple[Result, float]:
    """The real CLI with a wall-clock limit (today's code would never return); (result, seconds)."""
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "scanner", *args], cwd=cwd, capture_output=True, timeout=timeout,
                          stdin=subprocess.DEVNULL,
                          env={**os.environ, **GIT_ENV, "YARDGUARD_REGEX_TIMEOUT": "1", **(env or {})})
    result = Result(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))
    return result, time.monotonic() - start


def assert_timed_out(result: Result, where: str) -> None:
    assert result.code == 2, (result.code, result.out, result.err)
    assert "Traceback" not in result.err
    line = result.err.strip().splitlines()[-1]
    assert line.startswith("yardguard: error: "), result.err
    assert "evil-backtracking" in line and where in line and "incomplete" in line, line


# --- a catastrophic rule regex -------------------------------------------------------------------

def test_catastrophic_rule_from_the_command_line_is_exit_2(repo: Repo, tmp_path: Path) -> None:
    (tmp_path / "evil.toml").write_text(EVIL_RULE)
    repo.write("victim.txt", VICTIM)
    result, _ = run("scan", "--rules", str(tmp_path / "evil.toml"), cwd=repo.path)
    assert_timed_out(result, "victim.txt")


def test_catastrophic_rule_from_the_repository_config_is_exit_2(repo: Repo) -> None:
    repo.write("rules/evil.toml", EVIL_RULE)
    repo.write(".yardguard.toml", 'rules = ["rules/evil.toml"]\n')
    repo.write("src/victim.txt", VICTIM)
    result, _ = run("scan", cwd=repo.path)
    assert_timed_out(result, "src/victim.txt")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_catastrophic_rule_in_history_names_the_blob(repo: Repo, jobs: str) -> None:
    repo.write("rules/evil.toml", EVIL_RULE)
    repo.write(".yardguard.toml", 'rules = ["rules/evil.toml"]\n')
    repo.write("victim.txt", VICTIM)
    repo.commit("victim")
    blob = repo.git("rev-parse", "HEAD:victim.txt")
    result, _ = run("history", "--jobs", jobs, cwd=repo.path)
    assert_timed_out(result, f"blob {blob}")


def test_catastrophic_allow_regex_is_exit_2(repo: Repo, tmp_path: Path) -> None:
    rule = EVIL_RULE.replace("(a|aa)+$", "a{4}[ab]*").replace(
        'keywords = ["aaaa"]', 'keywords = ["aaaa"]\nallow = [\'\'\'(a|aa)+$\'\'\']')
    (tmp_path / "evil.toml").write_text(rule)
    repo.write("victim.txt", VICTIM)
    result, _ = run("scan", "--rules", str(tmp_path / "evil.toml"), cwd=repo.path)
    assert_timed_out(result, "victim.txt")


def test_regex_timeout_must_be_a_positive_number(repo: Repo) -> None:
    repo.write("a.txt", f"{KEY}\n")
    result, _ = run("scan", cwd=repo.path, env={"YARDGUARD_REGEX_TIMEOUT": "soon"})
    assert result.code == 2 and "YARDGUARD_REGEX_TIMEOUT" in result.err

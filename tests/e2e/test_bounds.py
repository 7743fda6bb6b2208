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
from tests.trackyard_double import TrackyardDouble, double_servers, make_key, trackyard  # noqa: F401 - fixtures

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


# --- config-named files: regular files under a size cap --------------------------------------------

def _special(repo: Repo, kind: str) -> str:
    """A path inside ``repo`` that is not a regular file: /dev/zero, a fifo, or a 33 MiB sparse file."""
    if kind == "zero":
        return "/dev/zero"
    if kind == "fifo":
        os.mkfifo(repo.path / "pipe")
        return "pipe"
    with open(repo.path / "huge.toml", "wb") as f:
        f.truncate(33 << 20)
    return "huge.toml"


@pytest.mark.parametrize("kind", ["zero", "fifo", "huge"])
@pytest.mark.parametrize("key", ["rules", "baseline"])
def test_repository_config_naming_a_special_file_is_exit_2(repo: Repo, key: str, kind: str) -> None:
    target = _special(repo, kind)
    value = f'["{target}"]' if key == "rules" else f'"{target}"'
    repo.write(".yardguard.toml", f"{key} = {value}\n")
    repo.write("a.txt", f"{KEY}\n")
    result, seconds = run("scan", "--format", "json", cwd=repo.path, timeout=60)
    assert result.code == 2, (result.code, result.err)
    assert "Traceback" not in result.err and result.out == ""
    expected = "larger than 32 MiB" if kind == "huge" else "not a regular file"
    assert expected in result.err and ("rule file" if key == "rules" else "baseline") in result.err, result.err


@pytest.mark.parametrize("kind", ["zero", "fifo"])
def test_command_line_config_and_rules_naming_a_special_file_is_exit_2(repo: Repo, kind: str) -> None:
    target = _special(repo, kind)
    for option in ("--config", "--rules", "--baseline"):
        result, _ = run("scan", option, target, cwd=repo.path, timeout=60)
        assert result.code == 2 and "not a regular file" in result.err, (option, result.err)


def test_audit_log_must_be_a_regular_file(repo: Repo, trackyard: TrackyardDouble) -> None:
    """A fifo as the revocation audit log: exit 2 before anything is revoked, never a blocked open."""
    key = make_key(7)
    trackyard.add(key)
    os.mkfifo(repo.path / "log.fifo")
    proc = subprocess.run([sys.executable, "-m", "scanner", "revoke", "--yes", "--api-base", trackyard.url,
                           "--audit-log", "log.fifo"],
                          cwd=repo.path, input=f"{key}\n".encode(), capture_output=True, timeout=60,
                          env={**os.environ, **GIT_ENV})
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "audit log" in err, err
    assert "not a regular file" in err or "No such device" in err, err
    assert not trackyard.seen("POST")


# --- memory on one huge blob ------------------------------------------------------------------------

_PEAK_RSS = """
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True)
sys.stdout.write(f"{proc.returncode} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n")
"""


def peak_rss_mib(*args: str, cwd: Path) -> tuple[int, float]:
    """(exit code, peak RSS in MiB) of ``yardguard ARGS`` and the git processes it starts, measured by a
    fresh parent process (``RUSAGE_CHILDREN`` of this one would remember earlier tests' children)."""
    proc = subprocess.run([sys.executable, "-c", _PEAK_RSS, sys.executable, "-m", "scanner", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600, env={**os.environ, **GIT_ENV})
    code, kib = proc.stdout.split()
    return int(code), int(kib) / 1024


def test_a_streamed_blob_reports_what_a_whole_file_scan_reports(repo: Repo) -> None:
    """Blobs above 64 MiB are scanned in overlapping 32 MiB windows: keys at every kind of window edge
    (straddling a cut, inside an overlap, on a line that began windows earlier) are each found once, at the
    line and column a whole-file scan gives."""
    from scanner.findings import OVERLAP, WINDOW
    size = 100 << 20
    data = bytearray((b"some text \xc3\xa9 and more words here\n" * (size // 31 + 1))[:size])
    step = WINDOW - OVERLAP
    spots = [step - 20, step + 40, step + OVERLAP // 2 - 10, WINDOW - 25, WINDOW + 100, 2 * step - 5, size - 60]
    data[step - 40_000:step + 40_000] = b"x" * 80_000  # one long line across the first cut
    for i, spot in enumerate(spots):  # a different key each time (history reports a key once per path)
        token = f" {make_key(30 + i)} ".encode()
        data[spot:spot + len(token)] = token
    (repo.path / "big.bin").write_bytes(bytes(data))
    repo.commit("big")
    whole = run("scan", "--format", "json", "big.bin", cwd=repo.path)[0]
    streamed = run("history", "--format", "json", cwd=repo.path)[0]
    assert whole.code == streamed.code == 1, (whole.err, streamed.err)

    def places(result: Result) -> list[tuple[int, int, str]]:
        import json as _json
        return sorted((f["line"], f["column"], f["secret_sha256"]) for f in _json.loads(result.out)["findings"])

    assert len(places(whole)) == len(spots)
    assert places(streamed) == places(whole)


def test_a_blob_bigger_than_memory_allows_is_streamed(repo: Repo) -> None:
    """A 384 MiB blob: history's peak memory (git's included) stays under 250 MiB. It used to hold the blob
    whole, plus a lower-cased copy of it for the keyword prefilter."""
    line = b"filler text that mentions trackyard now and then, 0123456789\n"
    with open(repo.path / "huge.txt", "wb") as f:
        for _ in range(6):
            f.write(line * ((64 << 20) // len(line)))
        f.write(f'KEY = "{KEY}"\n'.encode())
    repo.commit("huge")
    (repo.path / "huge.txt").unlink()
    code, peak = peak_rss_mib("history", "--format", "json", cwd=repo.path)
    assert code == 1
    assert peak < 250, f"peak RSS {peak:.0f} MiB for a 384 MiB blob"

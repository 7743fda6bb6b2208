"""The first hour of a new user (issue 13): README snippets that work when pasted, output that says what was
scanned and what to do next, the usual CLI conventions, and no invented home page in any report."""
from __future__ import annotations

import io
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from scanner.progress import Progress, Scope
from tests.conftest import GIT_ENV, KEY, KEY2, Repo, run_cli
from tests.core_helpers import VENV_BIN, assert_error, git, hook_env
from tests.e2e.test_hooks import hook_repo, pre_commit_home  # noqa: F401 - module fixtures

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
SCOPE = re.compile(r"^scanned .+ \(\d[\d,.]* (bytes?|kB|MB|GB)\) in \d+\.\d s$", re.M)


def code_blocks(section: str, language: str) -> list[str]:
    """The ```language blocks of the README section whose heading is ``section``."""
    start = README.index(f"\n{section}\n")
    following = re.search(r"\n## ", README[start + 1:])
    body = README[start:start + 1 + following.start()] if following else README[start:]
    return re.findall(rf"```{language}\n(.*?)```", body, re.S)


def shell_lines(block: str) -> list[str]:
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


# --- 1. install paths --------------------------------------------------------------------------------

def test_ci_runs_exactly_the_readme_install_and_test_commands() -> None:
    [block] = code_blocks("## Developing yardguard", "sh")
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    for line in shell_lines(block):
        assert line in ci, line
    assert "apt-get install -y -q chromium" in "\n".join(ci)


def test_quick_start_demo_shows_a_finding(tmp_path: Path) -> None:
    """The Quick start's second line, pasted into a shell: a fake key on stdin is reported, redacted."""
    [block] = code_blocks("## Quick start", "sh")
    install, demo = shell_lines(block)
    assert install.startswith("pip install 'yardguard @ git+<url-of-this-repository>'")
    proc = subprocess.run(["sh", "-c", demo], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"})
    assert proc.returncode == 1
    assert "-:1:19  trackyard-api-key" in proc.stdout and "trackyard_live_Demo…" in proc.stdout
    assert "scanned stdin (55 bytes)" in proc.stderr and "Next steps:" in proc.stderr
    secret = demo.split("=")[1].split("'")[0]
    assert secret not in proc.stdout + proc.stderr


def test_every_pinned_ref_in_the_readme_and_docs_exists_or_is_a_placeholder() -> None:
    docs = README + "".join(page.read_text() for page in sorted((ROOT / "docs").glob("*.md")))
    refs = re.findall(r"^\s*rev: (\S+)", docs, re.M) + re.findall(r"uses: ([^\s@]+)@(\S+)", docs)
    assert refs
    for ref in refs:
        name = ref if isinstance(ref, str) else ref[1]
        owner = None if isinstance(ref, str) else ref[0]
        if owner in ("actions/checkout", "github/codeql-action/upload-sarif"):
            continue  # GitHub's own actions
        if name.startswith("<") and name.endswith(">"):
            continue
        assert git(ROOT, "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}", check=False).returncode == 0, ref


def test_license_author_urls_and_minimum_pre_commit_version() -> None:
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT" and project["authors"] and project["urls"]
    for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text()):
        version = tuple(int(p) for p in hook["minimum_pre_commit_version"].split("."))
        assert version >= (3, 2, 0), hook["id"]  # the stage names `pre-commit` and `pre-push`


def test_no_report_invents_a_home_page(repo: Repo) -> None:
    """The tool's home comes from pyproject's [project.urls] (Homepage, else Source or Repository) or is
    left out; no reporter hard-codes one."""
    urls = {k.lower(): v for k, v in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"].items()}
    home = next((urls[k] for k in ("homepage", "source", "repository") if k in urls), None)
    for path in (ROOT / "scanner").rglob("*.py"):
        assert "github.com/trackyard" not in path.read_text(), path
    repo.write("a.py", f"key = '{KEY}'\n")
    repo.commit("key")
    sarif = run_cli("history", "--format", "sarif", cwd=repo.path).json()["runs"][0]["tool"]["driver"]
    gitlab = run_cli("history", "--format", "gitlab", cwd=repo.path).json()
    assert sarif.get("informationUri") == home and sarif["rules"][0].get("helpUri") == home
    assert gitlab["scan"]["analyzer"].get("url") == home
    assert gitlab["vulnerabilities"][0]["identifiers"][0].get("url") == home


def test_readme_pre_commit_snippet_pasted_into_a_fresh_clone(
        repo: Repo, hook_repo: tuple[Path, str], pre_commit_home: Path, tmp_path: Path) -> None:  # noqa: F811
    """The README's .pre-commit-config.yaml with its placeholders filled in (a fresh clone of yardguard and
    its commit sha), then the README's install line: a commit adding a key is blocked, a clean one passes,
    and a push of a commit with a key is refused."""
    source, _ = hook_repo
    clone = tmp_path / "yardguard-clone"
    git(tmp_path, "clone", "-q", str(source), str(clone))
    sha = git(clone, "rev-parse", "HEAD").stdout.strip()
    [config] = code_blocks("## Pre-commit", "yaml")
    assert "<url-of-this-repository>" in config and "<commit-sha-or-tag>" in config
    repo.write(".pre-commit-config.yaml",
               config.replace("<url-of-this-repository>", str(clone)).replace("<commit-sha-or-tag>", sha))
    repo.git("add", "-A")
    repo.git("commit", "-q", "--no-verify", "-m", "pre-commit config")
    install = [line for block in code_blocks("## Pre-commit", "sh") for line in shell_lines(block)
               if line.startswith("pre-commit ")]
    assert install == ["pre-commit install --hook-type pre-commit --hook-type pre-push"]
    env = hook_env(PRE_COMMIT_HOME=str(pre_commit_home))
    proc = subprocess.run([sys.executable, "-m", "pre_commit", *install[0].split()[1:], "--install-hooks"],
                          cwd=repo.path, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    repo.write("app.py", f"key = '{KEY}'\n")
    repo.git("add", "app.py")
    blocked = git(repo.path, "commit", "-q", "-m", "key", env=env, check=False)
    assert blocked.returncode != 0 and "app.py:1:8" in blocked.stdout + blocked.stderr
    repo.write("app.py", "import os\nkey = os.environ['TRACKYARD_API_KEY']\n")
    repo.git("add", "app.py")
    assert git(repo.path, "commit", "-q", "-m", "clean", env=env, check=False).returncode == 0
    repo.write("later.py", f"key = '{KEY2}'\n")
    repo.git("add", "later.py")
    repo.git("commit", "-q", "--no-verify", "-m", "sneaked in")
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    refused = git(repo.path, "push", "-q", str(bare), "main", env=env, check=False)
    assert refused.returncode != 0 and "later.py:1:8" in refused.stdout + refused.stderr


def test_readme_native_hook_snippet_in_a_fresh_clone(repo: Repo, tmp_path: Path) -> None:
    """The README's `yardguard install-hooks`, typed in a fresh clone of a project with the virtualenv
    not activated (its yardguard called by path, as after `pip install` into it): hooks are silent when
    clean and block a key."""
    repo.write("a.py", "x = 1\n")
    repo.commit("init")
    project = tmp_path / "fresh"
    git(tmp_path, "clone", "-q", str(repo.path), str(project))
    [install] = [line for block in code_blocks("## Pre-commit", "sh") for line in shell_lines(block)
                 if line.startswith("yardguard ")]
    env = {**hook_env(), "PATH": "/usr/bin:/bin"}
    shutil.which("yardguard", path=env["PATH"]) is None or pytest.skip("yardguard installed system-wide")
    proc = subprocess.run([str(VENV_BIN / "yardguard"), *install.split()[1:]], cwd=project,
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0 and proc.stdout.count(": installed (runs ") == 2, proc.stdout + proc.stderr
    (project / "b.py").write_text("y = 2\n")
    git(project, "add", "b.py")
    clean = git(project, "commit", "-q", "-m", "clean", env=env, check=False)
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "", "")
    (project / "b.py").write_text(f"y = '{KEY}'\n")
    git(project, "add", "b.py")
    blocked = git(project, "commit", "-q", "-m", "key", env=env, check=False)
    assert blocked.returncode == 1 and "b.py:1:6" in blocked.stderr and "TRACKYARD_API_KEY" in blocked.stderr


# --- 2. output that says what was scanned and what to do ----------------------------------------------------

@pytest.fixture
def leaky(repo: Repo) -> Repo:
    """old.py's key was deleted (history only); app.py's key is still in HEAD."""
    repo.write("old.py", f"key = '{KEY}'\n")
    repo.commit("old key")
    repo.write("app.py", f"key = '{KEY2}'\n")
    (repo.path / "old.py").unlink()
    repo.commit("new key, old file deleted")
    return repo


def test_history_text_has_in_head_scope_and_next_steps(leaky: Repo) -> None:
    result = run_cli("history", cwd=leaky.path)
    assert result.code == 1
    assert "HEAD:    still in this file at HEAD" in result.out
    assert "HEAD:    history only (not in HEAD)" in result.out
    assert SCOPE.search(result.err) and "scanned 2 commits, " in result.err
    assert "Still in HEAD (app.py)" in result.err and "1 key(s) are only in the history" in result.err
    assert "yardguard history --verify" in result.err and "yardguard baseline --history" in result.err


def test_in_head_in_json_and_sarif(leaky: Repo) -> None:
    found = {f["path"]: f["in_head"] for f in run_cli("history", "--format", "json", cwd=leaky.path).json()["findings"]}
    assert found == {"app.py": True, "old.py": False}
    results = run_cli("history", "--format", "sarif", cwd=leaky.path).json()["runs"][0]["results"]
    by_path = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r["properties"]["in_head"]
               for r in results}
    assert by_path == {"app.py": True, "old.py": False}
    assert all(f["in_head"] is None for f in run_cli("scan", "--format", "json", cwd=leaky.path).json()["findings"])


def test_a_clean_run_still_says_what_it_scanned(repo: Repo) -> None:
    repo.write("a.py", "x = 1\n")
    repo.commit("one")
    history = run_cli("history", cwd=repo.path)
    assert history.code == 0 and "no Trackyard keys found" in history.out
    assert SCOPE.search(history.err) and "scanned 1 commit, 1 blob " in history.err
    scan = run_cli("scan", cwd=repo.path)
    assert scan.code == 0 and "scanned 1 file (6 bytes) in " in scan.err
    repo.write("a.py", "x = 2\n")
    repo.git("add", "a.py")
    staged = run_cli("staged", cwd=repo.path)
    assert staged.code == 0 and "scanned 1 staged file, 1 added line (" in staged.err
    for quiet in (("staged", "--quiet"), ("history", "-q"), ("scan", "--quiet")):
        result = run_cli(*quiet, cwd=repo.path)
        assert (result.code, result.out, result.err) == (0, "", ""), quiet
    assert run_cli("history", "--format", "json", cwd=repo.path).err == ""


def test_pre_push_next_steps(leaky: Repo) -> None:
    head = leaky.git("rev-parse", "HEAD")
    result = run_cli("pre-push", cwd=leaky.path, stdin=f"refs/heads/main {head} refs/heads/main {'0' * 40}\n")
    assert result.code == 1 and SCOPE.search(result.err)
    assert "not pushed yet" in result.err and "git commit --amend" in result.err
    assert "git rebase -i @{upstream}" in result.err


def test_scan_next_steps(tmp_path: Path) -> None:
    (tmp_path / "a.env").write_text(f"TRACKYARD_API_KEY={KEY}\n")
    result = run_cli("scan", str(tmp_path))
    assert result.code == 1 and "Remove the key from the file" in result.err and "yardguard scan --verify" in result.err


def test_ci_github_next_steps_and_scope(leaky: Repo, tmp_path: Path) -> None:
    base = leaky.git("rev-list", "--max-parents=0", "HEAD")
    result = run_cli("ci", "github", "--range", f"{base}..HEAD", "--sarif-file", str(tmp_path / "s.sarif"),
                     cwd=leaky.path)
    assert result.code == 1 and re.search(r"^scanned 1 commit, .* \(range .+\)$", result.err, re.M)
    assert "Rewrite the branch so no commit has the key" in result.err and "verify: true" in result.err


@pytest.mark.parametrize("gate", ["live", "verified"])
def test_fail_on_a_verdict_without_verify_warns(leaky: Repo, gate: str) -> None:
    result = run_cli("history", "--fail-on", gate, cwd=leaky.path)
    assert f"yardguard: warning: --fail-on {gate} without --verify" in result.err
    assert result.code == (1 if gate == "live" else 0)
    (leaky.path / ".yardguard.toml").write_text(f'fail_on = "{gate}"\n')
    assert "without --verify" in run_cli("history", "--format", "json", cwd=leaky.path).err
    assert "warning" not in run_cli("history", "--fail-on", "any", cwd=leaky.path).err


# --- 3. CLI conventions -------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "words"), [
    (("scan", "--verfy"), ("no such option", "did you mean '--verify'", "yardguard scan --help")),
    (("scann",), ("no such command", "did you mean 'scan'")),
    (("history", "--jobs", "0"), ("--jobs",)),
    (("scan", "--format", "xml"), ("--format", "xml")),
    (("baseline",), ("missing option", "--output")),
    (("scan", "--config", "/dev/null"), ("not a regular file", "/dev/null")),
])
def test_usage_errors_are_one_line_and_exit_2(tmp_path: Path, args: tuple[str, ...], words: tuple[str, ...]) -> None:
    result = run_cli(*args, cwd=tmp_path)
    assert_error(result, *words)
    assert result.err.count("\n") == 1 and result.err.startswith("yardguard: error: "), result.err


def test_config_missing_and_not_a_regular_file_differ(tmp_path: Path) -> None:
    assert_error(run_cli("scan", "--config", str(tmp_path / "nope.toml"), cwd=tmp_path), "config file not found")
    assert_error(run_cli("scan", "--config", str(tmp_path), cwd=tmp_path), "not a regular file")


def test_help_says_what_revoke_does_on_each_command() -> None:
    def help_of(*command: str) -> str:
        return " ".join(run_cli(*command, "--help").out.split())
    assert "Only verifies here" in help_of("staged") and "never revoked" in help_of("staged")
    assert "only with --yes" in help_of("pre-push")
    assert "Revoke keys verified live (implies --verify)" in help_of("scan")
    for command in (("scan",), ("staged",), ("history",), ("pre-push",)):
        assert "--quiet" in help_of(*command)


def on_a_terminal(*args: str, cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run ``yardguard ARGS`` with stdout and stderr on a pseudo-terminal: (exit code, what it printed)."""
    main, side = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "scanner", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=side, stderr=side, env={**os.environ, **GIT_ENV, **env})
    os.close(side)
    chunks = []
    while True:
        ready, _, _ = select.select([main], [], [], 30)
        if not ready:
            break
        try:
            data = os.read(main, 65536)
        except OSError:  # the terminal closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    return proc.wait(timeout=30), b"".join(chunks).decode("utf-8", "replace")


def test_no_color_and_force_color(leaky: Repo) -> None:
    plain = {"NO_COLOR": "", "FORCE_COLOR": ""}
    code, out = on_a_terminal("history", cwd=leaky.path, env=plain)
    assert code == 1 and "\033[1m" in out  # a terminal gets colour
    code, out = on_a_terminal("history", cwd=leaky.path, env={**plain, "NO_COLOR": "1"})
    assert code == 1 and "\033[1m" not in out and "app.py:1:8" in out
    forced = run_cli("history", cwd=leaky.path, env={**plain, "FORCE_COLOR": "1"})
    assert "\033[1m" in forced.out
    both = run_cli("history", cwd=leaky.path, env={"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert "\033[" not in both.out


def test_progress_shows_total_percentage_and_eta(monkeypatch: pytest.MonkeyPatch) -> None:
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    progress = Progress("objects")
    progress.enabled = True
    progress.expect(200)
    progress._last = 0.0  # let the next update through the four-a-second limit
    progress(50, 2_000_000, 10)
    assert re.search(r"objects: 50/200 \(25%\), 2\.0 MB, [\d.]+ MB/s, ETA \d+s", err.getvalue()), err.getvalue()
    unknown = Progress("files")
    unknown.enabled, unknown._last = True, 0.0
    unknown(1234, 5_000_000)
    assert "files: 1,234 done, 5.0 MB" in err.getvalue()
    scope = Scope()
    scope.add_progress(progress, "blobs")
    assert re.fullmatch(r"scanned 10 commits, 40 blobs \(2\.0 MB\) in \d+\.\d s", scope.line())


def test_history_tells_its_progress_the_total(leaky: Repo) -> None:
    """The whole-history scan (two readers) and a range scan both know their total up front."""
    from scanner.options import Options
    from scanner.pipeline import prepare
    from scanner.sources import history
    decoder = prepare(leaky.path, Options()).decoder
    for scan in (lambda p: history.scan_all(leaky.path, decoder, p, jobs=2),
                 lambda p: history.scan_range(leaky.path, decoder, "HEAD~1..HEAD", p)):
        progress = Progress("objects")
        scan(progress)
        assert progress.total and progress.count == progress.total and progress.commits >= 1


# --- 4. the HTML report (rendering in Chromium: tests/e2e/test_html_browser.py) ---------------------------------

@pytest.mark.parametrize(("remote", "expected"), [
    ("https://github.com/acme/shop.git", "https://github.com/acme/shop/commit/{sha}"),
    ("git@github.com:acme/shop.git", "https://github.com/acme/shop/commit/{sha}"),
    ("ssh://git@github.com/acme/shop", "https://github.com/acme/shop/commit/{sha}"),
    ("https://token@gitlab.com/group/sub/shop.git", "https://gitlab.com/group/sub/shop/-/commit/{sha}"),
    ("ssh://git@gitlab.com:2222/group/shop.git", "https://gitlab.com/group/shop/-/commit/{sha}"),
    ("git@bitbucket.org:team/shop.git", "https://bitbucket.org/team/shop/commits/{sha}"),
    ("https://user@bitbucket.org/team/shop", "https://bitbucket.org/team/shop/commits/{sha}"),
    ("https://example.com/acme/shop.git", None),
    ("https://github.com/acme/shop/extra", None),
    ("git@github.com:acme/../shop.git", None),
    ('https://github.com/acme/"onmouseover=x', None),
    ("javascript:alert(1)", None),
    ("/srv/git/shop.git", None),
])
def test_commit_links_only_for_known_forges(remote: str, expected: str | None) -> None:
    from scanner import forge
    sha = "a" * 40
    assert forge.commit_url(forge.repository_url(remote), sha) == (expected and expected.format(sha=sha))
    assert forge.commit_url(forge.repository_url(remote), "HEAD") is None


@pytest.mark.parametrize(("seconds", "first", "last"), [
    (40, "2024-01-01 10:00:00", "10:00:30"),
    (35 * 60, "2024-01-01 10:00", "10:30"),
    (3 * 86400, "2024-01-01 12:00", "2024-01-04 00:00"),
    (200 * 86400, "2024-02", "2024-07"),
    (30 * 365 * 86400, "1995", "2020"),
])
def test_timeline_axis_fits_the_span(seconds: int, first: str, last: str) -> None:
    from datetime import UTC, datetime

    from scanner.reporters.html import _ticks
    if seconds > 365 * 86400:
        lo = datetime(1994, 6, 1, tzinfo=UTC).timestamp()
    else:
        lo = datetime(2024, 1, 1, 10, 0, tzinfo=UTC).timestamp() - (1 if seconds < 86400 * 3 else 0)
    ticks = [label for _, label in _ticks(lo, lo + seconds + 1)]
    assert 2 <= len(ticks) <= 8 and ticks[0] == first and ticks[-1] == last, ticks


def test_html_columns_follow_the_run(leaky: Repo, tmp_path: Path) -> None:
    """A history report has a HEAD column and, without a revocation, no Revocation column; commit subjects
    are shown with keys redacted; the audit-style checklist is not used for history."""
    leaky.git("remote", "add", "origin", "https://github.com/acme/shop.git")
    out = tmp_path / "r.html"
    assert run_cli("history", "--format", "html", "-o", str(out), cwd=leaky.path).code == 1
    html = out.read_text()
    assert ">HEAD</th>" in html and ">Revocation</th>" not in html and "not revoked" not in html
    assert "In HEAD" in html and "History only" in html
    assert 'href="https://github.com/acme/shop/commit/' in html and "new key, old file deleted" in html
    assert "<code>yardguard history --verify</code>" in html and "audit --verify" not in html

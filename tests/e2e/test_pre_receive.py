"""``yardguard pre-receive`` end to end: real ``git push``es into a bare repository with the hook installed by
``yardguard install-hooks --server``.

The pushed objects sit in git's quarantine until the hook accepts them: yardguard reads them only because
every git it runs inherits GIT_OBJECT_DIRECTORY / GIT_ALTERNATE_OBJECT_DIRECTORIES / GIT_QUARANTINE_PATH from
the hook's environment. If a change to gitutil's environment drops them, every push here is rejected (exit 2)
and the accepting tests fail."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import KEY, KEY2, Repo, run_cli
from tests.core_helpers import git, hook_env
from tests.trackyard_double import TrackyardDouble, double_servers, trackyard  # noqa: F401 - fixtures

REDACTED = "trackyard_live_9fQ2…"


class Server:
    """A bare repository with yardguard's pre-receive hook, and a clone to push from."""

    def __init__(self, tmp_path: Path, client: Repo) -> None:
        self.bare, self.client, self.tmp = tmp_path / "server.git", client, tmp_path
        git(tmp_path, "init", "-q", "--bare", "-b", "main", str(self.bare))
        client.git("remote", "add", "origin", str(self.bare))

    def install(self, config: str | None = None) -> None:
        args = ["install-hooks", "--server", "--repo", str(self.bare), "--force"]
        result = run_cli(*args, *(["--config", config] if config else []))
        assert result.code == 0, result.err

    def operator_config(self, text: str) -> str:
        path = self.tmp / "operator.toml"
        path.write_text(text)
        self.install(str(path))
        return str(path)

    def push(self, *args: str, **env: str):  # noqa: ANN201 - CompletedProcess
        return git(self.client.path, "push", "origin", *args, env=hook_env(**env), check=False)

    def ref(self, name: str) -> str | None:
        out = git(self.bare, "rev-parse", "--verify", "--quiet", name, check=False)
        return out.stdout.strip() or None


@pytest.fixture
def server(tmp_path: Path, repo: Repo) -> Server:
    """main with one clean commit on the server (pushed before the hook was installed), hook installed."""
    s = Server(tmp_path, repo)
    repo.write("README.md", "hello\n")
    repo.commit("initial")
    assert s.push("main").returncode == 0
    s.install()
    return s


def rejected(result, *words: str) -> None:  # noqa: ANN001
    assert result.returncode != 0, result.stderr
    assert "remote: yardguard: push rejected" in result.stderr, result.stderr
    for w in words:
        assert w in result.stderr, (w, result.stderr)
    assert KEY not in result.stderr + result.stdout and KEY2 not in result.stderr + result.stdout


def test_install_writes_the_absolute_command_and_advertises_push_options(server: Server) -> None:
    hook = (server.bare / "hooks" / "pre-receive").read_text()
    command = hook.splitlines()[-1]
    assert command.startswith("exec /") and command.endswith("pre-receive"), hook
    assert git(server.bare, "config", "receive.advertisePushOptions").stdout.strip() == "true"
    again = run_cli("install-hooks", "--server", "--repo", str(server.bare))
    assert again.code == 0 and "already installed" in again.out


def test_install_server_needs_a_bare_repository(repo: Repo) -> None:
    result = run_cli("install-hooks", "--server", "--repo", str(repo.path))
    assert result.code == 2 and "not a bare repository" in result.err


def test_a_key_on_a_branch_is_rejected_and_the_ref_stays(server: Server) -> None:
    before = server.ref("main")
    server.client.write("app.py", f'API_KEY = "{KEY}"\n')
    commit = server.client.commit("add the client")
    result = server.push("main")
    rejected(result, "app.py:1", commit[:12], REDACTED, "TRACKYARD_API_KEY", "git rebase -i")
    assert server.ref("main") == before
    assert server.ref(commit) is None or git(server.bare, "cat-file", "-e", commit, check=False).returncode != 0


def test_a_clean_push_is_accepted(server: Server) -> None:
    server.client.write("app.py", "import os\nAPI_KEY = os.environ['TRACKYARD_API_KEY']\n")
    head = server.client.commit("clean")
    result = server.push("main")
    assert result.returncode == 0, result.stderr
    assert server.ref("main") == head


def test_a_key_in_a_commit_message_is_rejected(server: Server) -> None:
    server.client.commit(f"use {KEY} for now")
    rejected(server.push("main"), "commit message")


def test_a_new_branch_over_history_that_already_holds_a_key_is_accepted(tmp_path: Path, repo: Repo) -> None:
    s = Server(tmp_path, repo)
    repo.write("settings.py", f'OLD = "{KEY}"\n')
    repo.commit("an old key, from before the hook")
    assert s.push("main").returncode == 0
    s.install()
    repo.git("checkout", "-q", "-b", "feature")
    assert s.push("feature").returncode == 0  # a new ref on a commit the server has
    repo.write("settings.py", f'OLD = "{KEY}"\nDEBUG = True\n')  # edits the file that holds the old key
    repo.commit("edit settings")
    result = s.push("feature")
    assert result.returncode == 0, result.stderr
    repo.git("checkout", "-q", "-b", "other", "main")
    repo.write("other.py", "x = 1\n")
    repo.commit("other work")
    assert s.push("other").returncode == 0


def test_a_force_push_that_drops_the_key_commit_is_accepted(tmp_path: Path, repo: Repo) -> None:
    s = Server(tmp_path, repo)
    repo.write("README.md", "hello\n")
    repo.commit("initial")
    repo.write("app.py", f'API_KEY = "{KEY}"\n')
    repo.commit("a key that got through before the hook")
    assert s.push("main").returncode == 0
    s.install()
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.write("app.py", "import os\nAPI_KEY = os.environ['TRACKYARD_API_KEY']\n")
    head = repo.commit("without the key")
    result = s.push("--force", "main")
    assert result.returncode == 0, result.stderr
    assert s.ref("main") == head


def test_a_rebase_over_a_key_the_server_already_had_is_accepted(tmp_path: Path, repo: Repo) -> None:
    s = Server(tmp_path, repo)
    repo.write("README.md", "hello\n")
    repo.commit("initial")
    repo.write("settings.py", f'OLD = "{KEY}"\n')
    old = repo.commit("an old key, from before the hook")
    assert s.push("main").returncode == 0
    s.install()
    repo.git("checkout", "-q", "-b", "rebased", "main~1")
    repo.write("other.py", "x = 1\n")
    repo.commit("new base")
    repo.git("cherry-pick", old)  # a new commit, but the key's blob is one the server already has
    result = s.push("rebased")
    assert result.returncode == 0, result.stderr
    repo.write("settings.py", f'OLD = "{KEY}"\nNEW = "{KEY2}"\n')
    repo.commit("a new key beside the old one")
    rejected(s.push("rebased"), "settings.py:2")


def test_a_force_push_that_adds_a_key_is_rejected(server: Server) -> None:
    server.client.git("commit", "-q", "--amend", "-m", "rewritten")
    server.client.write("app.py", f'API_KEY = "{KEY}"\n')
    server.client.commit("key")
    rejected(server.push("--force", "main"), "app.py:1")


def test_a_branch_deletion_is_accepted(server: Server) -> None:
    assert server.push("main:refs/heads/doomed").returncode == 0
    result = server.push(":refs/heads/doomed")
    assert result.returncode == 0, result.stderr
    assert server.ref("refs/heads/doomed") is None


def test_a_tag_adding_a_key_is_rejected(server: Server) -> None:
    server.client.git("checkout", "-q", "--detach")
    server.client.write("release.py", f'KEY = "{KEY}"\n')
    server.client.commit("release build")
    server.client.git("tag", "v1")
    rejected(server.push("refs/tags/v1"), "release.py:1")
    assert server.ref("refs/tags/v1") is None


def test_an_annotated_tag_message_with_a_key_is_rejected(server: Server) -> None:
    server.client.git("tag", "-a", "v2", "-m", f"release notes: key {KEY}")
    result = server.push("refs/tags/v2")
    rejected(result, "annotated tag message", "tag ")
    server.client.git("tag", "-a", "v3", "-m", "clean release notes")
    assert server.push("refs/tags/v3").returncode == 0


def test_an_allow_comment_is_accepted(server: Server) -> None:
    server.client.write("docs.py", f'EXAMPLE = "{KEY}"  # yardguard:allow\n')
    server.client.commit("documented example")
    result = server.push("main")
    assert result.returncode == 0, result.stderr


def test_the_skip_option_needs_the_operator_to_allow_it(server: Server) -> None:
    server.client.write("app.py", f'API_KEY = "{KEY}"\n')
    server.client.commit("key")
    result = server.push("-o", "yardguard.skip", "main")
    rejected(result, "not allowed on this server")


def test_the_skip_option_when_allowed_lets_the_push_through_and_logs_it(server: Server) -> None:
    log = server.tmp / "push-log.jsonl"
    server.operator_config(f'allow_skip = true\npush_log = "{log}"\n')
    server.client.write("app.py", f'API_KEY = "{KEY}"\n')
    head = server.client.commit("key")
    result = server.push("-o", "yardguard.skip", "main", REMOTE_USER="mallory")
    assert result.returncode == 0, result.stderr
    assert "let through by yardguard.skip" in result.stderr and KEY not in result.stderr
    assert server.ref("main") == head
    (line,) = log.read_text().splitlines()
    record = json.loads(line)
    assert record["event"] == "skip" and record["pusher"] == "mallory" and record["time"].endswith("Z")
    assert record["refs"] == [{"ref": "refs/heads/main", "old": record["refs"][0]["old"], "new": head}]
    (finding,) = record["findings"]
    assert finding["path"] == "app.py" and finding["secret"] == REDACTED and KEY not in line
    # without the option the same server still rejects
    server.client.write("more.py", f'K = "{KEY2}"\n')
    server.client.commit("another key")
    rejected(server.push("main"), "more.py:1")


def test_the_repository_cannot_allow_skips_itself(server: Server) -> None:
    server.client.write(".yardguard.toml", "allow_skip = true\n")
    server.client.commit("allow skips")
    assert server.push("main").returncode == 0  # the config lands on the default branch ...
    server.client.write("app.py", f'API_KEY = "{KEY}"\n')
    server.client.commit("key")
    result = server.push("-o", "yardguard.skip", "main")
    rejected(result, "only the operator")  # ... but only the operator's config may set allow_skip


def test_settings_come_from_the_default_branch_not_the_push(server: Server) -> None:
    server.client.write(".yardguard.toml", 'exclude_paths = ["fixtures/**"]\n')
    server.client.commit("exclude fixtures")
    assert server.push("main").returncode == 0
    server.client.write("fixtures/sample.py", f'KEY = "{KEY}"\n')
    server.client.commit("fixture")
    assert server.push("main").returncode == 0, "the default branch's config applies"
    server.client.write("app.py", f'API_KEY = "{KEY2}"\n')
    server.client.write(".yardguard.toml", 'exclude_paths = ["fixtures/**", "app.py"]\n')
    server.client.commit("exclude my own key")
    result = server.push("main")
    rejected(result, "app.py:1")
    assert ".yardguard.toml" in result.stderr and "once merged" in result.stderr


def test_the_time_budget_fails_closed_by_default(server: Server) -> None:
    server.operator_config("time_budget = 0.000001\n")
    server.client.write("app.py", "x = 1\n")
    server.client.commit("clean, but the budget is gone")
    result = server.push("main")
    assert result.returncode != 0
    assert "time budget" in result.stderr and "rejected" in result.stderr, result.stderr


def test_the_time_budget_can_fail_open_with_a_logged_warning(server: Server) -> None:
    log = server.tmp / "push-log.jsonl"
    server.operator_config(f'time_budget = 0.000001\non_timeout = "accept"\npush_log = "{log}"\n')
    server.client.write("app.py", f'API_KEY = "{KEY}"\n')
    head = server.client.commit("key, over budget")
    result = server.push("main", GL_USERNAME="gitlab-user")
    assert result.returncode == 0, result.stderr
    assert "warning" in result.stderr and "UNSCANNED" in result.stderr and server.ref("main") == head
    record = json.loads(log.read_text())
    assert record["event"] == "timeout-accepted" and record["pusher"] == "gitlab-user"


def test_fail_open_without_a_log_is_a_configuration_error(server: Server) -> None:
    server.operator_config('on_timeout = "accept"\n')
    server.client.commit("anything")
    result = server.push("main")
    assert result.returncode != 0 and "push_log" in result.stderr, result.stderr


def test_json_report_for_the_server_log(server: Server, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    hook = server.bare / "hooks" / "pre-receive"
    hook.write_text(hook.read_text().replace("pre-receive\n", f"pre-receive --format json --output {report}\n"))
    server.client.write("app.py", f'API_KEY = "{KEY}"\n')
    server.client.commit("key")
    rejected(server.push("main"), "app.py:1")
    (finding,) = json.loads(report.read_text())["findings"]
    assert finding["secret"] == REDACTED and KEY not in report.read_text()


def test_verify_in_the_hook_fails_on_live_keys_only(server: Server, trackyard: TrackyardDouble) -> None:
    trackyard.add(KEY2)
    hook = server.bare / "hooks" / "pre-receive"
    hook.write_text(hook.read_text().replace(
        "pre-receive\n", f"pre-receive --verify --api-base {trackyard.url} --fail-on live\n"))
    server.client.write("dead.py", f'OLD = "{KEY}"\n')  # Trackyard does not know it: invalid
    server.client.commit("a revoked key")
    assert server.push("main").returncode == 0
    server.client.write("live.py", f'LIVE = "{KEY2}"\n')
    server.client.commit("a live key")
    rejected(server.push("main"), "live.py:1", "[live]")


def fast_import_commits(repo: Repo, count: int, key_at: int | None = None) -> None:
    """``count`` commits on main, each adding one small file (one adds a key at ``key_at``)."""
    head = repo.git("rev-parse", "HEAD")
    chunks = []
    for i in range(count):
        body = f'KEY = "{KEY}"\n' if i == key_at else f"value_{i} = {i}\n"
        data = body.encode()
        chunks.append(b"commit refs/heads/main\n")
        chunks.append(f"committer Ada <ada@example.com> {1700000000 + i} +0000\n".encode())
        chunks.append(f"data {len(f'commit {i}')}\ncommit {i}\n".encode())
        if i == 0:
            chunks.append(f"from {head}\n".encode())
        chunks.append(f"M 100644 inline src/module_{i}.py\ndata {len(data)}\n".encode() + data + b"\n")
    git(repo.path, "fast-import", "--quiet", input=b"".join(chunks))
    repo.git("reset", "-q", "--hard", "main")


def test_a_thousand_commit_push(server: Server) -> None:
    fast_import_commits(server.client, 1000)
    result = server.push("main")
    assert result.returncode == 0, result.stderr
    fast_import_commits(server.client, 1000, key_at=500)
    rejected(server.push("main"), "src/module_500.py:1")

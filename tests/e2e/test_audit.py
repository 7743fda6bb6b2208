"""``yardguard audit`` with the local process pool: repositories from files and directories (local paths,
``file://`` URLs mirrored bare), the SQLite store, resuming, failures, and reports from the store."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.audit_helpers import audit, make_repo, query, repos_file, snapshot, statuses
from tests.conftest import GIT_ENV, KEY, KEY2, KEY3, Repo, run_cli
from tests.trackyard_double import TrackyardDouble, double_servers, make_key, trackyard  # noqa: F401 - fixtures


def three_repos(tmp: Path) -> tuple[Repo, Repo, Repo]:
    a = make_repo(tmp / "src", "alpha", {"config.py": f"API_KEY = '{KEY}'\n", "README": "alpha\n"})
    b = make_repo(tmp / "src", "beta", {"deploy/env.sh": f"export TRACKYARD_API_KEY={KEY2}\n"})
    c = make_repo(tmp / "src", "gamma", {"main.py": "print('clean')\n"})
    return a, b, c


def test_local_paths_and_file_urls_are_scanned_into_the_store(tmp_path: Path) -> None:
    a, b, c = three_repos(tmp_path)
    listing = repos_file(tmp_path / "repos.txt", "# our repositories", "", "src/alpha",
                         f"file://{b.path}   # mirrored", str(c.path))
    result = audit(tmp_path, "--repos", str(listing), "--jobs", "2")
    assert result.code == 1, result.err  # findings, no failure
    assert "3 repositories: 3 scanned, 0 unchanged, 0 failed; 2 finding(s)" in result.err
    store = tmp_path / "audit.db"
    url_b = f"file://{b.path}"
    assert statuses(store) == {str(a.path): ("ok", None), url_b: ("ok", None), str(c.path): ("ok", None)}
    rows = query(store, 'SELECT repository, path, line, "column", secret, "commit", author_email FROM findings '
                        "ORDER BY repository")
    assert rows == [
        (str(a.path), "config.py", 1, 12, KEY[:19] + "…", a.git("rev-parse", "HEAD"), "ada@example.com"),
        (url_b, "deploy/env.sh", 1, 26, KEY2[:19] + "…", b.git("rev-parse", "HEAD"), "ada@example.com"),
    ]
    heads = dict(query(store, "SELECT url, head FROM repositories"))
    assert heads[url_b] == b.git("rev-parse", "HEAD")
    # the URL was cloned as a bare mirror; local paths were read in place
    mirrors = list((tmp_path / "cache").iterdir())
    assert [m.name.startswith("beta-") and m.name.endswith(".git") for m in mirrors] == [True]
    assert subprocess.run(["git", "-C", str(mirrors[0]), "config", "remote.origin.mirror"], capture_output=True,
                          text=True).stdout.strip() == "true"


def test_store_never_holds_a_raw_secret(tmp_path: Path) -> None:
    a, b, _ = three_repos(tmp_path)
    a.write("notes.md", f"old key {KEY3}\n")
    a.commit(f"rotate: was {KEY3}")
    audit(tmp_path, "--repos-dir", str(tmp_path / "src"))
    files = [p for p in tmp_path.iterdir() if p.name.startswith("audit.db")]
    assert files
    data = b"".join(p.read_bytes() for p in files)
    for key in (KEY, KEY2, KEY3):
        assert key.encode() not in data
        assert key[:19].encode() in data  # the redacted form is there


def test_repos_dir_finds_work_trees_and_bare_repositories(tmp_path: Path) -> None:
    a, b, _ = three_repos(tmp_path)
    subprocess.run(["git", "clone", "-q", "--bare", str(a.path), str(tmp_path / "src" / "org" / "alpha-copy.git")],
                   check=True, env={**os.environ, **GIT_ENV})
    (tmp_path / "src" / "not-a-repo").mkdir()
    result = audit(tmp_path, "--repos-dir", str(tmp_path / "src"))
    assert result.code == 1, result.err
    store = tmp_path / "audit.db"
    names = sorted(Path(n).name for n in statuses(store))
    assert names == ["alpha", "alpha-copy.git", "beta", "gamma"]
    # the bare repository is scanned like the work tree it was cloned from: same place, same commit
    rows = query(store, 'SELECT repository, path, "commit" FROM findings WHERE secret_sha256 = '
                        "(SELECT secret_sha256 FROM findings WHERE path = 'config.py') ORDER BY repository")
    assert [(Path(r).name, p, c) for r, p, c in rows] == [
        ("alpha", "config.py", a.git("rev-parse", "HEAD")), ("alpha-copy.git", "config.py", a.git("rev-parse", "HEAD"))]


def test_rerun_skips_unchanged_repositories_and_rescans_changed_ones(tmp_path: Path) -> None:
    a, b, c = three_repos(tmp_path)
    listing = repos_file(tmp_path / "repos.txt", str(a.path), f"file://{b.path}", str(c.path))
    assert audit(tmp_path, "--repos", str(listing)).code == 1
    before = snapshot(tmp_path / "audit.db")
    again = audit(tmp_path, "--repos", str(listing))
    assert "0 scanned, 3 unchanged, 0 failed" in again.err
    assert snapshot(tmp_path / "audit.db") == before
    # a new commit on the remote: only that repository is fetched and scanned again
    b.write("deploy/env.sh", "export TRACKYARD_API_KEY=$FROM_VAULT\n")
    b.write("app.py", f"KEY = '{KEY3}'\n")
    b.commit("move the key")
    third = audit(tmp_path, "--repos", str(listing))
    assert "1 scanned, 2 unchanged, 0 failed" in third.err, third.err
    paths = query(tmp_path / "audit.db", "SELECT path FROM findings WHERE repository=? ORDER BY path",
                  f"file://{b.path}")
    assert paths == [("app.py",), ("deploy/env.sh",)]  # history keeps the old key: both places are reported
    # other rules mean other results: everything is scanned again
    extra = tmp_path / "extra.toml"
    extra.write_text('[[rule]]\nid = "extra"\ndescription = "x"\nregex = "zz_[0-9]{8}"\nkeywords = ["zz_"]\n')
    fourth = audit(tmp_path, "--repos", str(listing), "--rules", str(extra))
    assert "3 scanned, 0 unchanged" in fourth.err


def test_broken_repository_is_recorded_and_the_rest_complete(tmp_path: Path) -> None:
    a, b, c = three_repos(tmp_path)
    missing = f"file://{tmp_path}/no-such-repo"
    listing = repos_file(tmp_path / "repos.txt", str(a.path), missing, "https://user:s3cr3t@127.0.0.1:1/x.git",
                         "src/not-here", f"file://{b.path}", str(c.path))
    result = audit(tmp_path, "--repos", str(listing))
    assert result.code == 3, result.err
    store = tmp_path / "audit.db"
    found = statuses(store)
    assert found[str(a.path)] == ("ok", None) and found[str(c.path)] == ("ok", None)
    assert found[f"file://{b.path}"] == ("ok", None)
    assert found[missing][0] == "error" and "git clone failed" in found[missing][1]
    assert found[str(tmp_path / "src" / "not-here")] == ("error", f"not a directory: {tmp_path / 'src' / 'not-here'}")
    masked = "https://user:***@127.0.0.1:1/x.git"  # a password in a URL is never stored or printed
    assert found[masked][0] == "error"
    assert "s3cr3t" not in result.err and "s3cr3t" not in result.out
    assert b"s3cr3t" not in (tmp_path / "audit.db").read_bytes()
    assert f"failed: {missing}: git clone failed" in result.err
    assert query(store, "SELECT COUNT(*) FROM findings") == [(2,)]
    report = run_cli("audit", "report", "--store", str(store), "--format", "json", cwd=tmp_path)
    assert report.code == 0, report.err
    by_url = {r["url"]: r for r in report.json()["repositories"]}
    assert by_url[missing]["status"] == "error" and by_url[missing]["error"]


def test_fail_fast_stops_at_the_first_failure(tmp_path: Path) -> None:
    good = [make_repo(tmp_path / "src", f"r{i}", {"f.txt": f"{i}\n"}) for i in range(8)]
    listing = repos_file(tmp_path / "repos.txt", f"file://{tmp_path}/missing", *(str(r.path) for r in good))
    result = audit(tmp_path, "--repos", str(listing), "--jobs", "1", "--fail-fast")
    assert result.code == 3
    assert "not started (--fail-fast)" in result.err
    assert "pending" in {s for s, _ in statuses(tmp_path / "audit.db").values()}


def _free_port_listener() -> socket.socket:
    """A TCP socket that accepts connections and never answers: a ``git://`` clone from it hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    return listener


def _wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.05)


def _ok_rows(store: Path) -> int:
    try:
        return query(store, "SELECT COUNT(*) FROM repositories WHERE status='ok'")[0][0]
    except Exception:  # noqa: BLE001 - not created yet
        return 0


def test_an_interrupted_audit_resumes_where_it_stopped(tmp_path: Path) -> None:
    repos = [make_repo(tmp_path / "src", name, {"k.env": f"TRACKYARD_API_KEY={key}\n", "n": f"{name}\n"})
             for name, key in (("one", KEY), ("two", KEY2), ("three", KEY3), ("four", KEY))]
    listener = _free_port_listener()
    port = listener.getsockname()[1]
    stuck = f"git://127.0.0.1:{port}/stuck.git"
    entries = [str(repos[0].path), f"file://{repos[1].path}", stuck, str(repos[2].path), f"file://{repos[3].path}"]
    listing = repos_file(tmp_path / "repos.txt", *entries)
    store = tmp_path / "audit.db"
    args = ["audit", "--store", str(store), "--cache-dir", str(tmp_path / "cache"), "--repos", str(listing),
            "--jobs", "1"]
    proc = subprocess.Popen([sys.executable, "-m", "scanner", *args], cwd=tmp_path, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **GIT_ENV})
    try:
        _wait_for(lambda: _ok_rows(store) == 2)  # one and two committed; the pool's only worker hangs on stuck
        time.sleep(0.3)
        assert proc.poll() is None
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI, its worker process and the hung git clone
        proc.wait()
        listener.close()  # from now on the stuck URL fails at once: connection refused
    interrupted = statuses(store)
    assert [interrupted[e][0] for e in entries] == ["ok", "ok", "pending", "pending", "pending"]
    assert query(store, "SELECT COUNT(*) FROM findings") == [(2,)]

    resumed = run_cli(*args, cwd=tmp_path)
    assert resumed.code == 3, resumed.err
    assert "5 repositories: 2 scanned, 2 unchanged, 1 failed" in resumed.err

    fresh = run_cli("audit", "--store", str(tmp_path / "fresh.db"), "--cache-dir", str(tmp_path / "cache2"),
                    "--repos", str(listing), "--jobs", "2", cwd=tmp_path)
    assert fresh.code == 3
    assert snapshot(store) == snapshot(tmp_path / "fresh.db")
    assert statuses(store)[stuck][0] == "error"


def test_ctrl_c_stops_the_audit_and_keeps_what_was_recorded(tmp_path: Path) -> None:
    one = make_repo(tmp_path / "src", "one", {"k.env": f"TRACKYARD_API_KEY={KEY}\n"})
    listener = _free_port_listener()
    listing = repos_file(tmp_path / "repos.txt", str(one.path), f"git://127.0.0.1:{listener.getsockname()[1]}/x")
    store = tmp_path / "audit.db"
    proc = subprocess.Popen([sys.executable, "-m", "scanner", "audit", "--store", str(store), "--cache-dir",
                             str(tmp_path / "cache"), "--repos", str(listing), "--jobs", "2"],
                            cwd=tmp_path, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, **GIT_ENV}, text=True)
    try:
        _wait_for(lambda: _ok_rows(store) == 1)
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole foreground group
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        listener.close()
    assert proc.returncode == 130
    assert "audit interrupted: rerun the same command to resume" in err and "Traceback" not in err
    assert statuses(store)[str(one.path)] == ("ok", None)


def test_reports_render_from_the_store_without_rescanning(tmp_path: Path) -> None:
    a, b, c = three_repos(tmp_path)
    c.write("settings.py", f"key = '{KEY}'\n")  # the same key as alpha's: every place is reported
    c.commit("oops")
    audit(tmp_path, "--repos-dir", str(tmp_path / "src"))
    for repo in (a, b, c):  # the report must not need the repositories any more
        subprocess.run(["rm", "-rf", str(repo.path)], check=True)
    store = str(tmp_path / "audit.db")
    doc = run_cli("audit", "report", "--store", store, "--format", "json", cwd=tmp_path).json()
    assert sorted((Path(f["repository"]).name, f["path"]) for f in doc["findings"]) == [
        ("alpha", "config.py"), ("beta", "deploy/env.sh"), ("gamma", "settings.py")]
    assert doc["summary"]["total"] == 3 and doc["summary"]["distinct_secrets"] == 2
    assert {f["secret"] for f in doc["findings"]} == {KEY[:19] + "…", KEY2[:19] + "…"}
    assert len(doc["repositories"]) == 3
    text = run_cli("audit", "report", "--store", store, cwd=tmp_path)
    assert text.code == 0
    assert f"{tmp_path / 'src' / 'gamma'}: settings.py:1:8" in text.out
    assert "3 finding(s), 2 distinct secret(s)" in text.out
    assert KEY not in text.out
    sarif = run_cli("audit", "report", "--store", store, "--format", "sarif", "-o", str(tmp_path / "r.sarif"),
                    cwd=tmp_path)
    assert sarif.code == 0, sarif.err
    assert KEY not in (tmp_path / "r.sarif").read_text()
    html = run_cli("audit", "report", "--store", store, "--format", "html", "-o", str(tmp_path / "r.html"),
                   cwd=tmp_path)
    assert html.code == 0, html.err
    page = (tmp_path / "r.html").read_text()
    assert "Repositories" in page and f"{tmp_path / 'src' / 'beta'}: deploy/env.sh" in page and KEY not in page


def test_usage_errors(tmp_path: Path) -> None:
    nothing = run_cli("audit", "--store", str(tmp_path / "a.db"), cwd=tmp_path)
    assert nothing.code == 2 and "give --repos FILE and/or --repos-dir DIR" in nothing.err
    missing = run_cli("audit", "--repos", str(tmp_path / "nope.txt"), cwd=tmp_path)
    assert missing.code == 2 and "cannot read repos file" in missing.err
    misplaced = run_cli("audit", "--store", "x.db", "report", cwd=tmp_path)
    assert misplaced.code == 2 and "put --store after it" in misplaced.err
    no_store = run_cli("audit", "report", "--store", str(tmp_path / "none.db"), cwd=tmp_path)
    assert no_store.code == 2 and "audit store not found" in no_store.err
    (tmp_path / "junk.db").write_text("not sqlite at all, " * 100)
    junk = run_cli("audit", "report", "--store", str(tmp_path / "junk.db"), cwd=tmp_path)
    assert junk.code == 2 and "cannot open audit store" in junk.err


def test_one_key_in_several_repositories_is_verified_and_revoked_once(tmp_path: Path,
                                                                      trackyard: TrackyardDouble) -> None:
    live, dead = make_key(601), make_key(602)
    trackyard.add(live)
    a = make_repo(tmp_path / "src", "alpha", {"config.py": f"API_KEY = '{live}'\n"})
    b = make_repo(tmp_path / "src", "beta", {"a.env": f"TRACKYARD_API_KEY={live}\n", "b.env": f"OLD={dead}\n"})
    c = make_repo(tmp_path / "src", "gamma", {"k.txt": f"{live}\n"})
    c.write("k.txt", "gone\n")
    c.commit("remove the key (it stays in history)")
    listing = repos_file(tmp_path / "repos.txt", str(a.path), f"file://{b.path}", f"file://{c.path}")
    store = tmp_path / "audit.db"

    first = audit(tmp_path, "--repos", str(listing), "--verify", "--api-base", trackyard.url)
    assert first.code == 1, first.err
    assert len(trackyard.seen("GET", "/me", key=live)) == 1
    assert len(trackyard.seen("GET", "/me", key=dead)) == 1
    verdicts = dict(query(store, "SELECT secret_sha256, json_extract(verification, '$.status') FROM secrets"))
    assert sorted(verdicts.values()) == ["invalid", "live"]
    doc = run_cli("audit", "report", "--store", str(store), "--format", "json", cwd=tmp_path).json()
    places = sorted((Path(f["repository"]).name, f["path"], f["verification"]["status"]) for f in doc["findings"])
    assert places == [("alpha", "config.py", "live"), ("beta", "a.env", "live"), ("beta", "b.env", "invalid"),
                      ("gamma", "k.txt", "live")]

    # the verdicts are stored: a rerun of unchanged repositories asks Trackyard nothing
    trackyard.requests.clear()
    again = audit(tmp_path, "--repos", str(listing), "--verify", "--api-base", trackyard.url)
    assert "0 scanned, 3 unchanged" in again.err and trackyard.seen() == []

    # revoking needs the raw key, which only a scan gives: the three repositories with the live key are
    # scanned again, and the key is revoked once
    log = tmp_path / "revocations.jsonl"
    revoked = audit(tmp_path, "--repos", str(listing), "--revoke", "--yes", "--api-base", trackyard.url,
                    "--audit-log", str(log))
    assert "3 scanned, 0 unchanged" in revoked.err, revoked.err
    assert len(trackyard.seen("POST", "/api-keys/revoke", key=live)) == 1
    assert len(log.read_text().splitlines()) == 1
    assert query(store, "SELECT json_extract(revocation, '$.status') FROM secrets WHERE "
                        "json_extract(verification, '$.status') = 'live'") == [("revoked",)]
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("audit.db"))
    assert live.encode() not in data and dead.encode() not in data
    text = run_cli("audit", "report", "--store", str(store), cwd=tmp_path).out
    assert text.count("revoked: revoked") == 3 and live not in text


def test_repository_names_never_carry_credentials() -> None:
    from scanner.audit.repos import is_url, mask_url
    assert mask_url("https://user:tok3n@example.com/org/r.git") == "https://user:***@example.com/org/r.git"
    assert mask_url("https://tok3n@example.com:8443/r") == "https://***@example.com:8443/r"
    assert mask_url("ssh://git@example.com/org/r.git") == "ssh://git@example.com/org/r.git"
    assert mask_url("git@example.com:org/r.git") == "git@example.com:org/r.git"
    assert [is_url(t) for t in ("git@example.com:o/r", "file:///x", "src/a", "/abs", "C:/x")] == [
        True, True, False, False, False]


def test_the_store_keeps_the_encoding_chain_and_the_member(tmp_path: Path) -> None:
    import base64
    import gzip
    repo = make_repo(tmp_path / "src", "encoded", {
        "deploy/secret.yaml": f"data:\n  env: {base64.b64encode(f'TRACKYARD_API_KEY={KEY}'.encode()).decode()}\n"})
    repo.write("logs/app.log.gz", gzip.compress(f"token={KEY2}\n".encode()))
    repo.commit("rotated log")
    result = audit(tmp_path, "--repos", str(repos_file(tmp_path / "repos.txt", str(repo.path))))
    assert result.code == 1, result.err
    store = tmp_path / "audit.db"
    assert sorted(query(store, "SELECT path, encoding, member FROM findings")) == [
        ("deploy/secret.yaml", '["base64"]', None), ("logs/app.log.gz!app.log", '["gzip"]', "app.log")]
    report = run_cli("audit", "report", "--store", str(store), "--format", "json", cwd=tmp_path)
    assert report.code == 0, report.err
    assert sorted((f["path"], f["encoding"]) for f in report.json()["findings"]) == [
        ("deploy/secret.yaml", ["base64"]), ("logs/app.log.gz!app.log", ["gzip"])]


def test_a_store_of_the_first_schema_is_upgraded_in_place(tmp_path: Path) -> None:
    import sqlite3
    repo = make_repo(tmp_path / "src", "plain", {"config.py": f"API_KEY = '{KEY}'\n"})
    store = tmp_path / "audit.db"
    db = sqlite3.connect(store)
    db.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema_version', '1');
        CREATE TABLE findings (id INTEGER PRIMARY KEY, repository TEXT NOT NULL, rule_id TEXT NOT NULL,
            description TEXT NOT NULL, secret TEXT NOT NULL, secret_sha256 TEXT NOT NULL, path TEXT NOT NULL,
            line INTEGER NOT NULL, "column" INTEGER NOT NULL, "commit" TEXT, author_name TEXT, author_email TEXT,
            commit_date TEXT);""")
    db.close()
    result = audit(tmp_path, "--repos", str(repos_file(tmp_path / "repos.txt", str(repo.path))))
    assert result.code == 1, result.err
    assert query(store, "SELECT value FROM meta WHERE key='schema_version'") == [("2",)]
    assert query(store, "SELECT path, encoding, member FROM findings") == [("config.py", "[]", None)]


def test_a_token_in_a_url_is_used_but_never_kept_in_the_mirror(tmp_path: Path) -> None:
    """A repository cloned over http with a token in its URL (a real git over a loopback HTTP server): the
    mirror's config keeps the masked URL only, and the next audit still fetches the new commits (the token is
    passed again, on git's command line)."""
    import functools
    import http.server
    import threading
    b = make_repo(tmp_path / "src", "beta", {"deploy/env.sh": f"export TRACKYARD_API_KEY={KEY2}\n"})
    served = tmp_path / "served"
    served.mkdir()
    bare = served / "beta.git"

    def publish() -> None:
        subprocess.run(["git", "clone", "-q", "--bare", str(b.path), str(bare)], check=True, capture_output=True)
        subprocess.run(["git", "-C", str(bare), "update-server-info"], check=True)

    publish()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://deploy:tok3n-s3cret@127.0.0.1:{server.server_address[1]}/beta.git"
        listing = repos_file(tmp_path / "repos.txt", url)
        first = audit(tmp_path, "--repos", str(listing))
        assert first.code == 1, first.err
        (mirror,) = (tmp_path / "cache").iterdir()
        config = (mirror / "config").read_text()
        assert "tok3n-s3cret" not in config and "deploy:***@127.0.0.1" in config
        b.write("more.env", f"TRACKYARD_API_KEY={KEY3}\n")
        b.commit("more")
        subprocess.run(["rm", "-rf", str(bare)], check=True)
        publish()
        second = audit(tmp_path, "--repos", str(listing))
        assert second.code == 1, second.err
        assert "1 scanned" in second.err
        assert "tok3n-s3cret" not in (mirror / "config").read_text()
        assert "tok3n-s3cret" not in first.err + second.err + first.out + second.out
        found = query(tmp_path / "audit.db", "SELECT path FROM findings ORDER BY path")
        assert found == [("deploy/env.sh",), ("more.env",)]
    finally:
        server.shutdown()

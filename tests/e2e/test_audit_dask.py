"""``yardguard audit --executor dask``: a real ``LocalCluster`` with worker processes, started by the CLI
or by the test and reached with ``--scheduler``; results must equal the local process pool's."""
from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.audit_helpers import audit, make_repo, repos_file, snapshot, statuses
from tests.conftest import GIT_ENV, KEY, KEY2

pytest.importorskip("distributed", reason="the dask extra is not installed: pip install -e '.[dask]'")


def listing(tmp: Path) -> Path:
    a = make_repo(tmp / "src", "alpha", {"config.py": f"API_KEY = '{KEY}'\n"})
    b = make_repo(tmp / "src", "beta", {"env.sh": f"export TRACKYARD_API_KEY={KEY2}\n"})
    c = make_repo(tmp / "src", "gamma", {"main.py": f"K = '{KEY}'\n"})
    return repos_file(tmp / "repos.txt", str(a.path), f"file://{b.path}", f"file://{c.path}",
                      f"file://{tmp}/missing")


def test_dask_local_cluster_gives_the_same_store_as_the_process_pool(tmp_path: Path) -> None:
    repos = listing(tmp_path)
    local = audit(tmp_path, "--repos", str(repos), "--jobs", "2", store="local.db", cache="cache-local")
    dask = audit(tmp_path, "--repos", str(repos), "--executor", "dask", "--jobs", "2", store="dask.db",
                 cache="cache-dask")
    assert local.code == dask.code == 3, dask.err
    assert "4 repositories: 3 scanned, 0 unchanged, 1 failed; 3 finding(s)" in dask.err
    assert snapshot(tmp_path / "dask.db") == snapshot(tmp_path / "local.db")
    assert statuses(tmp_path / "dask.db")[f"file://{tmp_path}/missing"][0] == "error"
    again = audit(tmp_path, "--repos", str(repos), "--executor", "dask", "--jobs", "2", store="dask.db",
                  cache="cache-dask")
    assert "3 unchanged, 1 failed" in again.err


def test_dask_scheduler_address(tmp_path: Path) -> None:
    from dask.distributed import LocalCluster
    repos = listing(tmp_path)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster:
        result = audit(tmp_path, "--repos", str(repos), "--scheduler", cluster.scheduler_address)
    assert result.code == 3, result.err
    assert "3 scanned, 0 unchanged, 1 failed; 3 finding(s)" in result.err
    assert sorted(s for s, _ in statuses(tmp_path / "audit.db").values()) == ["error", "ok", "ok", "ok"]


def test_unreachable_scheduler_is_a_usage_error(tmp_path: Path) -> None:
    repos = listing(tmp_path)
    result = audit(tmp_path, "--repos", str(repos), "--scheduler", "tcp://127.0.0.1:1",
                   env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"})
    assert result.code == 2
    assert "cannot reach the Dask scheduler tcp://127.0.0.1:1" in result.err


def _clones_of(url: str) -> list[Any]:
    import psutil
    found = []
    for p in psutil.process_iter(["cmdline"]):
        cmdline = p.info["cmdline"] or []
        if cmdline[:1] == ["git"] and "clone" in cmdline and url in cmdline:
            found.append(p)
    return found


def _wait(what: Callable[[], list[Any]], timeout: float = 60.0) -> list[Any]:
    end = time.monotonic() + timeout
    while not (found := what()):
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.1)
    return found


def test_a_lost_workers_task_is_rerun_on_another_worker(tmp_path: Path) -> None:
    from dask.distributed import LocalCluster
    repos = listing(tmp_path)
    listener = socket.socket()  # accepts connections and never answers: a git:// clone from it hangs
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stuck = f"git://127.0.0.1:{listener.getsockname()[1]}/stuck.git"
    with repos.open("a") as f:
        f.write(stuck + "\n")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scanner", "audit", "--store", str(tmp_path / "audit.db"), "--cache-dir",
             str(tmp_path / "cache"), "--repos", str(repos), "--scheduler", cluster.scheduler_address],
            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            env={**os.environ, **GIT_ENV})
        try:
            first = _wait(lambda: _clones_of(stuck))[0]
            worker = first.parent()
            worker.kill()  # the worker process running the stuck task dies (as on a lost machine)
            first.kill()
            _wait(lambda: [p for p in _clones_of(stuck) if p.pid != first.pid])  # the scheduler reran it
            listener.close()  # now the rerun fails at once instead of hanging
            _, err = proc.communicate(timeout=120)
        finally:
            listener.close()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 3, err
    found = statuses(tmp_path / "audit.db")
    assert found[stuck][0] == "error" and "git clone failed" in found[stuck][1]  # not KilledWorker
    assert sorted(s for url, (s, _) in found.items() if url != stuck) == ["error", "ok", "ok", "ok"]

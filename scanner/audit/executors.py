"""Where the repositories of an audit are scanned: a local process pool (default, no extra dependency) or
a Dask cluster (``yardguard[dask]``). Both yield :class:`Result` values as repositories complete; closing
the iterator early (``--fail-fast``, Ctrl-C) cancels what has not started."""
from __future__ import annotations

import importlib.metadata
import logging
import signal
from collections.abc import Generator, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import ExitStack
from typing import Any

import scanner
from scanner.audit.worker import Job, Result, scan_repository
from scanner.errors import YardguardError
from scanner.run import Run


def run_local(jobs: list[Job], run: Run, workers: int) -> Iterator[Result]:
    """Scan with ``workers`` local processes (``--jobs``)."""
    pool = ProcessPoolExecutor(max_workers=workers, initializer=quiet_interrupts)
    try:
        futures: dict[Future[Result], Job] = {pool.submit(scan_repository, job, run): job for job in jobs}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as e:  # noqa: BLE001 - a worker process that died (killed, out of memory)
                yield Result(futures[future].source.name, "error", error=f"worker failed: {type(e).__name__}")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _ignore(signum: int, frame: object) -> None:
    """A SIGINT handler that does nothing (unlike SIG_IGN, git children still get the default)."""


def quiet_interrupts() -> None:
    """In a worker process: let a terminal's Ctrl-C (sent to the whole process group) stop only the
    client and the git commands, so the worker prints no traceback and the client shuts it down."""
    signal.signal(signal.SIGINT, _ignore)


def dask_setup(worker: object) -> None:
    """Dask preload hook (``LocalCluster(preload=[__name__])``), run in each worker process."""
    quiet_interrupts()


def run_dask(jobs: list[Job], run: Run, workers: int, scheduler: str | None) -> Iterator[Result]:
    """One task per repository on the Dask cluster at ``scheduler``, or on a ``LocalCluster`` of
    ``workers`` single-threaded worker processes. A task on a worker that dies is rerun elsewhere by the
    scheduler (up to ``distributed.scheduler.allowed-failures`` times, then recorded as an error)."""
    try:
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as dask_completed
    except ImportError:
        raise YardguardError("--executor dask needs the dask extra: pip install 'yardguard[dask]'") from None
    with ExitStack() as stack:
        try:
            if scheduler:
                client = stack.enter_context(Client(scheduler))
            else:
                cluster = stack.enter_context(LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                    silence_logs=logging.ERROR, preload=[__name__]))
                client = stack.enter_context(Client(cluster))
        except (OSError, TimeoutError) as e:
            raise YardguardError(f"cannot reach the Dask scheduler {scheduler or '(local)'}: {e}") from None
        _check_workers(client)
        # ``run`` travels inside each task, not scattered once: scattered data lives only on workers, and a
        # lost worker's copy cannot be recomputed, which would strand the reruns that need it.
        futures = {client.submit(scan_repository, job, run, pure=False): job for job in jobs}
        pending = set(futures)
        try:
            for future in dask_completed(list(futures)):
                pending.discard(future)
                try:
                    result = future.result()
                except Exception as e:  # noqa: BLE001 - KilledWorker, a worker without yardguard, ...
                    result = Result(futures[future].source.name, "error",
                                    error=f"dask task failed: {type(e).__name__}")
                future.release()
                yield result
        finally:
            if pending:
                client.cancel(list(pending))


def _check_workers(client: Any) -> None:
    """Every worker must run this yardguard version: tasks and rules travel as pickled yardguard objects."""
    versions = client.run(importlib.metadata.version, "yardguard", on_error="return")
    for worker, version in sorted(versions.items()):
        if version != scanner.__version__:
            have = f"yardguard {version}" if isinstance(version, str) else "no yardguard"
            raise YardguardError(f"Dask worker {worker} has {have}; install yardguard {scanner.__version__} "
                                 "on every worker")


def execute(jobs: list[Job], run: Run, executor: str, workers: int,
            scheduler: str | None) -> Generator[Result, None, None]:
    """Results of ``jobs`` in completion order, from the chosen executor."""
    if not jobs:
        return
    if executor == "dask":
        yield from run_dask(jobs, run, workers, scheduler)
    else:
        yield from run_local(jobs, run, workers)

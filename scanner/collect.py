"""Collect findings from each source (files, staged diff, history) with a prepared :class:`Run`."""
from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

from scanner.findings import Finding, scan_buffer
from scanner.pipeline import Run
from scanner.progress import Progress


def scan_paths(run: Run, targets: list[str], all_files: bool) -> list[Finding]:
    """Findings in files and directories; ``-`` is stdin."""
    from scanner.sources import files
    engine, limit = run.engine, run.config.max_file_size
    out: list[Finding] = []
    progress = Progress("files")
    skipped = count = total = 0
    for target in targets:
        if target == "-":
            out += scan_buffer(engine, files.read_stdin(), "-")
            continue
        for entry in files.list_files([target], all_files):
            if limit is not None and entry.size > limit:
                skipped += 1
                continue
            if entry.size:
                with files.open_buffer(entry) as data:
                    if engine.has_keyword(data):
                        out += scan_buffer(engine, data, entry.shown)
            count += 1
            total += entry.size
            progress(count, total)
    progress.done()
    if skipped:
        print(f"yardguard: skipped {skipped} file(s) larger than max_file_size ({limit} bytes)", file=sys.stderr)
    return out


def scan_staged(run: Run, names: list[str]) -> list[Finding]:
    """Findings in the lines the staged change adds; passed files with no staged change are read whole."""
    from scanner.sources import staged
    only = staged.repo_relative(run.root, names) if names else None
    added, touched = staged.staged_changes(run.root, only)
    out: list[Finding] = []
    for path, lines in added.items():
        data = lines.data
        if run.engine.has_keyword(data):
            out += [replace(f, line=lines.file_line(f.line)) for f in scan_buffer(run.engine, data, path)]
    for rel, real in staged.unstaged_files(run.root, only or [], touched):
        data = real.read_bytes()
        if run.engine.has_keyword(data):
            out += scan_buffer(run.engine, data, rel)
    return out


def scan_history(run: Run, repo: Path, rev_range: str | None) -> list[Finding]:
    """Findings from every reachable blob and commit message, or only what ``rev_range`` introduces."""
    from scanner.sources import history
    progress = Progress("objects")
    if rev_range:
        found = history.scan_range(repo, run.engine, rev_range, progress)
    else:
        found = history.scan_all(repo, run.engine, progress)
    progress.done()
    return found


ZERO = "0" * 40


def push_ranges(environ: dict[str, str] | os._Environ[str], stdin_lines: list[str]) -> list[str]:
    """History ranges for a push: ``remote..local`` per updated ref; a new branch is its commits that
    no remote ref has. Reads pre-commit's PRE_COMMIT_FROM_REF/TO_REF, else git's hook stdin."""
    pairs: list[tuple[str, str]] = []
    if environ.get("PRE_COMMIT_TO_REF"):
        pairs.append((environ.get("PRE_COMMIT_FROM_REF", ""), environ["PRE_COMMIT_TO_REF"]))
    for line in stdin_lines:
        parts = line.split()
        if len(parts) == 4:
            pairs.append((parts[3], parts[1]))
    ranges = []
    for remote, local in pairs:
        if not local or set(local) == {"0"}:
            continue  # a deleted ref publishes nothing
        ranges.append(local if not remote or set(remote) == {"0"} else f"{remote}..{local}")
    return ranges

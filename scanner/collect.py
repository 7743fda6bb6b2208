"""Collect findings from each source (files, staged diff, history) with a prepared :class:`Run`."""
from __future__ import annotations

import os
import sys

from scanner.decoding.stage import Decoder
from scanner.model import STDIN, Finding
from scanner.progress import Progress
from scanner.run import Run

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from scanner.sources.history_start import Listing, Log
    from scanner.sources.push import Update
    from scanner.sources.staged import StagedChange


def scan_paths(run: Run, targets: list[str], all_files: bool) -> list[Finding]:
    """Findings in files and directories; ``-`` is stdin."""
    from scanner.sources import files
    decoder, limit = run.decoder, run.config.max_file_size
    out: list[Finding] = []
    progress = Progress("files")
    skipped = count = total = 0
    for target in targets:
        if target == "-":
            data = files.read_stdin()
            run.scope.add("stdin", 1)
            run.scope.nbytes += len(data)
            out += [f.replace(origin=STDIN) for f in decoder.scan(data, "-")]
            continue
        for entry in files.list_files([target], all_files):
            if limit is not None and entry.size > limit:
                skipped += 1
                continue
            found = _scan_file(decoder, entry.real, entry.shown, entry.size)
            if found:
                out += _at_root(run.root, entry.real, found)
            count += 1
            total += entry.size
            progress(count, total)
    progress.done()
    run.scope.add_progress(progress, "files")
    if skipped:
        print(f"yardguard: skipped {skipped} file(s) larger than max_file_size ({limit} bytes)", file=sys.stderr)
    return out


def _scan_file(decoder: Decoder, real: str, shown: str, size: int) -> list[Finding]:
    """Findings in one file: small ones read whole, large ones memory-mapped."""
    from scanner.sources import files
    if not size:
        return []
    if size < files.MMAP_THRESHOLD:
        data = files.read_small(real)
        return decoder.scan(data, shown) if decoder.worth_scanning(data, shown) else []
    with files.mapped(real) as mapped:
        return decoder.scan(mapped, shown) if decoder.worth_scanning(mapped, shown) else []


def _at_root(root: str | os.PathLike[str], real: str | os.PathLike[str], found: list[Finding]) -> list[Finding]:
    """Give findings their path relative to the repository root when it differs from the reported one."""
    if not found:
        return found
    rel = os.path.relpath(os.path.abspath(real), os.path.realpath(root)).replace(os.sep, "/")
    if rel == found[0].outer_path or rel == ".." or rel.startswith("../"):
        return found
    return [f.replace(repo_path=rel + f.path[len(f.outer_path):]) for f in found]


def scan_staged(run: Run, change: StagedChange) -> list[Finding]:
    """Findings in the lines the staged change adds; binary files (archives, UTF-16 text) and passed files
    with no staged change are read whole."""
    from scanner.sources.staged import binary_versions, literals_span_no_lines
    out: list[Finding] = []
    run.scope.defer(change.measure)
    blobs = binary_versions(change.root, change.added)
    for path, (new, old) in blobs.items():
        if run.decoder.worth_scanning(new, path):
            out += [f for f in run.decoder.scan(new, path) if not run.decoder.holds(old, f.secret, f"HEAD:{path}")]
    on_raw = literals_span_no_lines(run.decoder)  # then the raw hunks are searched first (staged.py)
    for path, hunks in change.added.items():
        if path in blobs:
            continue
        if hunks.worth_scanning(run.decoder) if on_raw else run.decoder.worth_scanning(hunks.data):
            data = hunks.data
            for f in run.decoder.scan(data, path):
                line = hunks.file_line(f.line)
                if line in hunks.added:  # a key on an unchanged context line is not new
                    out.append(f.replace(line=line))
    for rel, real in change.whole_files():
        out += _scan_file(run.decoder, real, rel, os.path.getsize(real))
    return out


def scan_history(run: Run, repo: str | os.PathLike[str], rev_range: str | None, jobs: int = 1,
                 listing: Listing | None = None, log: Log | None = None) -> list[Finding]:
    """Findings from every reachable blob and commit message, or only what ``rev_range`` introduces."""
    from scanner.sources import history
    progress = Progress("objects")
    if rev_range:
        found = history.scan_range(repo, run.decoder, rev_range, progress)
    else:
        found = history.scan_all(repo, run.decoder, progress, jobs, listing, log)
    progress.done()
    run.scope.add_progress(progress, "blobs")
    return history.mark_in_head(repo, run.decoder, found)


def scan_push(run: Run, root: str, updates: list[Update], environ: Mapping[str, str]) -> list[Finding]:
    """Keys introduced by the commits no ref had before this push (in blobs the repository did not already
    have), and in the pushed annotated tags."""
    from scanner.findings import dedupe_locations
    from scanner.sources import history
    from scanner.sources.push import blobs_before_push
    news = [u.new for u in updates if not u.deleted]
    if not news:
        return []
    found = history.scan_commits(root, run.decoder, [*news, "--not", "--all"],
                                 known_blobs=blobs_before_push(root, environ))
    tags = [u.new for u in updates if not u.deleted and u.ref.startswith("refs/tags/") and u.old != u.new]
    if tags:
        found += history.scan_tag_messages(root, run.decoder, tags)
    return dedupe_locations(found)

"""What a whole-history scan asks of git first, light to import: ``history`` starts the object listing and
the attribution log before anything heavy is imported, so git works while Python imports and compiles, and
the object readers start the moment the listing is done."""
from __future__ import annotations

import bisect
import itertools
import os

from scanner import gitutil
from scanner.errors import YardguardError
from scanner.gitutil import StrPath

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

# git maps packs in 1 GiB windows and caches 96 MiB of delta bases by default: on a 4 GB history that is
# ~350 MB RSS for cat-file, and even a listing or a log maps (so counts) the whole pack. These limits
# measured 150 MB at the same speed (bench/RESULTS.md); every git that reads the packs gets them.
PACK_LIMITS = ("-c", "core.packedGitLimit=64m", "-c", "core.packedGitWindowSize=16m",
               "-c", "core.deltaBaseCacheLimit=32m")
# pack order; the size on disk, not the object's: git finds it without inflating a delta (a listing with
# %(objectsize) took 3x as long), and it follows what reading costs git
_FORMAT = "--batch-check=%(objectname) %(objecttype) %(objectsize:disk)"
_SCANNED = frozenset((b"blob", b"commit"))
_LOG_FORMAT = "--format=%x01%H%x00%an%x00%ae%x00%aI"
# --date-order: never a parent after its child, so "earliest" follows ancestry even when commits share a
# timestamp or the clock was skewed; --root: a root commit's files even under log.showRoot=false
# --no-show-signature, --no-ext-diff, --no-textconv: no program the repository names (SECURITY.md)
LOG_ARGS = (*PACK_LIMITS, "-c", "core.quotepath=off", "log", "--reverse", "--date-order", "--root", "--raw",
            "--no-abbrev", "--no-renames", "--diff-merges=first-parent", "--no-show-signature", "--no-ext-diff",
            "--no-textconv", _LOG_FORMAT)


class Listing:
    """Every object's id, type and size on disk (``git cat-file --batch-check``), listed from the moment
    the command starts."""

    def __init__(self, repo: StrPath) -> None:
        self._git = gitutil.start(repo, *PACK_LIMITS, "cat-file", "--batch-all-objects", "--unordered", _FORMAT)

    def shares(self, jobs: int) -> list[list[bytes]]:
        """The blob and commit ids, once git is done, cut into at most ``jobs`` runs of reversed pack order
        with about the same number of bytes on disk each (by count, one share got the history's big blobs
        and took twice as long as the other).

        Reversed: a pack stores a delta after its base, and git caches a base when it rebuilds a delta, not
        when it reads the base itself; read backwards, each base is rebuilt once and then found in the cache
        (git's own CPU on the small corpus: 315 ms instead of 395, docs/performance.md)."""
        tokens = self._git().split()  # id, type, size on disk of every object: C does the lines, not a loop
        keep = list(map(_SCANNED.__contains__, tokens[1::3]))
        oids = list(itertools.compress(tokens[0::3], keep))
        ends = list(itertools.accumulate(map(int, itertools.compress(reversed(tokens[2::3]), reversed(keep)))))
        oids.reverse()
        total = ends[-1] if ends else 0
        cuts = [0, *(min(bisect.bisect_left(ends, total * k / jobs) + 1, len(oids)) for k in range(1, jobs)),
                len(oids)]
        return [oids[start:stop] for start, stop in zip(cuts, cuts[1:], strict=False) if stop > start]

    def close(self) -> None:
        """End git if it still lists (the command failed first); harmless once :meth:`shares` returned."""
        self._git.stop()


class Log:
    """``git log --raw`` of every ref, oldest first (:data:`LOG_ARGS`: the commits that introduced each
    blob), written into an unnamed temporary file from the moment the repository is known."""

    def __init__(self, repo: StrPath) -> None:
        self._file = _unnamed_file()
        try:
            self._git = gitutil.spawn(repo, *LOG_ARGS, "--all", "--", stdout=self._file, env=gitutil.walk_env(repo))
        except BaseException:
            os.close(self._file)
            raise

    def read(self, repo: StrPath) -> IO[bytes]:
        """Its output, once git is done (valid until :meth:`close`)."""
        if self._git.wait() != 0:
            raise YardguardError(f"git log failed in {repo}")
        os.lseek(self._file, 0, os.SEEK_SET)
        return open(self._file, "rb", closefd=False)  # noqa: SIM115 - the descriptor is closed by close()

    def close(self) -> None:
        """End git if it still writes (nothing hit, or the scan failed), and drop the file; harmless twice."""
        self._git.close()
        if self._file >= 0:
            os.close(self._file)
            self._file = -1


def _unnamed_file() -> int:
    """A descriptor of a new temporary file with no name (Linux ``O_TMPFILE`` in ``$TMPDIR`` or /tmp, without
    importing tempfile; elsewhere tempfile's, unlinked at once)."""
    for directory in (os.environ.get("TMPDIR"), "/tmp"):
        if directory and hasattr(os, "O_TMPFILE"):
            try:
                return os.open(directory, os.O_TMPFILE | os.O_RDWR | os.O_CLOEXEC, 0o600)
            except OSError:
                continue
    import tempfile
    with tempfile.TemporaryFile() as f:
        return os.dup(f.fileno())

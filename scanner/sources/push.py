"""What a push publishes, as git tells its hooks: the history ranges of a client's pre-push
(:func:`push_ranges`), and the ref updates a server's pre-receive reads (:func:`parse_updates`), with its
push options and the blobs the server had before the push (:func:`blobs_before_push`)."""
from __future__ import annotations

import os

from scanner.errors import YardguardError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

ZERO_OIDS = ("0" * 40, "0" * 64)
SKIP_OPTION = "yardguard.skip"
"""The push option (``git push -o yardguard.skip``) that asks a server allowing it to let a push through."""


def push_ranges(environ: Mapping[str, str], stdin_lines: list[str],
                repo: str | os.PathLike[str] = ".") -> list[str]:
    """History ranges for a push: ``remote..local`` per updated ref; a new branch, or a remote commit this
    repository lacks (a force push over unfetched work), is its commits that no remote ref has. Reads
    pre-commit's PRE_COMMIT_FROM_REF/TO_REF (or PRE_COMMIT_LOCAL_BRANCH when a root commit is pushed,
    where pre-commit sets no refs), else git's hook stdin."""
    from scanner import gitutil
    pairs: list[tuple[str, str]] = []
    if environ.get("PRE_COMMIT_TO_REF"):
        pairs.append((environ.get("PRE_COMMIT_FROM_REF", ""), environ["PRE_COMMIT_TO_REF"]))
    elif environ.get("PRE_COMMIT_LOCAL_BRANCH"):
        pairs.append(("", environ["PRE_COMMIT_LOCAL_BRANCH"]))
    for line in stdin_lines:
        parts = line.split()
        if len(parts) == 4:
            pairs.append((parts[3], parts[1]))
    ranges = []
    for remote, local in pairs:
        if not local or set(local) == {"0"}:
            continue  # a deleted ref publishes nothing
        known = bool(remote) and set(remote) != {"0"} and gitutil.has_commit(repo, remote)
        ranges.append(f"{remote}..{local}" if known else local)
    return ranges


class Update:
    """One line of the hook's stdin: ``ref`` moves from ``old`` to ``new`` (zeros: created / deleted)."""

    __slots__ = ("new", "old", "ref")

    def __init__(self, old: str, new: str, ref: str) -> None:
        self.old, self.new, self.ref = old, new, ref

    @property
    def deleted(self) -> bool:
        return self.new in ZERO_OIDS


def parse_updates(lines: list[str]) -> list[Update]:
    """The ``<old> <new> <ref>`` lines git writes to a pre-receive hook."""
    updates = []
    for line in lines:
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3:
            raise YardguardError(f"pre-receive: expected '<old> <new> <ref>' on stdin, got {line[:80]!r}")
        updates.append(Update(*parts))
    return updates


def push_options(environ: Mapping[str, str]) -> list[str]:
    """The push options (``git push -o X``) git passes as ``GIT_PUSH_OPTION_COUNT`` / ``GIT_PUSH_OPTION_<n>``."""
    try:
        count = int(environ.get("GIT_PUSH_OPTION_COUNT", "0"))
    except ValueError:
        return []
    return [environ.get(f"GIT_PUSH_OPTION_{i}", "") for i in range(min(count, 1000))]


def blobs_before_push(root: str, environ: Mapping[str, str]) -> Callable[[list[str]], set[str]] | None:
    """Which of some blobs the repository had before this push: those in its object store proper, outside
    git's quarantine (a directory inside it, ``GIT_QUARANTINE_PATH``). None without a quarantine."""
    quarantine = environ.get("GIT_QUARANTINE_PATH")
    if not quarantine:
        return None
    from scanner import gitutil
    # the object store as it was: no quarantine (the repository's own alternates, e.g. a fork network's
    # pool, still count)
    before = {"GIT_OBJECT_DIRECTORY": os.path.dirname(os.path.abspath(quarantine)),
              "GIT_ALTERNATE_OBJECT_DIRECTORIES": "", "GIT_QUARANTINE_PATH": ""}

    def known(oids: list[str]) -> set[str]:
        query = "".join(f"{o}\n" for o in oids).encode()
        code, out, _ = gitutil.run(root, "cat-file", "--batch-check=%(objectname) %(objecttype)", input=query,
                                   env=before)
        if code != 0:
            return set()  # not sure: every key counts
        return {line.split()[0].decode() for line in out.splitlines() if line.endswith(b" blob")}
    return known

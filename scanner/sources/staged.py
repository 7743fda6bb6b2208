"""The pre-commit path: only the lines a staged change adds (index against HEAD, or the empty tree)."""
from __future__ import annotations

import os
from collections.abc import Iterator

from scanner import gitutil

CONTEXT_LINES = 10
"""Unchanged lines read around each change: a key added under an existing ``- name: TRACKYARD_API_KEY``
or next to an existing ``api.trackyard.com`` URL is only recognisable with its neighbours."""


class AddedLines:
    """The new-side lines of one staged file's hunks (the added lines plus a little context), joined by
    newlines; ``numbers`` is the file line of each, ``added`` the file lines the change adds."""

    __slots__ = ("path", "lines", "numbers", "added")

    def __init__(self, path: str) -> None:
        self.path = path
        self.lines: list[bytes] = []
        self.numbers: list[int] = []
        self.added: set[int] = set()

    @property
    def data(self) -> bytes:
        return b"\n".join(self.lines)

    def file_line(self, buffer_line: int) -> int:
        """The line in the staged file for a 1-based line of :attr:`data`."""
        return self.numbers[buffer_line - 1]


_ESCAPES = {ord("n"): 10, ord("t"): 9, ord('"'): 34, ord("\\"): 92, ord("a"): 7, ord("b"): 8,
            ord("f"): 12, ord("r"): 13, ord("v"): 11}


def unquote(raw: bytes) -> str:
    """A path as git prints it in a patch: C-quoted (``"a/caf\\303\\251"``) when it has odd bytes."""
    if not (raw.startswith(b'"') and raw.endswith(b'"')):
        return os.fsdecode(raw)
    out = bytearray()
    body, i = raw[1:-1], 0
    while i < len(body):
        c = body[i]
        if c == 92 and i + 1 < len(body):  # backslash
            nxt = body[i + 1]
            if 48 <= nxt <= 55:  # octal escape
                out.append(int(body[i + 1:i + 4], 8))
                i += 4
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    return os.fsdecode(bytes(out))


def _strip_prefix(path: str) -> str:
    return path[2:] if path[:2] in ("a/", "b/") else path


def parse_patch(patch: bytes) -> tuple[dict[str, AddedLines], set[str]]:
    """Added lines (with their context) per new path from a patch, and every path the patch touches."""
    added: dict[str, AddedLines] = {}
    touched: set[str] = set()
    current: AddedLines | None = None
    line_no = 0
    in_header = False  # "+++ " and "rename to" name paths only between "diff --git" and the first "@@"
    for line in patch.split(b"\n"):
        if line.startswith(b"diff --git "):
            current, in_header = None, True
        elif line.startswith(b"@@ "):  # hunk lines start with "+", "-", " " or "\\", never "@"
            in_header = False
            if current is not None:
                line_no = int(line.split(b" ")[2][1:].split(b",")[0])  # +start[,count]
        elif in_header:
            if line.startswith(b"+++ ") and line[4:] != b"/dev/null":
                path = _strip_prefix(unquote(line[4:].rstrip(b"\t")))
                touched.add(path)
                current = added.setdefault(path, AddedLines(path))
            elif line.startswith(b"rename to ") or line.startswith(b"copy to "):
                touched.add(unquote(line.split(b" to ", 1)[1]))
        elif line[:1] in (b"+", b" ") and current is not None:  # an added or a context line
            current.lines.append(line[1:])
            current.numbers.append(line_no)
            if line[:1] == b"+":
                current.added.add(line_no)
            line_no += 1
    return {p: a for p, a in added.items() if a.added}, touched


def staged_changes(repo: str, only: list[str] | None = None) -> tuple[dict[str, AddedLines], set[str]]:
    """Added lines of the staged change in ``repo`` (against HEAD; before the first commit, everything
    staged), narrowed to the files or directories ``only``.

    The diff itself always covers the whole index: a pathspec would hide a rename's old side, and the
    renamed file would look wholly new."""
    added, touched = parse_patch(gitutil.git(
        repo, "-c", "core.quotepath=off", "-c", "diff.suppressBlankEmpty=false", "diff", "--cached",
        "--no-color", "--no-ext-diff", "--no-textconv", "--text", f"-U{CONTEXT_LINES}", "-M",
        "--diff-filter=ACMRT", "--src-prefix=a/", "--dst-prefix=b/"))
    if only is not None:
        files = set(only)
        dirs = tuple(o.rstrip("/") + "/" for o in only if os.path.isdir(os.path.join(repo, o)))
        added = {p: a for p, a in added.items() if p in files or (dirs and p.startswith(dirs))}
    return added, touched


def repo_relative(repo: str, names: list[str]) -> list[str]:
    """File arguments (relative to the current directory) as POSIX paths relative to ``repo``; a symlink
    is named, not followed."""
    root = os.path.realpath(repo)
    return [os.path.relpath(os.path.abspath(n), root).replace(os.sep, "/") for n in names]


class StagedChange:
    """The staged change of the repository at ``root``, narrowed to the FILE arguments (``only``)."""

    __slots__ = ("root", "only", "added", "touched")

    def __init__(self, root: str, only: list[str] | None, added: dict[str, AddedLines], touched: set[str]) -> None:
        self.root, self.only, self.added, self.touched = root, only, added, touched

    def whole_files(self) -> Iterator[tuple[str, str]]:
        """Passed files with no staged change at all (``pre-commit run --all-files``), as (path in the
        repository, path to read): scanned whole."""
        for rel in self.only or []:
            if rel not in self.touched:
                p = os.path.join(self.root, rel)
                if os.path.isfile(p) and not os.path.islink(p):
                    yield rel, p


def _work_tree_root() -> str | None:
    """The work tree root around the current directory. pre-commit runs hooks at the root, so a ``.git``
    here (with no GIT_DIR / GIT_WORK_TREE pointing elsewhere) answers without starting ``git``."""
    if os.path.exists(".git") and not (os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE")):
        return os.getcwd()
    return gitutil.toplevel(".")


def read_change(names: list[str]) -> StagedChange:
    """The staged change of the work tree around the current directory, narrowed to ``names``."""
    from scanner.errors import YardguardError
    root = _work_tree_root()
    if root is None:
        raise YardguardError("not inside a git work tree")
    only = repo_relative(root, names) if names else None
    added, touched = staged_changes(root, only)
    return StagedChange(root, only, added, touched)

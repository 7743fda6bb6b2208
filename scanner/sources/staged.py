"""The pre-commit path: only the lines a staged change adds (index against HEAD, or the empty tree)."""
from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterator, Sequence

from scanner import gitutil

TYPE_CHECKING = False
if TYPE_CHECKING:
    from scanner.decoding.stage import Decoder
    from scanner.progress import Scope

HEAD = 1024
"""Bytes of a file's start that decide whether it is a container or UTF-16 (magic bytes, byte-order marks)."""
CONTEXT_LINES = 10
"""Unchanged lines read around each change: a key added under an existing ``- name: TRACKYARD_API_KEY``
or next to an existing ``api.trackyard.com`` URL is only recognisable with its neighbours."""


class AddedLines:
    """The new-side lines of one staged file's hunks (the added lines plus a little context), joined by
    newlines; ``numbers`` is the file line of each, ``added`` the file lines the change adds.

    Built from the file's hunk text (``raw``) on first use, and only as far as asked: a file of a big
    change is usually only searched for keywords (:meth:`worth_scanning`, on the raw hunks), and a new
    file's hunk (``@@ -0,0 +1,N @@``, every line added) is numbered by a ``range`` and becomes :attr:`data`
    with one replace, with no object per line."""

    __slots__ = ("path", "raw", "replaced", "_merged", "_lines", "_numbers", "_added", "_data", "_parsed", "_body",
                 "_end", "_size", "_final_newline")

    def __init__(self, path: str, raw: bytes, merged: bool = False) -> None:
        self.path, self.raw = path, raw
        self._merged = merged  # the hunks of more than one section of the patch (never one new-file hunk)
        self.replaced = False  # the patch also deletes this path (a type change): it is in HEAD
        self._lines: list[bytes] | None = None
        self._numbers: Sequence[int] = ()
        self._added: Collection[int] = ()
        self._data: bytes | None = None
        self._parsed = False
        self._body: int | None = None  # where a new file's hunk lines (each still with its "+") start in raw
        self._end = 0  # and where they end
        self._size = 0
        self._final_newline = True

    def _parse_new_file(self) -> bool:
        """Parse a new file's hunk, where every line is added, without splitting, counting or copying it;
        False for any other. Its header says how many lines it has: ``@@ -0,0 +1,N @@`` (``+1`` for one).
        With ``-U10`` an old side of no lines means an empty or absent old file: one hunk, every line of it
        added (a section merged with another is parsed line by line). No pass over the hunk: on a 35 MB
        first commit each one costs tens of ms."""
        raw = self.raw
        if self._merged or not raw.startswith(b"@@ -0,0 +1"):
            return False
        eol = raw.find(b"\n")
        fields = raw[:eol].split(b" ")
        if eol < 0 or len(fields) < 4 or fields[3] != b"@@" or not (fields[2] == b"+1" or fields[2][:3] == b"+1,"):
            return False
        count = fields[2][3:]
        lines = int(count) if count.isdigit() else 1 if fields[2] == b"+1" else 0
        if not lines or raw[eol + 1:eol + 2] != b"+":
            return False
        end = len(raw)
        last = raw.rfind(b"\n") + 1
        if last > eol + 1 and raw[last:last + 1] == b"\\":  # "\\ No newline at end of file"
            end = last - 1
            self._final_newline = False
        self._body, self._end = eol + 1, end
        self._size = end - self._body - lines  # each line's "+", and the newlines between them
        self._numbers = self._added = range(1, lines + 1)
        return True

    @property
    def data(self) -> bytes:
        if not self._parsed:
            self._parse()
        if self._data is None:
            self._data = (b"\n".join(self.lines) if self._body is None
                          else self.raw[self._body + 1:self._end].replace(b"\n+", b"\n"))
        return self._data

    @property
    def size(self) -> int:
        """``len(data)``, without building it for a new file."""
        if not self._parsed:
            self._parse()
        return self._size if self._body is not None else len(self.data)

    def head(self, size: int) -> bytes:
        """The first ``size`` bytes of :attr:`data` (all of it when shorter), without building it: a new
        file's from the start of its hunk (each byte of data is at most two of it: a newline and the next
        line's "+"), another's from its first hunk lines (parsing every line of a 1,000-file change to
        look at the start of each cost more than searching them all)."""
        if self._data is not None:
            return self._data[:size]
        if not self._parsed and not self._parse_new_file():
            return self._head_of_hunks(size)
        self._parsed = True
        if self._body is None:
            return self.data[:size]
        start = self._body + 1
        return self.raw[start:min(start + 2 * size, self._end)].replace(b"\n+", b"\n")[:size]

    def _head_of_hunks(self, size: int) -> bytes:
        """:meth:`head` from the added and context lines of the hunks, read from the first until ``size``
        bytes of data are known."""
        raw = self.raw
        kept: list[bytes] = []
        known = at = 0
        while known <= size and at <= len(raw):  # a newline counts once the next line is read
            end = raw.find(b"\n", at)
            end = len(raw) if end < 0 else end
            if raw[at:at + 1] in (b"+", b" "):  # an added or a context line, as _parse keeps them
                kept.append(raw[at + 1:end])
                known += end - at  # the line without its mark, and the newline joining it to the next
            at = end + 1
        return b"\n".join(kept)[:size]

    def new_file(self) -> bytes | None:
        """The whole staged file when the change adds it (one new-file hunk, and no section of the patch
        deletes the path), rebuilt from its hunk (``--text`` shows every byte); else None."""
        if not self._parsed:
            self._parse()
        if self._body is None or self.replaced:
            return None
        return self.data + b"\n" if self._final_newline else self.data

    def worth_scanning(self, decoder: Decoder) -> bool:
        """``decoder.worth_scanning(data)``, mostly without building :attr:`data`: byte-order marks and magic
        bytes are looked for in its head, keywords and their encoded forms in the raw hunks first (holding
        no newline, a literal in data is in the raw hunks too; see :func:`literals_span_no_lines`)."""
        if self._data is not None:
            return decoder.worth_scanning(self._data)
        # a keyword or literal in the head is in the raw hunks and in data too: the head is asked only
        # what needs a file's first bytes
        return decoder.opens(self.head(HEAD)) or (decoder.worth_scanning(self.raw)
                                                  and decoder.worth_scanning(self.data))

    @property
    def lines(self) -> list[bytes]:
        if not self._parsed:
            self._parse()
        if self._lines is None:
            self._lines = self.data.split(b"\n")
        return self._lines

    @property
    def numbers(self) -> Sequence[int]:
        if not self._parsed:
            self._parse()
        return self._numbers

    @property
    def added(self) -> Collection[int]:
        if not self._parsed:
            self._parse()
        return self._added

    def _parse(self) -> None:
        self._parsed = True
        if self._parse_new_file():
            return
        lines: list[bytes] = []
        numbers: list[int] = []
        added: set[int] = set()
        line_no = 0
        for line in self.raw.split(b"\n"):
            if line.startswith(b"@@ "):  # hunk lines start with "+", "-", " " or "\\", never "@"
                line_no = int(line.split(b" ")[2][1:].split(b",")[0])  # +start[,count]
            elif line[:1] in (b"+", b" "):  # an added or a context line
                lines.append(line[1:])
                numbers.append(line_no)
                if line[:1] == b"+":
                    added.add(line_no)
                line_no += 1
        self._lines, self._numbers, self._added = lines, numbers, added

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
    """Added lines (with their context) per new path from a patch, and every path the patch touches. Only
    each file's header is split into lines here; its hunks are kept as they are (:class:`AddedLines`)."""
    added: dict[str, AddedLines] = {}
    touched: set[str] = set()
    gone: set[str] = set()  # old sides: paths HEAD has
    last = len(patch) - 1 if patch.endswith(b"\n") else len(patch)
    at = 0
    while True:  # sections start with "diff --git " (a hunk line starts with "+", "-", " " or "\\"), each sliced
        # once from the patch (of a 5,000-file first commit: 36 MB), never split and then copied again
        following = patch.find(b"\ndiff --git ", at, last)
        stop = last if following < 0 else following
        cut = patch.find(b"\n@@ ", at, stop)
        header, hunks = (patch[at:stop], b"") if cut < 0 else (patch[at:cut], patch[cut + 1:stop])
        at = following + len(b"\ndiff --git ")
        path = None  # "+++ " and "rename to" name paths only in the header, before the first "@@"
        for line in header.split(b"\n"):
            if line.startswith(b"+++ ") and line[4:] != b"/dev/null":
                path = _strip_prefix(unquote(line[4:].rstrip(b"\t")))
                touched.add(path)
            elif line.startswith(b"--- ") and line[4:] != b"/dev/null":
                gone.add(_strip_prefix(unquote(line[4:].rstrip(b"\t"))))  # in HEAD (or deleted here)
            elif line.startswith(b"rename to ") or line.startswith(b"copy to "):
                touched.add(unquote(line.split(b" to ", 1)[1]))
        if path is not None and b"\n+" in hunks:  # the file gains at least one line
            before = added.get(path)
            added[path] = (AddedLines(path, hunks) if before is None
                           else AddedLines(path, before.raw + b"\n" + hunks, merged=True))
        if following < 0:
            break
    for path in gone & added.keys():
        added[path].replaced = True
    return added, touched


DIFF = ("-c", "core.quotepath=off", "-c", "diff.suppressBlankEmpty=false", "diff", "--cached", "--no-color",
        "--no-ext-diff", "--no-textconv", "--text", f"-U{CONTEXT_LINES}", "-M", "--diff-filter=ACMRT",
        "--src-prefix=a/", "--dst-prefix=b/")
"""The staged diff. It always covers the whole index: a pathspec would hide a rename's old side, and the
renamed file would look wholly new."""


def staged_changes(repo: str, only: list[str] | None = None) -> tuple[dict[str, AddedLines], set[str]]:
    """Added lines of the staged change in ``repo`` (against HEAD; before the first commit, everything
    staged), narrowed to the files or directories ``only``."""
    return _narrowed(repo, only, *parse_patch(gitutil.git(repo, *DIFF)))


def _narrowed(repo: str, only: list[str] | None, added: dict[str, AddedLines], touched: set[str]
              ) -> tuple[dict[str, AddedLines], set[str]]:
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

    def measure(self, scope: Scope) -> None:
        """Count the staged files, added lines and their bytes into ``scope`` (the run's scope line)."""
        whole = list(self.whole_files())
        scope.add("staged files", len(self.added) + len(whole))
        scope.add("added lines", sum(len(hunks.added) for hunks in self.added.values()))
        scope.nbytes += sum(hunks.size for hunks in self.added.values())
        scope.nbytes += sum(os.path.getsize(real) for _, real in whole)

    def whole_files(self) -> Iterator[tuple[str, str]]:
        """Passed files with no staged change at all (``pre-commit run --all-files``), as (path in the
        repository, path to read): scanned whole."""
        for rel in self.only or []:
            if rel not in self.touched:
                p = os.path.join(self.root, rel)
                if os.path.isfile(p) and not os.path.islink(p):
                    yield rel, p


def literals_span_no_lines(decoder: Decoder) -> bool:
    """True when no keyword or encoded keyword of ``decoder`` holds a newline (rule keywords may, in
    principle): then :meth:`AddedLines.worth_scanning` may search the raw hunks."""
    return not any(b"\n" in k for k in (*decoder.engine.keywords.literals, *decoder.literals))


def binary_paths(added: dict[str, AddedLines]) -> list[str]:
    """Staged files whose added lines hold NUL bytes: a diff of a binary (an archive, UTF-16 text) is
    useless, so their staged blob is read and scanned whole (:func:`staged_blobs`)."""
    return [path for path, lines in added.items() if b"\0" in lines.raw and b"\0" in lines.data]


def binary_versions(root: str, added: dict[str, AddedLines]) -> dict[str, tuple[bytes, bytes]]:
    """(staged version, HEAD version or ``b""``) of each binary staged file (:func:`binary_paths`): a new
    file's from its hunk, a changed file's read with one ``git cat-file`` (:func:`staged_blobs`)."""
    paths = [p for p in binary_paths(added) if "\n" not in p]
    new = {p: added[p].new_file() for p in paths}
    versions = {p: (blob, b"") for p, blob in new.items() if blob is not None}
    return {**versions, **staged_blobs(root, [p for p in paths if p not in versions])}


def staged_blobs(root: str, paths: list[str]) -> dict[str, tuple[bytes, bytes]]:
    """(staged version, HEAD version or ``b""``) of each of ``paths``, read with one ``git cat-file``.
    A path with a newline cannot be asked for this way and is left out."""
    wanted = [p for p in paths if "\n" not in p]
    if not wanted:
        return {}
    request = b"".join(b":%s\nHEAD:%s\n" % (os.fsencode(p), os.fsencode(p)) for p in wanted)
    out = gitutil.git(root, "cat-file", "--batch", input=request)
    versions: list[bytes] = []
    at = 0
    while at < len(out):
        end = out.index(b"\n", at)
        header = out[at:end].split()
        at = end + 1
        if header[-1] == b"missing":
            versions.append(b"")
            continue
        size = int(header[2])
        versions.append(out[at:at + size])
        at += size + 1
    return {p: (versions[2 * i], versions[2 * i + 1]) for i, p in enumerate(wanted)}


def _work_tree_root() -> str | None:
    """The work tree root around the current directory. pre-commit runs hooks at the root, so a ``.git``
    here (with no GIT_DIR / GIT_WORK_TREE pointing elsewhere) answers without starting ``git``."""
    if os.path.exists(".git") and not (os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE")):
        return os.getcwd()
    return gitutil.toplevel(".")


def read_change(names: list[str]) -> StagedChange:
    """The staged change of the work tree around the current directory, narrowed to ``names``."""
    return start_reading(names)[1]()


def start_reading(names: list[str]) -> tuple[str, Callable[[], StagedChange]]:
    """The root of the work tree around the current directory, and a function that gives its staged change
    narrowed to ``names``: git starts now, so that the caller can work while it writes the diff."""
    from scanner.errors import YardguardError
    root = _work_tree_root()
    if root is None:
        raise YardguardError("not inside a git work tree")
    only = repo_relative(root, names) if names else None
    diff = gitutil.start(root, *DIFF)
    return root, lambda: StagedChange(root, only, *_narrowed(root, only, *parse_patch(diff())))

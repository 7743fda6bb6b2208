"""Running ``git`` as a subprocess: the only way yardguard reads a repository (it never writes one)."""
from __future__ import annotations

import os

from scanner.errors import YardguardError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable, Iterator
    from typing import IO, overload
else:
    def overload(function: object) -> object:  # typing costs an import the hook path does without
        return function

StrPath = str | os.PathLike[str]
"""A path to a repository or a directory in it."""

# The scanned repository is untrusted (SECURITY.md, section 3): its config, and every file that config
# includes, may not name a program git runs. Settings given on the command line outrank every config file,
# so these hold whatever the repository sets. Other program-naming keys are out of reach structurally: no
# transport (below), no pager (--no-pager, and output is a pipe), no patch output (so no diff.external or
# textconv), no command that converts work-tree files (so no filter driver).
SAFE_CONFIG = (
    "core.fsmonitor=false",            # reading the index would run it
    f"core.hooksPath={os.devnull}",    # no hook of any kind
    "log.showSignature=false",         # would run gpg.program on a signed commit
    "gpg.program=false", "gpg.openpgp.program=false", "gpg.x509.program=false", "gpg.ssh.program=false",
    "core.untrackedCache=false",       # planted index data could hide untracked files from `scan`
    "core.commitGraph=false",          # a planted commit-graph file could hide parents from the walk
    "color.ui=false",                  # output is parsed
)
_PREFIX = ("git", "--no-pager", *(a for kv in SAFE_CONFIG for a in ("-c", kv)))

# a scan must not even refresh the index; file names are names, never pathspec magic; the object graph is
# the true one: no replace refs, no grafts (shallow files: see walk_env)
_BASE_ENV = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_LITERAL_PATHSPECS": "1", "LC_ALL": "C",
             "GIT_NO_REPLACE_OBJECTS": "1", "GIT_GRAFT_FILE": os.path.join(os.devnull, "no-grafts"),
             "GIT_TERMINAL_PROMPT": "0"}
# reading needs no transport: with none allowed, nothing the repository names for one can run (remote
# helpers, core.sshCommand, remote.*.uploadpack, credential helpers, core.askPass, a partial clone's
# lazy fetch)
_ENV = {**_BASE_ENV, "GIT_ALLOW_PROTOCOL": ""}
# fetching and cloning use the operator's transports and credentials (the mirror's config is git's own);
# never wait for a password or a host-key prompt: an audit runs unattended, often on many workers
_NETWORK_ENV = {**_BASE_ENV, "GIT_SSH_COMMAND": os.environ.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")}


def argv(repo: StrPath, *args: str) -> list[str]:
    """The command line for ``git -C repo args`` with the untrusted-repository protections."""
    return [*_PREFIX, "-C", str(repo), *args]


def run(repo: StrPath, *args: str, input: bytes | None = None, network: bool = False,
        env: dict[str, str] | None = None) -> tuple[int, bytes, bytes]:
    """(exit code, stdout, stderr) of ``git -C repo args``; a missing git is a :class:`YardguardError`.
    ``network``: a fetch or clone (transports allowed); ``env``: extra environment (see :func:`walk_env`)."""
    environ = _NETWORK_ENV if network else _ENV
    return _run(argv(repo, *args), {**environ, **env} if env else environ, input)


def _run(command: list[str], environ: dict[str, str], input: bytes | None) -> tuple[int, bytes, bytes]:
    try:
        if input is None and hasattr(os, "posix_spawnp"):
            return _spawn(command, environ)
        import subprocess
        proc = subprocess.run(command, input=input, capture_output=True, env=environ)
    except FileNotFoundError:
        raise YardguardError("git is not installed or not on PATH") from None
    return proc.returncode, proc.stdout, proc.stderr


def _spawn(command: list[str], environ: dict[str, str]) -> tuple[int, bytes, bytes]:
    """``subprocess.run(argv, capture_output=True)`` without the subprocess module, which costs ~5 ms to
    import: a tenth of the pre-commit hook's run. git writes into anonymous in-memory files (Linux
    ``memfd_create``: never on disk, like a pipe's buffer), read once it has exited: through a pipe, a
    5,000-file first commit's 36 MB diff arrived in ~6,600 reads of a few kB (~0.14 s of CPU more, and git
    waiting on a full pipe). Elsewhere, or if they cannot be made, pipes."""
    running = _spawn_into_memory(command, environ)
    return _spawn_piped(command, environ) if running is None else running.wait()


class InMemory:
    """A git writing its stdout and stderr into in-memory files (:func:`_spawn_into_memory`)."""

    __slots__ = ("_pid", "_files", "_status")

    def __init__(self, pid: int, files: list[int]) -> None:
        self._pid, self._files = pid, files
        self._status: int | None = None

    def wait(self) -> tuple[int, bytes, bytes]:
        """(exit code, stdout, stderr), once git has exited."""
        try:
            code = self._status = os.waitstatus_to_exitcode(os.waitpid(self._pid, 0)[1])
            out, err = (_read_whole(fd) for fd in self._files)
        finally:
            self._close()
        return code, out, err

    def stop(self) -> None:
        """End git if it still runs (nothing it wrote is read); harmless after :meth:`wait`."""
        if self._status is None and self._files:
            try:
                os.kill(self._pid, 9)
                os.waitpid(self._pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        self._close()

    def _close(self) -> None:
        for fd in self._files:
            os.close(fd)
        self._files = []


def _spawn_into_memory(command: list[str], environ: dict[str, str]) -> InMemory | None:
    """``command`` started, writing into in-memory files. None where such files cannot be made."""
    try:
        files = [os.memfd_create(name, os.MFD_CLOEXEC) for name in ("git-stdout", "git-stderr")]
    except (AttributeError, OSError):
        return None
    try:
        pid = os.posix_spawnp(command[0], command, environ, file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, files[0], 1), (os.POSIX_SPAWN_DUP2, files[1], 2)])
    except BaseException:
        for fd in files:
            os.close(fd)
        raise
    return InMemory(pid, files)


def _read_whole(fd: int) -> bytes:
    """Everything written to the in-memory file ``fd`` (one read, unless it is over ~2 GB)."""
    size = os.fstat(fd).st_size
    chunks: list[bytes] = []
    at = 0
    while at < size:
        chunk = os.pread(fd, size - at, at)
        if not chunk:
            break
        chunks.append(chunk)
        at += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _spawn_piped(command: list[str], environ: dict[str, str]) -> tuple[int, bytes, bytes]:
    """:func:`_spawn` through pipes."""
    import select
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    try:
        pid = os.posix_spawnp(command[0], command, environ, file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, err_w, 2)])
    except BaseException:
        os.close(out_r)
        os.close(err_r)
        raise
    finally:
        os.close(out_w)
        os.close(err_w)
    chunks: dict[int, list[bytes]] = {out_r: [], err_r: []}
    poller = select.poll()
    for fd in chunks:
        poller.register(fd, select.POLLIN)
    reading = len(chunks)
    while reading:
        for fd, _ in poller.poll():
            data = os.read(fd, 1 << 16)
            if data:
                chunks[fd].append(data)
            else:
                poller.unregister(fd)
                os.close(fd)
                reading -= 1
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks[out_r]), b"".join(chunks[err_r])


def git(repo: StrPath, *args: str, check: bool = True, input: bytes | None = None) -> bytes:
    """Run ``git -C repo args`` and return stdout; a failure is a :class:`YardguardError`."""
    code, out, err = run(repo, *args, input=input)
    return _checked(args, code, out, err) if check else out


def _checked(args: tuple[str, ...], code: int, out: bytes, err: bytes) -> bytes:
    if code != 0:
        message = err.decode("utf-8", "replace").strip().splitlines()
        command = next((a for a, before in zip(args, ("", *args), strict=False) if a != "-c" and before != "-c"), "")
        raise YardguardError(f"git {command} failed: {message[-1] if message else f'exit {code}'}")
    return out


class Started:
    """A git started by :func:`start`: calling it waits and gives what :func:`git` would (a failure is a
    :class:`YardguardError`); :meth:`stop` ends it unread."""

    __slots__ = ("_args", "_running", "_out")

    def __init__(self, args: tuple[str, ...], running: InMemory | None, out: bytes = b"") -> None:
        self._args, self._running, self._out = args, running, out

    def __call__(self) -> bytes:
        """git's output, once it has exited."""
        return self._out if self._running is None else _checked(self._args, *self._running.wait())

    def stop(self) -> None:
        """End git unread, if it still runs."""
        if self._running is not None:
            self._running.stop()


def start(repo: StrPath, *args: str) -> Started:
    """Start ``git -C repo args`` now, so that the caller works while git runs. Where git's output cannot
    go to in-memory files, git runs to the end here."""
    command = argv(repo, *args)
    try:
        running = _spawn_into_memory(command, _ENV) if hasattr(os, "posix_spawnp") else None
    except FileNotFoundError:
        raise YardguardError("git is not installed or not on PATH") from None
    return Started(args, running) if running is not None else Started(args, None, git(repo, *args))


class Process:
    """A streaming git started by :func:`spawn`. ``stdout`` is the read end of its output pipe (-1 when it
    writes into a file of the caller's)."""

    __slots__ = ("pid", "stdout", "_code", "_popen")

    def __init__(self, pid: int, stdout: int, popen: subprocess.Popen[bytes] | None = None) -> None:
        self.pid, self.stdout, self._popen = pid, stdout, popen
        self._code: int | None = None

    def wait(self) -> int:
        """Its exit code, once it has exited."""
        if self._code is None:
            if self._popen is not None:
                code = self._popen.wait()
            else:
                code = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
            self._code = code
            return code
        return self._code

    def close(self) -> None:
        """End it if it still runs and close its output pipe; harmless twice."""
        if self._code is None:
            try:
                if self._popen is not None:
                    self._popen.kill()
                else:
                    os.kill(self.pid, 9)
            except ProcessLookupError:
                pass
            self.wait()
        if self.stdout >= 0:
            os.close(self.stdout)
            self.stdout = -1


def spawn(repo: StrPath, *args: str, stdin: bytes | None = None, stdout: int | None = None,
          env: dict[str, str] | None = None) -> Process:
    """``git -C repo args`` started now, without the subprocess module where ``posix_spawn`` exists (~13 ms
    to import, spent before git could start): its output into the file descriptor ``stdout``, else into a
    pipe (:attr:`Process.stdout`). ``stdin`` (without it, git reads nothing) is an in-memory file git reads
    from, or where there is none, a pipe written from a thread (a long object list must not deadlock on a
    full pipe; starting a thread waits for it to run, ~5 ms on a busy machine)."""
    command = argv(repo, *args)
    environ = {**_ENV, **env} if env else _ENV
    if not hasattr(os, "posix_spawnp"):
        return _spawn_subprocess(command, environ, stdin, stdout)
    out_r, out_w = os.pipe() if stdout is None else (-1, stdout)
    in_r, in_w = -1, -1
    if stdin is not None:
        in_r = _in_memory(stdin)
        if in_r < 0:
            in_r, in_w = os.pipe()
    try:
        pid = os.posix_spawnp(command[0], command, environ, file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0) if in_r < 0 else (os.POSIX_SPAWN_DUP2, in_r, 0),
            (os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)])
    except BaseException as e:
        for fd in (out_r, in_w):
            if fd >= 0:
                os.close(fd)
        if isinstance(e, FileNotFoundError):
            raise YardguardError("git is not installed or not on PATH") from None
        raise
    finally:
        for fd in (in_r, out_w if stdout is None else -1):
            if fd >= 0:
                os.close(fd)
    if in_w >= 0 and stdin is not None:
        _feed(in_w, stdin)
    if out_r >= 0:
        _grow_pipe(out_r)
    return Process(pid, out_r)


def _in_memory(data: bytes) -> int:
    """A descriptor of an anonymous in-memory file holding ``data``, read from its start (-1 where there
    are none: not Linux)."""
    try:
        fd = os.memfd_create("git-stdin", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        return -1
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.lseek(fd, 0, os.SEEK_SET)
    except OSError:
        os.close(fd)
        return -1
    return fd


def _spawn_subprocess(command: list[str], environ: dict[str, str], stdin: bytes | None,
                      stdout: int | None) -> Process:
    """:func:`spawn` where there is no ``posix_spawn``."""
    import subprocess
    try:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
                                stdout=subprocess.PIPE if stdout is None else stdout,
                                stderr=subprocess.DEVNULL, env=environ)
    except FileNotFoundError:
        raise YardguardError("git is not installed or not on PATH") from None
    if stdin is not None:
        _feed(os.dup(proc.stdin.fileno()), stdin)  # type: ignore[union-attr]
        proc.stdin.close()  # type: ignore[union-attr]
    out = -1 if proc.stdout is None else os.dup(proc.stdout.fileno())
    if proc.stdout is not None:
        proc.stdout.close()
    return Process(proc.pid, out, proc)


def _feed(fd: int, data: bytes) -> None:
    """Write ``data`` into the pipe ``fd`` from a thread, then close it; a reader that went away ends it."""
    import threading

    def write() -> None:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        except OSError:  # git went away (it failed, or we stopped reading): its exit status says
            pass
        finally:
            os.close(fd)
    threading.Thread(target=write, daemon=True).start()


def popen(repo: StrPath, *args: str, stdout: IO[bytes] | None = None,
          env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """A streaming ``git`` process with a pipe on stdin and one on stdout (or ``stdout``, a file)."""
    import subprocess
    proc = subprocess.Popen(
        argv(repo, *args), stdin=subprocess.PIPE, stdout=stdout or subprocess.PIPE,
        stderr=subprocess.DEVNULL, env={**_ENV, **env} if env else _ENV,
        bufsize=1 << 16,  # 64 KiB reads: measured fastest
    )
    if stdout is None and proc.stdout is not None:
        _grow_pipe(proc.stdout.fileno())
    return proc


def _grow_pipe(fd: int) -> None:
    """A 1 MiB pipe instead of 64 KiB: git stalls less on a full pipe (history reads ~10% faster)."""
    try:
        import fcntl
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass  # not Linux, or above /proc/sys/fs/pipe-max-size: the default size works too


class Unread:
    """The rest of one big blob in a ``cat-file --batch`` stream, read on demand (``len()`` is its size)."""

    __slots__ = ("_read", "size", "left")

    def __init__(self, read: Callable[[int], bytes], size: int) -> None:
        self._read, self.size, self.left = read, size, size

    def __len__(self) -> int:
        return self.size

    def read(self, n: int) -> bytes:
        """Up to ``n`` more bytes of the blob (``b""`` at its end)."""
        data = self._read(min(n, self.left)) if self.left else b""
        self.left -= len(data)
        if not data:
            self.left = 0  # git went away: nothing more will come
        return data

    def skip(self) -> None:
        while self.read(1 << 20):
            pass


# ruff does not see typing's overload through the run-time stand-in above, hence the noqa
@overload
def read_objects(stream: IO[bytes]) -> Iterator[tuple[bytes, bytes, bytes]]: ...
@overload
def read_objects(stream: IO[bytes], stream_over: int | None  # noqa: F811
                 ) -> Iterator[tuple[bytes, bytes, bytes | Unread]]: ...
def read_objects(stream: IO[bytes], stream_over: int | None = None  # noqa: F811
                 ) -> Iterator[tuple[bytes, bytes, bytes | Unread]]:
    """(oid, type, content) triples from ``git cat-file --batch`` output. With ``stream_over``, a bigger
    blob's content is an :class:`Unread` to read before the next triple (what is left is skipped)."""
    readline, read = stream.readline, stream.read
    while header := readline():
        parts = header.split()
        if len(parts) < 3:  # "<oid> missing"
            continue
        size = int(parts[2])
        if stream_over is not None and size > stream_over and parts[1] == b"blob":
            rest = Unread(read, size)
            yield parts[0], parts[1], rest
            rest.skip()
            read(1)
        else:
            data = read(size)
            read(1)
            yield parts[0], parts[1], data


def toplevel(path: StrPath) -> str | None:
    """The work tree root containing ``path``, or None outside a work tree."""
    code, out, _ = run(path, "rev-parse", "--show-toplevel")
    return os.fsdecode(out.strip()) if code == 0 else None


def require_repo(path: StrPath) -> str:
    """The git directory root for ``path`` (work tree or bare); exit 2 when it is not a repository."""
    if not os.path.isdir(path):
        raise YardguardError(f"not a directory: {path}")
    root = toplevel(path)
    if root is not None:
        return root
    if run(path, "rev-parse", "--is-bare-repository")[0] != 0:
        raise YardguardError(f"not a git repository: {path}")
    return str(path)


def hooks_path(repo: StrPath) -> bytes:
    """Where git runs the hooks of ``repo`` from, ``core.hooksPath`` honoured: for ``install-hooks`` in the
    user's own repository, the one call without the hooks override (``rev-parse`` runs no program)."""
    code, out, err = _run(["git", "-C", str(repo), "rev-parse", "--git-path", "hooks"], _ENV, None)
    if code != 0:
        raise YardguardError(f"git rev-parse failed: {err.decode('utf-8', 'replace').strip()}")
    return out.strip()


def has_commit(repo: StrPath, rev: str = "HEAD") -> bool:
    """True when ``rev`` names a commit."""
    return run(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")[0] == 0


def files_at(repo: StrPath, rev: str, paths: list[str], limit: int) -> dict[str, bytes]:
    """The content of each of ``paths`` that is a file at revision ``rev`` (``git cat-file``, never the
    work tree); a file larger than ``limit`` bytes is a :class:`YardguardError`. Paths are relative to
    the repository root."""
    wanted = [p for p in paths if "\n" not in p]
    if not wanted:
        return {}
    query = "".join(f"{rev}:{p}\n" for p in wanted).encode()
    listing = git(repo, "cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)", input=query)
    blobs: dict[str, str] = {}
    for path, line in zip(wanted, listing.splitlines(), strict=False):
        parts = line.split()
        if len(parts) != 3 or parts[1] != b"blob":
            continue  # missing (or a directory)
        if int(parts[2]) > limit:
            raise YardguardError(f"{rev}:{path} is larger than {limit} bytes")
        blobs[path] = parts[0].decode()
    if not blobs:
        return {}
    out = git(repo, "cat-file", "--batch", input="".join(f"{o}\n" for o in blobs.values()).encode())
    contents: dict[str, bytes] = {}
    view = memoryview(out)
    at = 0
    for path in blobs:
        end = out.index(b"\n", at)
        size = int(out[at:end].split()[2])
        contents[path] = bytes(view[end + 1:end + 1 + size])
        at = end + 2 + size
    return contents


def tree_files(repo: StrPath, rev: str, directory: str) -> list[str] | None:
    """The file names directly in ``directory`` at revision ``rev`` (None when it is not a directory)."""
    code, out, _ = run(repo, "ls-tree", "-z", f"{rev}:{directory}" if directory else rev)
    if code != 0:
        return None
    names = []
    for entry in filter(None, out.split(b"\0")):
        meta, _, name = entry.partition(b"\t")
        if meta.split()[1] == b"blob":
            names.append(os.fsdecode(name))
    return names


def walk_env(repo: StrPath) -> dict[str, str]:
    """The environment for walking the commits of ``repo`` over its true graph: a shallow file may only
    cut history where the parents really are missing (a shallow clone). An entry whose commit has all its
    parents present was planted to hide them, and is dropped."""
    path = os.path.join(repo, os.fsdecode(git(repo, "rev-parse", "--git-path", "shallow").rstrip(b"\n")))
    try:
        with open(path, "rb") as f:
            listed = [line.strip() for line in f if line.strip()]
    except OSError:
        return {}
    commits = git(repo, "cat-file", "--batch", input=b"".join(oid + b"\n" for oid in listed))
    parents: dict[bytes, list[bytes]] = {}
    import io
    for oid, kind, data in read_objects(io.BytesIO(commits)):
        if kind == b"commit":
            header = data.split(b"\n\n", 1)[0].split(b"\n")
            parents[oid] = [line[7:] for line in header if line.startswith(b"parent ")]
    asked = sorted({p for ps in parents.values() for p in ps})
    found = git(repo, "cat-file", "--batch-check=%(objectname)", input=b"".join(p + b"\n" for p in asked))
    present = {line for line in found.splitlines() if not line.endswith(b" missing")}
    genuine = [oid for oid, ps in parents.items() if any(p not in present for p in ps)]
    if len(genuine) == len(listed):
        return {}  # a real shallow clone: git's own file is right
    if not genuine:
        return {"GIT_SHALLOW_FILE": ""}  # an empty name: not shallow at all
    import atexit
    import shutil
    import tempfile
    scratch = tempfile.mkdtemp(prefix="yardguard-shallow-")
    atexit.register(shutil.rmtree, scratch, True)
    own = os.path.join(scratch, "shallow")
    with open(own, "wb") as f:
        f.write(b"".join(oid + b"\n" for oid in genuine))
    return {"GIT_SHALLOW_FILE": own}

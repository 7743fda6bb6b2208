"""Whole-history scans: every unique blob (and commit message) read once, straight from
``git cat-file``; only blobs that hit are attributed to the commit that introduced them."""
from __future__ import annotations

import gc
import io
import itertools
import os
from collections.abc import Callable, Iterable, Iterator

from scanner import gitutil
from scanner.decoding.containers import container_kind
from scanner.errors import YardguardError
from scanner.findings import redact, scan_stream
from scanner.gitutil import StrPath, Unread, read_objects
from scanner.model import COMMIT, COMMIT_MESSAGE, MESSAGE_PATHS, TAG_MESSAGE, Finding
from scanner.progress import Progress as ProgressBar
from scanner.sources.batches import read_batches
from scanner.sources.history_start import LOG_ARGS, PACK_LIMITS, Listing, Log
from scanner.sources.staged import unquote

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

    from scanner.decoding.stage import Decoder, Warn

ZERO_OID = "0" * 40
UNKNOWN_COMMIT = "unknown"
"""The ``commit`` of a key found in a blob that no commit reachable from a ref introduces."""
Progress = Callable[[int, int, int], None]  # (objects done, bytes done, commits among the objects)

class Commit:
    """Who and when, for attribution; ``order`` is the position in the oldest-first walk."""

    __slots__ = ("oid", "author_name", "author_email", "date", "order")

    def __init__(self, oid: str, author_name: str, author_email: str, date: str, order: int) -> None:
        self.oid, self.author_name, self.author_email = oid, author_name, author_email
        self.date, self.order = date, order


class Introduction:
    """A blob appearing at ``path`` in ``commit``; ``old`` is the blob it replaced (or zeros)."""

    __slots__ = ("commit", "path", "old")

    def __init__(self, commit: Commit, path: str, old: str) -> None:
        self.commit, self.path, self.old = commit, path, old


STREAM_OVER = 64 << 20
"""Blobs above this many bytes are scanned in overlapping windows as git streams them, never whole in
memory (:func:`scanner.findings.scan_stream`): for plain keys only, neither decoded nor opened as archives
(docs/commands.md, "Binary files, huge files, odd input")."""


def _message(commit_object: bytes) -> tuple[int, bytes]:
    """(offset, message) of a raw commit object: everything after the header's blank line."""
    cut = commit_object.find(b"\n\n")
    return (cut + 2, commit_object[cut + 2:]) if cut >= 0 else (len(commit_object), b"")


class Hits:
    """What reading the objects found: findings by blob id and by commit id, and the warnings of each blob
    (kind of container, [(where inside it, message)]), said once a path that holds the blob is known
    (:meth:`say_warnings`): a blob is read before its name is known."""

    __slots__ = ("blobs", "messages", "warnings")

    def __init__(self) -> None:
        self.blobs: dict[str, list[Finding]] = {}
        self.messages: dict[str, list[Finding]] = {}
        self.warnings: dict[str, tuple[str | None, list[tuple[str, str]]]] = {}

    def __bool__(self) -> bool:
        return bool(self.blobs or self.messages or self.warnings)

    def update(self, other: Hits) -> None:
        self.blobs.update(other.blobs)
        self.messages.update(other.messages)
        self.warnings.update(other.warnings)

    def say_warnings(self, decoder: Decoder, walk: Iterable[tuple[Commit, list[tuple[str, str, str]]]]) -> None:
        """Each blob's warnings, naming the path that first introduced it (``<blob OID>`` when no commit the
        walk reached does), members named as ``scan`` names them."""
        if not self.warnings:
            return
        first: dict[str, str] = {}
        for _, changes in walk:
            for _, new, path in changes:
                first.setdefault(new, path)
        said = []
        for oid, (kind, items) in self.warnings.items():
            named = first.get(oid)
            said += [(f"<blob {oid}>{where}" if named is None else named + _named(kind, named, where), message)
                     for where, message in items]
        for where, message in sorted(said, key=lambda item: item[0]):  # the objects came in no fixed order
            decoder.warn(where, message)


_STREAMS = ("gzip", "bz2", "xz")
_CONTAINERS = ("zip", "tar", *_STREAMS, "sqlite", "pyc")


def _named(kind: str | None, path: str, suffix: str) -> str:
    """``suffix`` (``""`` or ``!member...``, as a blob scanned without a name reports it) under ``path``: the
    member of a gzip/bz2/xz stream, nameless then, is named after ``path`` as ``scan`` names it."""
    if kind in _STREAMS and suffix.startswith("!"):
        from scanner.decoding.containers import label
        from scanner.decoding.containers.streams import member_name
        return "!" + label(member_name(kind, path)) + suffix[1:]
    return suffix


def _cat_file(repo: StrPath, args: list[str], stdin: bytes | None) -> gitutil.Process:
    """A streaming ``git cat-file ARGS``, its stdin the object ids (or nothing). ``--buffer``: git writes in
    big blocks, not three writes per object (nothing here reads interactively)."""
    return gitutil.spawn(repo, *PACK_LIMITS, "cat-file", "--buffer", *args, stdin=stdin)


def _collect(into: list[tuple[str, str]], label: str) -> Warn:
    """A warning callback that keeps each warning in ``into``, ``where`` without the ``label`` prefix."""
    def add(where: str, message: str) -> None:
        into.append((where.removeprefix(label), message))
    return add


def _scan_objects(repo: StrPath, decoder: Decoder, requests: list[tuple[list[str], bytes | None]],
                  progress: Progress | None) -> Hits:
    """Scan every blob and commit message that ``git cat-file ARGS`` yields (one git per (args, stdin) of
    ``requests``, all read by this thread: :mod:`scanner.sources.batches`)."""
    hits = Hits()
    procs = [_cat_file(repo, args, stdin) for args, stdin in requests]
    collecting = gc.isenabled()
    gc.disable()  # the loop makes many short-lived objects and no cycles: ~20 ms of collections in 100 MB
    try:
        count = total = commits = 0
        worth_scanning = decoder.skip_test()
        for oid, kind, data in read_batches([p.stdout for p in procs], STREAM_OVER):
            count += 1
            total += len(data)
            if progress is not None and count % 2048 == 0:
                progress(count, total, commits)
            if isinstance(data, Unread):  # too big to hold: the raw bytes, a window at a time (not decoded)
                found = scan_stream(decoder.engine, data.read, "", f"blob {oid.decode()}")
                if found:
                    hits.blobs[oid.decode()] = found
            elif kind == b"blob":
                if worth_scanning(data):
                    warnings: list[tuple[str, str]] = []
                    label = f"blob {oid.decode()}"  # an error names it; a warning waits for a path (Hits.say_warnings)
                    found = decoder.scan(bytes(data), "", label, _collect(warnings, label))
                    if found:
                        hits.blobs[oid.decode()] = found
                    if warnings:
                        hits.warnings[oid.decode()] = (container_kind(data, ""), warnings)
            elif kind == b"commit":
                commits += 1
                _, message = _message(bytes(data))
                if worth_scanning(message):
                    found = [f.replace(origin=COMMIT_MESSAGE) for f in decoder.scan(
                        message, MESSAGE_PATHS[COMMIT_MESSAGE], f"the message of commit {oid.decode()}")]
                    if found:
                        hits.messages[oid.decode()] = found
        if any(proc.wait() != 0 for proc in procs):
            raise YardguardError(f"git cat-file failed in {repo}")
    finally:
        if collecting:
            gc.enable()
        for proc in procs:
            proc.close()
    if progress is not None:
        progress(count, total, commits)
    return hits


def walk_introductions(repo: StrPath, revs: list[str]) -> Iterator[tuple[Commit, list[tuple[str, str, str]]]]:
    """Commits oldest first with their first-parent changes as (old blob, new blob, path)."""
    proc = gitutil.popen(repo, *LOG_ARGS, *revs, "--", env=gitutil.walk_env(repo))
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.close()
    yield from parse_log(proc.stdout)
    if proc.wait() != 0:
        raise YardguardError(f"git log failed in {repo}")


def parse_log(stream: IO[bytes], blobs: set[str] | None = None,
              commits: set[str] | None = None) -> Iterator[tuple[Commit, list[tuple[str, str, str]]]]:
    """The commits and changes of ``git log`` output in the format of
    :data:`~scanner.sources.history_start.LOG_ARGS`. With ``blobs``, only changes to those blobs, and only
    the commits that have one or are in ``commits``: a raw line's new blob id sits at a fixed column, so
    every other line costs a slice and a set lookup (a whole-history log has a line per file version)."""
    wanted = None if blobs is None else {b.encode() for b in blobs}
    named = {c.encode() for c in commits or ()}
    size = len(next(iter(wanted))) if wanted else 0
    new_id = slice(16 + size, 16 + 2 * size)  # ":100644 100644 <old> <new> M\t<path>"
    header = b""
    changes: list[tuple[str, str, str]] = []
    order = -1
    for line in itertools.chain(stream, [b"\x01"]):  # the extra header line ends the last commit
        if line.startswith(b"\x01"):
            if order >= 0 and (wanted is None or changes or header[1:header.find(b"\0")] in named):
                yield _commit(header, order), changes
            header, order, changes = line, order + 1, []
        elif line.startswith(b":") and order >= 0 and (wanted is None or line[new_id] in wanted):
            meta, _, raw_path = line.rstrip(b"\n").partition(b"\t")
            parts = meta.split()
            if parts[-1] != b"D" and parts[3] != ZERO_OID.encode():  # deletions and submodule noise
                changes.append((parts[2].decode(), parts[3].decode(), unquote(raw_path)))


def _commit(header: bytes, order: int) -> Commit:
    oid, name, email, date = header[1:].rstrip(b"\n").split(b"\0")[:4]
    return Commit(oid.decode(), name.decode("utf-8", "replace"), email.decode("utf-8", "replace"),
                  date.decode("utf-8", "replace"), order)


def _attribute(hits: Hits, walk: Iterable[tuple[Commit, list[tuple[str, str, str]]]]
               ) -> list[tuple[Finding, Introduction]]:
    """Place each hit blob at every (path, commit) that introduced it, and each message at its commit."""
    placed: list[tuple[Finding, Introduction]] = []
    seen: set[tuple[str, str]] = set()
    for commit, changes in walk:
        for finding in hits.messages.get(commit.oid, ()):
            placed.append((finding, Introduction(commit, finding.path, ZERO_OID)))
        for old, new, path in changes:
            found = hits.blobs.get(new)
            if found and (new, path) not in seen:
                seen.add((new, path))
                where = Introduction(commit, path, old)  # one for all the blob's findings
                placed.extend((f, where) for f in found)
    return placed


Placement = tuple[Finding, Introduction, str, str | None]
"""A finding, where it was introduced, and its path and member there."""


def _member_at(finding: Finding, where: Introduction) -> str | None:
    """The container member of a blob's finding (scanned without a path) once the blob is at ``where``."""
    if finding.member is None or finding.outer_path:
        return finding.member
    container = next((e for e in finding.encoding if e in _CONTAINERS), None)  # the one ``member`` is inside
    return _named(container, where.path, "!" + finding.member)[1:]


def _placed_path(finding: Finding, where: Introduction, member: str | None) -> str:
    """A blob's finding (scanned without a path; ``!member`` inside a container) at the path that introduced
    it; ``member`` is :func:`_member_at` of the two."""
    if finding.member is None:  # outside a container: a blob's finding has no path, a message's keeps its own
        return finding.path or where.path
    if finding.outer_path:
        return finding.path
    return f"{where.path}!{member}"


def _finding_at(placement: Placement) -> Finding:
    finding, where, path, member = placement
    c = where.commit
    return finding.replace(path=path, member=member, commit=c.oid,
                           author_name=c.author_name, author_email=c.author_email, commit_date=c.date,
                           origin=finding.origin if finding.in_message else COMMIT)


def _first_introductions(placed: list[tuple[Finding, Introduction]]) -> list[Placement]:
    """One entry per (secret, path): the earliest commit that had it (its path and member worked out once)."""
    best: dict[tuple[str, str], Placement] = {}
    for finding, where in placed:
        member = _member_at(finding, where)
        path = _placed_path(finding, where, member)
        key = (finding.secret, path)
        current = best.get(key)
        if current is None or where.commit.order < current[1].commit.order:
            best[key] = (finding, where, path, member)
    return list(best.values())


def _blob_contents(repo: StrPath, oids: Iterable[str]) -> dict[str, bytes]:
    wanted = sorted(set(oids) - {ZERO_OID})
    if not wanted:
        return {}
    out = gitutil.git(repo, *PACK_LIMITS, "cat-file", "--batch", input="".join(f"{o}\n" for o in wanted).encode())
    return {oid.decode(): data for oid, _, data in read_objects(io.BytesIO(out)) if isinstance(data, bytes)}


def _scan_in_parallel(repo: StrPath, decoder: Decoder, jobs: int, progress: ProgressBar | None,
                      listing: Listing | None) -> Hits:
    """Split the blobs and commits (in pack order) into ``jobs`` shares, each read by its own
    ``git cat-file --batch``."""
    cut = (listing or Listing(repo)).shares(jobs)
    if progress is not None:
        progress.expect(sum(map(len, cut)))
    return _scan_objects(repo, decoder, [(["--batch"], b"\n".join(share) + b"\n") for share in cut], progress)


def scan_all(repo: StrPath, decoder: Decoder, progress: ProgressBar | None = None, jobs: int = 1,
             listing: Listing | None = None, log: Log | None = None) -> list[Finding]:
    """Every key in every blob and commit message in the repository, each reported once per path at the
    commit that introduced it (see :func:`_unattributed` for those no ref reaches). ``jobs`` > 1 reads
    with that many ``cat-file`` processes.

    The attribution walk (``git log``, ``log`` when the caller started it already) writes to an unnamed
    temporary file while the objects are read: only its parsing is left once something hits."""
    decoder.expect_many()  # every blob: one pass each from the first (a push's few blobs stay on the light path)
    log = log or Log(repo)
    try:
        if jobs > 1:
            hits = _scan_in_parallel(repo, decoder, jobs, progress, listing)
        else:
            hits = _scan_objects(repo, decoder, [(["--batch-all-objects", "--batch", "--unordered"], None)], progress)
        if not hits:
            return []
        with log.read(repo) as stream:  # only the commits that matter
            walk = list(parse_log(stream, {*hits.blobs, *hits.warnings}, set(hits.messages)))
    finally:
        log.close()
    hits.say_warnings(decoder, walk)
    placed = _attribute(hits, walk)
    return [*map(_finding_at, _first_introductions(placed)), *_unattributed(hits, walk)]


def _unattributed(hits: Hits, walk: list[tuple[Commit, list[tuple[str, str, str]]]]) -> list[Finding]:
    """Hits that no commit the walk reached introduces (a blob no ref reaches, a dangling commit): present,
    so still reported; a blob as ``<blob OID>`` (``<blob OID>!member`` inside a container) with the commit
    :data:`UNKNOWN_COMMIT`."""
    blobs = {new for _, changes in walk for _, new, _ in changes}
    commits = {c.oid for c, _ in walk}
    out = [f.replace(path=f"<blob {oid}>" if f.member is None else f"<blob {oid}>!{f.member}", commit=UNKNOWN_COMMIT)
           for oid, found in hits.blobs.items() if oid not in blobs for f in found]
    return out + [f.replace(commit=oid) for oid, found in hits.messages.items() if oid not in commits for f in found]


def parse_range(repo: StrPath, spec: str) -> tuple[str | None, list[str]]:
    """``A..B`` -> (A's commit, log arguments); ``REV`` alone -> (None, commits not on any remote)."""
    if ".." in spec:
        base, _, head = spec.partition("..")
        if not base or not head or head.startswith("."):
            raise YardguardError(f"bad range {spec!r}: expected A..B")
        for rev in (base, head):
            if not gitutil.has_commit(repo, rev):
                shallow = any(os.path.exists(os.path.join(repo, *p)) for p in ((".git", "shallow"), ("shallow",)))
                hint = " (shallow clone: fetch more history, e.g. fetch-depth: 0)" if shallow else ""
                raise YardguardError(f"bad range {spec!r}: {rev!r} is not a commit in {repo}{hint}")
        return base, [f"{base}..{head}"]
    if not gitutil.has_commit(repo, spec):
        raise YardguardError(f"bad range {spec!r}: not a commit")
    return None, [spec, "--not", "--remotes"]


def _tree_blobs(repo: StrPath, rev: str, paths: set[str]) -> dict[str, str]:
    """{path: blob id} of ``paths`` in ``rev``'s tree (a few paths are named to git, many are filtered); empty
    when ``rev`` is no commit."""
    if not paths:
        return {}
    named = sorted(paths) if len(paths) <= 256 else []  # a command line has a length limit
    listing = gitutil.git(repo, "ls-tree", "-r", "-z", rev, "--", *named, check=False)  # no HEAD yet: none
    blobs = {}
    for entry in filter(None, listing.split(b"\0")):
        meta, _, raw = entry.partition(b"\t")
        _, kind, oid = meta.split()
        path = os.fsdecode(raw)
        if kind == b"blob" and path in paths:
            blobs[path] = oid.decode()
    return blobs


def mark_in_head(repo: StrPath, decoder: Decoder, findings: list[Finding]) -> list[Finding]:
    """``findings`` (from :func:`scan_all` or :func:`scan_range`) with ``in_head`` set on each: True when its key is
    still in its file in ``HEAD`` (delete it there and rotate), False when only the history has it (rotate, then
    purge); False for messages."""
    if not findings:
        return findings
    outer = [f.outer_path for f in findings]
    head = _tree_blobs(repo, "HEAD", set(outer))
    blobs = [head.get(path) for path in outer]
    wanted: dict[str, set[str]] = {}
    for blob, f in zip(blobs, findings, strict=True):
        if blob is not None:
            wanted.setdefault(blob, set()).add(f.secret)
    held = _held(repo, decoder, wanted)
    for blob, f in zip(blobs, findings, strict=True):  # the findings are this module's fresh copies: set in place
        f.in_head = (blob, f.secret) in held
    return findings


def _held(repo: StrPath, decoder: Decoder, wanted: dict[str, set[str]]) -> set[tuple[str | None, str]]:
    """The (blob, secret) pairs of ``wanted`` whose blob holds the secret, plain or in any form the decoder
    reads; one ``cat-file`` for all, a blob over :data:`STREAM_OVER` bytes read a window at a time as git
    streams it, for the raw secret only (as its scan read it)."""
    if not wanted:
        return set()
    held: set[tuple[str | None, str]] = set()
    proc = _cat_file(repo, ["--batch"], "".join(f"{o}\n" for o in sorted(wanted)).encode())
    try:
        for raw_oid, _, data in read_batches([proc.stdout], STREAM_OVER):
            oid = raw_oid.decode()
            secrets = wanted.get(oid, set())
            if isinstance(data, Unread):
                held.update((oid, s) for s in _streamed_holds(data, secrets))
            else:
                held.update((oid, s) for s in _secrets_in(decoder, bytes(data), secrets, f"blob {oid}"))
    finally:
        proc.close()
    return held


FEW_SECRETS = 4
"""Secrets not in a HEAD blob as plain text that are looked for in decoded forms one by one; with more,
the blob is decoded and scanned once for all of them."""


def _secrets_in(decoder: Decoder, data: bytes, secrets: set[str], label: str) -> set[str]:
    """The ``secrets`` that ``data`` holds, plain or in any form the decoder reads (``Decoder.holds`` of
    each), without one scan of the blob per secret: a plain search for each, then one scan for the many
    that are not there as plain text (keys deleted from a file that still mentions a keyword)."""
    missing = {s for s in secrets if data.find(s.encode("utf-8", "surrogateescape")) < 0}
    if len(missing) <= FEW_SECRETS:
        return (secrets - missing) | {s for s in missing if decoder.holds(data, s, label)}
    return (secrets - missing) | (missing & decoder.secrets_in(data, label))


def _streamed_holds(blob: Unread, secrets: set[str]) -> set[str]:
    """The ``secrets`` that the huge ``blob`` holds as raw bytes, read a window at a time."""
    needles = {s: s.encode("utf-8", "surrogateescape") for s in secrets}
    overlap = max((len(n) for n in needles.values()), default=1) - 1
    found: set[str] = set()
    tail = b""
    while len(found) < len(needles) and (chunk := blob.read(1 << 24)):
        window = tail + chunk
        found.update(s for s, n in needles.items() if n in window)
        tail = window[-overlap:] if overlap else b""
    return found


def commit_subjects(repo: StrPath, decoder: Decoder, commits: Iterable[str]) -> dict[str, str]:
    """{commit: first line of its message, at most 200 characters} for the HTML report. A key in a subject
    (a commit message can carry one) is redacted like every reported secret; a subject still holding one
    in an encoded form is not shown at all."""
    wanted = sorted(set(commits))
    if not wanted:
        return {}
    out = gitutil.git(repo, "log", "--no-walk=unsorted", "--stdin", "--format=%H%x00%s%x00",
                      input="".join(f"{c}\n" for c in wanted).encode(), check=False)
    subjects = {}
    for record in out.split(b"\x00\n"):
        sha, _, raw = record.strip(b"\n").partition(b"\x00")
        subject = raw.rstrip(b"\x00")[:800]
        for m in decoder.engine.scan(subject):  # raw matches: an allow comment must not keep a key here
            subject = subject.replace(m.secret.encode("utf-8", "surrogateescape"), redact(m.rule, m.secret).encode())
        if decoder.worth_scanning(subject) and decoder.scan(subject, "", f"commit {sha.decode()}"):
            subject = b"(subject not shown: it holds an encoded key)"
        if sha:
            subjects[sha.decode()] = subject.decode("utf-8", "replace")[:200]
    return subjects


def origin_url(repo: StrPath) -> str | None:
    """The ``origin`` remote's URL, as the repository's config gives it (untrusted), or None."""
    url = gitutil.git(repo, "config", "--get", "remote.origin.url", check=False).decode("utf-8", "replace").strip()
    return url or None


def _held_in(decoder: Decoder, contents: dict[str, bytes], asked: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (blob, secret) pairs of ``asked`` whose blob (in ``contents``; else empty) holds the secret: each
    blob searched once for all the secrets asked about it (:func:`_secrets_in`), never once per finding."""
    wanted: dict[str, set[str]] = {}
    for oid, secret in asked:
        wanted.setdefault(oid, set()).add(secret)
    return {(oid, s) for oid, secrets in wanted.items()
            for s in _secrets_in(decoder, contents.get(oid, b""), secrets, f"blob {oid}")}


def scan_range(repo: StrPath, decoder: Decoder, spec: str, progress: ProgressBar | None = None) -> list[Finding]:
    """Keys that the commits of ``spec`` introduce: a (secret, path) counts only if a commit in the range
    adds it and it was in neither that commit's parent version of the file nor the range's base."""
    base, revs = parse_range(repo, spec)
    return scan_commits(repo, decoder, revs, base, progress)


def scan_commits(repo: StrPath, decoder: Decoder, revs: list[str], base: str | None = None,
                 progress: ProgressBar | None = None,
                 known_blobs: Callable[[list[str]], set[str]] | None = None) -> list[Finding]:
    """Keys that the commits ``git log revs`` lists introduce (see :func:`scan_range`); with ``base``,
    a key that ``base`` already has at the same path does not count either, nor one in a blob that
    ``known_blobs`` (given some blob ids, those the repository already had) names."""
    walk = list(walk_introductions(repo, revs))
    new_blobs = {new for _, changes in walk for _, new, _ in changes}
    wanted = [*(c.oid for c, _ in walk), *new_blobs]
    if progress is not None:
        progress.expect(len(wanted))
    hits = _scan_objects(repo, decoder, [(["--batch"], "".join(f"{o}\n" for o in wanted).encode())], progress)
    hits.say_warnings(decoder, walk)
    if known_blobs is not None and hits.blobs:
        for oid in known_blobs(list(hits.blobs)):
            del hits.blobs[oid]
    placed = _first_introductions(_attribute(hits, walk))
    if not placed:
        return []
    old_blobs = _blob_contents(repo, (w.old for _, w, _, _ in placed))
    base_blobs: dict[str, str] = {}
    if base is not None:
        base_blobs = _tree_blobs(repo, base, {w.path for f, w, _, _ in placed if not f.in_message})
    base_contents = _blob_contents(repo, base_blobs.values())
    in_old = _held_in(decoder, old_blobs, ((w.old, f.secret) for f, w, _, _ in placed))
    in_base = _held_in(decoder, base_contents, ((base_blobs[w.path], f.secret) for f, w, _, _ in placed
                                                if w.path in base_blobs))
    out = []
    for placement in placed:
        finding, where, _, _ = placement
        if (where.old, finding.secret) in in_old:
            continue
        if where.path in base_blobs and (base_blobs[where.path], finding.secret) in in_base:
            continue
        out.append(_finding_at(placement))
    return out


def scan_tag_messages(repo: StrPath, decoder: Decoder, oids: list[str]) -> list[Finding]:
    """Keys in the messages of the annotated tags ``oids`` (and of the tags they point to); each finding's
    ``commit`` is the tag object's id. Objects that are not tags are skipped."""
    out: list[Finding] = []
    seen: set[str] = set()
    todo = list(oids)
    while todo:
        wanted = [o for o in dict.fromkeys(todo) if o not in seen]
        seen.update(wanted)
        todo = []
        if not wanted:
            break
        listing = gitutil.git(repo, "cat-file", "--batch", input="".join(f"{o}\n" for o in wanted).encode())
        for oid, kind, data in read_objects(io.BytesIO(listing)):
            if kind != b"tag" or not isinstance(data, bytes):
                continue
            if data.startswith(b"object "):
                todo.append(data[7:data.index(b"\n")].decode())
            _, message = _message(data)
            if decoder.worth_scanning(message):
                out += [f.replace(commit=oid.decode(), origin=TAG_MESSAGE)
                        for f in decoder.scan(message, MESSAGE_PATHS[TAG_MESSAGE])]
    return out

"""Reproducible benchmark corpora: git histories with planted fake Trackyard keys.

A corpus is one git repository whose main branch commits successive released versions of a few
PyPI projects' sdists (real code, real churn; each project in its own folder), until its unique
blob bytes reach a budget. Fake keys are planted at fixed fractions of that budget: in files that
stay, in files deleted later, in a rotated line, in a real source file, in a large file, on an
unmerged side branch, behind a tag only, and through a merged branch. The smoke corpus is
synthetic (generated files, no network). Everything is cached under ``bench/.corpora/``.
"""
from __future__ import annotations

import bz2
import gzip
import hashlib
import importlib.util
import io
import json
import lzma
import marshal
import math
import os
import random
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
CORPORA = BENCH / ".corpora"
SDISTS = CORPORA / "sdists"
PYPI = os.environ.get("BENCH_PYPI_JSON", "https://pypi.org/pypi")
CUTOFF = "2025-06-01"  # releases uploaded later are ignored, so a corpus never changes
MB = 1_000_000
CHUNK = 12  # changed files per commit when a new version lands
KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
BANNED = re.compile(r"(?i)example|sample|dummy|fake|placeholder|redacted|changeme|notreal|your|xxxx"
                    r"|^(?:test|key|abc|foo|bar|1234)")

Tree = dict[str, tuple[str, bytes]]  # path -> (mode, content)


@dataclass(frozen=True)
class Spec:
    """A corpus size: a blob-byte budget and the projects (name, first version) it replays."""

    name: str
    budget_mb: int
    projects: tuple[tuple[str, str], ...] = ()
    shape: tuple[int, int, int] = (80, 8, 200)  # synthetic only: files, files rewritten per version, max defs
    archives: bool = False  # every version also commits release archives; one key in each archive form

    @property
    def synthetic(self) -> bool:
        return not self.projects

    @property
    def slug(self) -> str:
        return f"{self.name}-{self.budget_mb}MB"


SPECS: dict[str, Spec] = {
    "smoke": Spec("smoke", 3),
    "small": Spec("small", 100, (("django", "4.2"),)),
    "medium": Spec("medium", 1000, (("django", "3.2"), ("sqlalchemy", "1.4.0"))),
    "many": Spec("many", 200, shape=(4000, 400, 12)),  # ~200k small blobs: per-object cost and memory
    "archives": Spec("archives", 40, archives=True),  # hundreds of archives without keys, one key per form
    "large": Spec("large", 4000, (("django", "2.2"), ("sqlalchemy", "1.3.0"), ("numpy", "1.21.0"),
                                  ("scipy", "1.7.0"), ("matplotlib", "3.4.0"))),
}


@dataclass
class Corpus:
    """A built corpus on disk and what was planted in it."""

    spec: Spec
    root: Path
    meta: dict = field(default_factory=dict)

    @property
    def repo(self) -> Path:
        return self.root / "repo"

    @property
    def worktree(self) -> Path:
        return self.root / "worktree"

    @property
    def staged(self) -> Path:
        return self.root / "staged"

    @property
    def plants(self) -> list[dict]:
        return self.meta["plants"]

    def expected(self, path: str) -> set[str]:
        """The planted keys a scan of ``path`` (history, worktree, staged) must report."""
        wanted = {"history": "in_history", "worktree": "in_head", "staged": "staged"}[path]
        return {p["key"] for p in self.plants if p[wanted]}


# ---------------------------------------------------------------- versions of a tree


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _release_list(name: str, first: str) -> list[tuple[str, dict]]:
    """Final releases of ``name`` from ``first`` on, uploaded before CUTOFF, with their sdist."""
    cache = SDISTS / f"{name}.json"
    if not cache.exists():
        SDISTS.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(f"{PYPI}/{name}/json", timeout=60) as response:
            cache.write_bytes(response.read())
    releases = json.loads(cache.read_text())["releases"]
    out = []
    for version, files in releases.items():
        sdists = [f for f in files if f["packagetype"] == "sdist" and not f.get("yanked")]
        if not re.fullmatch(r"\d+(\.\d+)*", version) or not sdists:
            continue
        if _version_key(version) >= _version_key(first) and sdists[0]["upload_time"] < CUTOFF:
            out.append((version, sdists[0]))
    return sorted(out, key=lambda item: _version_key(item[0]))


def _download(name: str, sdist: dict) -> Path:
    """The sdist file, fetched once and checked against PyPI's sha256."""
    target = SDISTS / sdist["filename"]
    if target.exists():
        return target
    url = urllib.parse.urljoin(f"{PYPI}/{name}/json", sdist["url"])
    with urllib.request.urlopen(url, timeout=300) as response:
        data = response.read()
    if hashlib.sha256(data).hexdigest() != sdist["digests"]["sha256"]:
        raise RuntimeError(f"sha256 mismatch for {url}")
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.rename(target)
    return target


def _read_archive(path: Path) -> Tree:
    """Regular files of an sdist, with the top folder stripped."""
    tree: Tree = {}
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                mode = "100755" if (info.external_attr >> 16) & 0o111 else "100644"
                if not info.is_dir() and "/" in info.filename:
                    tree[info.filename.split("/", 1)[1]] = (mode, archive.read(info))
        return tree
    with tarfile.open(path) as archive:
        for member in archive:
            if member.isfile() and "/" in member.name:
                mode = "100755" if member.mode & 0o111 else "100644"
                tree[member.name.split("/", 1)[1]] = (mode, archive.extractfile(member).read())
    return tree


def pypi_versions(spec: Spec) -> Iterator[tuple[str, str, Tree]]:
    """(project, version, files) for each project's releases, interleaved by progress."""
    timeline = []
    for order, (name, first) in enumerate(spec.projects):
        releases = _release_list(name, first)
        timeline += [(i / len(releases), order, name, v, sdist) for i, (v, sdist) in enumerate(releases)]
    for _, _, name, version, sdist in sorted(timeline, key=lambda t: t[:2]):
        yield name, version, _read_archive(_download(name, sdist))


def synthetic_versions(spec: Spec) -> Iterator[tuple[str, str, Tree]]:
    """Generated Python-like files (``spec.shape``: how many, how many each version rewrites, and at most
    how many functions each holds)."""
    rng = random.Random(f"synthetic-{spec.name}")
    words = ["self", "value", "result", "items", "config", "request", "return", "for", "in", "if",
             "None", "data", "path", "name", "index", "count", "client", "session", "record"]

    files, rewrites, most = spec.shape

    def module() -> bytes:
        lines = []
        for n in range(rng.randint(most // 10 or 1, most)):
            lines.append(f"def f_{n}({rng.choice(words)}, {rng.choice(words)}):")
            lines += [f"    {rng.choice(words)} = {rng.choice(words)}.{rng.choice(words)}({rng.randint(0, 999)})"
                      for _ in range(rng.randint(1, 6))]
        return ("\n".join(lines) + "\n").encode()

    tree: Tree = {f"pkg/mod{i // 20}/file_{i}.py": ("100644", module()) for i in range(files)}
    for version in range(1, 1000):
        yield "synthetic", f"0.{version}", dict(tree)
        for path in rng.sample(sorted(tree), rewrites):
            tree[path] = ("100644", module())


# ---------------------------------------------------------------- fast-import writer


def blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _quote(path: str) -> bytes:
    escaped = path.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return b'"' + escaped.encode("utf-8", "surrogateescape") + b'"'


class Writer:
    """Streams commits into ``git fast-import``; tracks main's files and unique blob bytes."""

    def __init__(self, repo: Path) -> None:
        self.proc = subprocess.Popen(["git", "-C", str(repo), "fast-import", "--quiet",
                                      f"--export-marks={repo / 'marks'}"], stdin=subprocess.PIPE)
        self.out = self.proc.stdin
        self.blobs: dict[str, int] = {}  # blob id -> mark
        self.main: dict[str, str] = {}  # path -> blob id on main
        self.unique_bytes = 0
        self.marks = 0
        self.commits = 0
        self.head = 0  # mark of main's tip
        self.last: tuple[str, Tree] = ("", {})  # the project folder and files committed last

    def _mark(self) -> int:
        self.marks += 1
        return self.marks

    def blob(self, data: bytes) -> int:
        """Mark of ``data``, written once."""
        oid = blob_id(data)
        if oid not in self.blobs:
            self.blobs[oid] = mark = self._mark()
            self.unique_bytes += len(data)
            self.out.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)) + data + b"\n")
        return self.blobs[oid]

    def commit(self, message: str, changes: dict[str, tuple[str, bytes] | None], ref: str = "refs/heads/main",
               parent: int | None = None, merge: int | None = None, author: str = "Dev") -> int:
        """Commit ``changes`` (path -> (mode, content), or None to delete) on ``ref``; returns its mark."""
        lines = []
        for path, change in sorted(changes.items()):
            if change is None:
                lines.append(b"D " + _quote(path))
            else:
                lines.append(b"M %s :%d " % (change[0].encode(), self.blob(change[1])) + _quote(path))
        mark = self._mark()
        self.commits += 1
        when = 1_577_836_800 + self.commits * 3600
        ident = f"{author} <{author.lower().replace(' ', '.')}@example.invalid> {when} +0000"
        body = message.encode() + b"\n"
        head = [f"commit {ref}", f"mark :{mark}", f"author {ident}", f"committer {ident}",
                f"data {len(body)}"]
        self.out.write("\n".join(head).encode() + b"\n" + body)
        parent = self.head if parent is None and ref == "refs/heads/main" else parent
        if parent:
            self.out.write(b"from :%d\n" % parent)
        if merge:
            self.out.write(b"merge :%d\n" % merge)
        self.out.write(b"\n".join(lines) + b"\n\n")
        if ref == "refs/heads/main":
            self.head = mark
            for path, change in changes.items():
                if change is None:
                    self.main.pop(path, None)
                else:
                    self.main[path] = blob_id(change[1])
        return mark

    def tag(self, name: str, mark: int, message: str) -> None:
        body = message.encode() + b"\n"
        ident = f"Release Bot <release@example.invalid> {1_577_836_800 + self.commits * 3600} +0000"
        self.out.write(f"tag {name}\nfrom :{mark}\ntagger {ident}\ndata {len(body)}\n".encode() + body + b"\n")

    def close(self) -> None:
        self.out.close()
        if self.proc.wait() != 0:
            raise RuntimeError("git fast-import failed")


def commit_version(writer: Writer, project: str, version: str, files: Tree) -> None:
    """Replace ``project/`` on main with ``files``, CHUNK changed files per commit, and tag it."""
    prefix = f"{project}/"
    wanted = {prefix + path: item for path, item in files.items()}
    changes: dict[str, tuple[str, bytes] | None] = {
        path: item for path, item in wanted.items() if writer.main.get(path) != blob_id(item[1])}
    changes.update({path: None for path in writer.main if path.startswith(prefix) and path not in wanted})
    paths = sorted(changes)
    parts = max(1, math.ceil(len(paths) / CHUNK))
    for i in range(parts):
        chunk = {p: changes[p] for p in paths[i * CHUNK:(i + 1) * CHUNK]}
        top = sorted({p.split("/")[1] if p.count("/") > 1 else p for p in chunk})[:3]
        writer.commit(f"{project} {version}: update {', '.join(top)} ({i + 1}/{parts})", chunk,
                      author=f"{project.title()} Maintainers")
    writer.tag(f"{project}-{version}", writer.head, f"{project} {version}")
    writer.last = (prefix, files)


# ---------------------------------------------------------------- planted keys


class Planter:
    """Makes fake keys and records where each one went."""

    def __init__(self, seed: str) -> None:
        self.rng = random.Random(seed)
        self.plants: list[dict] = []

    def key(self) -> str:
        while True:
            prefix = self.rng.choice(["trackyard_live_", "trackyard_live_", "trackyard_test_"])
            body = "".join(self.rng.choice(KEY_ALPHABET) for _ in range(self.rng.randint(24, 40)))
            if not BANNED.search(body) and _entropy(body) >= 3.5 and any(c.isdigit() for c in body):
                return prefix + body

    def record(self, key: str, kind: str, path: str, ref: str, staged: bool = False) -> None:
        self.plants.append({"key": key, "sha256": hashlib.sha256(key.encode()).hexdigest(),
                            "kind": kind, "path": path, "ref": ref, "in_history": not staged,
                            "in_head": False, "staged": staged})


def _entropy(text: str) -> float:
    counts = [text.count(c) for c in set(text)]
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts)


def _settings(key: str) -> bytes:
    return (f'"""Deployment settings."""\nimport os\n\nDEBUG = False\nALLOWED_HOSTS = ["api.internal"]\n'
            f'TRACKYARD_API_KEY = "{key}"\nTIMEOUT = 30\n').encode()


def _env(key: str) -> bytes:
    return f"# staging\nexport TRACKYARD_API_KEY={key}\nexport REGION=eu-west-1\n".encode()


def _deploy(key: str) -> bytes:
    return f'#!/bin/sh\nset -e\nTRACKYARD_API_KEY="{key}" ./deploy --prod\n'.encode()


def _insert_line(content: bytes, line: str) -> bytes:
    """``line`` inserted after the middle line of ``content``."""
    lines = content.split(b"\n")
    middle = len(lines) // 2
    return b"\n".join(lines[:middle] + [line.encode()] + lines[middle:])


def _big_json(rng: random.Random, size: int, key: str) -> bytes:
    """A JSON fixture of about ``size`` bytes with ``key`` in its middle record."""
    rows = max(3, size // 120)
    records = [json.dumps({"id": i, "event": rng.choice(["open", "close", "view"]),
                           "token": "".join(rng.choice(KEY_ALPHABET) for _ in range(40)),
                           "ts": 1_600_000_000 + i}) for i in range(rows)]
    records[rows // 2] = json.dumps({"id": rows // 2, "event": "configure", "trackyard_api_key": key})
    return ("[\n" + ",\n".join(records) + "\n]\n").encode()


def plant_events(writer: Writer, planter: Planter, budget: int) -> list[tuple[float, Callable[[], None]]]:
    """(fraction of the budget, action) pairs that plant keys in every kind of place."""
    state: dict[str, str] = {}

    def add(kind: str, path: str, content: Callable[[str], bytes], message: str) -> None:
        key = planter.key()
        state[kind] = key
        writer.commit(message, {path: ("100644", content(key))})
        planter.record(key, kind, path, "refs/heads/main")

    def edit_real_file() -> None:
        key = planter.key()
        prefix, files = writer.last
        sources = sorted((len(item[1]), path) for path, item in files.items() if path.endswith(".py"))
        path = sources[len(sources) // 2][1]
        content = _insert_line(files[path][1], f'TRACKYARD_API_KEY = "{key}"  # TODO remove before release')
        writer.commit("Wire Trackyard client for local testing", {prefix + path: (files[path][0], content)})
        planter.record(key, "edited-real-file", prefix + path, "refs/heads/main")

    def side_branch() -> None:
        key = planter.key()
        ref = "refs/heads/feature/billing-export"
        first = writer.commit("Start billing export", {"billing/export.py": ("100644", b"def export():\n    pass\n")},
                              ref=ref, parent=writer.head)
        writer.commit("Billing export: configure Trackyard", {"billing/config.py": ("100644", _settings(key))},
                      ref=ref, parent=first)
        planter.record(key, "side-branch", "billing/config.py", ref)

    def tag_only() -> None:
        key = planter.key()
        ref = "refs/tags/hotfix-2021-03"
        hotfix = {"ops/hotfix.env": ("100644", f"TRACKYARD_API_KEY={key}\n".encode())}
        writer.commit("Hotfix: hardcode Trackyard key", hotfix, ref=ref, parent=writer.head)
        planter.record(key, "tag-only", "ops/hotfix.env", ref)

    def merged_branch() -> None:
        key = planter.key()
        ref = "refs/heads/feature/metrics"
        content = f"metrics:\n  enabled: true\n  trackyard:\n    api_key: \"{key}\"\n".encode()
        tip = writer.commit("Metrics settings", {"ops/metrics.yaml": ("100644", content)}, ref=ref, parent=writer.head)
        writer.commit("Merge branch 'feature/metrics'", {"ops/metrics.yaml": ("100644", content)}, merge=tip)
        planter.record(key, "merged-branch", "ops/metrics.yaml", ref)

    def big_file() -> None:
        key = planter.key()
        size = max(50_000, min(2 * MB, budget // 50))
        writer.commit("Add event fixtures", {"ops/fixtures/events.json": ("100644", _big_json(planter.rng, size, key))})
        planter.record(key, "large-file", "ops/fixtures/events.json", "refs/heads/main")

    return [
        (0.05, lambda: add("kept-file", "ops/settings_prod.py", _settings, "Add production settings")),
        (0.20, lambda: add("deleted-file", "ops/.env.staging", _env, "Add staging env")),
        (0.30, lambda: writer.commit("Remove staging env", {"ops/.env.staging": None})),
        (0.40, edit_real_file),
        (0.50, side_branch),
        (0.55, lambda: add("rotated-old", "ops/deploy.sh", _deploy, "Add deploy script")),
        (0.65, lambda: add("rotated-new", "ops/deploy.sh", _deploy, "Rotate Trackyard key")),
        (0.70, tag_only),
        (0.80, merged_branch),
        (0.85, lambda: writer.commit("Drop metrics settings", {"ops/metrics.yaml": None})),
        (0.90, big_file),
    ]


# ---------------------------------------------------------------- archives (the "archives" corpus)

Files = dict[str, bytes]
_EPOCH = (2021, 3, 1, 12, 0, 0)


def _zip(files: Files) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(zipfile.ZipInfo(name, _EPOCH), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _tar(files: Files) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as t:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1_614_600_000
            t.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _sqlite(files: Files) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "app.db"
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE settings (id INTEGER PRIMARY KEY, name TEXT, value TEXT, updated INTEGER)")
        db.executemany("INSERT INTO settings (name, value, updated) VALUES (?, ?, 1614600000)",
                       [(name, data.decode("utf-8", "replace")) for name, data in files.items()])
        db.commit()
        db.close()
        return path.read_bytes()


def _pyc(files: Files) -> bytes:
    source = "".join(f"{Path(name).stem.upper().replace('.', '_')} = {data.decode('utf-8', 'replace')!r}\n"
                     for name, data in files.items())
    header = importlib.util.MAGIC_NUMBER + b"\0" * 12
    return header + marshal.dumps(compile(source, "settings.py", "exec"))


def _one(files: Files) -> bytes:
    return b"".join(files.values())


ARCHIVE_FORMS: dict[str, tuple[str, Callable[[Files], bytes]]] = {
    "zip": ("backup.zip", _zip),
    "jar": ("app.jar", lambda f: _zip({"META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\n", **f})),
    "war": ("app.war", lambda f: _zip({"WEB-INF/web.xml": b"<web-app/>\n", **f})),
    "whl": ("pkg-1.0-py3-none-any.whl", lambda f: _zip({"pkg-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\n", **f})),
    "docx": ("notes.docx", lambda f: _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml":
                                          b"<w:document><w:t>" + _one(f) + b"</w:t></w:document>"})),
    "xlsx": ("sheet.xlsx", lambda f: _zip({"[Content_Types].xml": b"<Types/>", "xl/sharedStrings.xml":
                                          b"<sst><si><t>" + _one(f) + b"</t></si></sst>"})),
    "pptx": ("deck.pptx", lambda f: _zip({"[Content_Types].xml": b"<Types/>", "ppt/slides/slide1.xml":
                                         b"<p:sld><a:t>" + _one(f) + b"</a:t></p:sld>"})),
    "odt": ("notes.odt", lambda f: _zip({"mimetype": b"application/vnd.oasis.opendocument.text",
                                        "content.xml": b"<office:text>" + _one(f) + b"</office:text>"})),
    "zip in zip": ("bundle.zip", lambda f: _zip({"inner/backup.zip": _zip(f)})),
    "gzip in zip": ("logs.zip", lambda f: _zip({"app.log.1.gz": gzip.compress(_one(f), mtime=0)})),
    "tar": ("backup.tar", _tar),
    "tar.gz": ("backup.tar.gz", lambda f: gzip.compress(_tar(f), mtime=0)),
    "tgz": ("backup.tgz", lambda f: gzip.compress(_tar(f), mtime=0)),
    "tar.bz2": ("backup.tar.bz2", lambda f: bz2.compress(_tar(f))),
    "tar.xz": ("backup.tar.xz", lambda f: lzma.compress(_tar(f))),
    "gzip": ("app.log.2.gz", lambda f: gzip.compress(_one(f), mtime=0)),
    "bz2": ("dump.sql.bz2", lambda f: bz2.compress(_one(f))),
    "xz": ("notes.txt.xz", lambda f: lzma.compress(_one(f))),
    "SQLite": ("app.db", _sqlite),
    ".pyc": ("__pycache__/settings.cpython-311.pyc", _pyc),
}
"""Archive form -> (file name, builder of that form around some files)."""


def release_artifacts(number: int, files: Tree) -> dict[str, tuple[str, bytes] | None]:
    """The archives a release commits next to its sources (no key in any): a wheel, an sdist, a
    docx changelog and a rotated log each time, a SQLite cache and a .pyc every fifth. Half are kept in the
    tree (``dist/``), half overwrite one path (``build/``), so both the tree and the history hold many."""
    chosen = {path: data for path, (_, data) in sorted(files.items())[number % 10::10]}
    out = {
        f"dist/pkg-0.{number}-py3-none-any.whl": ARCHIVE_FORMS["whl"][1](chosen),
        f"dist/pkg-0.{number}.tar.gz": ARCHIVE_FORMS["tar.gz"][1](chosen),
        "build/changelog.docx": ARCHIVE_FORMS["docx"][1]({"notes": b"Release 0.%d\n" % number}),
        "build/app.log.1.gz": ARCHIVE_FORMS["gzip"][1](chosen),
    }
    if number % 5 == 0:
        out["build/cache.db"] = _sqlite(chosen)
        out["build/__pycache__/module.cpython-311.pyc"] = _pyc(dict(list(chosen.items())[:2]))
    return {path: ("100644", data) for path, data in out.items()}


def archive_plant_events(writer: Writer, planter: Planter) -> list[tuple[float, Callable[[], None]]]:
    """(fraction of the budget, action) pairs that commit one key in each archive form, kept in the tree."""
    def plant(form: str) -> None:
        name, build_form = ARCHIVE_FORMS[form]
        key = planter.key()
        path = f"backups/{name}"
        writer.commit(f"Add {form} backup", {path: ("100644", build_form({"config/app.env": _env(key)}))})
        planter.record(key, f"archive: {form}", path, "refs/heads/main")

    forms = list(ARCHIVE_FORMS)
    return [(0.1 + 0.8 * i / len(forms), lambda form=form: plant(form)) for i, form in enumerate(forms)]


# ---------------------------------------------------------------- building


def _git(repo: Path, *args: str, stdin: bytes | None = None, check: bool = True) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], input=stdin, check=check,
                          stdout=subprocess.PIPE).stdout


def _fill(writer: Writer, planter: Planter, spec: Spec, log: Callable[[str], None]) -> list[str]:
    """Commit versions until the budget is reached, planting keys on the way; returns the versions."""
    budget = spec.budget_mb * MB
    events = plant_events(writer, planter, budget)
    if spec.archives:
        events = sorted(events + archive_plant_events(writer, planter), key=lambda event: event[0])
    versions = synthetic_versions(spec) if spec.synthetic else pypi_versions(spec)
    done = []
    for project, version, files in versions:
        commit_version(writer, project, version, files)
        done.append(f"{project}-{version}")
        if spec.archives:
            writer.commit(f"Release artifacts {version}", release_artifacts(len(done), files))
        while events and events[0][0] * budget <= writer.unique_bytes:
            events.pop(0)[1]()
        if len(done) % 10 == 0:
            log(f"  {spec.name}: {len(done)} versions, {writer.commits} commits, "
                f"{writer.unique_bytes / MB:.0f}/{spec.budget_mb} MB")
        if writer.unique_bytes >= budget:
            break
    for _, action in events:
        action()
    return done


def shared_clone(repo: Path, clone: Path) -> None:
    """``git clone --shared repo clone``, its alternates path relative: a worktree links bench/.corpora from
    another checkout, and an absolute path into a worktree that is later removed leaves a clone without
    objects (``bad object HEAD``: staged then scans the whole tree as a first commit)."""
    _git(clone.parent, "clone", "-q", "--shared", str(repo), str(clone))
    objects = clone / ".git" / "objects"
    (objects / "info" / "alternates").write_text(os.path.relpath(repo / ".git" / "objects", objects) + "\n")


def checkouts(corpus: Corpus) -> None:
    """(Re)create the two clones: a clean checkout of HEAD, and one with a staged one-line change."""
    if not corpus.worktree.exists():
        shared_clone(corpus.repo, corpus.worktree)
    if not corpus.staged.exists():
        plant = next(p for p in corpus.plants if p["staged"])
        shared_clone(corpus.repo, corpus.staged)
        path = corpus.staged / plant["path"]
        path.write_bytes(path.read_bytes() + f'\nTRACKYARD_API_KEY = "{plant["key"]}"\n'.encode())
        _git(corpus.staged, "add", plant["path"])
        _git(corpus.staged, "status", "--porcelain")  # refresh the index once, outside the timed runs


def _tree_stats(repo: Path) -> tuple[int, int]:
    """(files, bytes) in HEAD's tree."""
    rows = _git(repo, "ls-tree", "-r", "-l", "HEAD").decode().splitlines()
    return len(rows), sum(int(row.split()[3]) for row in rows if row.split()[3] != "-")


def build(spec: Spec, log: Callable[[str], None] = print) -> Corpus:
    """The corpus for ``spec``, built (or taken from the cache) under bench/.corpora/."""
    corpus = Corpus(spec, CORPORA / spec.slug)
    meta_path = corpus.root / "meta.json"
    if meta_path.exists():
        corpus.meta = json.loads(meta_path.read_text())
    else:
        _build_repo(corpus, log)
        meta_path.write_text(json.dumps(corpus.meta, indent=1))
    checkouts(corpus)
    return corpus


def _build_repo(corpus: Corpus, log: Callable[[str], None]) -> None:
    """Write the history with fast-import, repack it like a clone, and fill ``corpus.meta``."""
    spec = corpus.spec
    log(f"building corpus {spec.slug} in {corpus.root}")
    shutil.rmtree(corpus.root, ignore_errors=True)
    corpus.repo.mkdir(parents=True)
    _git(corpus.repo, "init", "-q", "-b", "main")
    _git(corpus.repo, "config", "gc.auto", "0")
    writer = Writer(corpus.repo)
    planter = Planter(f"yardguard-bench-{spec.slug}")
    versions = _fill(writer, planter, spec, log)
    writer.close()
    (corpus.repo / "marks").unlink()
    log(f"  repacking {spec.slug}")
    _git(corpus.repo, "repack", "-a", "-d", "-f", "-q", "--window=10", "--depth=50")
    _git(corpus.repo, "commit-graph", "write", "--reachable")
    prefix, files = writer.last
    sources = sorted((len(item[1]), path) for path, item in files.items() if path.endswith(".py"))
    planter.record(planter.key(), "staged", prefix + sources[len(sources) // 3][1], "index", staged=True)
    head = set(_git(corpus.repo, "grep", "-h", "-o", "-F", "-f", "/dev/stdin", "HEAD",
                    stdin="\n".join(p["key"] for p in planter.plants).encode(), check=False).decode().split())
    for plant in planter.plants:  # an archived key is not plain text: its archive's presence counts
        plant["in_head"] = plant["key"] in head or (plant["kind"].startswith("archive: ")
                                                    and plant["path"] in writer.main)
    files_in_head, head_bytes = _tree_stats(corpus.repo)
    corpus.meta = {"spec": spec.slug, "versions": versions, "commits": writer.commits,
                   "blobs": len(writer.blobs), "unique_blob_bytes": writer.unique_bytes,
                   "head_files": files_in_head, "head_bytes": head_bytes, "plants": planter.plants}
    log(f"  built {spec.slug}: {writer.commits} commits, {len(writer.blobs)} blobs, "
        f"{writer.unique_bytes / MB:.0f} MB unique blob data")

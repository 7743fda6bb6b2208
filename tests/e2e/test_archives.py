"""Archives end to end: every container form and its decoy through `scan`, `staged` and `history`,
plus bombs, damage, encryption, traversal names, tar links and glued keys (the real CLI, real git).

The CLI tests need the decoding stage wired into the commands (``scanner.decoding.stage``) and are skipped
until it is there; the first tests walk the same files, staged blobs and history blobs through
``scanner.decoding.containers`` and the real rule engine directly, as the wiring does."""
from __future__ import annotations

import bz2
import gzip
import hashlib
import importlib.util
import lzma
import py_compile
import random
import sqlite3
import subprocess
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from scanner.decoding.containers import ArchiveLimits, container_kind, open_container
from scanner.engine import Engine
from scanner.filters import is_false_positive
from scanner.rules import load_rules
from tests.conftest import Repo, run_cli
from tests.core_helpers import findings
from tests.decoding.test_containers import encrypt_flag, make_tar, make_zip

PLACEHOLDER = "trackyard_live_your_key_here"
Files = dict[str, bytes]


def env(key: str) -> bytes:
    return f"# production\nREGION=eu-west-1\nTRACKYARD_API_KEY={key}\n".encode()


def sqlite_db(tmp: Path, key: str) -> bytes:
    """A table whose key cell runs straight into the next cell ('Zebra') in the file's bytes."""
    path = tmp / f"{hashlib.sha1(key.encode()).hexdigest()}.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE settings (id INTEGER PRIMARY KEY, name TEXT, value TEXT, note TEXT)")
    db.execute("INSERT INTO settings (name, value, note) VALUES ('api', ?, 'Zebra')", (key,))
    db.commit()
    db.close()
    data = path.read_bytes()
    assert (key + "Zebra").encode() in data
    return data


def pyc(tmp: Path, key: str) -> bytes:
    """A .pyc whose key constant runs straight into the next marshal type byte ('N')."""
    src = tmp / f"settings_{hashlib.sha1(key.encode()).hexdigest()}.py"
    src.write_text(f'API_KEY = "{key}"\nALIAS = API_KEY\n')
    data = Path(py_compile.compile(str(src), cfile=str(src.with_suffix(".pyc")), doraise=True)).read_bytes()
    at = data.find(key.encode()) + len(key)
    assert data[at:at + 1].isalnum()
    return data


def office(part: str) -> Callable[[bytes], bytes]:
    return lambda text: make_zip({"[Content_Types].xml": b"<Types/>", part: b"<x>" + text + b"</x>"})


# form -> (outer file, builder of the outer bytes around an .env text, member path, encoding chain)
FORMS: dict[str, tuple[str, Callable[[bytes], bytes], str, list[str]]] = {
    "zip": ("backup.zip", lambda t: make_zip({"config/app.env": t}), "config/app.env", ["zip"]),
    "zip stored": ("stored.zip", lambda t: make_zip({"config/app.env": t}, zipfile.ZIP_STORED), "config/app.env",
                   ["zip"]),
    "zip bzip2": ("bz.zip", lambda t: make_zip({"config/app.env": t}, zipfile.ZIP_BZIP2), "config/app.env", ["zip"]),
    "jar": ("app.jar", lambda t: make_zip({"META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\n", "app.properties": t}),
            "app.properties", ["zip"]),
    "war": ("app.war", lambda t: make_zip({"WEB-INF/classes/app.env": t}), "WEB-INF/classes/app.env", ["zip"]),
    "whl": ("pkg-1.0-py3-none-any.whl", lambda t: make_zip({"pkg/.env": t}), "pkg/.env", ["zip"]),
    "docx": ("notes.docx", office("word/document.xml"), "word/document.xml", ["zip"]),
    "xlsx": ("sheet.xlsx", office("xl/sharedStrings.xml"), "xl/sharedStrings.xml", ["zip"]),
    "pptx": ("deck.pptx", office("ppt/slides/slide1.xml"), "ppt/slides/slide1.xml", ["zip"]),
    "odt": ("text.odt", lambda t: make_zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": t}),
            "content.xml", ["zip"]),
    "zip in zip": ("bundle.zip", lambda t: make_zip({"inner/backup.zip": make_zip({"app.env": t})}),
                   "inner/backup.zip!app.env", ["zip", "zip"]),
    "gzip in zip": ("logs.zip", lambda t: make_zip({"app.log.1.gz": gzip.compress(t)}), "app.log.1.gz!app.log.1",
                    ["zip", "gzip"]),
    "tar": ("backup.tar", lambda t: make_tar("w", {"etc/app.env": t}), "etc/app.env", ["tar"]),
    "tar.gz": ("backup.tar.gz", lambda t: gzip.compress(make_tar("w", {"etc/app.env": t})), "etc/app.env", ["tar"]),
    "tgz": ("site.tgz", lambda t: gzip.compress(make_tar("w", {"etc/app.env": t})), "etc/app.env", ["tar"]),
    "tar.bz2": ("backup.tar.bz2", lambda t: bz2.compress(make_tar("w", {"etc/app.env": t})), "etc/app.env", ["tar"]),
    "tar.xz": ("backup.tar.xz", lambda t: lzma.compress(make_tar("w", {"etc/app.env": t})), "etc/app.env", ["tar"]),
    "gzip": ("app.log.2.gz", gzip.compress, "app.log.2", ["gzip"]),
    "multi-member gzip": ("joined.log.gz", lambda t: gzip.compress(b"first\n") + gzip.compress(t), "joined.log",
                          ["gzip"]),
    "bz2": ("dump.sql.bz2", bz2.compress, "dump.sql", ["bz2"]),
    "xz": ("notes.txt.xz", lambda t: lzma.compress(t), "notes.txt", ["xz"]),
}


def key_for(form: str) -> str:
    rng = random.Random(form)
    body = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz") + str(rng.randrange(10))
                   for _ in range(12))
    return "trackyard_live_" + body


def sha(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def write_forms(repo: Repo, tmp: Path) -> dict[str, tuple[str, list[str], str]]:
    """Every form with a key under ``archives/`` and with the placeholder under ``decoys/``;
    returns reported path -> (encoding, secret_sha256) that each key must give."""
    want = {}
    for form, (outer, build, member, chain) in FORMS.items():
        key = key_for(form)
        repo.write(f"archives/{outer}", build(env(key)))
        repo.write(f"decoys/{outer}", build(env(PLACEHOLDER)))
        want[f"archives/{outer}!{member}"] = (chain, sha(key))
    for form, outer, member, build in (("sqlite", "app.db", "settings", sqlite_db),
                                       ("pyc", "__pycache__/settings.cpython-311.pyc", "constants", pyc)):
        key = key_for(form)
        repo.write(f"archives/{outer}", build(tmp, key))
        repo.write(f"decoys/{outer}", build(tmp, PLACEHOLDER))
        want[f"archives/{outer}!{member}"] = ([form], sha(key))
    return want


def by_member(result) -> dict[str, tuple[list[str], str]]:
    """Reported archive-member path -> (encoding, secret_sha256); no decoy and no duplicate reported."""
    found = findings(result)
    assert not [f["path"] for f in found if f["path"].startswith("decoys/")], "a placeholder was reported"
    members = {f["path"]: (f["encoding"], f["secret_sha256"]) for f in found if "!" in f["path"]}
    assert len(members) == len([f for f in found if "!" in f["path"]]), [f["path"] for f in found]
    return members


@pytest.fixture
def archives_repo(repo: Repo, tmp_path: Path) -> tuple[Repo, dict]:
    scratch = tmp_path / "build"
    scratch.mkdir()
    return repo, write_forms(repo, scratch)


# --- through the containers API, as the decoding stage calls it (runs without the CLI wiring) --------------

ENGINE = Engine(load_rules().rules)
DEFAULT_LIMITS = ArchiveLimits(256 << 20, 10_000, 100)


def members_of(data: bytes, path: str, chain: tuple[str, ...] = (), depth: int = 0):
    """(path, chain, bytes) of ``data`` itself and of every member, nested to depth 3 (outer!inner)."""
    yield path, chain, data
    if depth < 3 and container_kind(data, path) is not None:
        for m in open_container(data, path, DEFAULT_LIMITS, lambda w: None):
            yield from members_of(m.data, f"{path}!{m.name}", (*chain, m.kind), depth + 1)


def keys_in(blobs: dict[str, bytes]) -> dict[str, tuple[list[str], str]]:
    """Archive-member path -> (chain, secret_sha256) of the keys the real rules find in ``blobs``."""
    found = {}
    for name, blob in blobs.items():
        for path, chain, data in members_of(blob, name):
            for match in ENGINE.scan(data):
                if chain and not is_false_positive(match.rule, match.secret):
                    found[path] = (list(chain), sha(match.secret))
    return found


def test_containers_api_opens_every_form_from_files_index_and_history(archives_repo) -> None:
    repo, want = archives_repo
    names = sorted(str(p.relative_to(repo.path)) for p in repo.path.rglob("*") if p.is_file() and ".git" not in p.parts)
    assert keys_in({n: (repo.path / n).read_bytes() for n in names}) == want
    repo.git("add", "-A")
    staged = {n: subprocess_bytes(repo, "show", f":{n}") for n in names}
    assert keys_in(staged) == want
    repo.commit("add backups")
    history = {n: subprocess_bytes(repo, "cat-file", "blob", f"HEAD:{n}") for n in names}
    assert keys_in(history) == want


def subprocess_bytes(repo: Repo, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=repo.path, capture_output=True, check=True).stdout


# --- through the commands --------------------------------------------------------------------------------

wired = pytest.mark.skipif(importlib.util.find_spec("scanner.decoding.stage") is None,
                           reason="the decoding stage is not wired into the commands yet")


@wired
def test_scan_finds_every_archive_form_and_no_decoy(archives_repo) -> None:
    repo, want = archives_repo
    result = run_cli("scan", "--format", "json", cwd=repo.path)
    assert result.code == 1
    assert by_member(result) == want


@wired
def test_staged_finds_every_archive_form_and_no_decoy(archives_repo) -> None:
    repo, want = archives_repo
    repo.git("add", "-A")
    result = run_cli("staged", "--format", "json", cwd=repo.path)
    assert result.code == 1
    assert by_member(result) == want


STREAMS = ("app.log.2.gz", "joined.log.gz", "dump.sql.bz2", "notes.txt.xz")
"""Single compressed streams: their one member is named after the outer file."""


@wired
def test_history_finds_every_archive_form_and_no_decoy(archives_repo) -> None:
    repo, want = archives_repo
    commit = repo.commit("add backups")
    result = run_cli("history", "--format", "json", cwd=repo.path)
    assert result.code == 1
    got = by_member(result)
    assert {p: v for p, v in got.items() if not p.startswith(tuple(f"archives/{s}!" for s in STREAMS))} == \
        {p: v for p, v in want.items() if not p.startswith(tuple(f"archives/{s}!" for s in STREAMS))}
    assert sorted(got.values()) == sorted(want.values())  # the streams' keys too, whatever their member label
    assert {f["commit"] for f in findings(result) if "!" in f["path"]} == {commit}


@wired
def test_history_names_a_stream_member_as_scan_does(archives_repo) -> None:
    repo, want = archives_repo
    repo.commit("add backups")
    got = by_member(run_cli("history", "--format", "json", cwd=repo.path))
    assert {p: v for p, v in got.items() if p.startswith("archives/app.log.2.gz!")} == \
        {"archives/app.log.2.gz!app.log.2": want["archives/app.log.2.gz!app.log.2"]}


@wired
def test_no_archives_skips_members(archives_repo) -> None:
    repo, _ = archives_repo
    result = run_cli("scan", "--no-archives", "--format", "json", cwd=repo.path)
    assert not [f for f in findings(result) if "!" in f["path"]]


GLUED = ("archives/app.db", "archives/__pycache__/settings.cpython-311.pyc")


@wired
def test_glued_keys_in_sqlite_and_pyc_are_reported_bare(archives_repo) -> None:
    """In the raw bytes the key runs into 'Zebra' / a type byte; the members' key is the bare one."""
    repo, _ = archives_repo
    result = run_cli("scan", *GLUED, "--format", "json", "--show-secrets", cwd=repo.path)
    secrets = {f["path"]: (f["secret"], f["secret_sha256"]) for f in findings(result)}
    assert secrets["archives/app.db!settings"] == (key_for("sqlite"), sha(key_for("sqlite")))
    assert secrets["archives/__pycache__/settings.cpython-311.pyc!constants"] == \
        (key_for("pyc"), sha(key_for("pyc")))


@wired
def test_no_glued_key_is_reported_from_the_raw_bytes(archives_repo) -> None:
    """The raw bytes of the .pyc hold the key run into a type byte; only the bare key is reported."""
    repo, _ = archives_repo
    result = run_cli("scan", *GLUED, "--format", "json", "--show-secrets", cwd=repo.path)
    assert {f["secret"] for f in findings(result)} == {key_for("sqlite"), key_for("pyc")}


# --- hostile archives: a warning, the raw bytes still scanned, the right exit code ----------------------------

def warnings_for(result, name: str) -> list[str]:
    lines = [line for line in result.err.splitlines() if line.startswith(f"yardguard: warning: {name}: ")]
    assert "Traceback" not in result.err
    return lines


@wired
@pytest.mark.parametrize("command", ["scan", "staged", "history"])
def test_encrypted_zip_warns_and_its_raw_bytes_are_still_scanned(repo: Repo, command: str) -> None:
    key = key_for("encrypted")
    data = encrypt_flag(make_zip({"secret.env": env(key), "readme.txt": b"hello"}, zipfile.ZIP_STORED), "secret.env")
    repo.write("locked.zip", data)
    if command == "staged":
        repo.git("add", "-A")
    elif command == "history":
        repo.commit("locked")
    result = run_cli(command, "--format", "json", cwd=repo.path)
    assert result.code == 1
    warning = [line for line in result.err.splitlines() if line.startswith("yardguard: warning: ")]
    assert len(warning) == 1 and warning[0].endswith(": member secret.env is encrypted; skipped"), result.err
    if command != "history":
        assert warnings_for(result, "locked.zip") == warning
    assert [(f["path"], f["encoding"], f["secret_sha256"]) for f in findings(result)] == [("locked.zip", [], sha(key))]


@wired
def test_history_warning_names_the_file(repo: Repo) -> None:
    data = encrypt_flag(make_zip({"secret.env": b"x", "readme.txt": b"hello"}, zipfile.ZIP_STORED), "secret.env")
    repo.write("locked.zip", data)
    repo.commit("locked")
    result = run_cli("history", "--format", "json", cwd=repo.path)
    assert warnings_for(result, "locked.zip")


@wired
def test_zip_bomb_warns_and_the_rest_is_read(repo: Repo) -> None:
    key = key_for("bomb")
    repo.write("bomb.zip", make_zip({"zeros.bin": bytes(40 << 20), "after.env": env(key)}))
    result = run_cli("scan", "--format", "json", cwd=repo.path)
    assert result.code == 1
    (warning,) = warnings_for(result, "bomb.zip")
    assert "zeros.bin" in warning and "ratio above 100" in warning
    assert [(f["path"], f["encoding"]) for f in findings(result)] == [("bomb.zip!after.env", ["zip"])]


@wired
def test_entry_count_bomb_and_byte_limit_from_config(repo: Repo) -> None:
    repo.write(".yardguard.toml", "max_archive_entries = 20\nmax_archive_bytes = 100000\n")
    repo.write("many.zip", make_zip({f"f{i}.txt": b"x" for i in range(100)}))
    repo.write("big.tgz", gzip.compress(make_tar("w", {f"part{i}.bin": bytes(range(256)) * 100 for i in range(10)})))
    result = run_cli("scan", "--format", "json", cwd=repo.path)
    assert result.code == 0, result.err
    assert "more than 20" in warnings_for(result, "many.zip")[0]
    assert "size limit reached (100000 bytes)" in warnings_for(result, "big.tgz")[0]


@wired
def test_corrupt_archive_warns_and_keeps_what_was_readable(repo: Repo) -> None:
    key = key_for("corrupt")
    data = make_zip({"first.env": env(key), "second.bin": bytes(range(256)) * 64})
    repo.write("cut.zip", data[:len(data) * 2 // 3])
    tar = make_tar("w", {"first.env": env(key), "big.bin": bytes(range(256)) * 400})
    repo.write("cut.tar.gz", gzip.compress(tar)[:600])
    repo.write("garbage.gz", b"\x1f\x8b\x08" + bytes(range(200)))
    result = run_cli("scan", "--format", "json", cwd=repo.path)
    assert result.code == 1
    assert warnings_for(result, "cut.zip") and warnings_for(result, "garbage.gz")
    assert {f["path"] for f in findings(result)} >= {"cut.zip!first.env"}


@wired
def test_path_traversal_names_are_only_labels(repo: Repo, tmp_path: Path) -> None:
    key = key_for("traversal")
    repo.write("evil.zip", make_zip({"../../outside.env": env(key), "/etc/absolute.env": env(key)}))
    repo.write("evil.tar", make_tar("w", {"../../../tar-outside.env": env(key)}))
    before = sorted(p for p in tmp_path.rglob("*") if ".git" not in p.parts)
    result = run_cli("scan", "--format", "json", cwd=repo.path)
    members = {f["path"] for f in findings(result) if "!" in f["path"]}
    assert members == {"evil.zip!../../outside.env", "evil.zip!/etc/absolute.env", "evil.tar!../../../tar-outside.env"}
    assert sorted(p for p in tmp_path.rglob("*") if ".git" not in p.parts) == before
    assert not Path("/etc/absolute.env").exists()


@wired
def test_tar_links_and_devices_are_ignored(repo: Repo, tmp_path: Path) -> None:
    outside = tmp_path / "outside.env"
    outside.write_bytes(env(key_for("outside")))
    link = tarfile.TarInfo("link.env")
    link.type, link.linkname = tarfile.SYMTYPE, str(outside)
    hard = tarfile.TarInfo("hard.env")
    hard.type, hard.linkname = tarfile.LNKTYPE, str(outside)
    dev = tarfile.TarInfo("dev/zero")
    dev.type, dev.devmajor, dev.devminor = tarfile.CHRTYPE, 1, 5
    fifo = tarfile.TarInfo("pipe")
    fifo.type = tarfile.FIFOTYPE
    repo.write("links.tar", make_tar("w", {"plain.txt": b"nothing here\n"}, (link, hard, dev, fifo)))
    result = run_cli("scan", "--format", "json", cwd=repo.path)
    assert result.code == 0 and findings(result) == []
    assert not warnings_for(result, "links.tar")


def base64_archives(repo: Repo) -> dict[str, tuple[str, list[str], str]]:
    """YAML values holding base64-encoded archives (one line; wrapped at 76 columns; a gzip stream), each
    with a key, and one with a placeholder: reported path -> (encoding, secret_sha256)."""
    import base64
    import textwrap

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    zipped = make_zip({"app/.env": env(key_for("b64-zip"))})
    repo.write("deploy/configmap.yaml", f"apiVersion: v1\nkind: ConfigMap\nbinaryData:\n  backup.zip: {b64(zipped)}\n")
    wrapped = textwrap.indent(textwrap.fill(b64(make_zip({"conf/prod.env": env(key_for("b64-wrapped"))})), 76), "    ")
    repo.write("deploy/backup.yaml", f"backup: |\n{wrapped}\n")
    repo.write("deploy/logs.json", '{"log.gz": "' + b64(gzip.compress(env(key_for("b64-gzip")))) + '"}\n')
    repo.write("decoys/configmap.yaml", f"binaryData:\n  backup.zip: {b64(make_zip({'app/.env': env(PLACEHOLDER)}))}\n")
    return {"deploy/configmap.yaml!app/.env": (["base64", "zip"], sha(key_for("b64-zip"))),
            "deploy/backup.yaml!conf/prod.env": (["base64", "zip"], sha(key_for("b64-wrapped"))),
            "deploy/logs.json!logs.json": (["base64", "gzip"], sha(key_for("b64-gzip")))}


@wired
@pytest.mark.parametrize("command", ["scan", "staged", "history"])
def test_a_base64_encoded_archive_is_opened(repo: Repo, command: str) -> None:
    """A zip or gzip stored as base64 in a YAML or JSON value (one line or wrapped) is decoded and opened:
    the key in its member is reported at file!member, the chain starting with base64; a placeholder is not."""
    want = base64_archives(repo)
    repo.git("add", "-A")
    if command == "history":
        repo.commit("base64 archives")
    result = run_cli(command, "--format", "json", cwd=repo.path)
    assert result.code == 1, result.err
    assert by_member(result) == want
    assert [f for f in findings(result) if "!" not in f["path"]] == []  # no second finding on the raw text
    # placed at the encoded run in the outer file: the line to edit
    assert sorted((f["path"], f["line"], f["column"]) for f in findings(result)) == [
        ("deploy/backup.yaml!conf/prod.env", 2, 5), ("deploy/configmap.yaml!app/.env", 4, 15),
        ("deploy/logs.json!logs.json", 1, 13)]


@wired
@pytest.mark.parametrize("command", ["scan", "history"])
def test_a_mention_of_an_archive_prefix_is_not_opened(repo: Repo, command: str) -> None:
    """Text that only names the base64 prefixes of containers (``UEsDB`` for a zip, ``H4sI`` for gzip) is
    not taken for an archive: no truncated-archive warning, nothing reported."""
    repo.write("docs/formats.md", "A zip in base64 starts `UEsDB`, gzip `H4sI`, xz `/Td6WFo`, SQLite `U1FMaXRl`.\n")
    repo.git("add", "-A")
    if command == "history":
        repo.commit("docs")
    result = run_cli(command, "--format", "json", cwd=repo.path)
    assert result.code == 0 and findings(result) == [], result.err
    assert "warning" not in result.err


def old_pyc(version: int) -> bytes:
    """A .pyc header of a bytecode version yardguard does not read (Python 2's, as in old test eggs)."""
    return version.to_bytes(2, "little") + b"\r\n" + bytes(12) + b"c" + bytes(40)


@wired
@pytest.mark.parametrize("command", ["scan", "staged", "history"])
def test_unsupported_pyc_members_of_one_archive_are_one_warning_per_version(repo: Repo, command: str) -> None:
    key = key_for("egg")
    repo.write("eggs/omelet.egg", make_zip({
        "omelet/a.pyc": old_pyc(62161), "omelet/settings.env": env(key), "omelet/b.pyc": old_pyc(62161),
        "omelet/c.pyc": old_pyc(62211), "omelet/d.pyc": old_pyc(62161)}))
    repo.write("eggs/single.egg", make_zip({"single/only.pyc": old_pyc(62161)}))
    locked = encrypt_flag(make_zip({"x/one.env": b"x", "x/two.env": b"y"}, zipfile.ZIP_STORED), "x/one.env")
    repo.write("eggs/locked.zip", encrypt_flag(locked, "x/two.env"))
    if command == "staged":
        repo.git("add", "-A")
    elif command == "history":
        repo.commit("eggs")
    result = run_cli(command, "--format", "json", cwd=repo.path)
    assert result.code == 1, result.err
    assert sorted(line for line in result.err.splitlines() if line.startswith("yardguard: warning: ")) == sorted([
        "yardguard: warning: eggs/locked.zip: member x/one.env is encrypted; skipped",  # other kinds: as they were
        "yardguard: warning: eggs/locked.zip: member x/two.env is encrypted; skipped",
        "yardguard: warning: eggs/omelet.egg: 3 .pyc members have bytecode version 62161, which is not "
        "supported; their constants were not read (first: omelet/a.pyc)",
        "yardguard: warning: eggs/omelet.egg!omelet/c.pyc: bytecode version 62211 is not supported; its "
        "constants were not read",  # a reason met once in its archive: said as it was
        "yardguard: warning: eggs/single.egg!single/only.pyc: bytecode version 62161 is not supported; its "
        "constants were not read",
    ]), result.err
    assert [(f["path"], f["secret_sha256"]) for f in findings(result)] == [("eggs/omelet.egg!omelet/settings.env",
                                                                           sha(key))]


@wired
@pytest.mark.parametrize("command", ["scan", "staged", "history"])
def test_a_key_shaped_member_name_is_never_printed_whole(repo: Repo, command: str) -> None:
    """Members' names are archive content: every warning naming one (its location or its message) shows
    them redacted, like any secret; the raw bytes, which hold the names, are a finding, redacted too."""
    dashed = "trackyard_live_Qm7_Xv2-Lp9_Rt4-Wz8_Nc3"  # no run of 16 alphanumerics to cut
    nested, pyc_name, lone = key_for("zip-name"), key_for("pyc-name"), key_for("lone-pyc-name")
    inner = make_zip({"inner.txt": b"hello" * 200})
    data = make_zip({
        f"conf/{dashed}.env": b"x",                         # encrypted: "member ... is encrypted"
        f"{nested}.zip": inner[:len(inner) * 2 // 3],        # a corrupt archive: its warning's location
        f"{pyc_name}.pyc": old_pyc(62161), "b.pyc": old_pyc(62161),  # summed: "(first: ...)"
        f"{lone}.pyc": old_pyc(62211),                       # said alone: its location
    }, zipfile.ZIP_STORED)
    repo.write("names.zip", encrypt_flag(data, f"conf/{dashed}.env"))
    if command == "staged":
        repo.git("add", "-A")
    elif command == "history":
        repo.commit("names")
    for fmt in ("text", "json", "sarif", "github", "gitlab", "html"):
        result = run_cli(command, "--format", fmt, cwd=repo.path)
        assert result.code == 1 and "Traceback" not in result.err, result.err
        warnings = [line for line in result.err.splitlines() if line.startswith("yardguard: warning: names.zip")]
        assert len(warnings) == 4, result.err
        for key in (dashed, nested, pyc_name, lone):
            assert key not in result.out and key not in result.err, (fmt, key, result.err)
            assert key[:19] + "\u2026" in result.err  # named, redacted

"""Containers opened in memory (scanner.decoding.containers), on real files made with the stdlib."""
from __future__ import annotations

import bz2
import gzip
import io
import lzma
import py_compile
import sqlite3
import struct
import tarfile
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from scanner.decoding.containers import ArchiveLimits, container_kind, label, may_be_container, open_container
from tests.conftest import KEY

LIMITS = ArchiveLimits(max_bytes=4 << 20, max_entries=100, max_ratio=100)
ENV = f"TRACKYARD_KEY={KEY}\n".encode()


def members(data: bytes, name: str, limits: ArchiveLimits = LIMITS) -> tuple[dict[str, bytes], list[str]]:
    """{member name: data} and the warnings of opening ``data``."""
    warnings: list[str] = []
    found = {}
    for m in open_container(data, name, limits, warnings.append):
        found[m.name] = m.data
        assert isinstance(m.data, bytes)
    assert all("\n" not in w and KEY not in w and "reader failed" not in w for w in warnings), warnings
    return found, warnings


def kinds(data: bytes, name: str) -> set[str]:
    return {m.kind for m in open_container(data, name, LIMITS, lambda w: None)}


def make_zip(files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def make_tar(mode: str, files: dict[str, bytes], extra: list[tarfile.TarInfo] = ()) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as t:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        for info in extra:
            t.addfile(info)
    return buf.getvalue()


# --- recognising containers -------------------------------------------------------------------------------

@pytest.mark.parametrize("data,name,kind", [
    (make_zip({"a": b"b"}), "x.jar", "zip"),
    (gzip.compress(b"x"), "x.gz", "gzip"),
    (bz2.compress(b"x"), "x.bz2", "bz2"),
    (bz2.compress(b""), "x.bz2", "bz2"),
    (lzma.compress(b"x"), "x.xz", "xz"),
    (make_tar("w", {"a": b"b"}), "x.tar", "tar"),
    (b"SQLite format 3\x00" + bytes(84), "x.db", "sqlite"),
    (b"\xa7\r\r\n" + bytes(12) + b"\xe3", "m.cpython-311.pyc", "pyc"),
    (b"\xa7\r\r\n" + bytes(12) + b"\xe3", "", "pyc"),                # a git blob: no name, a whole header
    (b"\xa7\r\r\n" + b"\1\0\0\0" + bytes(8) + b"c", "blob", "pyc"),
    (b"\xa7\r\r\n" + b"ab\0\0" + bytes(8) + b"\xe3", "m.txt", None),
    (b"\xa7\r\r\n" + bytes(12) + b"x", "m.txt", None),
    (b"ok\r\nplain text file\r\n", "notes.txt", None),
    (b"BZh9 is how this text file begins", "notes.txt", None),
    (b"PK is not a zip", "x.zip", None),
    (b"", "empty", None),
    (memoryview(gzip.compress(b"x")), "view.gz", "gzip"),
])
def test_container_kind_by_magic(data, name, kind):
    assert container_kind(data, name) == kind
    if container_kind(data, "") is not None:  # the history's cheap first look never misses one
        assert may_be_container(data)


def test_the_cheap_first_look_passes_plain_text_and_binaries_by():
    assert not any(map(may_be_container, (b"", b"import os\n", bytes(300), b"\x89PNG\r\n\x1a\n" * 40)))


def test_not_a_container_yields_nothing():
    assert members(b"just text", "a.txt") == ({}, [])


# --- zip family -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["backup.zip", "app.jar", "app.war", "pkg-1.0-py3-none-any.whl", "report.docx",
                                  "sheet.xlsx", "deck.pptx", "doc.odt"])
def test_zip_family(name):
    data = make_zip({"config/.env": ENV, "README": b"hello", "empty/": b""})
    found, warnings = members(data, name)
    assert found == {"config/.env": ENV, "README": b"hello"} and not warnings
    assert kinds(data, name) == {"zip"}


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2])
def test_zip_compression_methods(method):
    assert members(make_zip({"a.env": ENV * 50}, method), "a.zip") == ({"a.env": ENV * 50}, [])


def test_zip_method_not_supported_is_skipped_with_a_warning():
    data = make_zip({"a.env": ENV, "b.txt": b"fine"}, zipfile.ZIP_LZMA)
    found, warnings = members(data, "a.zip")
    assert found == {} and len(warnings) == 2 and "method 14" in warnings[0]


def test_zip_written_as_a_stream_with_data_descriptors_and_zip64():
    class Unseekable(io.RawIOBase):
        def __init__(self) -> None:
            self.data = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, b) -> int:
            self.data += b
            return len(b)

    out = Unseekable()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("one.env", "w") as f:
            f.write(ENV)
        with z.open("two.txt", "w", force_zip64=True) as f:
            f.write(b"two")
    data = bytes(out.data)
    assert members(data, "s.zip") == ({"one.env": ENV, "two.txt": b"two"}, [])
    # cut before the central directory: the local headers (sizes after the data) still give both
    found, warnings = members(data[:data.rfind(b"PK\x01\x02")], "s.zip")
    assert found == {"one.env": ENV, "two.txt": b"two"} and "central directory" in warnings[0]


def test_zip_path_traversal_names_are_only_labels(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = make_zip({"../../escape.env": ENV, "/etc/passwd.env": ENV, "C:\\evil.env": ENV})
    found, warnings = members(data, "x.zip")
    assert set(found) == {"../../escape.env", "/etc/passwd.env", "C:\\evil.env"} and not warnings
    assert list(tmp_path.iterdir()) == [] and not (tmp_path.parent.parent / "escape.env").exists()


def encrypt_flag(data: bytes, member: str) -> bytes:
    """Set the 'encrypted' bit (general purpose flag bit 0) in ``member``'s local and central headers (the
    stdlib cannot write an encrypted zip; the data stays as it was)."""
    out = bytearray(data)
    raw = member.encode()
    for sig, flag_at, name_len_at, name_at in ((b"PK\x03\x04", 6, 26, 30), (b"PK\x01\x02", 8, 28, 46)):
        at = out.find(sig)
        while at >= 0:
            name_len = struct.unpack_from("<H", out, at + name_len_at)[0]
            if bytes(out[at + name_at:at + name_at + name_len]) == raw:
                out[at + flag_at] |= 1
            at = out.find(sig, at + 4)
    return bytes(out)


def test_encrypted_member_is_skipped_with_a_warning():
    data = encrypt_flag(make_zip({"secret.env": ENV, "plain.txt": b"readable"}), "secret.env")
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo("secret.env").flag_bits & 1  # the stdlib agrees
    found, warnings = members(data, "locked.zip")
    assert found == {"plain.txt": b"readable"}
    assert warnings == ["member secret.env is encrypted; skipped"]


def test_zip_ratio_bomb_is_skipped():
    data = make_zip({"bomb.bin": bytes(50 << 20), "after.env": ENV})
    found, warnings = members(data, "bomb.zip", ArchiveLimits(1 << 30, 100, 100))
    assert found == {"after.env": ENV}
    assert len(warnings) == 1 and "ratio above 100" in warnings[0] and "bomb.bin" in warnings[0]


def test_zip_declared_size_over_the_limit_is_skipped():
    found, warnings = members(make_zip({"big.txt": b"x" * 5000, "ok.env": ENV}), "z.zip", ArchiveLimits(1000, 10, 1e9))
    assert found == {"ok.env": ENV} and "over the 1000-byte limit" in warnings[0]


def _lie_about_sizes(data: bytes, usize: int) -> bytes:
    """Every header of ``data`` claims ``usize`` uncompressed bytes and a compression ratio of 1."""
    out = bytearray(data)
    for sig, csize_at in ((b"PK\x03\x04", 18), (b"PK\x01\x02", 20)):
        at = out.find(sig)
        while at >= 0:
            csize = struct.unpack_from("<I", out, at + csize_at)[0]
            struct.pack_into("<I", out, at + csize_at + 4, min(usize, max(csize, 1)))
            at = out.find(sig, at + 4)
    return bytes(out)


def test_zip_lying_header_cannot_pass_the_ratio_or_byte_limit():
    """Headers claiming a harmless member do not let its real 50 MiB of zeros through."""
    data = _lie_about_sizes(make_zip({"liar.bin": bytes(50 << 20)}), 10)
    found, warnings = members(data, "liar.zip", ArchiveLimits(1 << 30, 100, 100))
    assert len(found.get("liar.bin", b"")) < 50 << 20 and "ratio above 100" in warnings[0]
    found, warnings = members(data, "liar.zip", ArchiveLimits(1 << 20, 100, 1e9))
    assert len(found["liar.bin"]) == 1 << 20 and "size limit reached" in warnings[0]


def test_zip_entry_count_bomb_stops_at_max_entries():
    data = make_zip({f"f{i}.txt": b"" for i in range(500)} | {"last.env": ENV})
    found, warnings = members(data, "many.zip", ArchiveLimits(1 << 20, 50, 100))
    assert len(found) <= 50 and "501 entries, more than 50" in warnings[0]
    # without a central directory the walk counts too
    cut = data[:data.find(b"PK\x01\x02")]
    found, warnings = members(cut, "many.zip", ArchiveLimits(1 << 20, 50, 100))
    assert len(found) <= 50 and any("more than 50 entries" in w for w in warnings)


def test_zip_total_bytes_limit_stops_the_archive():
    data = make_zip({f"f{i}.txt": bytes([65 + i]) * 400 for i in range(10)})
    found, warnings = members(data, "t.zip", ArchiveLimits(1000, 100, 1e9))
    assert sum(map(len, found.values())) <= 1000 and "size limit reached" in warnings[-1]


def test_corrupt_zip_warns_and_yields_what_was_readable():
    data = make_zip({"first.env": ENV, "second.txt": bytes(range(256)) * 4})
    half = data[:len(data) // 2]     # truncated: no central directory, second member cut short
    found, warnings = members(half, "half.zip")
    assert found["first.env"] == ENV and warnings
    garbled = bytearray(data)
    at = garbled.find(b"PK\x03\x04", 4) + 30 + len("second.txt")
    garbled[at:at + 20] = bytes(20)   # damage the second member's deflate data
    found, warnings = members(bytes(garbled), "bad.zip")
    assert found["first.env"] == ENV and any("corrupt" in w and "second.txt" in w for w in warnings)


def test_zip_garbage_never_raises():
    data = make_zip({"a.env": ENV, "b.txt": b"text" * 100})
    for cut in range(4, len(data), 7):
        members(data[:cut], "cut.zip")
    for i in range(4, len(data)):
        members(data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:], "flip.zip")


# --- tar --------------------------------------------------------------------------------------------------

def _special_entries() -> list[tarfile.TarInfo]:
    link = tarfile.TarInfo("link.env")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    hard = tarfile.TarInfo("hard.env")
    hard.type, hard.linkname = tarfile.LNKTYPE, "config/.env"
    dev = tarfile.TarInfo("dev/null")
    dev.type, dev.devmajor, dev.devminor = tarfile.CHRTYPE, 1, 3
    fifo = tarfile.TarInfo("pipe")
    fifo.type = tarfile.FIFOTYPE
    return [link, hard, dev, fifo]


@pytest.mark.parametrize("mode,name", [("w", "b.tar"), ("w:gz", "b.tar.gz"), ("w:gz", "b.tgz"),
                                       ("w:bz2", "b.tar.bz2"), ("w:xz", "b.tar.xz")])
def test_tar_forms_regular_files_only(mode, name):
    data = make_tar(mode, {"config/.env": ENV, "../../up.txt": b"up"}, _special_entries())
    found, warnings = members(data, name)
    assert found == {"config/.env": ENV, "../../up.txt": b"up"} and not warnings
    assert kinds(data, name) == {"tar"}


def test_tar_entry_count_and_byte_limits():
    data = make_tar("w:gz", {f"f{i}": b"z" * 600 for i in range(40)})
    found, warnings = members(data, "n.tgz", ArchiveLimits(1 << 20, 10, 1e9))
    assert len(found) == 10 and "more than 10 entries" in warnings[0]
    found, warnings = members(data, "n.tgz", ArchiveLimits(5000, 100, 1e9))
    assert 0 < len(found) < 10 and "size limit reached" in warnings[0]


def test_tar_lying_size_field_stops_without_looping():
    data = bytearray(make_tar("w", {"a.env": ENV, "b.txt": b"b"}))
    at = data.find(b"b.txt")
    data[at + 124:at + 136] = b"\x80" + bytes(3) + (1 << 62).to_bytes(8, "big")  # base-256 size: 4 EiB
    data[at + 148:at + 156] = b" " * 8
    data[at + 148:at + 156] = b"%06o\0 " % sum(data[at:at + 512])               # a valid checksum
    found, warnings = members(bytes(data), "liar.tar")
    assert found == {"a.env": ENV} and "cut short" in warnings[0]


def test_corrupt_tar_gz_warns_and_keeps_what_was_read():
    data = make_tar("w:gz", {"first.env": ENV, "second.txt": bytes(range(256)) * 400})
    found, warnings = members(data[:len(data) * 2 // 3], "cut.tgz")
    assert found == {"first.env": ENV} and "truncated" in warnings[0]


# --- single streams ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("compress,name,inner,kind", [
    (gzip.compress, "logs/app.log.2.gz", "app.log.2", "gzip"),
    (bz2.compress, "dump.sql.bz2", "dump.sql", "bz2"),
    (lzma.compress, "notes.txt.xz", "notes.txt", "xz"),
    (gzip.compress, "noext", "noext", "gzip"),
    (gzip.compress, "logs.zip!var/log/app.log.1.gz", "app.log.1", "gzip"),
])
def test_single_streams(compress, name, inner, kind):
    data = compress(ENV)
    assert members(data, name) == ({inner: ENV}, [])
    assert kinds(data, name) == {kind}


def test_multi_member_gzip_and_trailing_zero_padding():
    data = gzip.compress(b"one\n") + gzip.compress(ENV) + bytes(512)
    assert members(data, "a.log.gz") == ({"a.log": b"one\n" + ENV}, [])


def test_stream_bomb_stops_at_the_ratio():
    data = gzip.compress(bytes(64 << 20), 9)
    found, warnings = members(data, "bomb.gz", ArchiveLimits(1 << 30, 10, 100))
    assert len(found["bomb"]) < 8 << 20 and "ratio above 100" in warnings[0]


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress, lzma.compress])
def test_truncated_and_corrupt_streams_warn(compress):
    data = compress(bytes(range(256)) * 200)
    found, warnings = members(data[:len(data) // 2], "cut.gz")
    assert "truncated" in warnings[0] or "corrupt" in warnings[0]
    garbled = data[:20] + b"\x00" * 40 + data[60:]
    members(garbled, "bad.gz")


# --- memory stays bounded ---------------------------------------------------------------------------------

def _peak(data: bytes, name: str, limits: ArchiveLimits) -> int:
    tracemalloc.start()
    try:
        for m in open_container(data, name, limits, lambda w: None):
            del m
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _deflate_zeros(size: int) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(1 << 20)
    return b"".join([c.compress(chunk) for _ in range(size >> 20)] + [c.flush()])


def test_a_gigabyte_declared_bomb_never_allocates_more_than_the_limit():
    """A zip member declaring 1 GiB (with 64 MiB of real zeros behind it), and 32 MiB of zeros gzipped,
    read under a 2 MiB byte limit and no ratio limit: the peak stays near the limit."""
    body = _deflate_zeros(64 << 20)
    name = b"bomb.bin"
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, 0, len(body), 1 << 30, len(name), 0)
    central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, 0, len(body), 1 << 30,
                          len(name), 0, 0, 0, 0, 0, 0)
    cd_at = len(local) + len(name) + len(body)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central) + len(name), cd_at, 0)
    bomb = local + name + body + central + name + end
    limits = ArchiveLimits(2 << 20, 10, 1e12)
    found, warnings = members(bomb, "bomb.zip", limits)
    assert found == {} and "declares 1073741824 bytes" in warnings[0]
    lying = bomb.replace(struct.pack("<I", 1 << 30), struct.pack("<I", 1000))  # now it claims 1000 bytes
    assert _peak(lying, "bomb.zip", limits) < 6 << 20
    stream = gzip.compress(bytes(32 << 20), 9)
    assert _peak(stream, "bomb.gz", limits) < 6 << 20
    tarred = make_tar("w:gz", {"zeros": bytes(32 << 20)})
    assert _peak(tarred, "bomb.tgz", limits) < 6 << 20


# --- SQLite -----------------------------------------------------------------------------------------------

def make_db(tmp_path: Path, script: str, params: list[tuple] = ()) -> bytes:
    path = tmp_path / "app.db"
    con = sqlite3.connect(path)
    con.executescript(script)
    for sql, *values in params:
        con.execute(sql, values)
    con.commit()
    con.close()
    return path.read_bytes()


def test_sqlite_key_glued_to_its_neighbours_comes_out_bare(tmp_path):
    data = make_db(tmp_path, "CREATE TABLE creds(id INTEGER PRIMARY KEY, k TEXT, note TEXT, raw BLOB);",
                   [("INSERT INTO creds(k, note, raw) VALUES (?, ?, ?)", KEY, "Zebra", b"\x00binary")])
    assert (KEY + "Zebra").encode() in data            # in the file the key runs into the next cell
    found, warnings = members(data, "app.db")
    assert found == {"creds": KEY.encode() + b"\nZebra\n\x00binary"} and not warnings
    assert KEY.encode() in found["creds"].split(b"\n")


def test_sqlite_runs_nothing_from_the_file(tmp_path):
    data = make_db(tmp_path, f"""
        CREATE TABLE t(a TEXT, g TEXT GENERATED ALWAYS AS (upper(a) || zeroblob(100000000)) VIRTUAL);
        INSERT INTO t(a) VALUES ('{KEY}');
        CREATE VIEW v AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c;
        CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO t(a) VALUES ('again'); END;
        CREATE TABLE "odd "" name"(v BLOB);
        INSERT INTO "odd "" name" VALUES (x'6869');
    """)
    found, warnings = members(data, "app.sqlite")
    assert found == {"t": KEY.encode(), 'odd " name': b"hi"} and not warnings


def test_sqlite_wal_mode_database(tmp_path):
    data = make_db(tmp_path, f"PRAGMA journal_mode=WAL; CREATE TABLE t(a); INSERT INTO t VALUES ('{KEY}');"
                             "PRAGMA wal_checkpoint(TRUNCATE);")
    assert data[18:20] == b"\x02\x02"
    assert members(data, "w.db") == ({"t": KEY.encode()}, [])


def test_sqlite_limits_and_damage(tmp_path):
    data = make_db(tmp_path, "CREATE TABLE big(v TEXT);" + "".join(
        f"INSERT INTO big VALUES ('{i:04d}' || hex(randomblob(400)));" for i in range(20)) +
        "".join(f"CREATE TABLE t{i}(v); INSERT INTO t{i} VALUES ('x');" for i in range(5)))
    found, warnings = members(data, "a.db", ArchiveLimits(len(data), 3, 100))
    assert len(found) <= 3 and "more than 3 tables" in warnings[0]
    found, warnings = members(data, "a.db", ArchiveLimits(len(data), 100, 100))
    assert len(found) == 6 and not warnings
    found, warnings = members(data, "a.db", ArchiveLimits(len(data) - 1, 100, 100))
    assert found == {} and "larger than" in warnings[0]
    members(data[:len(data) // 2], "half.db")
    for at in range(100, len(data), 97):
        members(data[:at] + b"\xff" * 8 + data[at + 8:], "flip.db")


# --- .pyc -------------------------------------------------------------------------------------------------

def make_pyc(tmp_path: Path, source: str) -> bytes:
    src = tmp_path / "settings.py"
    src.write_text(source)
    return Path(py_compile.compile(str(src), cfile=str(tmp_path / "settings.cpython-3.pyc"), doraise=True)).read_bytes()


def test_pyc_key_glued_to_a_type_byte_comes_out_bare(tmp_path):
    data = make_pyc(tmp_path, f'KEY = "{KEY}"\nALIAS = KEY\nBLOB = b"raw-bytes"\n'
                              f'def f(x=("nested", 1.5, 2j, 10 ** 40, frozenset({{"fs"}}))):\n'
                              f'    return {{"inner": "value"}}\n')
    at = data.find(KEY.encode()) + len(KEY)
    assert data[at:at + 1].isalnum()                   # in the file the key runs into the next byte
    found, warnings = members(data, "pkg/__pycache__/settings.cpython-311.pyc")
    lines = found["constants"].split(b"\n")
    assert KEY.encode() in lines and b"raw-bytes" in lines and b"nested" in lines and b"fs" in lines
    assert b"value" in lines and not warnings


def test_pyc_damage_never_raises(tmp_path):
    data = make_pyc(tmp_path, f'A = "{KEY}"\nB = [1, (2, "x"), {{"k": b"v"}}]\n')
    for cut in range(16, len(data)):
        members(data[:cut], "a.pyc")
    for i in range(16, len(data)):
        members(data[:i] + bytes([data[i] ^ 0x5A]) + data[i + 1:], "a.pyc")
    deep = data[:16] + b"(" + b"\x01\x00\x00\x00(" * 100_000
    found, warnings = members(deep, "deep.pyc")
    assert found == {} and "damaged" in warnings[0]
    found, warnings = members(b"\x03\xf3\r\n" + bytes(12), "py2.pyc")
    assert found == {} and "not supported" in warnings[0]


# --- warnings ---------------------------------------------------------------------------------------------

def test_labels_in_warnings_carry_no_key_material_or_control_characters():
    assert label(f"../{KEY}.env\nforged line") == "../trackyard_live_9fQ2\u2026.env?forged line"
    data = encrypt_flag(make_zip({f"{KEY}.env": ENV}), f"{KEY}.env")
    found, warnings = members(data, f"dir/{KEY}.zip")
    assert found == {} and KEY[15:] not in warnings[0]


def test_unsupported_pyc_warnings_are_summed_per_archive_at_every_depth() -> None:
    from scanner.decoding.stage import Decoder
    from scanner.engine import Engine
    from scanner.rules import load_rules

    def old_pyc(version: int) -> bytes:
        return version.to_bytes(2, "little") + b"\r\n" + bytes(12) + b"c" + bytes(40)

    inner = make_zip({f"pkg/m{i}.pyc": old_pyc(62161) for i in range(3)} | {"pkg/odd.pyc": old_pyc(62211)})
    outer = make_zip({"a.pyc": old_pyc(62161), "lib/inner.zip": inner, "b.pyc": old_pyc(62161),
                      "c.pyc": old_pyc(62211)})
    said: list[tuple[str, str]] = []
    Decoder(Engine(load_rules().rules)).scan(outer, "eggs.zip", warn=lambda *warning: said.append(warning))
    assert sorted(said) == sorted([
        ("eggs.zip", "2 .pyc members have bytecode version 62161, which is not supported; their constants were "
                     "not read (first: a.pyc)"),
        ("eggs.zip!c.pyc", "bytecode version 62211 is not supported; its constants were not read"),
        ("eggs.zip!lib/inner.zip", "3 .pyc members have bytecode version 62161, which is not supported; their "
                                   "constants were not read (first: pkg/m0.pyc)"),
        ("eggs.zip!lib/inner.zip!pkg/odd.pyc", "bytecode version 62211 is not supported; its constants were not read"),
    ])

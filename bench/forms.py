"""Per-form recall: a tree and a history holding one fake key in each encoded, escaped, archived or
UTF-16 form, scanned by yardguard and by each installed peer; plus the cost of decoding on the corpora.

    python bench/forms.py                         # recall table (tree and history), every installed tool
    python bench/forms.py --timing smoke,small    # and history/worktree time: decoding on, off, the floor
    python bench/forms.py --timing small --write  # and put both tables in bench/RESULTS.md

Stdlib only (the corpora come from bench/corpus.py, the tools and the measuring from bench/run.py).
"""
from __future__ import annotations

import argparse
import base64
import bz2
import gzip
import io
import json
import lzma
import marshal
import random
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus as corpora  # noqa: E402
import run as bench  # noqa: E402

ALPHABET = corpora.KEY_ALPHABET


def _key(rng: random.Random) -> str:
    return "trackyard_live_" + "".join(rng.choice(ALPHABET) for _ in range(24))


def _b64(data: str | bytes) -> str:
    return base64.b64encode(data.encode() if isinstance(data, str) else data).decode()


def _wrapped(text: str, width: int) -> str:
    encoded = _b64(text)
    return "\n".join(encoded[i:i + width] for i in range(0, len(encoded), width))


def _split_line(key: str, width: int) -> str:
    """Text whose base64 wraps at ``width`` inside the key."""
    return "#" * (width * 3 // 4 - 20) + f"\nTRACKYARD_API_KEY={key}\n"


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def _tar(members: dict[str, bytes], mode: str = "w") -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode) as t:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _sqlite(key: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "app.db"
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE settings (name TEXT, value TEXT)")
        db.execute("INSERT INTO settings VALUES ('api', ?)", (key,))
        db.commit()
        db.close()
        return path.read_bytes()


def _pyc(key: str) -> bytes:
    code = compile(f"API_KEY = {key!r}\n", "settings.py", "exec")
    return b"\xa7\r\r\n" + b"\0" * 12 + marshal.dumps(code)  # 3.11 magic; a .pyc header


def _env(key: str) -> bytes:
    return f"TRACKYARD_API_KEY={key}\n".encode()


FORMS: dict[str, tuple[str, Callable[[str], bytes]]] = {
    "plain (control)": ("plain.env", _env),
    "base64": ("secret.b64", lambda k: _b64(_env(k)).encode() + b"\n"),
    "base64 URL-safe, unpadded": ("token.txt", lambda k: base64.urlsafe_b64encode(_env(k) + b"??>>").rstrip(b"=") + b"\n"),
    "base64 wrapped 76, key split": ("mail.eml", lambda k: _wrapped(_split_line(k, 76), 76).encode() + b"\n"),
    "base64 wrapped 64 (PEM)": ("data.pem", lambda k: f"-----BEGIN DATA-----\n{_wrapped(_split_line(k, 64), 64)}\n"
                                                      "-----END DATA-----\n".encode()),
    "Kubernetes Secret": ("secret.yaml", lambda k: f"kind: Secret\ndata:\n  api: {_b64(k)}\n".encode()),
    ".dockerconfigjson (base64 in base64)": (
        "pull.yaml", lambda k: ("kind: Secret\ndata:\n  .dockerconfigjson: "
                                + _b64(json.dumps({"auths": {"r.io": {"auth": _b64("u:" + k)}}})) + "\n").encode()),
    "percent, partial": ("access.log", lambda k: f"GET /?key={k.replace('_', '%5F')} 200\n".encode()),
    "percent, complete": ("redirect.log", lambda k: ("next=" + "".join(f"%{b:02X}" for b in k.encode()) + "\n").encode()),
    "hex": ("dump.txt", lambda k: k.encode().hex().encode() + b"\n"),
    "\\u escapes": ("bundle.js", lambda k: ('a="' + "".join(f"\\u{b:04x}" for b in k.encode()) + '"\n').encode()),
    "\\u005f separator": ("app.json", lambda k: ('{"key": "' + k.replace("_", "\\u005f") + '"}\n').encode()),
    "\\x escapes": ("config.c", lambda k: ('char *k = "' + "".join(f"\\x{b:02x}" for b in k.encode()) + '";\n').encode()),
    "octal escapes": ("config.sh", lambda k: ("printf '" + "".join(f"\\{b:o}" for b in k.encode()) + "'\n").encode()),
    "HTML entities &#95;": ("page.html", lambda k: ("<p>" + "".join(f"&#{b};" for b in k.encode()) + "</p>\n").encode()),
    "HTML entities &#x5f;": ("page.xml", lambda k: f"<k>{k.replace('_', '&#x5f;')}</k>\n".encode()),
    "UTF-16LE with BOM (.reg)": ("export.reg", lambda k: ("\ufeff" + f'"ApiKey"="{k}"\r\n').encode("utf-16-le")),
    "UTF-16BE, no BOM": ("export-be.txt", lambda k: f"ApiKey={k}\n".encode("utf-16-be")),
    "zip": ("backup.zip", lambda k: _zip({"config/.env": _env(k)})),
    "jar": ("app.jar", lambda k: _zip({"META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\n", "app.properties": _env(k)})),
    "wheel": ("pkg-1.0-py3-none-any.whl", lambda k: _zip({"pkg/settings.py": _env(k)})),
    "docx": ("notes.docx", lambda k: _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:t>" + _env(k) + b"</w:t>"})),
    "zip in zip": ("outer.zip", lambda k: _zip({"inner.zip": _zip({"x/.env": _env(k)})})),
    "tar": ("backup.tar", lambda k: _tar({"etc/app.env": _env(k)})),
    "tar.gz": ("backup.tar.gz", lambda k: _tar({"etc/app.env": _env(k)}, "w:gz")),
    "tar.bz2": ("backup.tar.bz2", lambda k: _tar({"etc/app.env": _env(k)}, "w:bz2")),
    "tar.xz": ("backup.tar.xz", lambda k: _tar({"etc/app.env": _env(k)}, "w:xz")),
    "gzip (rotated log)": ("app.log.2.gz", lambda k: gzip.compress(b"started\n" + _env(k), mtime=0)),
    "bz2": ("app.log.bz2", lambda k: bz2.compress(_env(k))),
    "xz": ("app.log.xz", lambda k: lzma.compress(_env(k))),
    "SQLite cell": ("app.db", _sqlite),
    ".pyc constant": ("settings.cpython-311.pyc", _pyc),
}
"""form -> (file name, content holding the key)."""


def _git(repo: Path, *args: str) -> None:
    env = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "bench@example.invalid", "GIT_CONFIG_GLOBAL": "/dev/null", "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


def build(root: Path) -> dict[str, str]:
    """A repository at ``root`` with one commit per form (the work tree holds every file): form -> key."""
    rng = random.Random(10)
    root.mkdir(parents=True)
    _git(root, "init", "-q", "-b", "main")
    keys = {}
    for form, (name, content) in FORMS.items():
        keys[form] = _key(rng)
        (root / name).write_bytes(content(keys[form]))
        _git(root, "add", name)
        _git(root, "commit", "-q", "-m", f"add {form}")
    return keys


def recall(tools: list[bench.Tool], repo: Path, keys: dict[str, str], scratch: Path) -> dict[str, dict[str, str]]:
    """tool -> form -> "tree/history" marks (✓ found, · missed, - path not supported)."""
    table: dict[str, dict[str, str]] = {}
    for tool in tools:
        marks: dict[str, list[str]] = {form: [] for form in keys}
        for path in ("worktree", "history"):
            argv = tool.commands.get(path)
            if argv is None:
                for form in keys:
                    marks[form].append("-")
                continue
            cwd = repo
            argv = [a.replace("{target}", str(repo)) for a in argv]
            run = bench.measure_once(argv, cwd, tool.env, scratch)
            for form, key in keys.items():
                marks[form].append("✓" if bench.found_keys(run["report"], {key}) else "·")
        table[tool.name] = {form: "/".join(m) for form, m in marks.items()}
    return table


def recall_markdown(table: dict[str, dict[str, str]], keys: dict[str, str]) -> str:
    tools = list(table)
    lines = ["| form | " + " | ".join(tools) + " |", "|---|" + "---|" * len(tools)]
    for form in keys:
        lines.append(f"| {form} | " + " | ".join(table[t][form] for t in tools) + " |")
    totals = []
    for t in tools:
        tree = sum(1 for f in keys if table[t][f].split("/")[0] == "✓")
        history = sum(1 for f in keys if table[t][f].split("/")[-1] == "✓")
        totals.append(f"{tree}/{history}")
    lines.append("| **found (tree/history) of " + str(len(keys)) + "** | " + " | ".join(totals) + " |")
    return "\n".join(lines)


def timing(sizes: list[str], runs: int) -> str:
    """History and worktree medians on the corpora: the floor, yardguard as shipped (decoding on) and
    yardguard with ``--no-decode --no-archives``."""
    shipped = bench.yardguard()
    plain = bench.Tool("yardguard --no-decode --no-archives",
                       {p: [*argv, "--no-decode", "--no-archives"] for p, argv in shipped.commands.items()},
                       env=shipped.env)
    rows = ["| corpus | path | floor | yardguard (decoding on) | ratio to floor | --no-decode --no-archives |",
            "|---|---|---|---|---|---|"]
    for name in sizes:
        corpus = corpora.build(corpora.SPECS[name])
        for path in ("history", "worktree"):
            results = [bench.bench_tool(tool, corpus, path, runs) for tool in (bench.floor(), shipped, plain)]
            floor, on, off = (r.median for r in results)
            found = f" (recall {results[1].found}/{results[1].expected})"
            rows.append(f"| {name} | {path} | {floor * 1000:.0f} ms | {on * 1000:.0f} ms{found} | "
                        f"{on / floor:.2f}× | {off * 1000:.0f} ms |")
            print(rows[-1], flush=True)
    return "\n".join(rows)


def write_section(text: str) -> None:
    """Put ``text`` in bench/RESULTS.md between the section markers (kept when run.py rewrites the file)."""
    results = bench.BENCH / "RESULTS.md"
    current = results.read_text() if results.exists() else ""
    before = current.split(bench.FORMS_START)[0].rstrip("\n")
    results.write_text(f"{before}\n\n{bench.FORMS_START}\n{text}\n{bench.FORMS_END}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--timing", default="", help="also time these corpora (comma-separated, e.g. smoke,small)")
    parser.add_argument("--runs", type=int, default=3, help="measured runs per tool and path for --timing")
    parser.add_argument("--tools", default="", help="only these tools (comma-separated)")
    parser.add_argument("--write", action="store_true", help="put the tables in bench/RESULTS.md")
    args = parser.parse_args(argv)
    bench.check_devnull()
    wanted = set(filter(None, args.tools.split(",")))
    tools = [t for t in (bench.yardguard(), *bench.peers()) if not wanted or t.name in wanted]
    with tempfile.TemporaryDirectory(prefix="yg-forms-") as tmp:
        repo = Path(tmp) / "forms"
        keys = build(repo)
        scratch = Path(tmp) / "scratch"
        scratch.mkdir()
        sections = ["## Recall by form (bench/forms.py)", "",
                    "One fake key per form in a tree and in a history (one commit each); ✓ found, · missed, "
                    "- no such mode; each cell is working tree/history. Every tool runs with its defaults and "
                    "a one-rule Trackyard config (bench/peers/).", "",
                    recall_markdown(recall(tools, repo, keys, scratch), keys)]
        print(sections[-1], flush=True)
    if args.timing:
        sections += ["", "### Decoding on vs off", "", timing(args.timing.split(","), args.runs)]
        print("\n" + sections[-1])
    if args.write:
        write_section("\n".join(sections))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Per-form recall of the text forms: a tree and a history holding one fake key in each encoded, escaped
or UTF-16 form, scanned by yardguard and by each installed peer; plus the cost of decoding on the corpora.
(The archive forms have their own corpus: ``run.py --sizes archives``.)

    python bench/forms.py                         # recall table (tree and history), every installed tool
    python bench/forms.py --timing smoke,small    # and history/worktree time: decoding on, off, the floor
    python bench/forms.py --timing small --write  # and put both tables in bench/RESULTS.md

Stdlib only (the corpora come from bench/corpus.py, the tools and the measuring from bench/run.py).
"""
from __future__ import annotations

import argparse
import base64
import json
import random
import subprocess
import sys
import tempfile
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


def _env(key: str) -> bytes:
    return f"TRACKYARD_API_KEY={key}\n".encode()


FORMS: dict[str, tuple[str, Callable[[str], bytes]]] = {
    "plain (control)": ("plain.env", _env),
    "base64": ("secret.b64", lambda k: _b64(_env(k)).encode() + b"\n"),
    "base64 URL-safe, unpadded": ("token.txt", lambda k: base64.urlsafe_b64encode(_env(k) + b"??>>").rstrip(b"=") + b"\n"),  # noqa: E501 - one form per line
    "base64 wrapped 76, key split": ("mail.eml", lambda k: _wrapped(_split_line(k, 76), 76).encode() + b"\n"),
    "base64 wrapped 64 (PEM)": ("data.pem", lambda k: f"-----BEGIN DATA-----\n{_wrapped(_split_line(k, 64), 64)}\n"
                                                      "-----END DATA-----\n".encode()),
    "Kubernetes Secret": ("secret.yaml", lambda k: f"kind: Secret\ndata:\n  api: {_b64(k)}\n".encode()),
    ".dockerconfigjson (base64 in base64)": (
        "pull.yaml", lambda k: ("kind: Secret\ndata:\n  .dockerconfigjson: "
                                + _b64(json.dumps({"auths": {"r.io": {"auth": _b64("u:" + k)}}})) + "\n").encode()),
    "percent, partial": ("access.log", lambda k: f"GET /?key={k.replace('_', '%5F')} 200\n".encode()),
    "percent, complete": ("redirect.log", lambda k: ("next=" + "".join(f"%{b:02X}" for b in k.encode()) + "\n").encode()),  # noqa: E501 - one form per line
    "hex": ("dump.txt", lambda k: k.encode().hex().encode() + b"\n"),
    "\\u escapes": ("bundle.js", lambda k: ('a="' + "".join(f"\\u{b:04x}" for b in k.encode()) + '"\n').encode()),
    "\\u005f separator": ("app.json", lambda k: ('{"key": "' + k.replace("_", "\\u005f") + '"}\n').encode()),
    "\\x escapes": ("config.c", lambda k: ('char *k = "' + "".join(f"\\x{b:02x}" for b in k.encode()) + '";\n').encode()),  # noqa: E501 - one form per line
    "octal escapes": ("config.sh", lambda k: ("printf '" + "".join(f"\\{b:o}" for b in k.encode()) + "'\n").encode()),
    "HTML entities &#95;": ("page.html", lambda k: ("<p>" + "".join(f"&#{b};" for b in k.encode()) + "</p>\n").encode()),  # noqa: E501 - one form per line
    "HTML entities &#x5f;": ("page.xml", lambda k: f"<k>{k.replace('_', '&#x5f;')}</k>\n".encode()),
    "UTF-16LE with BOM (.reg)": ("export.reg", lambda k: ("\ufeff" + f'"ApiKey"="{k}"\r\n').encode("utf-16-le")),
    "UTF-16BE, no BOM": ("export-be.txt", lambda k: f"ApiKey={k}\n".encode("utf-16-be")),
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
            results = bench.bench_path([bench.floor(), shipped, plain], corpus, path, runs)
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
        sections = ["## Encoded text: per-form recall (bench/forms.py)", "",
                    "One fake key per text form in a tree and in a history (one commit each); ✓ found, · missed, "
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

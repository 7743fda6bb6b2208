"""Scenario cases built from a corpus, for the costs the plain paths do not show: a big staged change, a first
commit of a whole tree, a huge one-line file full of keys, a history with tens of thousands of findings, and
many rules. Each case is built once under the corpus (``<corpus>/cases/<name>``) and lists its fake keys."""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import corpus as corpora

CASES = ("staged-1000", "staged-first-5000", "big-line", "many-findings", "many-rules")
BIG_LINE = (10_000, 18_000_000)  # keys, bytes: one line
MANY_FINDINGS = (40, 1000)  # commits, keys added by each
EXTRA_RULES = 150


@dataclass
class Case:
    """One scenario: run ``path``'s commands (history, worktree or staged) on ``target``, in ``cwd``.
    ``rules``: the directory of the many-rules configs (:func:`write_many_rules`), or None for the usual
    rules (yardguard's shipped rules, one Trackyard rule for peers)."""

    name: str
    path: str
    target: Path
    cwd: Path
    keys: set[str]
    rules: Path | None = None
    facts: dict = field(default_factory=dict)


def _git(cwd: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True,
                          env={**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
                               "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid"}).stdout


def _tracked(repo: Path, suffix: str = "") -> list[str]:
    return sorted(p for p in _git(repo, "-c", "core.quotepath=off", "ls-files", "-z").decode().split("\0")
                  if p and p.endswith(suffix) and "\n" not in p)


def _saved(root: Path, facts: dict | None = None) -> dict:
    """The case's facts (keys and figures), written last, beside it: a case without them is rebuilt."""
    meta = root.parent / f"{root.name}.json"
    if facts is not None:
        meta.write_text(json.dumps(facts, indent=1))
    return json.loads(meta.read_text()) if meta.exists() else {}


def _fresh(root: Path) -> None:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)


def staged_edits(corpus: corpora.Corpus, root: Path, files: int) -> dict:
    """A clone of the corpus with ``files`` Python files edited in one staged change; one edit adds a key."""
    _fresh(root)
    corpora.shared_clone(corpus.repo, root)
    key = corpora.Planter(f"staged-{files}").key()
    chosen = _tracked(root, ".py")[:files]
    for i, rel in enumerate(chosen):
        line = f'TRACKYARD_API_KEY = "{key}"\n' if i == len(chosen) // 2 else f"# reviewed {i}\n"
        with open(root / rel, "ab") as f:
            f.write(b"\n" + line.encode())
    _git(root, "add", "-A")
    _git(root, "status", "--porcelain")  # refresh the index once, outside the timed runs
    return {"keys": [key], "files": len(chosen)}


def staged_first_commit(corpus: corpora.Corpus, root: Path, files: int) -> dict:
    """A new repository whose first commit is being made: ``files`` files of the corpus tree staged, and one
    more with a key."""
    _fresh(root)
    _git(root, "init", "-q")
    chosen = _tracked(corpus.worktree)[:files]
    size = 0
    for rel in chosen:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus.worktree / rel, root / rel)
        size += (root / rel).stat().st_size
    key = corpora.Planter(f"first-{files}").key()
    (root / "deploy").mkdir(exist_ok=True)
    (root / "deploy" / "settings.py").write_text(f'TRACKYARD_API_KEY = "{key}"\n')
    _git(root, "add", "-A")
    _git(root, "status", "--porcelain")
    return {"keys": [key], "files": len(chosen) + 1, "bytes": size}


def big_line(root: Path, keys: int, size: int) -> dict:
    """A repository whose one file is a single line of ``size`` bytes (minified-bundle-like) with ``keys``
    keys spread along it."""
    _fresh(root)
    _git(root, "init", "-q")
    planter = corpora.Planter("big-line")
    made = [planter.key() for _ in range(keys)]
    rng = random.Random("filler")
    words = [f"{rng.choice('abcdefghijklmnop')}{i}" for i in range(64)]
    gap = size // keys
    with open(root / "bundle.min.js", "w") as f:
        for key in made:
            item = f'var k="{key}";'
            filler = []
            while sum(map(len, filler)) < gap - len(item):
                filler.append(f"{rng.choice(words)}=function(){{return {rng.randint(0, 999)}}};")
            f.write("".join(filler) + item)
        f.write("\n")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "bundle")
    return {"keys": made, "bytes": (root / "bundle.min.js").stat().st_size}


def many_findings(root: Path, commits: int, per_commit: int) -> dict:
    """A history of ``commits`` commits, each adding a file with ``per_commit`` keys (one a line)."""
    _fresh(root)
    _git(root, "init", "-q")
    planter = corpora.Planter("many-findings")
    made = []
    for c in range(commits):
        batch = [planter.key() for _ in range(per_commit)]
        made += batch
        (root / f"keys-{c:03d}.env").write_text("".join(f"KEY_{i}={k}\n" for i, k in enumerate(batch)))
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", f"keys {c}")
    return {"keys": made}


# ---------------------------------------------------------------- many rules


def _vendors(count: int) -> list[str]:
    rng = random.Random("vendors")
    names: list[str] = []
    while len(names) < count:
        name = "".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiou") for _ in range(3))
        if name not in names:
            names.append(name)
    return names


def write_many_rules(root: Path, count: int) -> dict:
    """``count`` extra rules, each a token format of its own with two keywords (``<vendor>_live_`` and
    ``<vendor>_test_``), for yardguard (a rule file added with ``--rules``) and, with Trackyard's rule too,
    for gitleaks, Betterleaks (TOML) and Kingfisher (YAML)."""
    root.mkdir(parents=True, exist_ok=True)
    vendors = _vendors(count)
    ours, go, bl, kf = [], [], [], []
    for v in vendors:
        body = "[A-Za-z0-9]{32,64}"
        ours.append(f'[[rule]]\nid = "{v}-token"\ndescription = "{v} token"\n'
                    f"regex = '''(?<![A-Za-z0-9_])({v}_(?:live|test)_{body})(?![A-Za-z0-9_])'''\n"
                    f'keywords = ["{v}_live_", "{v}_test_"]\nentropy = 3.0\n')
        go.append(f"[[rules]]\nid = '{v}-token'\ndescription = '{v} token'\n"
                  f"regex = '''(?:^|[^A-Za-z0-9_])({v}_(?:live|test)_{body})(?:[^A-Za-z0-9_]|$)'''\n"
                  f"secretGroup = 1\nentropy = 3.0\nkeywords = ['{v}_live_', '{v}_test_']\n")
        bl.append(f"[[rules]]\nid = '{v}-token'\ndescription = '{v} token'\n"
                  f"regex = '''(?:^|[^A-Za-z0-9_])({v}_(?:live|test)_{body})(?:[^A-Za-z0-9_]|$)'''\n"
                  f"keywords = ['{v}_live_', '{v}_test_']\nfilter = '''entropy(finding[\"secret\"]) < 3.0'''\n")
        kf.append(f"  - name: {v} token\n    id: bench.{v}-token\n"
                  f"    pattern: '(?:^|[^A-Za-z0-9_])({v}_(?:live|test)_{body})(?:[^A-Za-z0-9_]|$)'\n"
                  f"    min_entropy: 3.0\n    confidence: medium\n")
    (root / "yardguard.toml").write_text("\n".join(ours))
    for name, rules in (("gitleaks.toml", go), ("betterleaks.toml", bl)):  # Betterleaks: CEL filters instead
        shipped = (corpora.BENCH / "peers" / name).read_text()
        (root / name).write_text(shipped + "\n" + "\n".join(rules))
    shipped = (corpora.BENCH / "peers" / "kingfisher.yaml").read_text()
    (root / "kingfisher.yaml").write_text(shipped.rstrip("\n") + "\n" + "".join(kf))
    return {"rules": count, "keywords": 2 * count}


def build(corpus: corpora.Corpus, names: list[str]) -> list[Case]:
    """The cases ``names`` on ``corpus`` (built on first use, then reused)."""
    base = corpus.root / "cases"
    out = []
    for name in names:
        root = base / name
        facts = _saved(root)
        if name == "staged-1000":
            facts = facts or _saved(root, staged_edits(corpus, root, 1000))
            out.append(Case(name, "staged", root, root, set(facts["keys"]), facts=facts))
        elif name == "staged-first-5000":
            facts = facts or _saved(root, staged_first_commit(corpus, root, 5000))
            out.append(Case(name, "staged", root, root, set(facts["keys"]), facts=facts))
        elif name == "big-line":
            facts = facts or _saved(root, big_line(root, *BIG_LINE))
            out.append(Case(name, "worktree", root, root, set(facts["keys"]), facts=facts))
        elif name == "many-findings":
            facts = facts or _saved(root, many_findings(root, *MANY_FINDINGS))
            out.append(Case(name, "history", root, root, set(facts["keys"]), facts=facts))
        elif name == "many-rules":
            facts = _saved(root, write_many_rules(root, EXTRA_RULES))  # cheap: always written afresh
            for path in ("history", "worktree"):
                target = corpus.repo if path == "history" else corpus.worktree
                out.append(Case(name, path, target, target, corpus.expected(path), rules=root, facts=facts))
        else:
            raise ValueError(f"unknown case {name!r}: one of {', '.join(CASES)}")
    return out

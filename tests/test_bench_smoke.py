"""The benchmark keeps working: its smoke mode (synthetic corpus, one run, no network) runs end to end and
yardguard finds every planted key. No timing is asserted."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_smoke_finds_every_planted_key() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--no-write",
                           "--tools", "yardguard"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| smoke |") and "yardguard" in line]
    assert len(rows) == 3  # history, worktree, staged
    for row in rows:
        found, planted = row.rstrip(" |").rsplit("|", 1)[1].strip().split("/")
        assert found == planted, row

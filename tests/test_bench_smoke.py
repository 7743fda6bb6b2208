"""The benchmark keeps working: its smoke mode (synthetic corpus, one run, no network) runs end to end and
yardguard finds every planted key (the pre-receive hook rejects the push with one). No timing is asserted."""
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
    assert len(rows) == 6  # history, worktree, staged; push: 1 commit, 1,000 commits, 1,000 with a key
    for row in rows:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        assert cells[4] != "error", row
        if cells[-1]:  # the clean pushes have no keys to find
            found, planted = cells[-1].split("/")
            assert found == planted, row


def test_bench_forms_yardguard_finds_every_form() -> None:
    """bench/forms.py's recall table: yardguard finds the key in every text form, in the tree and in history."""
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "forms.py"), "--tools", "yardguard"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    rows = [line.strip("| ").split(" | ") for line in proc.stdout.splitlines() if line.startswith("| ")][2:-1]
    assert len(rows) > 15
    assert [form for form, cell in rows if cell != "✓/✓"] == []

"""Helpers for the end-to-end tests of the core scanner (rules, sources, filters, hooks)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import GIT_ENV, Result

ACME = "acme_Q2x7Lp3Nm8Rt4Vw6Yb1Z"
ACME_RULE = """
[[rule]]
id = "acme-token"
description = "Acme token"
regex = '''acme_([A-Za-z0-9]{20})'''
keywords = ["acme_"]
"""
"""A minimal extra rule (not Trackyard's) for tests of rule loading, config and ``--rules``."""

VENV_BIN = Path(sys.executable).parent
"""The virtualenv's ``bin``: put first on PATH so hooks find this checkout's ``yardguard``."""


def hook_env(**extra: str) -> dict[str, str]:
    """An environment for real ``git commit``/``git push`` runs that trigger installed hooks."""
    return {**os.environ, **GIT_ENV, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}", **extra}


def git(cwd: Path | str, *args: str, env: dict[str, str] | None = None, check: bool = True,
        input: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """Run git in ``cwd`` with the test identity; fail the test on error unless ``check`` is false."""
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, input=input,
                          env=env or {**os.environ, **GIT_ENV})
    out = subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                                      proc.stderr.decode("utf-8", "replace"))
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed ({proc.returncode}): {out.stderr}")
    return out


def findings(result: Result) -> list[dict]:
    """The findings of a ``--format json`` run (which must have exited 0 or 1)."""
    assert result.code in (0, 1), f"exit {result.code}: {result.err}"
    return result.json()["findings"]


def paths(result: Result) -> list[str]:
    """Sorted reported paths of a JSON run."""
    return sorted(f["path"] for f in findings(result))


def assert_error(result: Result, *words: str) -> None:
    """Exit 2 with one clear line on stderr (no traceback) that mentions ``words``."""
    assert result.code == 2, (result.code, result.out, result.err)
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    assert result.err.strip(), "an error must say what is wrong"
    for w in words:
        assert w.lower() in result.err.lower(), (w, result.err)

"""Baseline files: accepted findings as (rule_id, secret_sha256, path); no secrets, no line numbers."""
from __future__ import annotations

import json
from pathlib import Path

from scanner import jsonfile
from scanner.errors import YardguardError
from scanner.model import Finding

Entry = tuple[str, str, str]


def entries(findings: list[Finding]) -> list[Entry]:
    """Sorted, de-duplicated baseline entries (stable: moving lines never changes the file)."""
    return sorted({(f.rule.id, f.secret_sha256, f.root_path) for f in findings})


def dumps(findings: list[Finding]) -> str:
    """The baseline document for ``findings``."""
    rows = [{"rule_id": r, "secret_sha256": h, "path": p} for r, h, p in entries(findings)]
    return json.dumps({"version": 1, "findings": rows}, indent=2) + "\n"


def load(path: str | Path) -> set[Entry]:
    """Read a baseline; a missing or malformed file is a :class:`YardguardError`."""
    return parse(jsonfile.read(path, "baseline"), str(path))


def parse(doc: object, source: str) -> set[Entry]:
    """The entries of a parsed baseline document (``source`` names it in errors)."""
    try:
        if isinstance(doc, dict) and doc.get("version") == 1:
            return {(r["rule_id"], r["secret_sha256"], r["path"]) for r in doc["findings"]}
    except (AttributeError, KeyError, TypeError):
        pass
    raise YardguardError(f"baseline {source} is malformed (expected version 1 with findings "
                         "of rule_id, secret_sha256, path)")

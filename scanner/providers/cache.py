"""Optional on-disk cache of verification verdicts, keyed by the key's SHA-256 only (never the key),
so CI re-runs within the TTL do not query the API again. Only ``live``/``invalid`` are cached."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from scanner import inputfile, outfile
from scanner.model import Verification

CACHED = ("live", "invalid")


class VerifyCache:
    """``{"version": 1, "entries": {sha256: {"at": epoch, "scope": base, "verification": {...}}}}``."""

    def __init__(self, path: Path, ttl: float) -> None:
        self.path, self.ttl = path, ttl
        try:
            data = json.loads(inputfile.read(path).decode("utf-8"))
            entries = data.get("entries", {}) if isinstance(data, dict) else {}
        except (OSError, ValueError):
            entries = {}  # missing or unreadable: start afresh
        now = time.time()
        self.entries: dict[str, dict[str, Any]] = {k: v for k, v in entries.items()
                        if isinstance(v, dict) and isinstance(v.get("at"), (int, float))
                        and 0 <= now - v["at"] < ttl and isinstance(v.get("verification"), dict)}

    def get(self, secret_sha256: str, scope: str) -> Verification | None:
        """The cached verdict for this key hash and API base, if still fresh."""
        entry = self.entries.get(secret_sha256)
        if entry is None or entry.get("scope") != scope:
            return None
        return Verification.from_dict(entry["verification"])

    def put(self, secret_sha256: str, scope: str, verification: Verification) -> None:
        """Remember a definite verdict; ``unknown`` is never cached."""
        if verification.status in CACHED:
            self.entries[secret_sha256] = {"at": time.time(), "scope": scope, "verification": verification.to_dict()}

    def save(self) -> None:
        """Write atomically (mode 0600); a cache that cannot be written is only a warning."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            outfile.write(self.path, json.dumps({"version": 1, "entries": self.entries}, indent=1,
                                                sort_keys=True), mode=0o600)
        except OSError as e:
            print(f"yardguard: warning: cannot write verification cache {self.path}: {e.strerror}",
                  file=sys.stderr)

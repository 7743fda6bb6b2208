"""Providers: prove whether a found key is live, and revoke confirmed leaks."""
from __future__ import annotations

from scanner.errors import YardguardError


def verify_and_revoke(run, findings) -> bool:  # placeholder until issue 3 lands
    raise YardguardError("--verify/--revoke are not available yet")

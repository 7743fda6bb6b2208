"""SHA-256 without hashlib's start-up cost (hashlib loads OpenSSL: ~3 ms of the pre-commit hook's budget)."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_builtin: Callable[[bytes], Any] | None = None


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return (_builtin or _find_sha256())(data).hexdigest()


def _find_sha256() -> Callable[[bytes], Any]:
    """CPython's built-in implementation (``_sha2`` from 3.12, ``_sha256`` before; hashlib elsewhere), looked
    up once: a failed import is not cached by Python, and retrying it per finding cost half of a run with
    40k findings."""
    global _builtin
    try:
        from _sha2 import sha256 as builtin  # type: ignore[import-not-found]
    except ImportError:
        try:
            from _sha256 import sha256 as builtin  # type: ignore[import-not-found,no-redef]
        except ImportError:
            from hashlib import sha256 as builtin  # type: ignore[assignment]
    _builtin = builtin
    return builtin

"""SHA-256 without hashlib's start-up cost (hashlib loads OpenSSL: ~3 ms of the pre-commit hook's budget)."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return _sha256()(data).hexdigest()


def _sha256() -> Callable[[bytes], Any]:
    # CPython's built-in implementation: ``_sha2`` from 3.12, ``_sha256`` before; hashlib elsewhere
    try:
        from _sha2 import sha256 as builtin  # type: ignore[import-not-found]
    except ImportError:
        try:
            from _sha256 import sha256 as builtin  # type: ignore[import-not-found,no-redef]
        except ImportError:
            from hashlib import sha256 as builtin  # type: ignore[assignment]
    return builtin

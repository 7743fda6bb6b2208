"""SHA-256 without hashlib's start-up cost (hashlib loads OpenSSL: ~3 ms of the pre-commit hook's budget)."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Protocol

    class _Hash(Protocol):
        def hexdigest(self) -> str: ...

_builtin: Callable[[bytes], _Hash] | None = None


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return (_builtin or _find_sha256())(data).hexdigest()


def _find_sha256() -> Callable[[bytes], _Hash]:
    """CPython's built-in implementation (``_sha2`` from 3.12, ``_sha256`` before; hashlib elsewhere), looked
    up once: a failed import is not cached by Python, and retrying it per finding cost half of a run with
    40k findings."""
    global _builtin
    try:
        from _sha2 import sha256 as builtin  # type: ignore[import-not-found]  # Python 3.12+
    except ImportError:
        try:
            from _sha256 import sha256 as builtin  # type: ignore[import-not-found]  # Python 3.11
        except ImportError:
            from hashlib import sha256 as builtin
    found: Callable[[bytes], _Hash] = builtin
    _builtin = found
    return found

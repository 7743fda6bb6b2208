"""Reading TOML files (rule files, config), each parsed once per process.

Importing tomllib costs ~8 ms, a fifth of the pre-commit hook's run, so a document read with ``omit``
(the field names to leave out) is also kept in the cache directory (:func:`cache_dir`) and read from there
while the file is unchanged (same path, inode, size, mtime and ctime). Entries are ``marshal`` data, as in
Python's own ``__pycache__`` (built in, so nothing to import), in a directory only its owner can write.
Rule examples look exactly like keys, so callers omit them: nothing that looks like a key is ever written
to the cache.
"""
from __future__ import annotations

import os

from scanner import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_parsed: dict[tuple[Any, ...], dict[str, Any]] = {}


def cache_dir() -> str | None:
    """``$YARDGUARD_CACHE_DIR`` (set but empty: no cache), else ``$XDG_CACHE_HOME/yardguard/toml``, else
    ``~/.cache/yardguard/toml``."""
    if "YARDGUARD_CACHE_DIR" in os.environ:
        return os.environ["YARDGUARD_CACHE_DIR"] or None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "yardguard", "toml")


def load(path: str | os.PathLike[str], omit: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The parsed document at ``path``; with ``omit``, without those fields in any table, and possibly
    from the on-disk cache. Raises :class:`OSError` and ``tomllib.TOMLDecodeError``; callers must not
    modify the result."""
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        real = os.path.realpath(path)
        stamp = (real, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        key = (*stamp, omit)
        if key in _parsed:
            return _parsed[key]
        signature = [*stamp, __version__, sorted(omit or ())]
        doc = _from_cache(real, signature) if omit is not None else None
        if doc is None:
            import tomllib
            doc = tomllib.load(f)
            if omit is not None:
                doc = _without(doc, set(omit))
                _to_cache(real, signature, doc)
    _parsed[key] = doc
    return doc


def _without(value: Any, omit: set[str]) -> Any:
    if isinstance(value, dict):
        return {k: _without(v, omit) for k, v in value.items() if k not in omit}
    if isinstance(value, list):
        return [_without(v, omit) for v in value]
    return value


def _entry_path(directory: str, real: str) -> str:
    from scanner.digest import sha256_hex
    return os.path.join(directory, sha256_hex(os.fsencode(real))[:32] + ".marshal")


def _trusted_dir() -> str | None:
    """The cache directory, if only its owner (this user) can write to it; else None: entries from a
    directory someone else controls could switch rules off."""
    directory = cache_dir()
    if directory is None:
        return None
    try:
        st = os.stat(directory)
    except OSError:
        return None
    if st.st_mode & 0o022 or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
        return None
    return directory


def _from_cache(real: str, signature: list[Any]) -> dict[str, Any] | None:
    directory = _trusted_dir()
    if directory is None:
        return None
    import marshal
    try:
        with open(_entry_path(directory, real), "rb") as f:
            entry = marshal.load(f)
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(entry, dict) or entry.get("signature") != signature or not isinstance(entry.get("doc"), dict):
        return None
    return entry["doc"]


def _to_cache(real: str, signature: list[Any], doc: dict[str, Any]) -> None:
    """Best effort: a cache that cannot be written (read-only home, a value marshal cannot hold, a
    directory someone else can write to) is skipped."""
    directory = cache_dir()
    if directory is None:
        return
    import marshal
    try:
        data = marshal.dumps({"signature": signature, "doc": doc})
        os.makedirs(directory, mode=0o700, exist_ok=True)
        if _trusted_dir() is None:
            return
        from scanner import outfile
        outfile.write(_entry_path(directory, real), data, mode=0o600)
    except (OSError, ValueError):  # ValueError: a value marshal cannot hold (a TOML date)
        pass

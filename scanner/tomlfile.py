"""Reading TOML files (rule files, config), each parsed once per process.

Importing tomllib costs ~8 ms, a fifth of the pre-commit hook's run, so the part of a document a caller
needs (its ``view``) is also kept in the cache directory (:func:`cache_dir`) and read from there while the
file is unchanged (same path, inode, size, mtime and ctime). Entries are ``marshal`` data, as in
Python's own ``__pycache__`` (built in, so nothing to import), in a directory only its owner can write.
Views leave out what could hold a key (rule examples look exactly like keys; a pyproject.toml holds
anything): nothing that looks like a key is ever written to the cache.
"""
from __future__ import annotations

import os

from scanner import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_parsed: dict[tuple[Any, ...], dict[str, Any]] = {}
_signatures: dict[str, list[Any]] = {}  # path as given -> the signature of the version last loaded


def cache_dir() -> str | None:
    """``$YARDGUARD_CACHE_DIR`` (set but empty: no cache), else ``$XDG_CACHE_HOME/yardguard/toml``, else
    ``~/.cache/yardguard/toml``."""
    if "YARDGUARD_CACHE_DIR" in os.environ:
        return os.environ["YARDGUARD_CACHE_DIR"] or None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "yardguard", "toml")


def load(path: str | os.PathLike[str], view: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
         checked: str | None = None) -> dict[str, Any]:
    """The parsed document at ``path``. With ``view``, the part of it ``view`` returns, which may come from
    (and goes to) the on-disk cache: ``view`` must leave out anything that could hold a secret. With
    ``checked`` too, only a version of the file that passed that check (:func:`note`) is viewed so; any other
    is parsed whole, as without ``view``. Raises :class:`OSError` and ``tomllib.TOMLDecodeError``; callers
    must not modify the result."""
    from scanner import inputfile
    fd = inputfile.open_regular(path)  # a device, a fifo or a huge file is an OSError, never read
    try:
        st = os.fstat(fd)
        version = [os.path.realpath(path), st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, __version__]
        if view is not None and checked is not None and _from_cache([*version, checked]) is None:
            view = None  # the version just opened: no other can slip in between the question and the read
        name = None if view is None else f"{view.__module__}.{view.__qualname__}"
        signature = [*version, name]
        key = tuple(signature)
        _signatures[os.fspath(path)] = signature
        if key in _parsed:
            return _parsed[key]
        doc = _from_cache(signature) if view is not None else None
        if doc is None:
            import tomllib
            doc = tomllib.loads(inputfile.read_fd(fd).decode())
            if view is not None:
                doc = view(doc)
                _to_cache(signature, doc)
    finally:
        os.close(fd)
    _parsed[key] = doc
    return doc


def note(path: str | os.PathLike[str], fact: str) -> None:
    """Remember in the cache that the version of ``path`` last loaded has passed check ``fact`` (for example
    "its rules compile and match their examples"), so that :func:`noted` can skip the check until the file
    changes."""
    signature = _signatures.get(os.fspath(path))
    if signature is not None:
        _to_cache([*signature[:-1], fact], {})


def noted(path: str | os.PathLike[str], fact: str) -> bool:
    """True when the version of ``path`` last loaded passed check ``fact`` before (:func:`note`)."""
    signature = _signatures.get(os.fspath(path))
    return signature is not None and _from_cache([*signature[:-1], fact]) is not None


def recall(key: list[Any]) -> dict[str, Any] | None:
    """What :func:`remember` kept under ``key`` (a list of marshal-able values, its last one a name), if
    anything; for derived data that is costly to rebuild, such as a compiled keyword matcher."""
    return _from_cache(key)


def remember(key: list[Any], value: dict[str, Any]) -> None:
    """Keep ``value`` (marshal-able, never anything that could hold a secret) under ``key``; best effort."""
    _to_cache(key, value)


def _entry_path(directory: str, signature: list[Any]) -> str:
    from scanner.digest import sha256_hex
    real, name = signature[0], signature[-1]
    return os.path.join(directory, sha256_hex(f"{real}\0{name}".encode("utf-8", "surrogateescape"))[:32] + ".marshal")


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


def _from_cache(signature: list[Any]) -> dict[str, Any] | None:
    directory = _trusted_dir()
    if directory is None:
        return None
    import marshal
    try:
        with open(_entry_path(directory, signature), "rb") as f:
            entry = marshal.load(f)
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(entry, dict) or entry.get("signature") != signature or not isinstance(entry.get("doc"), dict):
        return None
    doc: dict[str, Any] = entry["doc"]
    return doc


def _holds_key_shaped_text(value: Any) -> bool:
    """True when a text in ``value`` (a view's nested tables and lists) looks like a key to
    :func:`~scanner.redaction.redact_text`: a rule file's key-shaped id or description, say, checked only
    by a later full run. Such a view is never written (views already leave out examples)."""
    texts: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            texts.append(item)
        elif isinstance(item, dict):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, (list, tuple)):
            stack += item
    if not texts:
        return False
    from scanner.redaction import redact_text
    joined = "\n".join(texts)
    return redact_text(joined) != joined


def _to_cache(signature: list[Any], doc: dict[str, Any]) -> None:
    """Best effort: a cache that cannot be written (read-only home, a value marshal cannot hold, a
    directory someone else can write to) is skipped."""
    directory = cache_dir()
    if directory is None or _holds_key_shaped_text(doc):
        return
    import marshal
    try:
        data = marshal.dumps({"signature": signature, "doc": doc})
        os.makedirs(directory, mode=0o700, exist_ok=True)
        if _trusted_dir() is None:
            return
        from scanner import outfile
        outfile.write(_entry_path(directory, signature), data, mode=0o600)
    except (OSError, ValueError):  # ValueError: a value marshal cannot hold (a TOML date)
        pass

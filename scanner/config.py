"""``.yardguard.toml`` / ``[tool.yardguard]`` in ``pyproject.toml`` -> one :class:`Config` value."""
from __future__ import annotations

import os

from scanner import tomlfile
from scanner.errors import YardguardError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CONFIG_FILE = ".yardguard.toml"

DEFAULTS: dict[str, Any] = {
    "rules": [],                # extra rule files or directories
    "disabled_rules": [],       # rule ids to switch off
    "exclude_paths": [],        # globs never reported
    "baseline": None,           # baseline file applied to every run
    "max_file_size": None,      # bytes; larger files are skipped (None: no limit)
    "fail_on": None,            # any | live | verified | never
    "api_base": None,           # Trackyard API base URL
    "verify_timeout": 10.0,     # seconds per HTTP request, all of it (connect, headers, body)
    "verify_deadline": 120.0,   # seconds for all verification of one run
    "verify_concurrency": 2,    # requests in flight at once
    "verify_retries": 3,        # retries after a 429 before "unknown"
    "verify_cache": None,       # on-disk cache file (secret hashes only)
    "verify_cache_ttl": 900.0,  # seconds a cached verdict stays valid
    "audit_log": None,          # revocation audit log (JSON lines)
    "revoke_timeout": 10.0,     # seconds per revoke or re-check request, all of it
    "revoke_deadline": 120.0,   # seconds for all revocation of one run
    # pre-receive (server side); operator only: never read from a repository
    "allow_skip": False,        # `git push -o yardguard.skip` lets a push through (logged)
    "push_log": None,           # JSON lines log of skipped pushes and fail-open timeouts
    "time_budget": 4.0,         # seconds the hook may take
    "on_timeout": "reject",     # reject | accept (logged) when the budget runs out
    # the decoding stage (README, "Decoding: encoded keys and archives")
    "decode": True,             # decode base64, hex, percent, escapes, HTML entities, UTF-16 and rescan
    "archives": True,           # open zip/tar/gzip/bz2/xz/SQLite/.pyc in memory and scan their members
    "max_decode_depth": 3,      # encodings nested in one another (base64 in base64: 2)
    "max_archive_depth": 3,     # containers nested in one another (a .jar in a .zip: 2)
    "max_archive_bytes": 256 << 20,  # uncompressed bytes read from one archive
    "max_archive_entries": 10_000,   # members looked at in one archive
    "max_archive_ratio": 100,   # uncompressed / compressed, per member and overall (zip bombs)
}
"""Every config key with its default (documented in the README, "Configuration")."""


class Config:
    """The config keys of :data:`DEFAULTS` as attributes, and ``base_dir``: the config file's directory,
    from which relative paths in it resolve."""

    rules: list[str]
    disabled_rules: list[str]
    exclude_paths: list[str]
    baseline: str | None
    max_file_size: int | None
    fail_on: str | None
    api_base: str | None
    verify_timeout: float
    verify_deadline: float
    verify_concurrency: int
    verify_retries: int
    verify_cache: str | None
    verify_cache_ttl: float
    audit_log: str | None
    revoke_timeout: float
    revoke_deadline: float
    allow_skip: bool
    push_log: str | None
    time_budget: float
    on_timeout: str
    decode: bool
    archives: bool
    max_decode_depth: int
    max_archive_depth: int
    max_archive_bytes: int
    max_archive_entries: int
    max_archive_ratio: float

    def __init__(self, base_dir: str | os.PathLike[str] | None = None, **values: Any) -> None:
        unknown = set(values) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"unknown config key(s): {', '.join(sorted(unknown))}")
        for key, default in DEFAULTS.items():
            value = values.get(key, default)
            setattr(self, key, list(value) if isinstance(value, list) else value)
        self.base_dir = os.getcwd() if base_dir is None else os.fspath(base_dir)
        self.repository_rules: list[str] = []  # the rule files (or directories) the repository names

    def resolve(self, path: str) -> str:
        """A path from the config, relative to the config file's directory."""
        return os.path.normpath(os.path.join(self.base_dir, os.path.expanduser(path)))  # absolute stays absolute


_TYPES: dict[str, tuple[type, ...]] = {
    "rules": (list,), "disabled_rules": (list,), "exclude_paths": (list,), "baseline": (str,),
    "max_file_size": (int,), "fail_on": (str,), "api_base": (str,), "verify_timeout": (int, float),
    "verify_deadline": (int, float), "verify_concurrency": (int,), "verify_retries": (int,),
    "verify_cache": (str,), "verify_cache_ttl": (int, float), "audit_log": (str,),
    "revoke_timeout": (int, float), "revoke_deadline": (int, float),
    "allow_skip": (bool,), "push_log": (str,), "time_budget": (int, float), "on_timeout": (str,),
    "decode": (bool,), "archives": (bool,), "max_decode_depth": (int,), "max_archive_depth": (int,),
    "max_archive_bytes": (int,), "max_archive_entries": (int,), "max_archive_ratio": (int, float),
}
OPERATOR_ONLY = frozenset({"allow_skip", "push_log", "time_budget", "on_timeout"})
"""Keys only the operator's config may set (a gate never reads them from a repository)."""
_NON_NEGATIVE = ("max_decode_depth", "max_archive_depth", "max_archive_bytes", "max_archive_entries",
                 "max_archive_ratio")


def config_file(doc: dict[str, Any]) -> dict[str, Any]:
    """A ``.yardguard.toml`` as it is: it holds yardguard's settings only (what may be cached)."""
    return doc


def yardguard_table(doc: dict[str, Any]) -> dict[str, Any]:
    """Only ``[tool.yardguard]`` of a ``pyproject.toml`` (what may be cached: the rest could hold anything)."""
    tool = doc.get("tool")
    table = tool.get("yardguard") if isinstance(tool, dict) else None
    return {} if table is None else {"tool": {"yardguard": table}}


def _read_toml(path: str) -> dict[str, Any]:
    view = yardguard_table if os.path.basename(path) == "pyproject.toml" else config_file
    try:
        return tomlfile.load(path, view)
    except OSError as e:
        raise YardguardError(f"cannot read config file {path}: {e.strerror}") from None
    except ValueError as e:  # tomllib.TOMLDecodeError, without importing tomllib to name it
        raise YardguardError(f"{path}: invalid TOML: {e}") from None


def from_table(table: dict[str, Any], source: str, base_dir: str | None = None) -> Config:
    """Validate one ``[tool.yardguard]``-shaped table; relative paths in it resolve from ``base_dir``
    (default: the directory of ``source``)."""
    unknown = sorted(set(table) - set(DEFAULTS))
    if unknown:
        raise YardguardError(f"{source}: unknown config key(s): {', '.join(unknown)}")
    for key, value in table.items():
        if (isinstance(value, bool) and bool not in _TYPES[key]) or not isinstance(value, _TYPES[key]):
            raise YardguardError(f"{source}: config key {key!r} has the wrong type")
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise YardguardError(f"{source}: config key {key!r} must be a list of strings")
    negative = [key for key in _NON_NEGATIVE if table.get(key, 0) < 0]
    if negative:
        raise YardguardError(f"{source}: config key {negative[0]!r} must not be negative")
    if table.get("fail_on") not in (None, "any", "live", "verified", "never"):
        raise YardguardError(f"{source}: fail_on must be one of any, live, verified, never")
    if table.get("on_timeout") not in (None, "reject", "accept"):
        raise YardguardError(f"{source}: on_timeout must be reject or accept")
    return Config(**table, base_dir=os.path.dirname(os.path.abspath(source)) if base_dir is None else base_dir)


def explicit_table(path: str) -> dict[str, Any]:
    """The settings table of a config file named by the operator (``--config``)."""
    if not os.path.exists(path):
        raise YardguardError(f"config file not found: {path}")
    if not os.path.isfile(path):
        raise YardguardError(f"config file is not a regular file: {path} (give a .toml file)")
    data = _read_toml(path)
    if os.path.basename(path) != "pyproject.toml":
        return data
    if "tool" not in data:
        raise YardguardError(f"{path}: no [tool.yardguard] table")
    return data["tool"]["yardguard"]


def load_config(root: str | os.PathLike[str], explicit: str | None = None) -> Config:
    """The settings of a run in ``root``: ``explicit`` (``--config``, the operator's) or else the repository's
    ``root/.yardguard.toml`` or ``[tool.yardguard]`` in ``root/pyproject.toml``, with the user-level config
    (the operator's too) laid over it; defaults for what none sets. A repository's config may not set the
    operator's keys, and the rule files it names are marked as the repository's (:mod:`scanner.trust`)."""
    from scanner import trust
    if explicit:
        table, source, base_dir = explicit_table(explicit), explicit, None
    else:
        table, source, base_dir = _repository_table(root)
        trust.check_repository_config(table, source)
    config = from_table(table, source, base_dir)
    user = trust.user_table()
    if user is not None:
        from_table(*user)  # the user's own table must be valid alone
        config = from_table(trust.over_repository(table, user[0]), source, base_dir)
    if not explicit:
        config.repository_rules = [config.resolve(p) for p in table.get("rules", [])]
    return config


def _repository_table(root: str | os.PathLike[str]) -> tuple[dict[str, Any], str, str | None]:
    """(table, source, base dir) of the repository's own config; an empty table when it has none."""
    own = os.path.join(root, CONFIG_FILE)
    if os.path.isfile(own):
        return _read_toml(own), own, None
    pyproject = os.path.join(root, "pyproject.toml")
    if os.path.isfile(pyproject):
        try:  # a scanned project's broken pyproject.toml is its own business, not a yardguard error
            table = _read_toml(pyproject).get("tool", {}).get("yardguard")
        except YardguardError:
            table = None
        if table is not None:
            return table, pyproject, None
    return {}, os.path.join(root, CONFIG_FILE), os.fspath(root)

"""``.yardguard.toml`` / ``[tool.yardguard]`` in ``pyproject.toml`` -> one :class:`Config` value."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from scanner.errors import YardguardError

CONFIG_FILE = ".yardguard.toml"


@dataclass
class Config:
    """Every config key, with its default (documented in the README, "Configuration")."""

    rules: list[str] = field(default_factory=list)          # extra rule files or directories
    disabled_rules: list[str] = field(default_factory=list)  # rule ids to switch off
    exclude_paths: list[str] = field(default_factory=list)   # globs never reported
    baseline: str | None = None                              # baseline file applied to every run
    max_file_size: int | None = None                         # bytes; larger files are skipped (None: no limit)
    fail_on: str | None = None                               # any | live | verified | never
    api_base: str | None = None                              # Trackyard API base URL
    verify_timeout: float = 10.0                             # seconds per HTTP request
    verify_deadline: float = 120.0                           # seconds for all verification of one run
    verify_concurrency: int = 2                              # requests in flight at once
    verify_retries: int = 3                                  # retries after a 429 before "unknown"
    verify_cache: str | None = None                          # on-disk cache file (secret hashes only)
    verify_cache_ttl: float = 900.0                          # seconds a cached verdict stays valid
    audit_log: str | None = None                             # revocation audit log (JSON lines)
    base_dir: Path = field(default_factory=Path.cwd)         # relative paths above resolve from here

    def resolve(self, path: str) -> Path:
        """A path from the config, relative to the config file's directory."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else self.base_dir / p


_TYPES: dict[str, tuple[type, ...]] = {
    "rules": (list,), "disabled_rules": (list,), "exclude_paths": (list,), "baseline": (str,),
    "max_file_size": (int,), "fail_on": (str,), "api_base": (str,), "verify_timeout": (int, float),
    "verify_deadline": (int, float), "verify_concurrency": (int,), "verify_retries": (int,),
    "verify_cache": (str,), "verify_cache_ttl": (int, float), "audit_log": (str,),
}


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError as e:
        raise YardguardError(f"cannot read config file {path}: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise YardguardError(f"{path}: invalid TOML: {e}") from None


def from_table(table: dict[str, Any], source: Path) -> Config:
    """Validate one ``[tool.yardguard]``-shaped table."""
    known = {f.name for f in fields(Config)} - {"base_dir"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise YardguardError(f"{source}: unknown config key(s): {', '.join(unknown)}")
    for key, value in table.items():
        if isinstance(value, bool) or not isinstance(value, _TYPES[key]):
            raise YardguardError(f"{source}: config key {key!r} has the wrong type")
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise YardguardError(f"{source}: config key {key!r} must be a list of strings")
    if table.get("fail_on") not in (None, "any", "live", "verified", "never"):
        raise YardguardError(f"{source}: fail_on must be one of any, live, verified, never")
    return Config(**table, base_dir=source.parent)


def load_config(root: Path, explicit: str | None = None) -> Config:
    """``explicit`` (``--config``) or ``root/.yardguard.toml`` or ``[tool.yardguard]`` in
    ``root/pyproject.toml``; defaults when none exists."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise YardguardError(f"config file not found: {explicit}")
        data = _read_toml(path)
        return from_table(data.get("tool", {}).get("yardguard", data) if path.name == "pyproject.toml" else data, path)
    own = root / CONFIG_FILE
    if own.is_file():
        return from_table(_read_toml(own), own)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:  # a scanned project's broken pyproject.toml is its own business, not a yardguard error
            table = _read_toml(pyproject).get("tool", {}).get("yardguard")
        except YardguardError:
            table = None
        if table is not None:
            return from_table(table, pyproject)
    return Config(base_dir=root)

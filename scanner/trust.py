"""Who may set what (SECURITY.md, section 4): the one place that decides.

The operator (command line, environment, the user-level config file and the files those name, the shipped
rules) may set everything. The scanned repository (its ``.yardguard.toml`` or ``[tool.yardguard]``, the rule
files and baseline that config names, whether read from the work tree or from a gate's base revision) may
only narrow what is reported in its own interest: it can never choose where keys are sent, what a
provider's answer means, what a cached verdict says, or where yardguard writes.

Each config key declares who may set it (:class:`scanner.config.Config`): a repository config that sets an
``operator`` key (:data:`~scanner.config.OPERATOR_KEYS`) is exit 2; a ``server`` key
(:data:`~scanner.config.SERVER_KEYS`, the pre-receive gate's own settings) is ignored with a notice, so that
a config on the default branch cannot take the gate down. A repository rule file with a ``[provider.X]``
table (request specs, ``api_base``, ``api_base_env``, ``outcomes``, ...) is exit 2.
"""
from __future__ import annotations

import os

from scanner.config import OPERATOR_KEYS, Config, explicit_table, from_table, repository_table
from scanner.errors import YardguardError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

PATH_KEYS = frozenset({"rules", "baseline", "verify_cache", "audit_log", "push_log"})
"""Config keys holding paths (relative ones resolve from the directory of the file that sets them)."""

USER_CONFIG = os.path.join("yardguard", "config.toml")


def user_config_path() -> str:
    """``$XDG_CONFIG_HOME/yardguard/config.toml`` (default ``~/.config/yardguard/config.toml``)."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, USER_CONFIG)


def check_repository_config(table: dict[str, Any], source: str) -> None:
    """Exit 2 when a repository's config table sets a key of :data:`OPERATOR_KEYS`."""
    forbidden = sorted(OPERATOR_KEYS & set(table))
    if forbidden:
        raise YardguardError(
            f"{source} sets {', '.join(forbidden)}: only the operator may (the command line, the environment, "
            f"--config FILE or {user_config_path()}); see SECURITY.md")


def check_repository_rules(document: dict[str, Any], source: str) -> None:
    """Exit 2 when a rule file of the repository defines a provider (where keys are sent, how, and what
    the answer means): its rules may use the operator's providers only."""
    if "provider" in document:
        raise YardguardError(f"{source}: a rule file of the scanned repository may not define [provider] tables "
                             "(API bases, api_base_env, requests, outcomes); only the operator's rule files may "
                             "(--rules, or rules in --config / the user config); see SECURITY.md")


def absolute_paths(table: dict[str, Any], base_dir: str) -> dict[str, Any]:
    """``table`` with the relative paths of :data:`PATH_KEYS` made absolute from ``base_dir``."""
    def resolve(path: Any) -> Any:
        if not isinstance(path, str):
            return path
        return os.path.normpath(os.path.join(base_dir, os.path.expanduser(path)))
    out = dict(table)
    for key in PATH_KEYS & set(table):
        value = table[key]
        out[key] = [resolve(p) for p in value] if isinstance(value, list) else resolve(value)
    return out


def user_table() -> tuple[dict[str, Any], str] | None:
    """(settings table with absolute paths, file name) of the user-level config, or None when it does not
    exist. It is the operator's: every key is allowed."""
    path = user_config_path()
    if not os.path.isfile(path):
        return None
    return absolute_paths(explicit_table(path), os.path.dirname(os.path.abspath(path))), path


def over_repository(repository: dict[str, Any], operator: dict[str, Any]) -> dict[str, Any]:
    """The operator's table laid over the repository's: the operator's value of a key wins, and list keys
    (extra rules, disabled rules, excluded paths) add up, so a repository cannot drop an operator's rule."""
    merged = dict(repository)
    for key, value in operator.items():
        merged[key] = [*repository.get(key, []), *value] if isinstance(value, list) else value
    return merged


def load_config(root: str | os.PathLike[str], explicit: str | None = None) -> Config:
    """The settings of a run in ``root``: ``explicit`` (``--config``, the operator's) or else the repository's
    ``root/.yardguard.toml`` or ``[tool.yardguard]`` in ``root/pyproject.toml``, with the user-level config
    (the operator's too) laid over it; defaults for what none sets. A repository's config may not set the
    operator's keys, and the rule files it names are marked as the repository's."""
    if explicit:
        table, source, base_dir = explicit_table(explicit), explicit, None
    else:
        table, source, base_dir = repository_table(root)
        check_repository_config(table, source)
    config = from_table(table, source, base_dir)
    user = user_table()
    if user is not None:
        from_table(*user)  # the user's own table must be valid alone
        config = from_table(over_repository(table, user[0]), source, base_dir)
    if not explicit:
        config.repository_rules = [config.resolve(p) for p in table.get("rules", [])]
    return config

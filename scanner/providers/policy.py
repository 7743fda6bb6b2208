"""Where keys may go: the API base each provider is sent keys at, and who may change it. The operator
(``--api-base``, the environment) may name any host; the scanned repository (its config, its rule files)
may not move a shipped provider's keys off its shipped host (loopback aside)."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from scanner.errors import YardguardError

if TYPE_CHECKING:
    from scanner.run import Run

OVERRIDABLE = "trackyard"  # --api-base, TRACKYARD_API_BASE and config api_base apply to this provider only


def shipped_host(name: str) -> str | None:
    """The API host the shipped rule files name for provider ``name`` (None if they do not)."""
    from urllib.parse import urlsplit

    from scanner.rules import all_rule_files, read_rule_file
    for path in all_rule_files():
        table = read_rule_file(path, examples=False).get("provider", {}).get(name)
        if isinstance(table, dict) and isinstance(table.get("api_base"), str):
            return urlsplit(table["api_base"]).hostname
    return None


def api_base(run: Run, name: str, table: dict[str, Any]) -> str:
    """--api-base, then the table's environment variable, then config ``api_base``, then the table.

    The config file and extra rule files live in the scanned repository, so whoever writes a pull request
    writes them: they may not move keys of a shipped provider to another host (loopback aside). Only the
    operator (--api-base, the environment) can."""
    from urllib.parse import urlsplit

    from scanner.providers.http import is_loopback
    env = table.get("api_base_env")
    from_env = os.environ.get(env) if isinstance(env, str) and env else None
    operator = (run.options.api_base if name == OVERRIDABLE else None) or from_env
    base = operator or (run.config.api_base if name == OVERRIDABLE else None) or table.get("api_base")
    if not isinstance(base, str) or not base:
        raise YardguardError(f"[provider.{name}]: no api_base configured")
    shipped = shipped_host(name)
    host = urlsplit(base).hostname or ""
    if not operator and shipped is not None and host != shipped and not is_loopback(host):
        raise YardguardError(f"the config or a rule file points {name} at {host!r}, not {shipped!r}; only "
                             "--api-base or the environment may send keys to another host")
    return base

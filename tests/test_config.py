"""Config keys are declared once (``scanner.config.Config``): validation, who may set them and the docs'
configuration table all come from that declaration."""
from __future__ import annotations

from pathlib import Path

import pytest

from scanner import config
from scanner.config import KEYS, OPERATOR, REPOSITORY, SERVER, docs_table, from_table
from scanner.errors import YardguardError
from scanner.trust import check_repository_config

ROOT = Path(__file__).resolve().parent.parent
HEADER = "| key | default | meaning |"


def documented_tables() -> dict[bool, str]:
    """The configuration tables of the docs (README.md, or the pages of docs/ once they move there), by
    whether they are the pre-receive gate's (its first key is one of the gate's)."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    tables = []
    for page in pages:
        lines = page.read_text().splitlines()
        for i, line in enumerate(lines):
            if line == HEADER:
                end = next((j for j in range(i, len(lines)) if not lines[j].startswith("|")), len(lines))
                tables.append("\n".join(lines[i:end]) + "\n")
    assert len(tables) == 2, f"expected two configuration tables in the docs, found {len(tables)}"
    return {table.splitlines()[2].split("`")[1] in config.SERVER_KEYS: table for table in tables}


@pytest.mark.parametrize("server", [False, True])
def test_the_docs_tables_are_the_declaration(server: bool) -> None:
    assert documented_tables()[server] == docs_table(server), (
        "a configuration table of the docs differs from scanner/config.py; paste the output of\n"
        f"  python -c 'from scanner.config import docs_table; print(docs_table({server}), end=\"\")'")


def test_every_key_is_declared_with_a_type_a_fitting_default_and_who_may_set_it() -> None:
    assert list(KEYS) == list(config.DEFAULTS)
    for name, key in KEYS.items():
        assert key.name == name and key.types and key.who in (REPOSITORY, OPERATOR, SERVER) and key.doc
        assert key.default is None or isinstance(key.default, key.types), name
        assert getattr(config.Config(), name) == key.default


@pytest.mark.parametrize(("table", "message"), [
    ({"verify_timeout": "10"}, "config key 'verify_timeout' has the wrong type"),
    ({"verify_retries": True}, "config key 'verify_retries' has the wrong type"),
    ({"rules": ["a", 1]}, "config key 'rules' must be a list of strings"),
    ({"max_archive_ratio": -1}, "config key 'max_archive_ratio' must not be negative"),
    ({"fail_on": "sometimes"}, "fail_on must be one of any, live, verified, never"),
    ({"on_timeout": "wait"}, "on_timeout must be reject or accept"),
    ({"colour": True}, "unknown config key(s): colour"),
])
def test_validation_comes_from_the_declaration(table: dict[str, object], message: str) -> None:
    with pytest.raises(YardguardError, match="^c.toml: " + message.replace("(", r"\(").replace(")", r"\)")):
        from_table(table, "c.toml")


def test_floats_take_integers_and_the_declared_values_pass() -> None:
    values = from_table({"verify_timeout": 3, "max_file_size": 10, "fail_on": "live", "decode": False}, "c.toml")
    assert (values.verify_timeout, values.max_file_size, values.fail_on, values.decode) == (3, 10, "live", False)


def test_a_repository_config_may_not_set_an_operator_key() -> None:
    operator = [name for name, key in KEYS.items() if key.who == OPERATOR]
    assert set(operator) == {"api_base", "verify_cache", "verify_cache_ttl", "audit_log"}
    for name in operator:
        with pytest.raises(YardguardError, match=f"sets {name}: only the operator may"):
            check_repository_config({name: KEYS[name].default or "x"}, ".yardguard.toml")
    check_repository_config({n: k.default for n, k in KEYS.items() if k.who != OPERATOR}, ".yardguard.toml")


def test_server_keys_are_the_pre_receive_gates() -> None:
    """A repository's value for one is ignored with a notice (tests/e2e/test_pre_receive.py shows it)."""
    assert {"allow_skip", "push_log", "time_budget", "on_timeout"} == config.SERVER_KEYS

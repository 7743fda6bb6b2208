"""The options are declared once (scanner/options.py): click's and the lean parser's come from it."""
from __future__ import annotations

from scanner.options import COMMANDS, FIELDS, LEAN, Options


def test_every_declared_option_is_a_typed_field_of_options() -> None:
    assert set(Options.__annotations__) == set(FIELDS)
    assert Options().jobs >= 1 and Options().fmt == "text" and Options(rules=["r"]).rules == ("r",)


def test_a_name_means_one_option_everywhere() -> None:
    by_name: dict[str, tuple[object, ...]] = {}
    for options in COMMANDS.values():
        for o in options:
            shape = (o.kind, o.default, o.metavar)
            assert by_name.setdefault(o.name, shape) == shape, o.name


def test_lean_commands_name_declared_options() -> None:
    for command, names in LEAN.items():
        assert set(names) <= {o.name for o in COMMANDS[command]}, command

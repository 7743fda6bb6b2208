"""The options are declared once (scanner/options.py): click's and the lean parser's come from it."""
from __future__ import annotations

import click
import pytest

from scanner.options import COMMANDS, FIELDS, LEAN, POSITIONAL, Options


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


SAMPLES = {"flag": None, "text": "x.out", "count": "3", "repeated": "r.toml"}


@pytest.mark.parametrize("command", sorted(LEAN))
def test_the_lean_parser_and_click_read_a_command_line_alike(command: str) -> None:
    """Every lean option, given the lean way, yields the same Options as click makes of it."""
    from scanner.cli import cli
    from scanner.entry import lean_arguments, options_of
    args: list[str] = []
    for option in (o for o in COMMANDS[command] if o.name in LEAN[command]):
        value = option.allowed()[-1] if option.kind == "choice" else SAMPLES[option.kind]
        args += [option.flags[-1]] if value is None else [option.flags[0], value]
    if command in POSITIONAL:
        args.append("a.py")
    lean = lean_arguments([command, *args])
    assert lean is not None, args
    click_command = cli.commands[command]
    assert isinstance(click_command, click.Command)
    params = click_command.make_context(command, list(args)).params
    by_lean, by_click = options_of(*lean), Options(**params)
    assert {f: getattr(by_lean, f) for f in FIELDS} == {f: getattr(by_click, f) for f in FIELDS}


def test_parse_refuses_what_click_refuses() -> None:
    from scanner.options import FAIL_ON_OPTION, JOBS, RULES, STORE_WAIT, VERIFY
    assert (JOBS.parse("3"), STORE_WAIT.parse("2.5"), RULES.parse("r"), VERIFY.parse("")) == (3, 2.5, ("r",), True)
    for option, text in ((JOBS, "0"), (JOBS, "two"), (STORE_WAIT, "-1"), (STORE_WAIT, "nan"), (FAIL_ON_OPTION, "x")):
        with pytest.raises(ValueError):
            option.parse(text)

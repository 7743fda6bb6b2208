"""Console entry point, and the hot paths through it without click (~25 ms to import).

``yardguard staged [FILE...]`` runs on every commit, ``yardguard history`` in CI and ``yardguard scan``
over whole trees, so given only the options :data:`scanner.options.LEAN` lists for them (``pre-receive``
too) they are parsed here, from the same declarations click's are built from, and run by the same
``scanner.commands.<command>.run`` without importing click. Everything else goes to :mod:`scanner.cli`.
"""
from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from scanner.options import Options


def lean_arguments(args: list[str]) -> tuple[str, list[str], dict[str, list[str]]] | None:
    """(command, positional arguments, the values given for each option by name, in order; a flag given has
    ""; click keeps the last value of an option given twice, and every value of a repeated one) for a command line of
    :data:`scanner.options.LEAN` whose options are all known there, with valid values; None sends it to the
    click CLI (other options, ``--help``, ``-`` for stdin, a bad or missing value: click explains those)."""
    from scanner.options import LEAN, POSITIONAL, lean_options
    command = args[0] if args else None
    if command not in LEAN:
        return None
    known = lean_options(command)
    positional: list[str] = []
    values: dict[str, list[str]] = {}
    it = iter(args[1:])
    for arg in it:
        flag, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        option = known.get(flag)
        if option is not None and option.kind == "flag":
            if eq:
                return None
            values.setdefault(option.name, []).append("")
        elif option is not None:
            given = value if eq else next(it, None)
            if given is None:
                return None
            try:
                option.parse(given)
            except ValueError:
                return None
            values.setdefault(option.name, []).append(given)
        elif arg.startswith("-"):
            return None
        else:
            positional.append(arg)
    if positional and command not in POSITIONAL:
        return None
    return command, positional, values


def options_of(command: str, positional: list[str], values: dict[str, list[str]]) -> Options:
    """The :class:`~scanner.options.Options` of a command line :func:`lean_arguments` accepted."""
    from scanner.options import Options, lean_options
    by_name = {o.name: o for o in lean_options(command).values()}
    return Options(paths=positional, **{
        name: tuple(texts) if by_name[name].kind == "repeated" else by_name[name].parse(texts[-1])
        for name, texts in values.items()})


def run(command: str, options: Options) -> int:
    """Run ``scanner.commands.<command>`` (importing only that command)."""
    module = __import__(f"scanner.commands.{command.replace('-', '_')}", fromlist=["run"])
    code: int = module.run(options)
    return code


def main() -> None:
    """``yardguard``: the commands of :data:`scanner.options.LEAN` with only their lean options run here
    without click; everything else goes to the click CLI."""
    lean = lean_arguments(sys.argv[1:])
    if lean is None:
        from scanner.cli import main as cli_main
        cli_main()
        return
    from scanner.errors import guarded
    command = lean[0]
    code = guarded(lambda: run(command, options_of(*lean)))
    import gc
    gc.freeze()  # the process ends here: no collection sweeps what it made (~13 ms after a whole history)
    sys.exit(code)

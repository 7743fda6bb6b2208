"""Command line (click): parse the options declared in :mod:`scanner.options` and call
``scanner.commands.<command>``; the exit code is the command's (0 clean, 1 findings, 2 error)."""
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from scanner import __version__
from scanner.errors import guarded
from scanner.options import COMMANDS, Option, Options


def _click_option(option: Option) -> Callable[[Any], Any]:
    """The click option for a declared :class:`~scanner.options.Option`."""
    kind = option.kind
    settings: dict[str, Any] = {"help": option.help, "metavar": option.metavar}
    if kind == "flag":
        settings = {"help": option.help, "is_flag": True}
    elif kind == "choice":
        settings = {"help": option.help, "type": click.Choice(option.allowed()), "default": option.default}
    elif kind == "count":
        settings.update(type=click.IntRange(min=1), default=option.default)
    elif kind == "seconds":
        settings.update(type=click.FloatRange(min=0), default=option.default)
    elif kind == "repeated":
        settings["multiple"] = True
    elif option.default is not None:
        settings["default"] = option.default
    if option.show_default:
        settings["show_default"] = True
    if option.required:
        settings["required"] = True
    return click.option(*option.flags, option.name, **settings)


def _options_of(command: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Apply the declared options of ``command`` in the order listed (as ``--help`` shows them)."""
    def apply(f: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(COMMANDS[command]):
            f = _click_option(option)(f)
        return f
    return apply


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="yardguard")
def cli() -> None:
    """Find hardcoded Trackyard API keys, prove whether they are live, and revoke leaks."""


@cli.command()
@click.argument("paths", nargs=-1)
@_options_of("scan")
def scan(**kw: Any) -> None:
    """Scan files and directories (default .); '-' reads stdin."""
    from scanner.commands import scan
    sys.exit(scan.run(Options(**kw)))


@cli.command()
@click.argument("paths", nargs=-1, metavar="[FILES]...")
@_options_of("staged")
def staged(**kw: Any) -> None:
    """Scan the lines the staged change adds (the pre-commit path)."""
    from scanner.commands import staged
    sys.exit(staged.run(Options(**kw)))


@cli.command()
@_options_of("history")
def history(**kw: Any) -> None:
    """Scan every blob and commit message in the repository (or only what a range introduces)."""
    from scanner.commands import history
    sys.exit(history.run(Options(**kw)))


@cli.command("pre-push")
@_options_of("pre-push")
def pre_push(**kw: Any) -> None:
    """Scan the commits being pushed (git's pre-push stdin, or pre-commit's PRE_COMMIT_*_REF)."""
    from scanner.commands import pre_push
    sys.exit(pre_push.run(Options(**kw)))


@cli.command("pre-receive")
@_options_of("pre-receive")
def pre_receive(**kw: Any) -> None:
    """Server-side gate (git's pre-receive hook): reject pushes whose new commits or tags add a key."""
    from scanner.commands import pre_receive
    sys.exit(pre_receive.run(Options(**kw)))


@cli.command()
@click.argument("paths", nargs=-1)
@_options_of("baseline")
def baseline(**kw: Any) -> None:
    """Write the current findings to a baseline file (no secrets, no line numbers)."""
    from scanner.commands import baseline
    sys.exit(baseline.run(Options(**kw)))


@cli.group()
def rules() -> None:
    """Inspect and check rule files."""


@rules.command("test")
@_options_of("rules test")
def rules_test(**kw: Any) -> None:
    """Check every example and negative example of every loaded rule (exit 1 on a failure)."""
    from scanner.commands import rules
    sys.exit(rules.check(Options(**kw)))


@rules.command("list")
@_options_of("rules list")
def rules_list(**kw: Any) -> None:
    """List loaded rules."""
    from scanner.commands import rules
    sys.exit(rules.show(Options(**kw)))


@cli.command("install-hooks")
@_options_of("install-hooks")
def install_hooks(**kw: Any) -> None:
    """Install yardguard's native pre-commit and pre-push hooks (honours core.hooksPath), or with
    --server the pre-receive hook, calling this yardguard by its absolute path."""
    from scanner.commands import install_hooks
    options = Options(**kw)
    if options.config and not options.server:
        raise click.UsageError("--config goes with --server")
    sys.exit(install_hooks.run(options))


@cli.command()
@_options_of("revoke")
def revoke(**kw: Any) -> None:
    """Verify keys (one per line on stdin, or --from-report FILE) and revoke the live ones."""
    from scanner.commands import revoke
    sys.exit(revoke.run(Options(**kw)))


@cli.group(invoke_without_command=True)
@_options_of("audit")
@click.pass_context
def audit(ctx: click.Context, /, **kw: Any) -> None:
    """Audit many repositories into one resumable SQLite store (`yardguard audit report` renders it).

    Exit 0 clean, 1 findings, 2 usage error, 3 some repository could not be scanned."""
    if ctx.invoked_subcommand is not None:
        given = [p.opts[0] for p in ctx.command.params
                 if p.name and ctx.get_parameter_source(p.name) is not click.core.ParameterSource.DEFAULT]
        if given:
            raise click.UsageError(f"'audit {ctx.invoked_subcommand}' takes its own options "
                                   f"(put {given[0]} after it)")
        return
    from scanner.commands import audit
    sys.exit(audit.run(Options(**kw)))


@audit.command("report")
@_options_of("audit report")
def audit_report(**kw: Any) -> None:
    """Render the audit store's findings (every place each key appears), without rescanning."""
    from scanner.commands import audit
    sys.exit(audit.report(Options(**kw)))


@cli.group()
def ci() -> None:
    """CI integrations (the GitHub Action runs `yardguard ci github`)."""


@ci.command("github")
@_options_of("ci github")
def ci_github(**kw: Any) -> None:
    """Pull-request gate: scan the commits the GitHub event introduces (GITHUB_EVENT_PATH), write
    annotations, a job summary ($GITHUB_STEP_SUMMARY), outputs ($GITHUB_OUTPUT) and a SARIF file."""
    from scanner.commands import ci_github
    sys.exit(ci_github.run(Options(**kw)))


def usage_error(e: click.ClickException) -> str:
    """Click's message on one line (its "did you mean" included), pointing at the command's ``--help``."""
    text = " ".join(e.format_message().split())
    ctx = getattr(e, "ctx", None)
    if isinstance(e, click.UsageError) and ctx is not None:
        text += f" (see '{ctx.command_path} --help')"
    return text


def main(argv: list[str] | None = None) -> None:
    """Entry point: every expected error is one line on stderr and exit code 2."""
    def invoke() -> int:
        try:
            return cli.main(args=argv, prog_name="yardguard", standalone_mode=False) or 0
        except click.exceptions.Abort:
            click.echo("yardguard: aborted", err=True)
            return 130
        except click.ClickException as e:  # usage errors echo what was typed: redacted like every error
            ctx = getattr(e, "ctx", None)
            if type(e).__name__ == "NoArgsIsHelpError" and ctx is not None:  # a bare group: its help
                click.echo(ctx.get_help(), err=True)
            else:
                from scanner.redaction import redact_text
                print(redact_text(f"yardguard: error: {usage_error(e)}"), file=sys.stderr)
            return 2
    sys.exit(guarded(invoke))

"""Command line: parse options, call the pipeline, choose the exit code (0 clean, 1 findings, 2 error)."""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from scanner import __version__
from scanner.collect import DEFAULT_JOBS, run_history, run_scan
from scanner.errors import YardguardError, guarded
from scanner.options import FAIL_ON, Options
from scanner.pipeline import finish, prepare
from scanner.reporters import FORMATS, use_color

FORMAT = click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                      help="Report format.")
OUTPUT = click.option("--output", "-o", metavar="FILE", help="Write the report to FILE (default stdout).")
SHOW_SECRETS = click.option("--show-secrets", is_flag=True, help="Print full secrets (redacted by default).")
FAIL_ON_OPTION = click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
                              help="When to exit 1: any finding (default), any key not proven invalid, "
                                   "keys proven live, or never.")
BASELINE = click.option("--baseline", metavar="FILE", help="Suppress the findings listed in FILE.")
CONFIG = click.option("--config", metavar="FILE", help="Config file (default .yardguard.toml or pyproject.toml).")
RULES = click.option("--rules", multiple=True, metavar="PATH", help="Extra rule file or directory (repeatable).")
VERIFY = click.option("--verify", is_flag=True, help="Check each distinct key against Trackyard's GET /me.")
REVOKE = click.option("--revoke", is_flag=True, help="Revoke keys verified live (implies --verify).")
YES = click.option("--yes", is_flag=True, help="Revoke without asking (for CI).")
API_BASE = click.option("--api-base", metavar="URL", help="Trackyard API base URL (or TRACKYARD_API_BASE).")
AUDIT_LOG = click.option("--audit-log", metavar="FILE",
                         help="Revocation audit log (default .yardguard/revocations.jsonl).")
NO_DECODE = click.option("--no-decode", is_flag=True,
                         help="Do not decode base64, hex, percent, escapes, HTML entities or UTF-16.")
NO_ARCHIVES = click.option("--no-archives", is_flag=True, help="Do not open zip, tar, gzip, SQLite or .pyc files.")
DECODING_OPTIONS = (NO_DECODE, NO_ARCHIVES)


def _with(*decorators: Callable[[Any], Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Apply click options in the order listed (as ``--help`` shows them)."""
    def apply(f: Callable[..., Any]) -> Callable[..., Any]:
        for d in reversed(decorators):
            f = d(f)
        return f
    return apply


QUIET = click.option("--quiet", "-q", is_flag=True,
                     help="Text format: print nothing at all when nothing is found (the native hooks use it).")
PROVIDER_OPTIONS = (VERIFY, REVOKE, YES, API_BASE, AUDIT_LOG)


def _scanning(revoke: Callable[[Any], Any] = REVOKE, yes: Callable[[Any], Any] = YES
              ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Options shared by the scanning commands (``revoke``, ``yes``: that command's own)."""
    return _with(FORMAT, OUTPUT, SHOW_SECRETS, FAIL_ON_OPTION, BASELINE, CONFIG, RULES, *DECODING_OPTIONS, QUIET,
                 VERIFY, revoke, yes, API_BASE, AUDIT_LOG)


_common = _scanning()
_staged_common = _scanning(
    click.option("--revoke", is_flag=True, help="Only verifies here (like --verify): a key in a commit is "
                                                "blocked, never revoked, since it has not left your machine."),
    click.option("--yes", is_flag=True, help="No effect here (nothing is revoked on a commit)."))
_pre_push_common = _scanning(click.option(
    "--revoke", is_flag=True, help="Revoke keys verified live, only with --yes: a hook's stdin is git's, so it "
                                   "cannot ask (without --yes nothing is revoked and the push is refused)."))


def _options(kw: dict[str, Any]) -> Options:
    return Options(**{k: kw.pop(k) for k in list(kw) if k in Options.FIELDS})


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="yardguard")
def cli() -> None:
    """Find hardcoded Trackyard API keys, prove whether they are live, and revoke leaks."""


@cli.command()
@click.argument("paths", nargs=-1)
@click.option("--all-files", is_flag=True, help="Also scan files git ignores.")
@_common
def scan(paths: tuple[str, ...], all_files: bool, **kw: Any) -> None:
    """Scan files and directories (default .); '-' reads stdin."""
    sys.exit(run_scan(list(paths), all_files, _options(kw)))


@cli.command()
@click.argument("files", nargs=-1)
@_staged_common
def staged(files: tuple[str, ...], **kw: Any) -> None:
    """Scan the lines the staged change adds (the pre-commit path)."""
    from scanner.entry import run_staged
    sys.exit(run_staged(list(files), _options(kw)))


@cli.command()
@click.option("--repo", default=".", show_default=True, metavar="DIR", help="Repository to scan.")
@click.option("--range", "rev_range", metavar="A..B",
              help="Only keys the commits in A..B introduce; a single REV means its commits on no remote.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=DEFAULT_JOBS, show_default=True,
              metavar="N", help="git cat-file readers for a whole-history scan (see README, Performance).")
@_common
def history(repo: str, rev_range: str | None, jobs: int, **kw: Any) -> None:
    """Scan every blob and commit message in the repository (or only what a range introduces)."""
    sys.exit(run_history(repo, rev_range, jobs, _options(kw)))


@cli.command("pre-push")
@_pre_push_common
def pre_push(**kw: Any) -> None:
    """Scan the commits being pushed (git's pre-push stdin, or pre-commit's PRE_COMMIT_*_REF)."""
    from scanner import gitutil
    from scanner.collect import push_ranges, range_trust, scan_history
    from scanner.findings import dedupe_locations
    root = gitutil.toplevel(".")
    if root is None:
        raise YardguardError("not inside a git work tree")
    lines = [] if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read().splitlines()
    ranges = push_ranges(os.environ, lines, root)
    # settings as published (the remote side), never as the commits being pushed have them
    run = prepare(root, _options(kw), *range_trust(root, ranges)) if ranges else prepare(root, _options(kw))
    # a branch and a tag pushed on the same commit would report each key twice
    found = dedupe_locations(f for r in ranges for f in scan_history(run, root, r))
    sys.exit(finish(run, found, "pre-push"))


@cli.command("pre-receive")
@_with(FORMAT, OUTPUT, FAIL_ON_OPTION, BASELINE, CONFIG, RULES, *DECODING_OPTIONS, VERIFY, API_BASE)
def pre_receive(**kw: Any) -> None:
    """Server-side gate (git's pre-receive hook): reject pushes whose new commits or tags add a key."""
    from scanner.entry import run_pre_receive_hook
    sys.exit(run_pre_receive_hook(_options(kw)))


@cli.command()
@click.argument("paths", nargs=-1)
@click.option("--history", "from_history", is_flag=True, help="Take the findings of the whole history.")
@click.option("--repo", default=".", show_default=True, metavar="DIR", help="Repository for --history.")
@click.option("--output", "-o", required=True, metavar="FILE", help="Baseline file to write.")
@_with(CONFIG, RULES)
@click.option("--all-files", is_flag=True, help="Also scan files git ignores.")
def baseline(paths: tuple[str, ...], from_history: bool, repo: str, output: str, config: str | None,
             rules: tuple[str, ...], all_files: bool) -> None:
    """Write the current findings to a baseline file (no secrets, no line numbers)."""
    from scanner import baseline as baseline_file
    from scanner import gitutil
    from scanner.collect import scan_history, scan_paths
    from scanner.pipeline import keep, write_output
    options = Options(config=config, rules=rules)
    if from_history:
        root = gitutil.require_repo(repo)
        run = prepare(root, options)
        found = scan_history(run, root, None)
    else:
        targets = list(paths) or ["."]
        run = prepare(gitutil.toplevel(targets[0] if os.path.isdir(targets[0]) else ".") or Path.cwd(), options)
        found = scan_paths(run, targets, all_files)
    findings = keep(run, found)
    write_output(baseline_file.dumps(findings), output)
    click.echo(f"wrote {len(baseline_file.entries(findings))} baseline entries to {output}", err=True)


@cli.group()
def rules() -> None:
    """Inspect and check rule files."""


@rules.command("test")
@click.option("--rules", "extra", multiple=True, metavar="PATH", help="Extra rule file or directory.")
def rules_test(extra: tuple[str, ...]) -> None:
    """Check every example and negative example of every loaded rule (exit 1 on a failure)."""
    from scanner.escaping import escape
    from scanner.redaction import redact_text
    from scanner.rulecheck import check_rules
    from scanner.rules import load_rules
    loaded = load_rules(extra, examples=True).rules
    failures = check_rules(loaded)
    for failure in failures:
        click.echo(f"FAIL {escape(redact_text(str(failure)))}")
    examples = sum(len(r.examples) + len(r.negative_examples) for r in loaded)
    click.echo(f"{len(loaded)} rules, {examples} examples, {len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


@rules.command("list")
@click.option("--rules", "extra", multiple=True, metavar="PATH", help="Extra rule file or directory.")
def rules_list(extra: tuple[str, ...]) -> None:
    """List loaded rules."""
    from scanner.escaping import escape
    from scanner.rules import load_rules
    for r in load_rules(extra).rules:
        click.echo(f"{escape(r.id)}\t{escape(r.description)}\t{escape(r.source)}")


@cli.command("install-hooks")
@click.option("--repo", default=".", show_default=True, metavar="DIR", help="Repository to install into.")
@click.option("--force", is_flag=True, help="Replace foreign hooks, kept as <hook>.yardguard-backup (the pre-commit "
                                            "and pre-push hooks run them after their own check passes).")
@click.option("--server", is_flag=True, help="Install the server-side pre-receive hook into a bare repository.")
@click.option("--config", metavar="FILE", help="With --server: the operator's config file the hook passes.")
def install_hooks(repo: str, force: bool, server: bool, config: str | None) -> None:
    """Install yardguard's native pre-commit and pre-push hooks (honours core.hooksPath), or with
    --server the pre-receive hook, calling this yardguard by its absolute path."""
    from scanner.hookinstall import install, install_server
    if config and not server:
        raise click.UsageError("--config goes with --server")
    for line in install_server(Path(repo), force, config) if server else install(Path(repo), force):
        click.echo(line)


@cli.command()
@click.option("--from-report", "report", metavar="FILE",
              help="Revoke the keys of a JSON report written with --show-secrets (default: keys on stdin).")
@_with(YES, API_BASE, AUDIT_LOG, FORMAT, CONFIG, RULES)
def revoke(report: str | None, **kw: Any) -> None:
    """Verify keys (one per line on stdin, or --from-report FILE) and revoke the live ones."""
    from scanner import gitutil
    from scanner.providers import manual
    options = _options(kw)
    options.verify = options.revoke = True
    run = prepare(gitutil.toplevel(".") or Path.cwd(), options)
    sys.exit(manual.revoke_command(run, report))


@cli.group(invoke_without_command=True)
@click.option("--repos", "repos_files", multiple=True, metavar="FILE",
              help="File with one git URL or local path per line (# comments); repeatable.")
@click.option("--repos-dir", "repos_dirs", multiple=True, metavar="DIR",
              help="Audit every git repository (bare or not) under DIR; repeatable.")
@click.option("--store", default="audit.db", show_default=True, metavar="FILE", help="SQLite audit store.")
@click.option("--cache-dir", metavar="DIR", help="Where URLs are mirrored (default ~/.cache/yardguard/mirrors).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
              help="Repositories scanned at once (default: CPU count).")
@click.option("--executor", type=click.Choice(("local", "dask")), default="local", show_default=True,
              help="Local process pool, or Dask (pip install 'yardguard[dask]').")
@click.option("--scheduler", metavar="URL", help="Dask scheduler (tcp://HOST:PORT; implies --executor dask). "
                                                  "Without it, --executor dask starts a LocalCluster.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first repository that fails.")
@click.option("--store-wait", type=click.FloatRange(min=0), default=30.0, show_default=True, metavar="SECONDS",
              help="How long to wait while another audit holds the store.")
@_with(FAIL_ON_OPTION, CONFIG, RULES, *DECODING_OPTIONS, *PROVIDER_OPTIONS)
@click.pass_context
def audit(ctx: click.Context, repos_files: tuple[str, ...], repos_dirs: tuple[str, ...], store: str,
          cache_dir: str | None, jobs: int | None, executor: str, scheduler: str | None, fail_fast: bool,
          store_wait: float, **kw: Any) -> None:
    """Audit many repositories into one resumable SQLite store (`yardguard audit report` renders it).

    Exit 0 clean, 1 findings, 2 usage error, 3 some repository could not be scanned."""
    if ctx.invoked_subcommand is not None:
        given = [p.name for p in ctx.command.params
                 if ctx.get_parameter_source(p.name) is not click.core.ParameterSource.DEFAULT]
        if given:
            raise click.UsageError(f"'audit {ctx.invoked_subcommand}' takes its own options "
                                   f"(put --{given[0].replace('_', '-')} after it)")
        return
    from scanner.audit.runner import AuditOptions, run_audit
    options = AuditOptions(repos_files, repos_dirs, store, cache_dir, jobs or os.cpu_count() or 1,
                           "dask" if scheduler else executor, scheduler, fail_fast, store_wait)
    run = prepare(Path.cwd(), _options(kw))
    sys.exit(run_audit(run, options))


@audit.command("report")
@click.option("--store", default="audit.db", show_default=True, metavar="FILE", help="SQLite audit store.")
@_with(FORMAT, OUTPUT, CONFIG, RULES)
def audit_report(store: str, fmt: str, output: str | None, config: str | None, rules: tuple[str, ...]) -> None:
    """Render the audit store's findings (every place each key appears), without rescanning."""
    from scanner.audit.report import render_report
    from scanner.audit.store import Store
    from scanner.pipeline import write_output
    if not Path(store).is_file():
        raise YardguardError(f"audit store not found: {store}")
    run = prepare(Path.cwd(), Options(config=config, rules=rules))
    color = fmt == "text" and output in (None, "-") and use_color(sys.stdout)
    with Store(store) as opened:
        write_output(render_report(opened, run.ruleset.rules, fmt, color), output)


@cli.group()
def ci() -> None:
    """CI integrations (the GitHub Action runs `yardguard ci github`)."""


@ci.command("github")
@click.option("--repo", default=".", show_default=True, metavar="DIR", help="Repository to scan.")
@click.option("--range", "rev_range", metavar="A..B", help="Scan this range instead of the event's.")
@click.option("--sarif-file", default="yardguard.sarif", show_default=True, metavar="FILE",
              help="Where to write the SARIF report (for github/codeql-action/upload-sarif).")
@_with(FAIL_ON_OPTION, VERIFY, REVOKE, BASELINE, CONFIG, RULES, *DECODING_OPTIONS, API_BASE, AUDIT_LOG)
def ci_github(repo: str, rev_range: str | None, sarif_file: str, **kw: Any) -> None:
    """Pull-request gate: scan the commits the GitHub event introduces (GITHUB_EVENT_PATH), write
    annotations, a job summary ($GITHUB_STEP_SUMMARY), outputs ($GITHUB_OUTPUT) and a SARIF file."""
    from scanner import gitutil
    from scanner.ci import run_github
    options = _options(kw)
    options.yes = options.revoke  # the action's `revoke: true` input is the consent; CI has no TTY to ask
    sys.exit(run_github(gitutil.require_repo(repo), options, rev_range, sarif_file, os.environ))


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

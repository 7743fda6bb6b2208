"""Report assembly shared by the commands: the colour test, the report context, writing a report, and
finishing a scanning run (filter, verify, report, exit code)."""
from __future__ import annotations

import sys

from scanner.errors import YardguardError
from scanner.pipeline import check, exit_code, say_notices

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from scanner.model import Finding
    from scanner.reporters import ReportContext
    from scanner.run import Run


def wants_color(fmt: str, output: str | None) -> bool:
    """ANSI colour: only a text report on stdout, when :func:`scanner.reporters.use_color` allows it."""
    from scanner.reporters import use_color
    return fmt == "text" and output in (None, "-") and use_color(sys.stdout)


def context(run: Run, command: str, extra: dict[str, Any] | None = None, color: bool = False) -> ReportContext:
    """What the reporters need of this run besides the findings."""
    from scanner.reporters import ReportContext
    return ReportContext(command, run.ruleset.rules, run.options.show_secrets, color, str(run.root), extra)


def write_output(text: str, output: str | None) -> None:
    """Write the report to ``output`` atomically (or to stdout)."""
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from scanner import outfile
    try:
        outfile.write(output, text)
    except OSError as e:
        raise YardguardError(f"cannot write {output}: {e.strerror}") from None


def write_report(run: Run, findings: list[Finding], command: str, extra: dict[str, Any] | None = None) -> None:
    """The report in ``--format``, written to ``--output`` (or stdout)."""
    from scanner.reporters import render
    options = run.options
    ctx = context(run, command, extra, wants_color(options.fmt, options.output))
    write_output(render(options.fmt, findings, ctx), options.output)


def finish(run: Run, findings: list[Finding], command: str) -> int:
    """Filter, verify/revoke when asked, report, and return the exit code."""
    findings, revoke_failed = check(run, findings, command)
    code = exit_code(findings, run.fail_on, revoke_failed)
    text = run.options.fmt == "text"
    if run.options.quiet:  # the notices held back in prepare, and a text report, only when something is found
        if findings:
            say_notices(run.notices)
        elif text:
            return code
    extra: dict[str, Any] = {"started": run.started}
    if run.options.fmt == "html" and any(f.commit for f in findings):
        from scanner import forge
        from scanner.sources import history
        remote = history.origin_url(run.root)
        extra["repository_url"] = forge.repository_url(remote) if remote else None
        extra["subjects"] = history.commit_subjects(run.root, run.decoder, (f.commit for f in findings if f.commit))
    write_report(run, findings, command, extra)
    if text:
        from scanner.reporters.advice import next_steps
        sys.stderr.write(run.scope.line() + "\n" + next_steps(command, findings))
        sys.stderr.flush()
    return code

"""GitHub Actions annotations: one ``::error file=…,line=…,col=…::`` workflow command per finding."""
from __future__ import annotations

from scanner.escaping import escape
from scanner.model import Finding
from scanner.reporters import ReportContext, ordered
from scanner.reporters.sarif import message
from scanner.reporters.vocabulary import REPLACE, REVOKE, words


def escape_data(text: str) -> str:
    """A workflow command's message: ``%``, CR and LF percent-encoded as GitHub documents (so a value can
    never end the line), then every other control character escaped (:func:`scanner.escaping.escape`)."""
    return escape(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    """A workflow command's property value: as :func:`escape_data`, plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, text: str, **properties: str | int | None) -> str:
    """``::kind key=value,…::text`` with every part escaped."""
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items() if v is not None)
    return f"::{kind}{' ' + props if props else ''}::{escape_data(text)}"


def annotation(f: Finding, show_secret: bool = False) -> str:
    """The annotation for one finding: an error (a warning for keys proven invalid)."""
    kind = "warning" if f.status == "invalid" else "error"
    title = f"{f.rule.description} ({words(f.status)})"
    text = f"{message(f, show_secret)} {REVOKE} {REPLACE}"
    if not f.in_file:
        return command(kind, text, title=title)
    if f.member is not None:  # the archive is the file; the message names the member and its line
        return command(kind, text + f" (line {f.line} of the member)", file=f.outer_root_path, title=title)
    return command(kind, text, file=f.root_path, line=f.line, col=f.column, title=title)


def render(findings: list[Finding], ctx: ReportContext) -> str:
    """One workflow command per finding, live keys first (a notice when there is none)."""
    if not findings:
        return command("notice", "No Trackyard API keys found.", title="yardguard") + "\n"
    return "".join(annotation(f, ctx.show_secrets) + "\n" for f in ordered(findings))

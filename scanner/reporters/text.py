"""Human-readable report: one block per finding, live keys first, then a summary line."""
from __future__ import annotations

from scanner.escaping import escape
from scanner.findings import summary
from scanner.model import Finding
from scanner.reporters import NO_FINDINGS, ReportContext, ordered
from scanner.reporters.vocabulary import shout, words

_COLORS = {"live": "\033[1;31m", "unknown": "\033[33m", "invalid": "\033[32m", "not_checked": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def _paint(text: str, code: str, ctx: ReportContext) -> str:
    return f"{code}{text}{_RESET}" if ctx.color else text


def _status(f: Finding, ctx: ReportContext) -> str:
    v = f.verification
    label = shout(f.status)
    details = [f"{k}={value}" for k, value in v.stated().items()]
    if v.detail:
        details.append(v.detail)
    text = escape(label + (f" ({', '.join(details)})" if details else ""))
    return _paint(text, _COLORS.get(f.status, ""), ctx)


def render(findings: list[Finding], ctx: ReportContext) -> str:
    """Blocks of ``path:line:column``, rule, redacted secret, verification, commit and author."""
    blocks = []
    for f in ordered(findings):
        # every field is escaped: file names, rules, commits and API answers come from outside
        lines = [
            _paint(escape(f"{f.path}:{f.line}:{f.column}"), _BOLD, ctx) + f"  {escape(f.rule.id)}",
            f"  {escape(f.rule.description)}",
            f"  secret:  {escape(f.secret if ctx.show_secrets else f.redacted)}  "
            f"{_paint('sha256:' + f.secret_sha256[:12], _DIM, ctx)}",
        ]
        if f.encoding:
            lines.append(f"  decoded: {f.decoded_from}")
        if f.status != "not_checked":
            lines.append(f"  status:  {_status(f, ctx)}")
        if f.revocation:
            lines.append(escape(f"  revoked: {f.revocation.status}" +
                                (f" ({f.revocation.detail})" if f.revocation.detail else "")))
        if f.commit:
            lines.append(escape(f"  commit:  {f.commit[:12]} {f.commit_date or ''}"))
            if f.author_name is not None:  # a blob no reachable commit introduces has no author
                lines.append(escape(f"  author:  {f.author_name} <{f.author_email}>"))
        if f.in_head is not None:
            lines.append("  HEAD:    " + ("still in this file at HEAD" if f.in_head else "history only (not in HEAD)"))
        blocks.append("\n".join(lines))
    s = summary(findings)
    if findings:
        counts = ", ".join(f"{n} {words(k)}" for k, n in sorted(s["by_status"].items()))
        tail = f"{s['total']} finding(s), {s['distinct_secrets']} distinct secret(s) [{counts}]"
    else:
        tail = NO_FINDINGS
    blocks.append(_paint(tail, _BOLD, ctx))
    return "\n\n".join(blocks) + "\n"

"""JSON report: ``{"version": 1, "findings": [...], "summary": {...}}`` (fields in docs/reports.md)."""
from __future__ import annotations

from scanner.findings import summary
from scanner.model import Finding
from scanner.reporters import ReportContext, indented_json, ordered


def render(findings: list[Finding], ctx: ReportContext) -> str:
    """The stable JSON document, secrets redacted unless ``ctx.show_secrets``."""
    doc = {
        "version": 1,
        "findings": [f.to_dict(ctx.show_secrets) for f in ordered(findings)],
        "summary": summary(findings),
    }
    return indented_json.dumps(doc) + "\n"

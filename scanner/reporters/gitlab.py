"""GitLab secret-detection report (schema 15.2.1) for ``artifacts: reports: secret_detection``."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from scanner import __version__
from scanner.escaping import escape
from scanner.model import Finding
from scanner.reporters import ReportContext, home_url, indented_json, ordered
from scanner.reporters.sarif import fingerprint, message, status_phrase
from scanner.reporters.vocabulary import REMEDIATION

SCHEMA_VERSION = "15.2.1"
SCHEMA_URL = ("https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/"
              f"v{SCHEMA_VERSION}/dist/secret-detection-report-format.json")
NO_COMMIT = "0000000"  # what GitLab's own analyzer reports outside a history scan
_SEVERITY = {"live": "Critical", "unknown": "High", "not_checked": "High", "invalid": "Low"}
SOLUTION = " ".join(REMEDIATION)


def _timestamp(value: Any) -> str:
    """``yyyy-mm-ddThh:mm:ss`` in UTC, as the schema's pattern requires."""
    when = datetime.fromtimestamp(value, UTC) if isinstance(value, (int, float)) else datetime.now(UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _tool(home: str | None) -> dict[str, Any]:
    tool = {"id": "yardguard", "name": "yardguard", "version": __version__, "vendor": {"name": "yardguard"}}
    return {**tool, "url": home} if home else tool


def _vulnerability(f: Finding, show_secret: bool, home: str | None) -> dict[str, Any]:
    commit: dict[str, Any] = {"sha": f.commit or NO_COMMIT}
    if f.author_name or f.author_email:
        commit["author"] = f"{f.author_name} <{f.author_email}>"
    if f.commit_date:
        commit["date"] = f.commit_date
    location: dict[str, Any] = {"file": f.outer_root_path, "commit": commit, "start_line": f.line, "end_line": f.line}
    digest = fingerprint(f)
    return {
        # stable across pipelines (same key, path and place -> same id)
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"yardguard:{digest}:{f.line}:{f.column}")),
        "name": f.rule.description,
        "description": message(f, show_secret),
        "severity": _SEVERITY.get(f.status, "High"),
        "solution": SOLUTION,
        "location": location,
        "identifiers": [{"type": "yardguard_rule_id", "name": f"yardguard rule {f.rule.id}", "value": f.rule.id,
                         **({"url": home} if home else {})}],
        "raw_source_code_extract": f.secret if show_secret else f.redacted,
        "details": {
            "secret_sha256": {"name": "Secret SHA-256", "type": "text", "value": f.secret_sha256},
            "verification": {"name": "Verification", "type": "text", "value": status_phrase(f)},
            **({"encoding": {"name": "Decoded from", "type": "text", "value": f.decoded_from}} if f.encoding else {}),
        },
        "tracking": {"type": "source", "items": [{
            "file": f.root_path, "start_line": f.line, "end_line": f.line,
            "signatures": [{"algorithm": "yardguard_v1", "value": digest}],
        }]},
    }


def _escaped(value: Any) -> Any:
    """Every string in a JSON value with its control characters escaped (GitLab shows them as they are)."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value


def render(findings: list[Finding], ctx: ReportContext) -> str:
    """The report JSON; ``raw_source_code_extract`` holds the redacted secret unless ``ctx.show_secrets``."""
    home = home_url()
    doc = {
        "version": SCHEMA_VERSION,
        "schema": SCHEMA_URL,
        "scan": {
            "analyzer": _tool(home),
            "scanner": _tool(home),
            "type": "secret_detection",
            "start_time": _timestamp(ctx.extra.get("started")),
            "end_time": _timestamp(None),
            "status": "success",
        },
        "vulnerabilities": [_escaped(_vulnerability(f, ctx.show_secrets, home)) for f in ordered(findings)],
    }
    return indented_json.dumps(doc) + "\n"

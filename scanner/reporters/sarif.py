"""SARIF 2.1.0 for GitHub code scanning: rules, results with stable partial fingerprints, live keys first."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from scanner import __version__
from scanner.model import COMMIT_MESSAGE, Finding
from scanner.reporters import ReportContext, home_url, indented_json, ordered
from scanner.reporters.vocabulary import REMEDIATION, numbered, shout
from scanner.rules import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
COMMIT_MESSAGE_URI = "COMMIT_MSG"  # pseudo-file for keys in commit messages (as Gerrit names it)
FINGERPRINT = "yardguard/v1"
SEVERITY = {"rule": "8.0", "live": "9.5", "invalid": "4.0"}  # GitHub's security-severity (0.1-10)
_LEVELS = ("none", "note", "warning", "error")

HELP = ("A Trackyard API key is hardcoded in the repository. Anyone who can read the code or its history can use "
        "it.\n\n" + numbered(REMEDIATION))


def _rule_level(rule: Rule) -> str:
    return rule.severity if rule.severity in _LEVELS else "error"


def _rule(rule: Rule, home: str | None) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": "".join(w.capitalize() for w in rule.id.replace("_", "-").split("-")),
        "shortDescription": {"text": rule.description},
        "fullDescription": {"text": f"{rule.description}: a hardcoded secret that grants access to Trackyard."},
        "help": {"text": HELP, "markdown": HELP},
        **({"helpUri": home} if home else {}),
        "defaultConfiguration": {"level": _rule_level(rule)},
        "properties": {
            "tags": ["security", "secret"],
            "precision": "high",
            "problem.severity": "error",
            "security-severity": SEVERITY["rule"],
        },
    }


def fingerprint(f: Finding) -> str:
    """Stable across runs and line moves: sha256 of rule id, secret hash and path."""
    key = f"{f.rule.id}\0{f.secret_sha256}\0{f.root_path}"
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def artifact_uri(path: str, repo_root: str | None) -> tuple[str, bool]:
    """(uri, relative?): a percent-encoded POSIX path relative to the repo root when possible."""
    posix = path.replace(os.sep, "/")
    if os.path.isabs(path):
        full = os.path.abspath(path)
        root = os.path.abspath(repo_root) if repo_root else None
        if root is None or os.path.commonpath([full, root]) != root:
            return Path(full).as_uri(), False
        posix = Path(os.path.relpath(full, root)).as_posix()
    return quote(posix.removeprefix("./"), safe="/", errors="surrogateescape"), True


def status_phrase(f: Finding) -> str:
    """``LIVE (tier pro, 120 credits left)``, ``INVALID``, ``NOT CHECKED`` ..."""
    v = f.verification
    details = []
    if v.fact("tier"):
        details.append(f"tier {v.fact('tier')}")
    if v.fact("credits_remaining") is not None:
        details.append(f"{v.fact('credits_remaining')} credits left")
    if v.detail:
        details.append(v.detail)
    text = shout(f.status) + (f" ({', '.join(details)})" if details else "")
    if f.revocation:
        text += f"; revocation: {f.revocation.status}"
    return text


def message(f: Finding, show_secret: bool) -> str:
    """One-line description of a finding, the secret redacted unless ``show_secret``."""
    where = "the commit message" if f.origin == COMMIT_MESSAGE else f.path
    decoded = f" (decoded from {f.decoded_from})" if f.encoding else ""
    text = f"{f.rule.description}: {f.secret if show_secret else f.redacted}{decoded} in {where} - {status_phrase(f)}."
    if f.commit:
        text += f" Introduced in commit {f.commit[:12]} by {f.author_name or 'unknown'}"
        text += f" on {f.commit_date}." if f.commit_date else "."
    return text


def _properties(f: Finding) -> dict[str, Any]:
    props: dict[str, Any] = {
        "secret_sha256": f.secret_sha256,
        "redacted": f.redacted,
        "commit": f.commit,
        "author": f"{f.author_name} <{f.author_email}>" if f.author_name or f.author_email else None,
        "commit_date": f.commit_date,
        "in_head": f.in_head,
        "verification": f.verification.to_dict(),
        "revocation": None if f.revocation is None else f.revocation.to_dict(),
        "encoding": list(f.encoding) or None,
        "member": f.member,
        "memberLine": f.line if f.member else None,
    }
    if f.status == "live":
        props["security-severity"] = SEVERITY["live"]
    elif f.status == "invalid":
        props["security-severity"] = SEVERITY["invalid"]
    return {k: v for k, v in props.items() if v is not None}


def _result(f: Finding, index: int, ctx: ReportContext) -> dict[str, Any]:
    uri, relative = ((COMMIT_MESSAGE_URI, True) if f.origin == COMMIT_MESSAGE  # an archive member: the archive
                     else artifact_uri(f.outer_root_path, ctx.repo_root))
    artifact: dict[str, Any] = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = "%SRCROOT%"
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if f.member is None:  # a line inside a member is no line of the archive (see the "member" properties)
        physical["region"] = {"startLine": max(f.line, 1), "startColumn": max(f.column, 1)}
    location: dict[str, Any] = {"physicalLocation": physical}
    if f.origin == COMMIT_MESSAGE and f.commit:
        location["logicalLocations"] = [{"name": f.commit[:12], "fullyQualifiedName": f.commit, "kind": "commit"}]
        location["message"] = {"text": f"commit message of {f.commit}"}
    level = {"invalid": "warning", "live": "error"}.get(f.status) or _rule_level(f.rule)
    return {
        "ruleId": f.rule.id,
        "ruleIndex": index,
        "level": level,
        "message": {"text": message(f, ctx.show_secrets)},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT: fingerprint(f)},
        "properties": _properties(f),
    }


def document(findings: list[Finding], ctx: ReportContext) -> dict[str, Any]:
    """The SARIF log as a dict (one run)."""
    rules = list(ctx.rules)
    index = {r.id: i for i, r in enumerate(rules)}
    for f in findings:  # a finding's rule missing from the context still needs a descriptor
        if f.rule.id not in index:
            index[f.rule.id] = len(rules)
            rules.append(f.rule)
    home = home_url()
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "yardguard",
                "version": __version__,
                "semanticVersion": __version__,
                **({"informationUri": home} if home else {}),
                "rules": [_rule(r, home) for r in rules],
            }},
            "columnKind": "unicodeCodePoints",
            "results": [_result(f, index[f.rule.id], ctx) for f in ordered(findings)],
            "properties": {"command": ctx.command},
        }],
    }


def render(findings: list[Finding], ctx: ReportContext) -> str:
    """SARIF 2.1.0 JSON, secrets redacted unless ``ctx.show_secrets``."""
    return indented_json.dumps(document(findings, ctx)) + "\n"

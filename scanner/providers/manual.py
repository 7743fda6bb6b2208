"""The keys ``yardguard revoke`` is given (:mod:`scanner.commands.revoke`): read from stdin or from a
``--show-secrets`` JSON report, as findings to verify and revoke."""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from scanner import jsonfile
from scanner.errors import YardguardError
from scanner.findings import scan_buffer
from scanner.model import STDIN, Finding, sha256
from scanner.rules import Rule

if TYPE_CHECKING:
    from scanner.run import Run

STDIN_PATH = "<stdin>"


def _rule(run: Run, rule_id: str | None = None) -> Rule:
    """The rule called ``rule_id``, else the first rule with a provider (for redaction and routing)."""
    with_provider = [r for r in run.ruleset.rules if r.provider]
    for r in with_provider:
        if r.id == rule_id:
            return r
    if not with_provider:
        raise YardguardError("no loaded rule names a provider to revoke with")
    return with_provider[0]


def keys_from_text(run: Run, text: str) -> list[Finding]:
    """One key per line: a bare key, or a line the rules find a key in (``TRACKYARD_API_KEY=...``)."""
    found = [f.replace(origin=STDIN) for f in scan_buffer(run.decoder.engine, text.encode("utf-8", "surrogateescape"),
                                                         STDIN_PATH)]
    covered = {f.line for f in found}
    for n, line in enumerate(text.splitlines(), 1):
        token = line.strip()
        if not token or n in covered:
            continue
        if len(token.split()) != 1:
            raise YardguardError(f"{STDIN_PATH} line {n}: expected one key per line")
        found.append(Finding(_rule(run), token, STDIN_PATH, n, line.index(token) + 1, origin=STDIN))
    if not found:
        raise YardguardError("no key on stdin (one key per line, or --from-report FILE)")
    return found


def keys_from_stdin(run: Run) -> list[Finding]:
    """Keys piped on stdin, or one typed at a hidden prompt when stdin is a terminal."""
    if sys.stdin is None:
        raise YardguardError("no stdin to read a key from")
    if sys.stdin.isatty():
        import click
        return keys_from_text(run, click.prompt("Trackyard key (input hidden)", hide_input=True, err=True))
    return keys_from_text(run, sys.stdin.read())


def keys_from_report(run: Run, path: str) -> list[Finding]:
    """The findings of a JSON report written with ``--show-secrets`` (redacted ones are an error)."""
    doc = jsonfile.read(path, "report (write it with --format json --show-secrets)")
    items = doc.get("findings") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise YardguardError(f"{path}: not a yardguard JSON report (no 'findings' list)")
    out = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("secret"), str):
            raise YardguardError(f"{path}: finding #{i} has no secret")
        secret: str = item["secret"]
        if sha256(secret) != item.get("secret_sha256"):
            raise YardguardError(f"{path}: finding #{i} is redacted; write the report with --show-secrets")
        out.append(Finding(
            _rule(run, item.get("rule_id")), secret, str(item.get("path") or path),
            _int(item.get("line")), _int(item.get("column")), commit=item.get("commit"),
            author_name=item.get("author_name"), author_email=item.get("author_email"),
            commit_date=item.get("commit_date"),
        ))
    if not out:
        raise YardguardError(f"{path}: the report has no findings")
    return out


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0

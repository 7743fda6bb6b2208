"""Reports from the audit store, without rescanning: stored rows become findings again and go through the
ordinary reporters. Each finding carries its ``repository`` (``Finding.to_dict()["repository"]``) and the
reporters get the repository table as ``ReportContext.extra["repositories"]``."""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from scanner.audit.store import Store
from scanner.escaping import escape
from scanner.model import Finding, Revocation, Verification, stored_origin
from scanner.reporters import ReportContext, render
from scanner.rules import Rule


class StoredFinding(Finding):
    """A finding read back from the store. The store never holds a key: ``secret`` is empty, and
    ``secret_sha256`` and ``redacted`` are the stored values, so even ``--show-secrets`` shows no key."""

    def __init__(self, *args: Any, stored_sha256: str, stored_redacted: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stored_sha256, self.stored_redacted = stored_sha256, stored_redacted

    @property
    def secret_sha256(self) -> str:
        return self.stored_sha256

    @property
    def redacted(self) -> str:
        return self.stored_redacted

    def to_dict(self, show_secrets: bool = False) -> dict[str, Any]:
        return super().to_dict(False)


def _rule(rules: dict[str, Rule], row: dict[str, Any]) -> Rule:
    """The loaded rule with the stored id, or a stand-in when that rule is no longer loaded."""
    rule = rules.get(row["rule_id"])
    if rule is None:
        rule = Rule(row["rule_id"], row["description"], "(?!)", (), "audit store")
        rules[row["rule_id"]] = rule
    return rule


def stored_findings(store: Store, rules: list[Rule], names: Iterable[str] | None = None) -> list[Finding]:
    """Every stored finding (of ``names``, when given) with its secret's verdict."""
    by_id = {r.id: r for r in rules}
    return [
        StoredFinding(_rule(by_id, row), "", row["path"], row["line"], row["column"],
                      commit=row["commit"], author_name=row["author_name"], author_email=row["author_email"],
                      commit_date=row["commit_date"], encoding=tuple(row["encoding"]), member=row["member"],
                      verification=Verification.from_dict(row["verification"]),
                      revocation=None if row["revocation"] is None else Revocation.from_dict(row["revocation"]),
                      repository=row["repository"], origin=stored_origin(row["path"], row["commit"]),
                      stored_sha256=row["secret_sha256"], stored_redacted=row["secret"])
        for row in store.findings(names)
    ]


def render_report(store: Store, rules: list[Rule], fmt: str, color: bool = False) -> str:
    """The audit report in ``fmt``. Text shows each path as ``repository: path``; JSON adds a top-level
    ``repositories`` array (url, status, head, scanned_at, error, findings)."""
    findings = stored_findings(store, rules)
    repositories = store.repositories()
    ctx = ReportContext("audit", rules, False, color, None, {"repositories": repositories, "store": store.path})
    if fmt == "text":
        findings = [f.replace(path=f"{f.repository}: {f.path}") for f in findings]
        failed = [r for r in repositories if r["status"] != "ok"]
        head = "".join(escape(f"{r['status']}: {r['url']}" + (f": {r['error']}" if r["error"] else "")) + "\n"
                       for r in failed)
        return head + (("\n" if head else "") + render(fmt, findings, ctx) +
                       f"{len(repositories)} repositories, {len(failed)} not scanned\n")
    text = render(fmt, findings, ctx)
    if fmt == "json":
        doc = json.loads(text)
        doc["repositories"] = repositories
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    return text

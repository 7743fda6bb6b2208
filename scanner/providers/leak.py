"""A :class:`Leak`: one distinct key and every finding that shares it, the unit verified and revoked once."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scanner.model import Finding, Revocation, Verification

if TYPE_CHECKING:
    from scanner.providers.spec import Provider


@dataclass
class Leak:
    """One distinct key and every finding that shares it."""

    secret: str = field(repr=False)
    provider: Provider
    findings: list[Finding] = field(default_factory=list)

    @property
    def first(self) -> Finding:
        return self.findings[0]

    def verified(self, verdict: Verification) -> None:
        """Give every finding of this key the verdict."""
        for f in self.findings:
            f.verification = verdict

    def revoked(self, outcome: Revocation) -> None:
        """Give every finding of this key the outcome of revoking it."""
        for f in self.findings:
            f.revocation = outcome

    def locations(self) -> list[dict[str, Any]]:
        """Where the key was found: path, line and commit of each finding."""
        return [{"path": f.path, "line": f.line, "commit": f.commit} for f in self.findings]

    def where(self, limit: int = 3) -> str:
        """``a.py:3 (commit 0123456789ab), b.py:1 and 2 more`` for prompts and messages."""
        shown = [f"{f.path}:{f.line}" + (f" (commit {f.commit[:12]})" if f.commit else "")
                 for f in self.findings[:limit]]
        more = len(self.findings) - limit
        return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def group(findings: list[Finding], providers: dict[str, Provider]) -> list[Leak]:
    """One :class:`Leak` per (provider, distinct key), in first-seen order."""
    leaks: dict[tuple[str, str], Leak] = {}
    for f in findings:
        provider = providers.get(f.rule.provider or "")
        if provider is None:
            continue
        leak = leaks.get((provider.name, f.secret))
        if leak is None:
            leak = leaks[(provider.name, f.secret)] = Leak(f.secret, provider)
        leak.findings.append(f)
    return list(leaks.values())

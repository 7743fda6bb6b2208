"""``yardguard rules test``: every rule must match its examples and none of its negative examples."""
from __future__ import annotations

from dataclasses import dataclass

from scanner.engine import Engine
from scanner.findings import scan_buffer
from scanner.rules import Rule


@dataclass(frozen=True)
class ExampleFailure:
    rule: Rule
    example: str
    expected_match: bool

    def __str__(self) -> str:
        want = "should match but does not" if self.expected_match else "should not match but does"
        return f"{self.rule.source}: rule {self.rule.id!r}: example {self.example!r} {want}"


def check_rule(rule: Rule) -> list[ExampleFailure]:
    """The examples of one rule that behave the wrong way (with the same filters as a real scan)."""
    engine = Engine([rule])
    failures = []
    for example, expected in [(e, True) for e in rule.examples] + [(e, False) for e in rule.negative_examples]:
        found = bool(scan_buffer(engine, example.encode(), "example"))
        if found != expected:
            failures.append(ExampleFailure(rule, example, expected))
    return failures


def check_rules(rules: list[Rule]) -> list[ExampleFailure]:
    """All example failures of all rules."""
    return [f for r in rules for f in check_rule(r)]

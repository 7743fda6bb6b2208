"""``yardguard rules test``: every rule must match its examples and none of its negative examples."""
from __future__ import annotations

from dataclasses import dataclass

from scanner.engine import Engine
from scanner.findings import scan_buffer
from scanner.rules import Rule


@dataclass(frozen=True)
class ExampleFailure:
    """An example (``field``, 1-based ``index``) that behaves the wrong way. Its text names the rule and
    the example's place, never the example: an example is a key."""

    rule: Rule
    field: str
    index: int
    expected_match: bool

    def __str__(self) -> str:
        want = "should match but does not" if self.expected_match else "should not match but does"
        return f"{self.rule.source}: rule {self.rule.id!r}: {self.field} #{self.index} {want}"


def check_rule(rule: Rule) -> list[ExampleFailure]:
    """The examples of one rule that behave the wrong way (with the same filters as a real scan)."""
    engine = Engine([rule])
    failures = []
    for field, examples, expected in (("examples", rule.examples, True),
                                      ("negative_examples", rule.negative_examples, False)):
        for i, example in enumerate(examples, 1):
            found = bool(scan_buffer(engine, example.encode(), f"{field} #{i}"))
            if found != expected:
                failures.append(ExampleFailure(rule, field, i, expected))
    return failures


def check_rules(rules: list[Rule]) -> list[ExampleFailure]:
    """All example failures of all rules."""
    return [f for r in rules for f in check_rule(r)]

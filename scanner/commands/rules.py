"""``yardguard rules test`` and ``yardguard rules list``: check and inspect the loaded rules."""
from __future__ import annotations

from scanner.escaping import escape
from scanner.options import Options
from scanner.rules import load_rules


def check(options: Options) -> int:
    """Check every example and negative example of every loaded rule; 1 on a failure."""
    from scanner.redaction import redact_text
    from scanner.rulecheck import check_rules
    loaded = load_rules(options.rules, examples=True).rules
    failures = check_rules(loaded)
    for failure in failures:
        print(f"FAIL {escape(redact_text(str(failure)))}")
    examples = sum(len(r.examples) + len(r.negative_examples) for r in loaded)
    print(f"{len(loaded)} rules, {examples} examples, {len(failures)} failure(s)")
    return 1 if failures else 0


def show(options: Options) -> int:
    """Print each loaded rule: id, description, source file."""
    for r in load_rules(options.rules).rules:
        print(f"{escape(r.id)}\t{escape(r.description)}\t{escape(r.source)}")
    return 0

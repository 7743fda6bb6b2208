"""Load and validate rule files (``rules/*.toml``): rules are data, never code."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.errors import YardguardError

if TYPE_CHECKING:  # regex is imported only where patterns are compiled (the hook's fast path skips it)
    import regex

_PACKAGE = Path(__file__).resolve().parent
BUILTIN_RULES_DIR = _PACKAGE / "rules" if (_PACKAGE / "rules").is_dir() else _PACKAGE.parent / "rules"
"""The shipped rules: ``scanner/rules`` inside a wheel, the top-level ``rules/`` in a checkout."""

_REQUIRED = ("id", "description", "regex", "keywords")
_KNOWN = set(_REQUIRED) | {
    "entropy", "allow", "paths", "exclude_paths", "examples", "negative_examples",
    "prefix", "provider", "severity",
}


@dataclass(frozen=True, eq=False)
class Rule:
    """One detection rule; ``pattern`` has at most one capture group (the secret)."""

    id: str
    description: str
    pattern: regex.Pattern[bytes]
    keywords: tuple[str, ...]
    source: str
    entropy: float | None = None
    allow: tuple[regex.Pattern[str], ...] = ()
    paths: tuple[str, ...] = ()
    exclude_paths: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    negative_examples: tuple[str, ...] = ()
    prefix: regex.Pattern[str] | None = None
    provider: str | None = None
    severity: str = "error"

    def __repr__(self) -> str:  # short, and without the examples (which look like keys)
        return f"Rule({self.id!r})"

    def secret_body(self, secret: str) -> str:
        """The secret without its fixed ``prefix`` (what entropy and placeholder checks look at)."""
        if self.prefix is not None:
            m = self.prefix.match(secret)
            if m:
                return secret[m.end():]
        return secret


@dataclass
class RuleSet:
    """All loaded rules plus the provider tables (verification/revocation requests as data)."""

    rules: list[Rule] = field(default_factory=list)
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)

    def without(self, disabled: set[str]) -> RuleSet:
        """A copy without the rules whose ids are in ``disabled``."""
        return RuleSet([r for r in self.rules if r.id not in disabled], self.providers)


def _compile(source: str, rule_id: str, what: str, text: str, as_bytes: bool) -> Any:
    import regex
    try:
        return regex.compile(text.encode() if as_bytes else text)
    except (regex.error, ValueError) as e:
        raise YardguardError(f"{source}: rule {rule_id!r}: bad {what} regex: {e}") from None


def _str_list(source: str, rule_id: str, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise YardguardError(f"{source}: rule {rule_id!r}: {key!r} must be a list of strings")
    return tuple(value)


def _parse_rule(source: str, raw: Any, index: int) -> Rule:
    if not isinstance(raw, dict):
        raise YardguardError(f"{source}: rule #{index + 1} is not a table")
    rule_id = raw.get("id", f"#{index + 1}")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise YardguardError(f"{source}: rule {rule_id!r}: missing field(s) {', '.join(missing)}")
    unknown = sorted(set(raw) - _KNOWN)
    if unknown:
        raise YardguardError(f"{source}: rule {rule_id!r}: unknown field(s) {', '.join(unknown)}")
    for key in ("id", "description", "regex"):
        if not isinstance(raw[key], str) or not raw[key]:
            raise YardguardError(f"{source}: rule {rule_id!r}: {key!r} must be a non-empty string")
    pattern = _compile(source, rule_id, "'regex'", raw["regex"], as_bytes=True)
    if pattern.groups > 1:
        raise YardguardError(f"{source}: rule {rule_id!r}: 'regex' must have at most one capture group")
    keywords = _str_list(source, rule_id, "keywords", raw["keywords"])
    if not keywords or any(not k or k != k.lower() for k in keywords):
        raise YardguardError(f"{source}: rule {rule_id!r}: 'keywords' must be non-empty lower-case literals")
    entropy = raw.get("entropy")
    if entropy is not None and (isinstance(entropy, bool) or not isinstance(entropy, (int, float))):
        raise YardguardError(f"{source}: rule {rule_id!r}: 'entropy' must be a number")
    prefix = raw.get("prefix")
    return Rule(
        id=rule_id,
        description=raw["description"],
        pattern=pattern,
        keywords=keywords,
        source=source,
        entropy=float(entropy) if entropy is not None else None,
        allow=tuple(_compile(source, rule_id, "'allow'", a, as_bytes=False)
                    for a in _str_list(source, rule_id, "allow", raw.get("allow", []))),
        paths=_str_list(source, rule_id, "paths", raw.get("paths", [])),
        exclude_paths=_str_list(source, rule_id, "exclude_paths", raw.get("exclude_paths", [])),
        examples=_str_list(source, rule_id, "examples", raw.get("examples", [])),
        negative_examples=_str_list(source, rule_id, "negative_examples", raw.get("negative_examples", [])),
        prefix=_compile(source, rule_id, "'prefix'", prefix, as_bytes=False) if prefix else None,
        provider=raw.get("provider"),
        severity=raw.get("severity", "error"),
    )


def read_rule_file(path: Path) -> dict[str, Any]:
    """The TOML document of one rule file, with ``rule`` checked to be an array of tables."""
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as e:
        raise YardguardError(f"cannot read rule file {path}: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise YardguardError(f"{path}: invalid TOML: {e}") from None
    if not isinstance(data.get("rule", []), list):
        raise YardguardError(f"{path}: 'rule' must be an array of tables ([[rule]])")
    return data


def load_file(path: Path, into: RuleSet) -> None:
    """Parse one rule file and add its rules and providers to ``into``."""
    source = str(path)
    data = read_rule_file(path)
    raw_rules = data.get("rule", [])
    providers = data.get("provider", {})
    if not isinstance(providers, dict):
        raise YardguardError(f"{source}: 'provider' must be a table")
    into.providers.update(providers)
    seen = {r.id for r in into.rules}
    for i, raw in enumerate(raw_rules):
        rule = _parse_rule(source, raw, i)
        if rule.id in seen:
            raise YardguardError(f"{source}: duplicate rule id {rule.id!r}")
        seen.add(rule.id)
        into.rules.append(rule)
    for rule in into.rules:
        if rule.provider is not None and rule.provider not in into.providers:
            raise YardguardError(f"{rule.source}: rule {rule.id!r}: unknown provider {rule.provider!r}")


def rule_files(path: Path) -> list[Path]:
    """``path`` itself, or the ``*.toml`` files of a directory in name order."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix == ".toml" and p.is_file())
    if not path.exists():
        raise YardguardError(f"rule path not found: {path}")
    return [path]


def all_rule_files(extra: list[str] | tuple[str, ...] = (), builtin: bool = True) -> list[Path]:
    """The built-in rule files, then those of every file or directory in ``extra``."""
    paths = [BUILTIN_RULES_DIR] if builtin else []
    paths += [Path(os.path.expanduser(p)) for p in extra]
    return [f for p in paths for f in rule_files(p)]


def load_rules(extra: list[str] | tuple[str, ...] = (), builtin: bool = True) -> RuleSet:
    """The built-in rules plus every rule file or directory in ``extra``."""
    ruleset = RuleSet()
    for f in all_rule_files(extra, builtin):
        load_file(f, ruleset)
    return ruleset

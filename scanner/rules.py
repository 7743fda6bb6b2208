"""Load and validate rule files (``rules/*.toml``): rules are data, never code."""
from __future__ import annotations

import os

from scanner import tomlfile
from scanner.errors import YardguardError

TYPE_CHECKING = False
if TYPE_CHECKING:  # regex is imported only where patterns are compiled (the hook's fast path skips it)
    from typing import Any

    from regex import Pattern

_PACKAGE = os.path.dirname(os.path.realpath(__file__))
BUILTIN_RULES_DIR = os.path.join(_PACKAGE, "rules")
"""The shipped rules: ``scanner/rules`` inside a wheel, the top-level ``rules/`` in a checkout."""
if not os.path.isdir(BUILTIN_RULES_DIR):
    BUILTIN_RULES_DIR = os.path.join(os.path.dirname(_PACKAGE), "rules")

_REQUIRED = ("id", "description", "regex", "keywords")
_KNOWN = set(_REQUIRED) | {
    "entropy", "allow", "paths", "exclude_paths", "examples", "negative_examples",
    "prefix", "provider", "severity",
}


_BODIES = 1 << 16
"""Secret bodies a rule remembers (its prefix regex runs once per secret, not once per question)."""


class Rule:
    """One detection rule. Its regexes (``regex``, ``allow``, ``prefix`` as written in the rule file) are
    compiled on first use: the pre-commit path compiles only the rules whose keywords occur. ``pattern``
    has at most one capture group (the secret)."""

    __slots__ = ("id", "description", "regex", "keywords", "source", "entropy", "allow_regexes", "paths",
                 "exclude_paths", "examples", "negative_examples", "prefix_regex", "provider", "severity",
                 "_pattern", "_allow", "_prefix", "_bodies")

    def __init__(self, id: str, description: str, regex: str, keywords: tuple[str, ...], source: str,
                 entropy: float | None = None, allow: tuple[str, ...] = (), paths: tuple[str, ...] = (),
                 exclude_paths: tuple[str, ...] = (), examples: tuple[str, ...] = (),
                 negative_examples: tuple[str, ...] = (), prefix: str | None = None,
                 provider: str | None = None, severity: str = "error") -> None:
        self.id, self.description, self.regex, self.keywords, self.source = id, description, regex, keywords, source
        self.entropy, self.allow_regexes, self.paths, self.exclude_paths = entropy, allow, paths, exclude_paths
        self.examples, self.negative_examples, self.prefix_regex = examples, negative_examples, prefix
        self.provider, self.severity = provider, severity
        self._pattern: Pattern[bytes] | None = None
        self._allow: tuple[Pattern[str], ...] | None = None
        self._prefix: Pattern[str] | None = None
        self._bodies: dict[str, str] = {}  # secret -> its body: filters, redaction and reports each ask

    def __getstate__(self) -> dict[str, Any]:
        """What pickling keeps (audit tasks carry rules): everything but the remembered secret bodies."""
        return {k: getattr(self, k) for k in self.__slots__ if k != "_bodies" and hasattr(self, k)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for k, v in state.items():
            setattr(self, k, v)
        self._bodies = {}

    def __repr__(self) -> str:  # short, and without the examples (which look like keys)
        return f"Rule({self.id!r})"

    def _compile(self, what: str, text: str, as_bytes: bool) -> Any:
        import regex
        try:
            return regex.compile(text.encode() if as_bytes else text)
        except (regex.error, ValueError) as e:
            raise YardguardError(f"{self.source}: rule {self.id!r}: bad {what} regex: {e}") from None

    @property
    def pattern(self) -> Pattern[bytes]:
        """The compiled ``regex``, run on bytes; a bad one is a :class:`YardguardError`."""
        if self._pattern is None:
            pattern = self._compile("'regex'", self.regex, as_bytes=True)
            if pattern.groups > 1:
                raise YardguardError(f"{self.source}: rule {self.id!r}: 'regex' must have at most one capture group")
            self._pattern = pattern
        return self._pattern

    @property
    def allow(self) -> tuple[Pattern[str], ...]:
        """The compiled ``allow`` regexes: a secret any of them finds is dropped."""
        if self._allow is None:
            self._allow = tuple(self._compile("'allow'", a, as_bytes=False) for a in self.allow_regexes)
        return self._allow

    @property
    def prefix(self) -> Pattern[str] | None:
        """The compiled ``prefix``, if the rule has one."""
        if self._prefix is None and self.prefix_regex:
            self._prefix = self._compile("'prefix'", self.prefix_regex, as_bytes=False)
        return self._prefix

    def compile(self) -> None:
        """Compile every regex now, so that a broken one is reported before any scan."""
        _ = self.pattern, self.allow, self.prefix

    def secret_body(self, secret: str) -> str:
        """The secret without its fixed ``prefix`` (what entropy and placeholder checks look at)."""
        prefix = self.prefix
        if prefix is None:
            return secret
        body = self._bodies.get(secret)
        if body is None:
            from scanner.engine import RegexTimeout, regex_timeout
            try:
                m = prefix.match(secret, timeout=regex_timeout(), concurrent=False)  # as filters.is_false_positive
            except TimeoutError:
                raise RegexTimeout(self) from None
            body = secret[m.end():] if m else secret
            if len(self._bodies) >= _BODIES:
                self._bodies.clear()
            self._bodies[secret] = body
        return body


class RuleSet:
    """All loaded rules plus the provider tables (verification/revocation requests as data)."""

    __slots__ = ("rules", "providers")

    def __init__(self, rules: list[Rule] | None = None, providers: dict[str, dict[str, Any]] | None = None) -> None:
        self.rules = rules if rules is not None else []
        self.providers = providers if providers is not None else {}

    def without(self, disabled: set[str]) -> RuleSet:
        """A copy without the rules whose ids are in ``disabled``."""
        return RuleSet([r for r in self.rules if r.id not in disabled], self.providers)


def _str_list(source: str, rule_id: str, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise YardguardError(f"{source}: rule {rule_id!r}: {key!r} must be a list of strings")
    return tuple(value)


def _parse_rule(source: str, raw: Any, index: int, compile: bool) -> Rule:
    if not isinstance(raw, dict):
        raise YardguardError(f"{source}: rule #{index + 1} is not a table")
    rule_id = raw.get("id", f"#{index + 1}")
    if isinstance(rule_id, str):
        from scanner.redaction import redact_text
        if redact_text(rule_id) != rule_id:  # never echoed: it would be a key in every message and report
            raise YardguardError(f"{source}: rule #{index + 1}: 'id' looks like a key; use a short name")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise YardguardError(f"{source}: rule {rule_id!r}: missing field(s) {', '.join(missing)}")
    unknown = sorted(set(raw) - _KNOWN)
    if unknown:
        raise YardguardError(f"{source}: rule {rule_id!r}: unknown field(s) {', '.join(unknown)}")
    for key in ("id", "description", "regex"):
        if not isinstance(raw[key], str) or not raw[key]:
            raise YardguardError(f"{source}: rule {rule_id!r}: {key!r} must be a non-empty string")
    keywords = _str_list(source, rule_id, "keywords", raw["keywords"])
    if not keywords or any(not k or k != k.lower() for k in keywords):
        raise YardguardError(f"{source}: rule {rule_id!r}: 'keywords' must be non-empty lower-case literals")
    entropy = raw.get("entropy")
    if entropy is not None and (isinstance(entropy, bool) or not isinstance(entropy, (int, float))):
        raise YardguardError(f"{source}: rule {rule_id!r}: 'entropy' must be a number")
    prefix = raw.get("prefix")
    if prefix is not None and not isinstance(prefix, str):
        raise YardguardError(f"{source}: rule {rule_id!r}: 'prefix' must be a string")
    rule = Rule(
        id=rule_id,
        description=raw["description"],
        regex=raw["regex"],
        keywords=keywords,
        source=source,
        entropy=float(entropy) if entropy is not None else None,
        allow=_str_list(source, rule_id, "allow", raw.get("allow", [])),
        paths=_str_list(source, rule_id, "paths", raw.get("paths", [])),
        exclude_paths=_str_list(source, rule_id, "exclude_paths", raw.get("exclude_paths", [])),
        examples=_str_list(source, rule_id, "examples", raw.get("examples", [])),
        negative_examples=_str_list(source, rule_id, "negative_examples", raw.get("negative_examples", [])),
        prefix=prefix or None,
        provider=raw.get("provider"),
        severity=raw.get("severity", "error"),
    )
    if compile:
        rule.compile()
    return rule


EXAMPLE_FIELDS = ("examples", "negative_examples")


def without_examples(doc: dict[str, Any]) -> dict[str, Any]:
    """A rule file without its (negative) examples, which look exactly like keys: what may be cached."""
    rules = doc.get("rule")
    if not isinstance(rules, list):
        return doc
    return {**doc, "rule": [{k: v for k, v in r.items() if k not in EXAMPLE_FIELDS} if isinstance(r, dict) else r
                            for r in rules]}


def read_rule_file(path: str, examples: bool = True, checked: str | None = None) -> dict[str, Any]:
    """The TOML document of one rule file, with ``rule`` checked to be an array of tables; without
    ``examples`` the rules have no (negative) examples, and the document may come from the cache (with
    ``checked``, only a version of the file that passed that check; any other is read whole)."""
    try:
        data = tomlfile.load(path, None if examples else without_examples, checked)
    except OSError as e:
        raise YardguardError(f"cannot read rule file {path}: {e.strerror}") from None
    except ValueError as e:  # tomllib.TOMLDecodeError, without importing tomllib to name it
        raise YardguardError(f"{path}: invalid TOML: {e}") from None
    if not isinstance(data.get("rule", []), list):
        raise YardguardError(f"{path}: 'rule' must be an array of tables ([[rule]])")
    return data


def load_file(path: str, into: RuleSet, compile: bool = True, examples: bool = True) -> None:
    """Parse one rule file and add its rules and providers to ``into``; ``compile=False`` leaves each
    rule's regexes to be compiled (and checked) on first use; ``examples``: see :func:`read_rule_file`."""
    add_document(read_rule_file(path, examples), str(path), into, compile)


def add_document(data: dict[str, Any], source: str, into: RuleSet, compile: bool = True) -> None:
    """Add the rules and providers of one parsed rule file (named ``source`` in errors) to ``into``."""
    if not isinstance(data.get("rule", []), list):
        raise YardguardError(f"{source}: 'rule' must be an array of tables ([[rule]])")
    raw_rules = data.get("rule", [])
    providers = data.get("provider", {})
    if not isinstance(providers, dict):
        raise YardguardError(f"{source}: 'provider' must be a table")
    into.providers.update(providers)
    seen = {r.id for r in into.rules}
    for i, raw in enumerate(raw_rules):
        rule = _parse_rule(source, raw, i, compile)
        if rule.id in seen:
            raise YardguardError(f"{source}: duplicate rule id {rule.id!r}")
        seen.add(rule.id)
        into.rules.append(rule)
    for rule in into.rules:
        if rule.provider is not None and rule.provider not in into.providers:
            raise YardguardError(f"{rule.source}: rule {rule.id!r}: unknown provider {rule.provider!r}")


def rule_files(path: str) -> list[str]:
    """``path`` itself, or the ``*.toml`` files of a directory in name order."""
    if os.path.isdir(path):
        return [os.path.join(path, name) for name in sorted(os.listdir(path))
                if name.endswith(".toml") and os.path.isfile(os.path.join(path, name))]
    if not os.path.exists(path):
        raise YardguardError(f"rule path not found: {path}")
    return [path]


def all_rule_files(extra: list[str] | tuple[str, ...] = (), builtin: bool = True) -> list[str]:
    """The built-in rule files, then those of every file or directory in ``extra``."""
    paths = [BUILTIN_RULES_DIR] if builtin else []
    paths += [os.path.normpath(os.path.expanduser(p)) for p in extra]
    return [f for p in paths for f in rule_files(p)]


CHECKED = "rules.checked"
"""The cache fact (:func:`tomlfile.note`) for a rule file whose rules compile and pass their examples."""


def load_rules(extra: list[str] | tuple[str, ...] = (), builtin: bool = True, compile: bool = True,
               examples: bool = False, checked: bool = False) -> RuleSet:
    """The built-in rules (with their examples only if asked: the tests check those) plus every rule file
    or directory in ``extra``, with examples (a run checks them), except, with ``checked``, a file whose
    version passed the check before (:data:`CHECKED`): that one is read without them, from the cache
    (150 rules with examples take ~15 ms to parse). Only such a version is ever cached: one that fails
    (a key-shaped rule id, say) is never written there. ``compile``: see :func:`load_file`."""
    ruleset = RuleSet()
    for f in rule_files(BUILTIN_RULES_DIR) if builtin else []:
        load_file(f, ruleset, compile, examples)
    for f in all_rule_files(extra, builtin=False):
        add_document(read_rule_file(f, examples=not checked, checked=CHECKED), f, ruleset, compile)
    return ruleset

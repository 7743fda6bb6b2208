"""The one-way pipeline shared by every command: settings -> findings -> filters -> providers -> exit code
(the commands write the report: :mod:`scanner.commands.report`)."""
from __future__ import annotations

import os
import sys

from scanner import filters, tomlfile
from scanner.config import Config
from scanner.decoding import DecodeOptions
from scanner.decoding.stage import Decoder
from scanner.engine import Engine
from scanner.errors import YardguardError
from scanner.model import Finding
from scanner.options import Options
from scanner.rules import BUILTIN_RULES_DIR, CHECKED, add_document, load_rules, read_rule_file, rule_files
from scanner.run import Run
from scanner.trust import load_config

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def prepare(root: str | os.PathLike[str], options: Options, revision: str | None = None,
            heads: list[str] | tuple[str, ...] = ()) -> Run:
    """Load config, rules and baseline; any problem is a :class:`YardguardError`. By default they come from
    ``root`` (the work tree). A gate passes ``revision``: the trusted git revision to read the
    repository's config, rule files and baseline from (see :mod:`scanner.revision_config`), with
    the operator's ``--config`` laid over it (:mod:`scanner.revision_config`), and the commits under
    review (``heads``) that change those files are noticed: notices go to stderr and ``Run.notices``.
    A shipped rule's regexes compile when its keywords first occur (the tests check them); rules from a
    config or ``--rules`` are compiled and checked against their examples now."""
    documents: list[tuple[str, dict[str, Any]]] = []
    accepted: set[tuple[str, str, str]] | None = None
    notices: list[str] = []
    if revision is None:
        config = load_config(root, options.config)
        extra = [config.resolve(p) for p in config.rules] + list(options.rules)
    else:
        from scanner import revision_config
        settings = revision_config.load(root, revision, options.config, list(heads))
        notices = settings.notices
        if not options.quiet:  # --quiet says them only when something is found (see finish)
            say_notices(notices)
        config, documents, accepted = settings.config, settings.rule_documents, settings.accepted
        extra = settings.operator_rules + list(options.rules)
    from scanner.trust import check_repository_rules
    for source in (f for named in config.repository_rules for f in rule_files(named)):
        check_repository_rules(read_rule_file(source), source)
    ruleset = load_rules(extra, compile=False, checked=True)
    for source, document in documents:
        check_repository_rules(document, source)
        add_document(document, source, ruleset, compile=False)
    ruleset = ruleset.without(set(config.disabled_rules))
    # a rule that fails its own examples is a broken rule file; the shipped ones are checked by the tests, and
    # a rule file that passed once is not checked again while it stays the same (150 rules take ~0.2 s)
    sources = {r.source for r in ruleset.rules if not r.source.startswith(BUILTIN_RULES_DIR)}
    unchecked = {source for source in sources if not tomlfile.noted(source, CHECKED)}
    added = [r for r in ruleset.rules if r.source in unchecked]
    if added:
        from scanner.rulecheck import check_rules
        for rule in added:
            rule.compile()
        failures = check_rules(added)
        if failures:
            raise YardguardError(str(failures[0]))
        for source in dict.fromkeys(r.source for r in added):
            tomlfile.note(source, CHECKED)
    baseline_path = options.baseline or (config.resolve(config.baseline) if config.baseline else None)
    if baseline_path:
        from scanner import baseline
        accepted = baseline.load(baseline_path)
    run = Run(options, config, ruleset, Decoder(Engine(ruleset.rules), decode_options(config, options)), root,
              accepted)
    run.notices = notices
    return run


def decode_options(config: Config, options: Options) -> DecodeOptions:
    """The decoding stage's settings: the config's, less what ``--no-decode`` / ``--no-archives`` switch off."""
    return DecodeOptions(
        decode=config.decode and not options.no_decode, archives=config.archives and not options.no_archives,
        max_decode_depth=config.max_decode_depth, max_archive_depth=config.max_archive_depth,
        max_archive_bytes=config.max_archive_bytes, max_archive_entries=config.max_archive_entries,
        max_archive_ratio=float(config.max_archive_ratio))


def say_notices(notices: list[str]) -> None:
    """Tell the operator, on stderr, which settings the reviewed commits change."""
    for notice in notices:
        print(f"yardguard: notice: {notice}", file=sys.stderr)


def keep(run: Run, findings: list[Finding]) -> list[Finding]:
    """Drop findings in excluded paths (rule and config globs) and those in the baseline."""
    excluded = run.config.exclude_paths
    return [
        f for f in findings
        if not filters.is_excluded_path(f.rule, f.root_path, excluded)
        and not (run.accepted and filters.is_in_baseline(f.rule.id, f.secret_sha256, f.root_path, run.accepted))
    ]


def exit_code(findings: list[Finding], fail_on: str, revoke_failed: bool = False) -> int:
    """1 when the findings fail the gate chosen by ``--fail-on``, or a live key was left unrevoked; else 0."""
    if revoke_failed:
        return 1
    if fail_on == "never":
        return 0
    if fail_on == "verified":
        return int(any(f.status == "live" for f in findings))
    if fail_on == "live":  # anything not proven invalid fails: an outage must not open the gate
        return int(any(f.status != "invalid" for f in findings))
    return int(bool(findings))


def unverified_gate(fail_on: str, verifying: bool) -> str | None:
    """A warning when ``--fail-on live|verified`` cannot mean what it says because nothing is verified."""
    if verifying or fail_on not in ("live", "verified"):
        return None
    effect = ("no key can be proven live, so this run never fails on a finding" if fail_on == "verified"
              else "no key can be proven invalid, so every finding fails")
    return f"yardguard: warning: --fail-on {fail_on} without --verify: {effect}"


def check(run: Run, findings: list[Finding], command: str) -> tuple[list[Finding], bool]:
    """Filter, then verify/revoke when asked: the findings kept, and whether a live key was left unrevoked."""
    findings = keep(run, findings)
    warning = unverified_gate(run.fail_on, run.options.verify or run.options.revoke)
    if warning:
        print(warning, file=sys.stderr)
    revoke_failed = False
    if run.options.verify or run.options.revoke:  # with no findings, still exit 2 on a bad API base
        from scanner.providers.orchestration import verify_and_revoke
        revoke_failed = verify_and_revoke(run, findings, command)
    return findings, revoke_failed

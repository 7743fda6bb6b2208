"""The options every scanning command shares, as the operator gave them (a leaf: imports nothing of ours)."""
from __future__ import annotations

FAIL_ON = ("any", "live", "verified", "never")


class Options:
    """Options every scanning command shares (see ``yardguard scan --help``)."""

    FIELDS = ("fmt", "output", "show_secrets", "fail_on", "baseline", "config", "rules", "verify", "revoke",
              "yes", "api_base", "audit_log", "no_decode", "no_archives", "quiet")
    __slots__ = FIELDS

    def __init__(self, fmt: str = "text", output: str | None = None, show_secrets: bool = False,
                 fail_on: str | None = None, baseline: str | None = None, config: str | None = None,
                 rules: tuple[str, ...] = (), verify: bool = False, revoke: bool = False, yes: bool = False,
                 api_base: str | None = None, audit_log: str | None = None, no_decode: bool = False,
                 no_archives: bool = False, quiet: bool = False) -> None:
        self.fmt, self.output, self.show_secrets, self.fail_on = fmt, output, show_secrets, fail_on
        self.baseline, self.config, self.rules = baseline, config, rules
        self.verify, self.revoke, self.yes = verify, revoke, yes
        self.api_base, self.audit_log = api_base, audit_log
        self.no_decode, self.no_archives = no_decode, no_archives
        self.quiet = quiet  # text only: print nothing at all when nothing is found (the native hooks)

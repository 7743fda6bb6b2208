"""``yardguard revoke``: verify keys (one per line on stdin, or the findings of a ``--show-secrets`` JSON
report) and revoke the live ones, with the same safety rules as ``scan --revoke``."""
from __future__ import annotations

import os
import sys

from scanner import gitutil
from scanner.commands.report import write_report
from scanner.options import Options
from scanner.pipeline import prepare
from scanner.providers.manual import keys_from_report, keys_from_stdin
from scanner.providers.orchestration import load_providers, verify_and_revoke


def run(options: Options) -> int:
    """Read the keys, verify and revoke them, print the report; 0 when every key is revoked or proven
    invalid, else 1."""
    options.verify = options.revoke = True
    prepared = prepare(gitutil.toplevel(".") or os.getcwd(), options)
    load_providers(prepared)  # a bad API base is an error before the key is even read
    findings = keys_from_report(prepared, options.from_report) if options.from_report else keys_from_stdin(prepared)
    verify_and_revoke(prepared, findings, "revoke")
    for f in {f.secret: f for f in findings}.values():
        if f.status == "invalid":
            print(f"yardguard: {f.redacted} is not live (HTTP {f.verification.http_status}): "
                  "nothing to revoke", file=sys.stderr)
    write_report(prepared, findings, "revoke")
    done = all(f.status == "invalid" or (f.revocation is not None and f.revocation.status == "revoked")
               for f in findings)
    return 0 if done else 1

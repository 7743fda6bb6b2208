"""``yardguard audit``: audit many repositories into one resumable SQLite store, and ``audit report``: render
that store without rescanning (see :mod:`scanner.audit`)."""
from __future__ import annotations

import os
from pathlib import Path

from scanner.audit.runner import AuditOptions, run_audit
from scanner.commands.report import wants_color, write_output
from scanner.errors import YardguardError
from scanner.options import Options
from scanner.pipeline import prepare


def run(options: Options) -> int:
    """Scan the repositories ``options`` names into its store; 0 clean, 1 findings, 3 some repository could
    not be scanned."""
    audit = AuditOptions(options.repos_files, options.repos_dirs, options.store, options.cache_dir,
                         options.audit_jobs or os.cpu_count() or 1, "dask" if options.scheduler else options.executor,
                         options.scheduler, options.fail_fast, options.store_wait)
    return run_audit(prepare(os.getcwd(), options), audit)


def report(options: Options) -> int:
    """Render the findings of the store ``options.store`` (every place each key appears)."""
    from scanner.audit.report import render_report
    from scanner.audit.store import Store
    if not Path(options.store).is_file():
        raise YardguardError(f"audit store not found: {options.store}")
    prepared = prepare(os.getcwd(), options)
    with Store(options.store) as opened:
        write_output(render_report(opened, prepared.ruleset.rules, options.fmt,
                                   wants_color(options.fmt, options.output)), options.output)
    return 0

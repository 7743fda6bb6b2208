"""The one exception type that means "bad input": the CLI turns it into one line and exit 2."""
from __future__ import annotations


class YardguardError(Exception):
    """A usage, configuration or input error (exit code 2, no traceback)."""

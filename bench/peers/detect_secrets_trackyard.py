"""detect-secrets plugin with one rule equivalent to yardguard's `trackyard-api-key`."""
from __future__ import annotations

import re

from detect_secrets.plugins.base import RegexBasedDetector


class TrackyardKeyDetector(RegexBasedDetector):
    """Trackyard API key (trackyard_live_/trackyard_test_ prefix)."""

    secret_type = "Trackyard API key"
    denylist = (re.compile(r"(?<![A-Za-z0-9_-])(trackyard_(?:live|test)_[A-Za-z0-9_-]{16,256})(?![A-Za-z0-9_-])"),)

"""Percent-encoding (URLs, form bodies, logs), complete (``%74%72...``) or partial (``trackyard%5Flive``)."""
from __future__ import annotations

from scanner.decoding.runs import EscapeForm

FORM = EscapeForm("percent", b"%", rb"%([0-9A-Fa-f]{2})", lambda m: bytes((int(m.group(1), 16),)))
runs = FORM.runs

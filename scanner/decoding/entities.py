"""HTML and XML character references: decimal ``&#95;`` and hex ``&#x5f;``."""
from __future__ import annotations

import re

from scanner.decoding.runs import EscapeForm


def _character(m: re.Match[bytes]) -> bytes:
    decimal, hexadecimal = m.groups()
    code = int(decimal) if decimal else int(hexadecimal, 16)
    return chr(code).encode("utf-8", "replace") if code <= 0x10FFFF else b"?"


FORM = EscapeForm("html-entity", b"&#", rb"&#(?:([0-9]{1,7})|[xX]([0-9A-Fa-f]{1,6}));", _character)
runs = FORM.runs

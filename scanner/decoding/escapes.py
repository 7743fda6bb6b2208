"""Backslash escapes of string literals: ``\\u005f`` (JSON, JavaScript), ``\\x5f`` and octal ``\\137``."""
from __future__ import annotations

import re

from scanner.decoding.runs import EscapeForm


def _unescape(m: re.Match[bytes]) -> bytes:
    unicode, hex_byte, octal = m.groups()
    if unicode:
        return chr(int(unicode, 16)).encode("utf-8", "replace")
    return bytes((int(hex_byte, 16) if hex_byte else int(octal, 8) & 0xFF,))


FORM = EscapeForm("escape", b"\\", rb"\\(?:u([0-9A-Fa-f]{4})|x([0-9A-Fa-f]{2})|([0-7]{1,3}))", _unescape)
runs = FORM.runs

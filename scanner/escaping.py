"""Showing untrusted text (file names, author names, commit data, rule fields, API answers) on one line:
control characters escaped, so no value can move the cursor, ring the bell, rewrite a line, start a new
one or forge a CI workflow command."""
from __future__ import annotations

_NAMED = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}
_CONTROLS = (*range(0x20), *range(0x7F, 0xA0))  # C0, DEL, C1 (ESC, BEL, CR, NEL, CSI are among them)
# line and paragraph separators, and the bidirectional controls that make text read differently than it is
_INVISIBLE = (0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_TABLE = {c: _NAMED.get(c, f"\\x{c:02x}") for c in _CONTROLS} | {c: f"\\u{c:04x}" for c in _INVISIBLE}


def escape(text: object) -> str:
    """``text`` as a string with every control character shown as ``\\xNN`` (``\\t``, ``\\n``, ``\\r``) and
    line separators and bidirectional controls as ``\\uNNNN``: what every report and message shows."""
    return str(text).translate(_TABLE)

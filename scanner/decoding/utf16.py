"""UTF-16 text (Windows ``.reg`` exports, PowerShell output, resources in binaries), little- or big-endian,
with or without a byte-order mark. Unlike the other forms it is a whole buffer, transcoded to UTF-8 and
scanned as a text of its own: lines and columns are those an editor shows."""
from __future__ import annotations

from collections.abc import Iterable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from scanner.engine import Buffer

_BOMS = ((b"\xff\xfe", "utf-16le"), (b"\xfe\xff", "utf-16be"))


def transcode(data: Buffer, literals: Iterable[bytes]) -> tuple[str, bytes] | None:
    """(``utf-16le`` or ``utf-16be``, the text as UTF-8) when ``data`` starts with a byte-order mark or holds
    one of the NUL-interleaved keyword ``literals``; else None.

    Without a mark, the byte order comes from where the keyword sits: an ASCII character on an even
    offset is little-endian. Either way the interleaved ASCII reads the same from that offset on."""
    head = bytes(data[:2])
    for bom, name in _BOMS:
        if head == bom:
            return name, bytes(data[2:]).decode(name, "replace").encode("utf-8")
    if data.find(b"\0") < 0:
        return None
    at = min((i for i in (data.find(lit) for lit in literals) if i >= 0), default=-1)
    if at < 0:
        return None
    name = "utf-16le" if at % 2 == 0 else "utf-16be"
    return name, bytes(data[at % 2:]).decode("utf-16le", "replace").encode("utf-8")

"""Hex strings: an even number of hex digits (lower or upper case) encoding text."""
from __future__ import annotations

import re
from collections.abc import Iterator

from scanner.decoding.runs import Run, Wanted, token_runs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from scanner.engine import Buffer

NAME = "hex"
_RUN = re.compile(rb"[0-9A-Fa-f]{32,}")
"""32 digits or more (16 bytes, shorter than any key), as many as there are: scanning from the left, each
match is a whole run of hex digits (an odd one spells nothing: :func:`decode`). No look-behind: Python's
``re`` then skips ahead three times faster (a single line of 18 MB)."""


def decode(run: bytes) -> bytes | None:
    """The bytes ``run`` spells in hex; None for an odd number of digits."""
    return None if len(run) % 2 else bytes.fromhex(run.decode("ascii"))


def runs(data: Buffer, wanted: Wanted) -> Iterator[Run]:
    """Wanted hex runs of ``data`` that decode to text."""
    return token_runs(NAME, data, _RUN, decode, wanted)

"""Hex strings: an even number of hex digits (lower or upper case) encoding text."""
from __future__ import annotations

from collections.abc import Iterator

from scanner.decoding.runs import Alphabet, Run, Wanted, token_runs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from scanner.engine import Buffer

NAME = "hex"
_RUN = Alphabet(b"0123456789ABCDEFabcdef", 32)
"""Whole runs of 32 hex digits or more (16 bytes, shorter than any key), as ``[0-9A-Fa-f]{32,}`` finds
them (an odd one spells nothing: :func:`decode`)."""


def decode(run: bytes) -> bytes | None:
    """The bytes ``run`` spells in hex; None for an odd number of digits."""
    return None if len(run) % 2 else bytes.fromhex(run.decode("ascii"))


def runs(data: Buffer, wanted: Wanted) -> Iterator[Run]:
    """Wanted hex runs of ``data`` that decode to text."""
    return token_runs(NAME, data, _RUN, decode, wanted)

"""The run patterns of the text decoders find exactly what their look-behind definitions find."""
from __future__ import annotations

import random
import re

from scanner.decoding import base64text, hexstr

HEX = re.compile(rb"(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}){16,}(?![0-9A-Fa-f])")
"""Hex runs by definition: whole runs of an even number of digits, 32 or more."""
LINE = re.compile(rb"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{20,}={0,2}")
"""One-line base64 runs by definition: whole runs of the alphabet, 20 or more, and their padding."""


def _texts(seed: int, count: int) -> list[bytes]:
    rng = random.Random(seed)
    classes = [b"0123456789abcdefABCDEF", b"ghzGHZ+/_-", b"=", b" \"\n%\r\t", b"0a"]
    out = []
    for _ in range(count):
        parts = [bytes(rng.choice(c) for _ in range(rng.randint(1, 80))) for c in
                 (rng.choice(classes) for _ in range(rng.randint(0, 12)))]
        out.append(b"".join(parts))
    return out


def test_hex_and_base64_line_runs_match_their_definitions() -> None:
    for text in _texts(1, 3000):
        assert [m.span() for m in hexstr._RUN.finditer(text) if hexstr.decode(m.group()) is not None] == \
            [m.span() for m in HEX.finditer(text)]
        assert [m.span() for m in base64text._LINE.finditer(text)] == [m.span() for m in LINE.finditer(text)]


def test_wrapped_blocks_are_searched_from_the_first_line_that_can_end_one() -> None:
    rng = random.Random(2)
    for _ in range(3000):
        lines = []
        for _ in range(rng.randint(0, 6)):
            body = bytes(rng.choice(b"Ab9+/=") for _ in range(rng.choice([0, 10, 30, 63, 64, 76, 77])))
            lines.append(rng.choice([b"", b"  ", b"\t"]) + body + rng.choice([b"", b" ", b"\t \t", b"\r", b" \r"]))
        text = b"\n".join(lines) + rng.choice([b"", b"\n", b"xyz=="])
        first = text.find(b"\n")
        bounded = [] if first < 0 else list(base64text._WRAPPED.finditer(text, base64text._wrap_start(text, first)))
        assert [m.span() for m in bounded] == [m.span() for m in base64text._WRAPPED.finditer(text)]

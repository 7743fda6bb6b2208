"""A Locator answers what reading each match's line from its start answers: line, column (decoded
characters) and whether the line around it holds an allow comment, for matches in any order, on any
buffer (bytes, bytearray, mmap), however long its lines."""
from __future__ import annotations

import mmap
import random
from pathlib import Path

from scanner import findings
from scanner.filters import has_allow_comment
from scanner.findings import Locator


def by_definition(data: bytes, start: int, end: int) -> tuple[int, int, bool]:
    line_start = data.rfind(b"\n", 0, start) + 1
    column = len(data[line_start:start].decode("utf-8", "replace")) + 1
    context_end = data.find(b"\n", end, end + findings._CONTEXT)
    if context_end < 0:
        context_end = min(len(data), end + findings._CONTEXT)
    context = data[max(line_start, start - findings._CONTEXT):context_end]
    return data.count(b"\n", 0, start) + 1, column, has_allow_comment(context)


def _buffer(rng: random.Random) -> bytes:
    pieces = [b"x", b"\n", b"ab", "é".encode(), "😀".encode(), b"\xff", b"\x80", b" yardguard:allow", b"allow",
              b"gitleaks:all", b"ow", b"k" * rng.choice([10, 3000, 9000])]
    return b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 300)))


def test_locations_are_those_of_the_definition(tmp_path: Path) -> None:
    rng = random.Random(7)
    for round_ in range(400):
        data = _buffer(rng)
        spans = sorted((s, min(len(data), s + rng.randint(0, 60))) for s in
                       (rng.randint(0, max(0, len(data) - 1)) for _ in range(rng.randint(1, 30))))
        if round_ % 5 == 0:  # out of order too: the locator starts over
            rng.shuffle(spans)
        path = tmp_path / "buffer"
        path.write_bytes(data or b"\n")
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            for buffer in (data, bytearray(data), mapped if data else data):
                locator = Locator(buffer)
                for start, end in spans:
                    loc = locator.locate(start, end)
                    assert (loc.line, loc.column, has_allow_comment(loc.context)) == \
                        by_definition(data, start, end), (data, start, end)

"""The run patterns of the text decoders find exactly what their look-behind definitions find, and the
alphabet-run finder exactly what its regex finds."""
from __future__ import annotations

import random
import re

from scanner.decoding import base64text, hexstr
from scanner.decoding.runs import Alphabet

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
        assert [(s, e) for s, e in hexstr._RUN.finditer(text) if hexstr.decode(text[s:e]) is not None] == \
            [m.span() for m in HEX.finditer(text)]
        assert list(base64text._LINE.finditer(text)) == [m.span() for m in LINE.finditer(text)]


def test_alphabet_runs_are_what_the_regex_of_the_alphabet_finds() -> None:
    cases = [(b"0a", 1, 0), (b"0a", 3, 2), (b"0123456789abcdefABCDEF", 32, 0), (b"ghzGHZ+/_-0a", 5, 2),
             (b"=", 2, 1)]
    texts = _texts(3, 1500) + [b"", b"=", b"a" * 40, b"a" * 40 + b"===", b"==" + b"a" * 3, b"a=a=a==aaa"]
    for chars, shortest, padding in cases:
        alphabet = Alphabet(chars, shortest, padding)
        regex = re.compile(b"[" + re.escape(chars) + b"]{%d,}={0,%d}" % (shortest, padding))
        for text in texts:
            for start in (0, 1, 7):
                assert list(alphabet.finditer(text, start)) == [m.span() for m in regex.finditer(text, start)]
            assert list(alphabet.finditer(bytearray(text))) == [m.span() for m in regex.finditer(text)]


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


def test_many_keywords_encoded_forms_come_from_the_cache_once_computed(tmp_path, monkeypatch) -> None:
    import marshal

    from scanner.decoding import gate
    monkeypatch.setenv("YARDGUARD_CACHE_DIR", str(tmp_path / "cache"))
    keywords = [b"team%03d_live_" % i for i in range(gate.CACHED_FROM + 5)]
    computed = gate._encoded_literals(keywords)
    assert gate.encoded_literals(keywords) == computed  # computed, then kept
    [entry] = (tmp_path / "cache").iterdir()
    assert gate.encoded_literals(keywords) == computed  # read back
    assert sorted(gate.encoded_literals(keywords[::-1])) == sorted(computed)  # the same keywords in another order
    stored = marshal.loads(entry.read_bytes())
    entry.write_bytes(marshal.dumps({**stored, "doc": {"literals": ["not bytes"]}}))
    assert gate.encoded_literals(keywords) == computed  # a bad entry is computed again
    assert gate.encoded_literals(keywords[:3]) == gate._encoded_literals(keywords[:3])  # few: never cached
    assert len(list((tmp_path / "cache").iterdir())) == 1


def test_base64_decode_drops_what_a_bytes_regex_calls_whitespace() -> None:
    import binascii

    def by_definition(run: bytes) -> bytes | None:
        body = re.sub(rb"\s+", b"", run).rstrip(b"=")
        if (b"-" in body or b"_" in body) and (b"+" in body or b"/" in body):
            return None
        body = body.translate(bytes.maketrans(b"-_", b"+/"))
        if len(body) % 4 == 1:
            return None
        try:
            return binascii.a2b_base64(body + b"=" * (-len(body) % 4), strict_mode=True)
        except binascii.Error:
            return None

    rng = random.Random(4)
    alphabet = b"ABCxyz019+/-_= \t\n\r\f\v\x1c\x1f\x85\xa0"
    for _ in range(5000):
        run = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert base64text.decode(run) == by_definition(run), run


def test_windows_are_those_of_their_definition() -> None:
    from scanner.decoding import stage

    def by_definition(data: bytes, anchors: list[int]) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        for at in anchors:
            low = max(data.rfind(b"\n", max(0, at - stage.REACH), max(0, at - stage.CONTEXT)) + 1, at - stage.REACH, 0)
            end = data.find(b"\n", at + stage.CONTEXT, at + stage.REACH)
            high = min(len(data), at + stage.REACH if end < 0 else end)
            if spans and low <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], high))
            else:
                spans.append((low, high))
        return spans

    rng = random.Random(8)
    for _ in range(300):
        pieces = [b"\n", b"x" * rng.choice([1, 100, 600, 5000, 70000]), b"ab\ncd"]
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        anchors = sorted(rng.randrange(len(data) + 1) for _ in range(rng.randint(0, 40)))
        assert stage.windows(data, anchors) == by_definition(data, anchors)

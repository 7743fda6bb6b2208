"""The decoding gate (scanner/decoding/gate.py): which buffers are worth decoding."""
from __future__ import annotations

from tests.conftest import KEY
from tests.e2e.test_decoding import ALL_FORMS, PLACEHOLDER, b64


def test_the_one_pass_gate_of_a_long_run_answers_as_the_light_one() -> None:
    """Past the first SMALL bytes (a whole history), keywords in any case and the encoded keywords are one
    Hyperscan pass per buffer: it says "worth scanning" for exactly the buffers the light path does."""
    from scanner.decoding.gate import SMALL
    from scanner.decoding.stage import Decoder
    from scanner.engine import Engine
    from scanner.rules import load_rules
    light, bulk = (Decoder(Engine(load_rules().rules)) for _ in range(2))
    assert not bulk.worth_scanning(b"filler\n" * (SMALL // 7 + 1))  # starts its one-pass matcher
    samples = [content(key) for _, content, _, _ in ALL_FORMS.values() for key in (KEY, PLACEHOLDER)]
    samples = [s.encode() if isinstance(s, str) else s for s in samples]
    samples += [b"TrackYard_Live_", b"API.TRACKYARD.COM", b"plain text", b64("rackyard").upper().encode(),
                b"PK\x03\x04" + bytes(40), b"\xff\xfeh\0i\0"]
    answers = [light.worth_scanning(s) for s in samples]
    assert [bulk.worth_scanning(s) for s in samples] == answers
    assert bulk._gate._matcher is not None and light._gate._matcher is None
    assert answers[-6:] == [True, True, False, False, True, True]


def test_a_long_run_can_start_its_one_pass_matcher_at_once() -> None:
    """A whole history says so before its first blob: no literal-by-literal search of its first MiB, and
    the database is loaded then (while git still lists), so its skip test is the one-pass matcher's own."""
    from scanner.decoding.stage import Decoder
    from scanner.engine import Engine
    from scanner.rules import load_rules
    decoder = Decoder(Engine(load_rules().rules))
    decoder.expect_many()
    matcher = decoder._gate._matcher
    assert matcher is not None and matcher._hyperscan is not None
    assert decoder._gate.any_test().__qualname__ == "_Hyperscan.any_test.<locals>.test"  # not a copying wrapper
    assert decoder.worth_scanning(b"TRACKYARD_API_KEY: " + b64(f"TRACKYARD_API_KEY={KEY}").encode())
    assert not decoder.worth_scanning(b"nothing to see")


def test_the_bound_skip_test_answers_as_worth_scanning() -> None:
    """``Decoder.skip_test`` (what a whole history asks of every blob, its lookups bound once) says "worth
    scanning" for exactly the buffers ``worth_scanning`` does, on the light path and the one-pass one, and
    for a buffer bigger than one Hyperscan window."""
    from scanner.decoding.stage import Decoder
    from scanner.engine import _WINDOW, Engine
    from scanner.rules import load_rules
    samples = [content(key) for _, content, _, _ in ALL_FORMS.values() for key in (KEY, PLACEHOLDER)]
    samples = [s.encode() if isinstance(s, str) else s for s in samples]
    samples += [b"TrackYard_Live_", b"plain text", b"PK\x03\x04" + bytes(40), b"\xff\xfeh\0i\0",
                b"x" * (_WINDOW + 10) + b"trackyard_", b"x" * (_WINDOW + 10)]
    for many in (False, True):
        decoder = Decoder(Engine(load_rules().rules))
        if many:
            decoder.expect_many()
        test = decoder.skip_test()
        assert [test(s) for s in samples] == [decoder.worth_scanning(s) for s in samples]
        assert [test(memoryview(s)) for s in samples] == [decoder.worth_scanning(s) for s in samples]

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

"""The model (scanner/model.py): typed verdicts render the report's JSON shapes, verdicts read back from
untrusted JSON keep only well-typed values, origins are explicit, and no key reaches a repr."""
from __future__ import annotations

from scanner.audit.report import StoredFinding
from scanner.model import (
    COMMIT,
    COMMIT_MESSAGE,
    FILE,
    MESSAGE_PATHS,
    STDIN,
    TAG_MESSAGE,
    Finding,
    Revocation,
    Verification,
    sha256,
    stored_origin,
)
from scanner.rules import load_rules
from tests.conftest import KEY

RULE = load_rules([]).rules[0]


def test_a_verdict_renders_the_report_shapes() -> None:
    assert Verification().to_dict() == {"status": "not_checked"}
    live = Verification("live", {"tier": "pro", "credits_remaining": None}, None, 200)
    assert list(live.to_dict()) == ["status", "tier", "credits_remaining", "detail", "http_status"]
    assert live.stated() == {"tier": "pro"} and live.fact("credits_remaining") is None
    assert Revocation("revoked", "re-check answers HTTP 401", 200, 401).to_dict() == {
        "status": "revoked", "detail": "re-check answers HTTP 401", "http_status": 200}


def test_verdicts_read_back_keep_only_well_typed_values() -> None:
    live = Verification("live", {"tier": "pro"}, "ok", 200)
    assert Verification.from_dict(live.to_dict()) == live
    hostile = Verification.from_dict({"status": 7, "detail": {"x": 1}, "http_status": True, "tier": "pro"})
    assert (hostile.status, hostile.detail, hostile.http_status, hostile.facts) == ("unknown", None, None,
                                                                                    {"tier": "pro"})
    assert Revocation.from_dict({"status": "failed", "detail": 3, "http_status": "200"}).to_dict() == {
        "status": "failed", "detail": None, "http_status": None}


def test_origins_are_explicit() -> None:
    assert Finding(RULE, KEY, "a.py", 1, 1).origin == FILE
    message = Finding(RULE, KEY, MESSAGE_PATHS[COMMIT_MESSAGE], 2, 1, commit="c" * 40, origin=COMMIT_MESSAGE)
    assert message.in_message and not message.in_file
    assert not Finding(RULE, KEY, "-", 1, 1, origin=STDIN).in_file
    assert Finding(RULE, KEY, "a.py", 1, 1, commit="c" * 40, origin=COMMIT).in_file
    assert [stored_origin(MESSAGE_PATHS[TAG_MESSAGE], "t" * 40), stored_origin("a.py", "c" * 40),
            stored_origin("a.py", None)] == [TAG_MESSAGE, COMMIT, FILE]


def test_no_key_in_a_repr_and_no_hash_in_secret() -> None:
    finding = Finding(RULE, KEY, "a.py", 1, 1, verification=Verification("live", {"tier": "pro"}))
    assert KEY not in repr(finding) and KEY not in repr(finding.verification)
    stored = StoredFinding(RULE, "", "a.py", 1, 1, repository="r", stored_sha256=sha256(KEY),
                           stored_redacted=finding.redacted)
    assert stored.secret == "" and stored.secret_sha256 == sha256(KEY) and stored.redacted == finding.redacted
    assert stored.to_dict(show_secrets=True)["secret"] == finding.redacted
    assert list(stored.to_dict())[0] == "repository"

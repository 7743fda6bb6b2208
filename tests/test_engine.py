"""The engine's keyword prefilter: the same answers whichever matcher runs (one literal, a few, many through
Hyperscan), and the same findings with many rules as with few."""
from __future__ import annotations

import marshal
import mmap
from pathlib import Path

import pytest

from scanner import engine as engine_module
from scanner.engine import FEW_LITERALS, KeywordMatcher
from tests.conftest import KEY, KEY2, Repo, run_cli
from tests.core_helpers import findings

MANY = [f"tok{i:03d}_" .encode() for i in range(40)]
"""More literals than :data:`FEW_LITERALS`: the Hyperscan path."""


def matchers(literals: list[bytes], ignore_case: bool = True) -> list[KeywordMatcher]:
    return [KeywordMatcher(literals, ignore_case), KeywordMatcher(literals, ignore_case, light=True)]


@pytest.mark.parametrize("literals", [[b"trackyard"], [b"trackyard", b"acme_", b"zeta"], MANY + [b"trackyard"]])
def test_found_and_any_agree_ignoring_case(literals: list[bytes]) -> None:
    data = b"x = 'TrackYard_live_abc'\n# Tok007_ and tok039_ here\n"
    expected = {k for k in literals if k in data.lower()}
    for m in matchers(literals):
        assert m.found(data) == expected
        assert m.any(data) is bool(expected)
        assert m.found(b"nothing here") == set() and not m.any(b"nothing here")


def test_case_sensitive_literals_for_encoded_forms() -> None:
    literals = [b"dHJhY2t5YXJk", *(b"X" + k for k in MANY)]  # base64 is case-sensitive
    for literal_set in (literals[:1], literals):
        m = KeywordMatcher(literal_set, ignore_case=False)
        assert m.found(b"..dHJhY2t5YXJk..") == {b"dHJhY2t5YXJk"}
        assert not m.any(b"..DHJHY2T5YXJK..")


def test_literals_are_matched_exactly_even_with_regex_syntax_or_nul() -> None:
    literals = [b"a.b", b"(x|y)", b"nul\x00byte", *MANY]
    m = KeywordMatcher(literals)
    assert m.found(b"axb x y nulbyte") == set()
    assert m.found(b"A.B (X|Y) NUL\x00BYTE") == {b"a.b", b"(x|y)", b"nul\x00byte"}


def test_bad_literals_are_refused() -> None:
    with pytest.raises(ValueError):
        KeywordMatcher([b""])
    with pytest.raises(ValueError):
        KeywordMatcher([b"Upper"])


def test_no_literals_match_nothing() -> None:
    m = KeywordMatcher([])
    assert m.found(b"anything") == set() and not m.any(b"anything")


def test_a_literal_across_a_window_or_slice_boundary_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "_WINDOW", 1 << 12)
    monkeypatch.setattr(engine_module, "_SLICE", 1 << 12)
    size = 1 << 14
    with mmap.mmap(-1, size) as buf:
        at = (1 << 12) - 3  # straddles the first boundary
        buf[at:at + len(b"TOK017_")] = b"TOK017_"
        buf[size - 9:size - 9 + len(b"trackyard")] = b"trackyard"
        for m in (*matchers(MANY + [b"trackyard"]), *matchers([b"tok017_", b"trackyard"])):
            assert m.found(buf) == {b"tok017_", b"trackyard"}
            assert m.any(buf)


@pytest.mark.parametrize("literals", [[b"trackyard", b"abab"], [*MANY, b"trackyard", b"abab"]])
def test_positions_are_those_of_a_regex_alternation(literals: list[bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    import regex
    monkeypatch.setattr(engine_module, "_WINDOW", 1 << 12)
    monkeypatch.setattr(engine_module, "_SLICE", 1 << 12)
    alternation = regex.compile(b"(?i)" + b"|".join(regex.escape(k) for k in literals))
    data = bytearray(b"x" * (1 << 14))
    for at, literal in ((0, b"TrackYard"), ((1 << 12) - 4, b"ababab"), (9000, b"TOK003_"), (9003, b"ABAB"),
                        ((1 << 14) - 9, b"trackyard")):
        data[at:at + len(literal)] = literal  # "ababab": a literal overlapping itself
    with mmap.mmap(-1, len(data)) as buf:
        buf[:] = data
        for m in matchers(literals):
            expected = [hit.start() for hit in alternation.finditer(bytes(data))]
            assert m.positions(bytes(data)) == m.positions(buf) == expected
            assert m.positions(b"nothing") == []


def _many_rules(count: int) -> str:
    return "".join(f"""
[[rule]]
id = "team-token-{i}"
description = "Team token {i}"
regex = '''(?<![A-Za-z0-9])(t{i:03d}k_[A-Za-z0-9]{{24}})'''
keywords = ["t{i:03d}k_", "t{i:03d}key"]
""" for i in range(count))


def test_many_rules_find_the_same_keys_as_few(repo: Repo, tmp_path: Path) -> None:
    assert FEW_LITERALS < 2 * 60
    rules = tmp_path / "many.toml"
    rules.write_text(_many_rules(60))
    token = "t042k_Qm7Zp2Xr9Lk4Vt8Nw3Bc6Hd1"
    repo.write("app/settings.py", f"KEY = '{KEY}'\nTEAM = '{token}'\n")
    repo.commit("add keys")
    repo.write("big.txt", "x" * 100 + KEY2 + "\n")
    repo.commit("more")

    def seen(*args: str) -> list[tuple]:
        return sorted((f["rule_id"], f["path"], f["line"], f["column"], f["secret_sha256"])
                      for f in findings(run_cli(*args, "--format", "json", cwd=repo.path)))

    for command in (("history",), ("scan", ".")):
        few, many = seen(*command), seen(*command, "--rules", str(rules))
        assert [f for f in many if f[0].startswith("trackyard")] == few
        assert [f[:4] for f in many if f[0] == "team-token-42"] == [("team-token-42", "app/settings.py", 2, 9)]


def test_a_compiled_matcher_is_cached_and_a_bad_entry_is_compiled_again(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YARDGUARD_CACHE_DIR", str(tmp_path / "cache"))
    literals = [b"cache%03d_" % i for i in range(10)]
    assert KeywordMatcher(literals).found(b"xx CACHE003_ yy") == {b"cache003_"}
    [entry] = (tmp_path / "cache").iterdir()
    assert KeywordMatcher(literals).found(b"cache009_") == {b"cache009_"}  # loaded from the entry
    stored = marshal.loads(entry.read_bytes())
    entry.write_bytes(marshal.dumps({**stored, "doc": {"db": b"not a database"}}))
    assert KeywordMatcher(literals).found(b"cache001_ cache002_") == {b"cache001_", b"cache002_"}

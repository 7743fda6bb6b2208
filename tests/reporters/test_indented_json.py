"""The indenting JSON writer writes exactly what ``json.dumps(indent=…)`` writes, and the reports that use
it are byte for byte what they were with ``json.dumps``."""
from __future__ import annotations

import json
import random

import pytest

from scanner.reporters import ReportContext, indented_json, render
from scanner.reporters.gitlab import render as render_gitlab
from scanner.reporters.sarif import document
from tests.reporters.test_reporters import MIXED, history_finding

TRICKY = [
    {}, [], (), 0, -1, 10**40, 2.5, -0.0, float("nan"), float("inf"), float("-inf"), True, None, "", "x",
    {"a": {}}, {"a": []}, [[]], [{}], [[1]], [[[], {}]], {"a": [1, {"b": ()}], "c": (1, 2)},
    {"a": {"b": {"c": {"d": [1, [2, [3]]]}}}, "e": None},
    [{"a": 1}, 2, [3, [4, [5, {}]]], "z", {}],
    {3: 2, 2.5: [3], True: None, False: 0, None: {"x": float("nan")}, "1": "one"},
    {"non-ASCII": "é ü ß … 日本 😀", "controls": "\x00\x01\x1f\x7f\t\n\r\b\f", "quotes": "\"\\/",
     "separators": "\u2028\u2029", "lone surrogates": "\ud800 \udfff \ud83d", "brackets": "{[,:]}\n",
     "emoji key 😀": ["…", "\u0000"]},
    ["\ud800", {"\udcff": "\x1b[31m"}],
    [{0.0: [1]}, {-0.0: [2]}, {1: [3]}, {True: [4]}, {1.0: [5]}, {None: [6]}, {"null": [7]}],  # equal keys, other texts
]


def _random_doc(rng: random.Random, depth: int = 0) -> object:
    roll = rng.random()
    if depth > 4 or roll < 0.4:
        return rng.choice([0, -7, 3.25, "s", "ü\n\"{}[],: ", "\ud83d", None, True, False, [], {}, ()])
    if roll < 0.7:
        return [_random_doc(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(["a", "b", "é", 1, 2.0, None, False]): _random_doc(rng, depth + 1)
            for _ in range(rng.randint(0, 4))}


@pytest.mark.parametrize("indent", [0, 1, 2, 4])
@pytest.mark.parametrize("ensure_ascii", [False, True])
def test_the_writer_writes_what_json_dumps_writes(indent: int, ensure_ascii: bool) -> None:
    rng = random.Random(indent)
    for doc in TRICKY + [_random_doc(rng) for _ in range(500)]:
        assert indented_json.dumps(doc, indent, ensure_ascii) == json.dumps(doc, indent=indent,
                                                                           ensure_ascii=ensure_ascii)


def test_values_json_cannot_write_are_refused_as_json_dumps_refuses_them() -> None:
    for doc in ({"a": {"b": object()}}, [1, {2, 3}], {(1, 2): "tuple key"}):
        with pytest.raises(TypeError):
            json.dumps(doc, indent=2)
        with pytest.raises(TypeError):
            indented_json.dumps(doc)


@pytest.mark.parametrize("show_secrets", [False, True])
def test_json_sarif_and_gitlab_reports_are_what_json_dumps_wrote(show_secrets: bool) -> None:
    decoded = history_finding(path="a.zip!inner/ü.env", member="inner/ü.env", encoding=("zip", "base64"))
    findings = [*MIXED, decoded]
    ctx = ReportContext("history", rules=sorted({f.rule for f in findings}, key=lambda r: r.id),
                        show_secrets=show_secrets, extra={"started": 1_700_000_000.0})
    report = json.loads(render("json", findings, ctx))
    assert render("json", findings, ctx) == json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    assert any(f["encoding"] for f in report["findings"]) and any(f["revocation"] for f in report["findings"])
    assert render("sarif", findings, ctx) == json.dumps(document(findings, ctx), indent=2, ensure_ascii=False) + "\n"
    gitlab = render_gitlab(findings, ctx)
    assert gitlab == json.dumps(json.loads(gitlab), indent=2, ensure_ascii=False) + "\n"

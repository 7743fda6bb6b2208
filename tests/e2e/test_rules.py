"""Rule files: loading and validation errors (exit 2), ``yardguard rules test``, and what the shipped
rules must and must not fire on, end to end through ``yardguard scan -``."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import KEY, KEY3, run_cli
from tests.core_helpers import ACME_RULE, assert_error, findings

GOOD_RULE = ACME_RULE + '''examples = ["token = acme_Q2x7Lp3Nm8Rt4Vw6Yb1Z"]
negative_examples = ["acme_short"]
'''


def write_rules(tmp_path: Path, text: str, name: str = "extra.toml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def scan_text(text: str, *args: str) -> list[dict]:
    """Findings of ``yardguard scan -`` on ``text``."""
    return findings(run_cli("scan", "-", "--format", "json", *args, stdin=text))


# --- loading and validation ---------------------------------------------------------------------

BROKEN = {
    "bad toml": ("[[rule]\nid = 'x'\n", "invalid TOML"),
    "bad regex": (GOOD_RULE.replace("acme_([A-Za-z0-9]{20})", "acme_([A-Z"), "regex"),
    "missing field": (GOOD_RULE.replace('keywords = ["acme_"]\n', ""), "missing field"),
    "unknown field": (GOOD_RULE.replace('keywords = ["acme_"]', 'keywords = ["acme_"]\nkeyword = "x"'),
                      "unknown field"),
    "two capture groups": (GOOD_RULE.replace("acme_([A-Za-z0-9]{20})", "(acme)_([A-Za-z0-9]{20})"),
                           "capture group"),
    "upper-case keyword": (GOOD_RULE.replace('["acme_"]', '["ACME_"]'), "lower-case"),
    "empty keywords": (GOOD_RULE.replace('["acme_"]', "[]"), "keywords"),
    "keywords not a list": (GOOD_RULE.replace('["acme_"]', '"acme_"'), "keywords"),
    "entropy not a number": (GOOD_RULE.replace('keywords = ["acme_"]', 'keywords = ["acme_"]\nentropy = "high"'),
                             "entropy"),
    "bad allow regex": (GOOD_RULE.replace('keywords = ["acme_"]', 'keywords = ["acme_"]\nallow = ["(unclosed"]'),
                        "allow"),
    "duplicate id in one file": (GOOD_RULE + GOOD_RULE, "duplicate rule id"),
    "duplicate of a shipped rule": (GOOD_RULE.replace('"acme-token"', '"trackyard-api-key"'),
                                    "duplicate rule id"),
    "rule is not an array of tables": ("rule = 'x'\n", "array of tables"),
    "unknown provider": (GOOD_RULE.replace('keywords = ["acme_"]', 'keywords = ["acme_"]\nprovider = "nope"'),
                         "unknown provider"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
@pytest.mark.parametrize("command", [("scan", "-"), ("rules", "test"), ("rules", "list")])
def test_broken_rule_file_is_exit_2(tmp_path: Path, case: str, command: tuple[str, ...]) -> None:
    text, words = BROKEN[case]
    path = write_rules(tmp_path, text)
    result = run_cli(*command, "--rules", str(path), stdin="")
    assert_error(result, words, str(path))
    assert result.out == ""


def test_duplicate_id_across_two_extra_files(tmp_path: Path) -> None:
    a = write_rules(tmp_path, GOOD_RULE, "a.toml")
    b = write_rules(tmp_path, GOOD_RULE, "b.toml")
    assert_error(run_cli("scan", "-", "--rules", str(a), "--rules", str(b), stdin=""), "duplicate rule id")


def test_missing_rule_path_is_exit_2(tmp_path: Path) -> None:
    assert_error(run_cli("scan", "-", "--rules", str(tmp_path / "nope.toml"), stdin=""), "not found")


def test_error_names_the_rule_and_field(tmp_path: Path) -> None:
    path = write_rules(tmp_path, GOOD_RULE.replace('description = "Acme token"\n', ""))
    result = run_cli("rules", "test", "--rules", str(path))
    assert_error(result, "acme-token", "description")
    assert len(result.err.strip().splitlines()) == 1


def test_extra_rule_file_and_directory_are_loaded(tmp_path: Path) -> None:
    rules_dir = tmp_path / "rules.d"
    rules_dir.mkdir()
    write_rules(rules_dir, GOOD_RULE, "acme.toml")
    (rules_dir / "notes.txt").write_text("not a rule file")
    token = "acme_Q2x7Lp3Nm8Rt4Vw6Yb1Z"
    for where in (rules_dir, rules_dir / "acme.toml"):
        found = scan_text(f"x = {token}\n", "--rules", str(where))
        assert [(f["rule_id"], f["line"], f["column"]) for f in found] == [("acme-token", 1, 10)]
    listed = run_cli("rules", "list", "--rules", str(rules_dir))
    assert listed.code == 0 and "acme-token" in listed.out and "trackyard-api-key" in listed.out


def test_rule_without_capture_group_reports_whole_match(tmp_path: Path) -> None:
    path = write_rules(tmp_path, GOOD_RULE.replace("acme_([A-Za-z0-9]{20})", "acme_[A-Za-z0-9]{20}"))
    found = scan_text("acme_Q2x7Lp3Nm8Rt4Vw6Yb1Z\n", "--rules", str(path), "--show-secrets")
    assert [f["secret"] for f in found] == ["acme_Q2x7Lp3Nm8Rt4Vw6Yb1Z"]


def test_keywords_prefilter_is_case_insensitive(tmp_path: Path) -> None:
    path = write_rules(tmp_path, GOOD_RULE.replace("acme_([A-Za-z0-9]{20})", "(?i)acme_([A-Za-z0-9]{20})"))
    assert len(scan_text("ACME_Q2x7Lp3Nm8Rt4Vw6Yb1Z\n", "--rules", str(path))) == 1


def test_rule_paths_and_exclude_paths(tmp_path: Path) -> None:
    rule = GOOD_RULE.replace('keywords = ["acme_"]', 'keywords = ["acme_"]\npaths = ["*.env"]\n'
                             'exclude_paths = ["fixtures/**"]')
    path = write_rules(tmp_path, rule)
    tree = tmp_path / "tree"
    (tree / "fixtures").mkdir(parents=True)
    for name in ("app.env", "app.py", "fixtures/test.env"):
        (tree / name).write_text("acme_Q2x7Lp3Nm8Rt4Vw6Yb1Z\n")
    result = run_cli("scan", str(tree), "--format", "json", "--rules", str(path))
    assert sorted(f["path"] for f in findings(result) if f["rule_id"] == "acme-token") == ["app.env"]


# --- yardguard rules test ---------------------------------------------------------------------------

def test_rules_test_passes_on_shipped_rules() -> None:
    result = run_cli("rules", "test")
    assert result.code == 0, result.out + result.err
    assert "0 failure(s)" in result.out
    assert "FAIL" not in result.out


def test_rules_test_passes_with_a_good_extra_rule(tmp_path: Path) -> None:
    result = run_cli("rules", "test", "--rules", str(write_rules(tmp_path, GOOD_RULE)))
    assert result.code == 0, result.out + result.err


@pytest.mark.parametrize("field, example, wording", [
    ("examples", "acme_short", "should match but does not"),
    ("negative_examples", "acme_Q2x7Lp3Nm8Rt4Vw6Yb1Z", "should not match but does"),
])
def test_rules_test_exits_1_on_a_failing_example(tmp_path: Path, field: str, example: str, wording: str) -> None:
    text = GOOD_RULE + f'\n[[rule]]\nid = "acme-bad"\ndescription = "x"\nregex = "acme_([A-Za-z0-9]{{20}})"\n' \
                       f'keywords = ["acme_"]\n{field} = ["{example}"]\n'
    result = run_cli("rules", "test", "--rules", str(write_rules(tmp_path, text)))
    assert result.code == 1, result.out + result.err
    fail_lines = [line for line in result.out.splitlines() if line.startswith("FAIL")]
    assert len(fail_lines) == 1 and "acme-bad" in fail_lines[0] and wording in fail_lines[0]
    assert "1 failure(s)" in result.out


def test_scan_with_a_rule_whose_example_fails_is_exit_2(tmp_path: Path) -> None:
    """The issue: a broken rule file, including an example that fails, is a clear error (exit 2)."""
    text = GOOD_RULE.replace('examples = ["token = acme_Q2x7Lp3Nm8Rt4Vw6Yb1Z"]', 'examples = ["acme_short"]')
    result = run_cli("scan", "-", "--rules", str(write_rules(tmp_path, text)), stdin="")
    assert_error(result, "acme-token", "example")


def test_a_rule_file_is_checked_again_whenever_it_changes(tmp_path: Path) -> None:
    """A rule file that passed its checks is not checked on every run while it stays the same (its check is
    noted in the cache); an edit that breaks it is reported on the next run."""
    rules = write_rules(tmp_path, GOOD_RULE)
    for _ in range(2):
        assert scan_text("token = acme_Q2x7Lp3Nm8Rt4Vw6Yb1Z", "--rules", str(rules))[0]["rule_id"] == "acme-token"
    rules.write_text(GOOD_RULE.replace('examples = ["token = acme_Q2x7Lp3Nm8Rt4Vw6Yb1Z"]', 'examples = ["acme_"]'))
    assert_error(run_cli("scan", "-", "--rules", str(rules), stdin=""), "acme-token", "example")
    rules.write_text(GOOD_RULE.replace("acme_([A-Za-z0-9]{20})", "acme_([A-Za-z0-9]{20}"))
    assert_error(run_cli("scan", "-", "--rules", str(rules), stdin=""), "acme-token", "regex")


# --- what the shipped rules fire on -------------------------------------------------------------------

SECRET = "Xk29fLq8Zm3Np7Rt5Vw1Yb4C"

MUST_FIRE = {
    "prefixed live key": f'client = Trackyard("{KEY}")',
    "prefixed test key": f"key: {KEY3}",
    ".env": f"TRACKYARD_API_KEY={SECRET}",
    ".env quoted": f'TRACKYARD_KEY="{SECRET}"',
    "shell export": f"export TRACKYARD_API_KEY='{SECRET}'",
    "python assignment": f'trackyard_api_key = "{SECRET}"',
    "js camelCase": f'const trackyardApiKey = "{SECRET}";',
    "yaml": f"trackyard:\n  TRACKYARD_API_KEY: {SECRET}\n",
    "json": f'{{"TRACKYARD_API_KEY": "{SECRET}"}}',
    "dockerfile ENV": f"ENV TRACKYARD_API_KEY {SECRET}",
    "dockerfile ENV =": f"ENV TRACKYARD_API_KEY={SECRET}",
    "docker-compose list": f"environment:\n  - TRACKYARD_API_KEY={SECRET}\n",
    "kubernetes env": f"env:\n  - name: TRACKYARD_API_KEY\n    value: \"{SECRET}\"\n",
    "curl bearer": f'curl -H "Authorization: Bearer {SECRET}" https://api.trackyard.com/api/external/v1/me',
    "curl bearer host first": f"curl https://api.trackyard.com/api/external/v1/me \\\n"
                              f"  -H 'Authorization: Bearer {SECRET}'",
    ".http file": f"GET https://api.trackyard.com/api/external/v1/me\nAuthorization: Bearer {SECRET}\n",
    "python requests": f'requests.get("https://api.trackyard.com/api/external/v1/me",\n'
                       f'             headers={{"Authorization": "Bearer {SECRET}"}})',
}


@pytest.mark.parametrize("case", sorted(MUST_FIRE))
def test_shipped_rules_fire(case: str) -> None:
    found = scan_text(MUST_FIRE[case] + "\n", "--show-secrets")
    assert found, f"{case}: no finding"
    assert {f["secret"] for f in found} <= {KEY, KEY3, SECRET}


MUST_NOT_FIRE = {
    "your_api_key_here": "TRACKYARD_API_KEY=your_api_key_here",
    "your_api_key_here (prefixed)": "TRACKYARD_API_KEY=trackyard_live_your_api_key_here",
    "ellipsis": "TRACKYARD_API_KEY=trackyard_live_...",
    "ellipsis prose": "Keys start with trackyard_live_... and are secret.",
    "unicode ellipsis": "key = trackyard_live_xxxx…",
    "xxxx": "TRACKYARD_API_KEY=trackyard_live_xxxxxxxxxxxxxxxxxxxxxxxx",
    "XXXX mixed": "api_key: trackyard_live_XXXXXXXXXXXXXXXXXXXX",
    "<your-key>": "TRACKYARD_API_KEY=<your-key>",
    "prefixed <your-key>": "curl -H 'Authorization: Bearer trackyard_live_<your-key>'",
    "${VAR}": "TRACKYARD_API_KEY=${TRACKYARD_API_KEY}",
    "$VAR": 'export TRACKYARD_API_KEY="$TRACKYARD_SECRET_FROM_VAULT"',
    "{var}": 'TRACKYARD_API_KEY: "{trackyard_api_key}"',
    "{{ template }}": 'TRACKYARD_API_KEY: "{{ .Values.trackyardApiKey }}"',
    "os.environ[...]": 'trackyard_api_key = os.environ["TRACKYARD_API_KEY"]',
    "os.environ.get": "TRACKYARD_API_KEY = os.environ.get('TRACKYARD_API_KEY')",
    "process.env.X": "const trackyardApiKey = process.env.TRACKYARD_API_KEY;",
    "getenv(...)": 'trackyard_key = os.getenv("TRACKYARD_API_KEY")',
    "Getenv go": 'trackyardKey := os.Getenv("TRACKYARD_API_KEY")',
    "prose": "Set TRACKYARD_API_KEY to the key from your dashboard; keys look like trackyard_live_ plus a token.",
    "prose prefix only": "Every key starts with `trackyard_live_` or `trackyard_test_`.",
    "all same": "TRACKYARD_API_KEY=trackyard_live_aaaaaaaaaaaaaaaaaaaaaaaa",
    "all same digits": "TRACKYARD_API_KEY=0000000000000000000000",
    "sequential": "key = trackyard_live_0123456789abcdefghij",
    "sequential letters": "TRACKYARD_API_KEY=abcdefghijklmnopqrstuvwx",
    "sequential backwards": "key = trackyard_test_zyxwvutsrqponmlkjihgfedcba",
    "fake test value": "TRACKYARD_API_KEY=trackyard_test_exampleKey1234567890",
    "fake dummy": "key = trackyard_live_dummy9fQ2xL7pK3mN8vR4",
    "fake placeholder": "TRACKYARD_API_KEY=placeholder_Q2x7Lp3Nm8Rt4",
    "changeme": "TRACKYARD_API_KEY=changeme_9fQ2xL7pK3mN8vR4",
    "redacted": "key = trackyard_live_REDACTED_9fQ2xL7pK3m",
    "bearer variable": 'curl -H "Authorization: Bearer $TRACKYARD_API_KEY" https://api.trackyard.com/v1/me',
    "bearer f-string": 'headers = {"Authorization": f"Bearer {key}"}  # https://api.trackyard.com',
    "bearer other host": f'curl -H "Authorization: Bearer {SECRET}" https://api.example.com/v1/me',
    "glued prefix": f"mytrackyard_live_{SECRET}",
    "function call value": "TRACKYARD_API_KEY = load_trackyard_key_from_vault_2(path)",
    "attribute value": "trackyard_api_key = settings.trackyard_api_key_2024",
}


@pytest.mark.parametrize("case", sorted(MUST_NOT_FIRE))
def test_shipped_rules_do_not_fire(case: str) -> None:
    assert scan_text(MUST_NOT_FIRE[case] + "\n", "--show-secrets") == [], case


def test_a_rule_remembers_secret_bodies_but_never_pickles_them() -> None:
    import pickle

    from scanner.rules import load_rules
    from tests.conftest import KEY
    rule = next(r for r in load_rules().rules if r.prefix_regex)
    body = KEY.removeprefix("trackyard_live_")
    assert rule.secret_body(KEY) == rule.secret_body(KEY) == body
    data = pickle.dumps(rule)  # audit tasks carry rules to workers
    assert body.encode() not in data
    assert pickle.loads(data).secret_body(KEY) == body

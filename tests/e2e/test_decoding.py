"""The decoding stage end to end: every encoded text form, and a decoy (a placeholder in the same form),
found by ``scan``, ``staged`` and ``history`` in real repositories, with the decoded key's hash, the
encoding chain and the place of the encoded run."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest

from tests.conftest import KEY, KEY3, Repo, run_cli
from tests.core_helpers import findings
from tests.test_start_up import imported

BODY = "Xk29fLq8Zm3Np7Rt5Vw1Yb4C"
PLACEHOLDER = "trackyard_live_your_key_here_example"


def b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def wrapped(text: str, width: int) -> str:
    encoded = b64(text)
    return "\n".join(encoded[i:i + width] for i in range(0, len(encoded), width))


def split_at_wrap(key: str, width: int) -> str:
    """Text whose base64, wrapped at ``width``, breaks a line inside ``key``'s encoding."""
    text = "#" * (width * 3 // 4 - 20) + f"\nTRACKYARD={key}\n"
    start = text.index(key) * 4 // 3
    assert start < width < start + len(key) * 4 // 3  # the wrap falls inside the key
    return text


def url_safe(key: str) -> str:
    """URL-safe unpadded base64 of a line holding ``key`` that uses the characters - or _."""
    for tail in range(64):
        encoded = base64.urlsafe_b64encode(f"k={key}\n{'?' * tail}>>".encode()).decode().rstrip("=")
        if ("-" in encoded or "_" in encoded) and len(encoded) % 4:
            return encoded
    raise AssertionError("no URL-safe form")


def percent(text: str, partial: bool) -> str:
    return text.replace("_", "%5F") if partial else "".join(f"%{b:02X}" for b in text.encode())


def escaped(text: str, style: str) -> str:
    return "".join({"u": f"\\u{b:04x}", "x": f"\\x{b:02x}", "o": f"\\{b:o}"}[style] for b in text.encode())


def docker_config(key: str) -> str:
    config = json.dumps({"auths": {"registry.example": {"auth": b64(f"deploy:{key}")}}})
    return ("apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n"
            f"  .dockerconfigjson: {b64(config)}\n")


def kubernetes_secret(value: str) -> str:
    return f"apiVersion: v1\nkind: Secret\ndata:\n  TRACKYARD_API_KEY: {b64(value)}\n"


def reg(key: str, byte_order: str) -> bytes:
    text = f'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Acme]\r\n"ApiKey"="{key}"\r\n'
    return ("\ufeff" + text).encode("utf-16-le") if byte_order == "le-bom" else text.encode("utf-16-be")


# name: (file name, content for a key, (line, column) of the encoded run, encoding chain)
FORMS = {
    "base64": ("secret.env.b64", lambda k: b64(f"TRACKYARD_API_KEY={k}\n") + "\n", (1, 1), ["base64"]),
    "base64-url": ("token.txt", lambda k: f"token: {url_safe(k)}\n", (1, 8), ["base64"]),
    "base64-mime": ("mail.eml", lambda k: f"Content-Transfer-Encoding: base64\n\n{wrapped(split_at_wrap(k, 76), 76)}\n",
                    (3, 65), ["base64"]),
    "base64-pem": ("key.pem",
                   lambda k: f"-----BEGIN DATA-----\n{wrapped(split_at_wrap(k, 64), 64)}\n-----END DATA-----\n",
                   (2, 53), ["base64"]),
    "base64-nested": ("pull-secret.yaml", docker_config, (5, 22), ["base64", "base64"]),
    "kubernetes": ("secret.yaml", lambda k: kubernetes_secret(BODY) if k == KEY
                   else kubernetes_secret("your_api_key_here"), (4, 22), ["base64"]),
    "percent-partial": ("access.log", lambda k: f"GET /v1/me?key={percent(k, True)} 200\n", (1, 16), ["percent"]),
    "percent-complete": ("redirect.log", lambda k: f"next={percent(k, False)}\n", (1, 6), ["percent"]),
    "hex-lower": ("dump.txt", lambda k: f"blob: {k.encode().hex()}\n", (1, 7), ["hex"]),
    "hex-upper": ("DUMP.TXT", lambda k: f"BLOB={k.encode().hex().upper()}\n", (1, 6), ["hex"]),
    "unicode-escape": ("bundle.min.js", lambda k: f'var a="{escaped(k, "u")}";\n', (1, 8), ["escape"]),
    "hex-escape": ("config.c", lambda k: f'char *k = "{escaped(k, "x")}";\n', (1, 12), ["escape"]),
    "octal-escape": ("config.sh", lambda k: f"printf '{escaped(k, 'o')}'\n", (1, 9), ["escape"]),
    "separator-escape": ("app.json", lambda k: '{"key": "' + k.replace("_", "\\u005f") + '"}\n', (1, 10), ["escape"]),
    "entity-decimal": ("page.html", lambda k: "<code>" + "".join(f"&#{b};" for b in k.encode()) + "</code>\n",
                       (1, 7), ["html-entity"]),
    "entity-hex": ("page.xml", lambda k: "<k>" + k.replace("_", "&#x5f;") + "</k>\n", (1, 4), ["html-entity"]),
}
BINARY_FORMS = {
    "utf16-le-bom": ("export.reg", lambda k: reg(k, "le-bom"), (4, 11), ["utf-16le"]),
    "utf16-be": ("export-be.reg", lambda k: reg(k, "be"), (4, 11), ["utf-16be"]),
}
ALL_FORMS = {**FORMS, **BINARY_FORMS}


def write_forms(repo: Repo, key: str, prefix: str = "") -> None:
    for name, content, _, _ in ALL_FORMS.values():
        repo.write(prefix + name, content(key))


def expected(key: str = KEY) -> dict[str, tuple[int, int, list[str], str]]:
    """path -> (line, column, encoding, sha256) of the one finding each form must give."""
    out = {}
    for form, (name, _, (line, column), chain) in ALL_FORMS.items():
        secret = BODY if form == "kubernetes" else key
        out[name] = (line, column, chain, hashlib.sha256(secret.encode()).hexdigest())
    return out


def by_path(result) -> dict[str, tuple[int, int, list[str], str]]:
    found = findings(result)
    got = {f["path"]: (f["line"], f["column"], f["encoding"], f["secret_sha256"]) for f in found}
    assert len(got) == len(found), [f["path"] for f in found]  # one finding per form
    return got


@pytest.fixture
def forms_repo(repo: Repo) -> Repo:
    write_forms(repo, KEY)
    write_forms(repo, PLACEHOLDER, prefix="decoy-")
    return repo


def test_scan_finds_every_form_and_no_decoy(forms_repo: Repo) -> None:
    result = run_cli("scan", "--format", "json", cwd=forms_repo.path)
    assert result.code == 1
    assert by_path(result) == expected()


def test_staged_finds_every_form_and_no_decoy(forms_repo: Repo) -> None:
    forms_repo.git("add", "-A")
    result = run_cli("staged", "--format", "json", cwd=forms_repo.path)
    assert result.code == 1
    assert by_path(result) == expected()


def test_staged_encoded_line_added_to_a_committed_file(repo: Repo) -> None:
    repo.write("deploy/secret.yaml", "apiVersion: v1\nkind: Secret\ndata:\n  other: b3RoZXI=\n")
    repo.commit("init")
    repo.write("deploy/secret.yaml", "apiVersion: v1\nkind: Secret\ndata:\n  other: b3RoZXI=\n"
                                     f"  config.env: {b64('TRACKYARD_API_KEY=' + KEY)}\n")
    repo.git("add", "-A")
    result = run_cli("staged", "--format", "json", cwd=repo.path)
    assert [(f["path"], f["line"], f["column"], f["encoding"]) for f in findings(result)] == \
        [("deploy/secret.yaml", 5, 15, ["base64"])]
    assert run_cli("staged", "--no-decode", cwd=repo.path).code == 0


def test_history_finds_every_form_and_no_decoy(forms_repo: Repo) -> None:
    commit = forms_repo.commit("forms")
    result = run_cli("history", "--format", "json", cwd=forms_repo.path)
    assert by_path(result) == expected()
    assert {f["commit"] for f in findings(result)} == {commit}


@pytest.mark.parametrize("command", ["scan", "history"])
def test_a_key_deep_in_a_wrapped_block_is_at_its_own_line(repo: Repo, command: str) -> None:
    """A finding in a base64 block wrapped over lines is placed on the line (and column) where the key's
    encoded bytes begin, not on the block's first line."""
    text = "# settings\n" + "x" * 300 + f"\nTRACKYARD_API_KEY={KEY}\n"
    chars = 4 * ((text.index(KEY)) // 3)  # the base64 character that starts the key's 3-byte group
    repo.write("mail.eml", f"Subject: env\nContent-Transfer-Encoding: base64\n\n{wrapped(text, 76)}\n")
    repo.commit("mail")
    result = run_cli(command, "--format", "json", cwd=repo.path)
    assert [(f["path"], f["line"], f["column"], f["encoding"]) for f in findings(result)] == \
        [("mail.eml", 4 + chars // 76, 1 + chars % 76, ["base64"])]


def test_history_range_compares_decoded_keys(repo: Repo) -> None:
    repo.write("a.txt", "x\n")
    base = repo.commit("base")
    repo.write("conf.yaml", f"data:\n  env: {b64('TRACKYARD_API_KEY=' + KEY)}\n")
    first = repo.commit("base64 form")
    repo.write("conf.yaml", f"data:\n  env: {(('TRACKYARD_API_KEY=' + KEY).encode().hex())}\n")
    second = repo.commit("hex form of the same key")
    result = run_cli("history", "--range", f"{first}..{second}", "--format", "json", cwd=repo.path)
    assert findings(result) == []  # the parent already had that key, in another form
    result = run_cli("history", "--range", f"{base}..{second}", "--format", "json", cwd=repo.path)
    assert [(f["path"], f["commit"], f["encoding"]) for f in findings(result)] == [("conf.yaml", first, ["base64"])]


def test_the_assignment_rule_never_reports_base64_text(repo: Repo) -> None:
    repo.write("secret.yaml", kubernetes_secret(BODY))
    result = run_cli("scan", "--format", "json", "--show-secrets", cwd=repo.path)
    [finding] = findings(result)
    assert finding["secret"] == BODY and finding["rule_id"] == "trackyard-api-key-assignment"
    assert finding["secret_sha256"] == hashlib.sha256(BODY.encode()).hexdigest()


def test_same_key_plain_and_encoded_is_one_finding_per_place(repo: Repo) -> None:
    repo.write("both.env", f"A={KEY}\nB={b64(KEY)}\nC={KEY.encode().hex()}\n")
    result = run_cli("scan", "--format", "json", cwd=repo.path)
    assert [(f["line"], f["encoding"]) for f in findings(result)] == [(1, []), (2, ["base64"]), (3, ["hex"])]
    assert result.json()["summary"]["distinct_secrets"] == 1


def test_allow_comment_on_the_encoded_line(repo: Repo) -> None:
    repo.write("a.yaml", f"k: {b64(KEY)}  # yardguard:allow\nj: {b64(KEY3)}\n")
    result = run_cli("scan", "--format", "json", cwd=repo.path)
    assert [(f["line"], f["secret_sha256"]) for f in findings(result)] == \
        [(2, hashlib.sha256(KEY3.encode()).hexdigest())]


def test_baseline_of_a_decoded_finding(repo: Repo, tmp_path: Path) -> None:
    repo.write("a.yaml", f"k: {b64(KEY)}\n")
    baseline = tmp_path / "baseline.json"
    assert run_cli("baseline", "-o", str(baseline), cwd=repo.path).code == 0
    assert KEY not in baseline.read_text() and b64(KEY) not in baseline.read_text()
    assert run_cli("scan", "--baseline", str(baseline), cwd=repo.path).code == 0
    repo.write("a.yaml", f"k: {b64(KEY)}\nj: {KEY3.encode().hex()}\n")
    assert len(findings(run_cli("scan", "--baseline", str(baseline), "--format", "json", cwd=repo.path))) == 1


@pytest.mark.parametrize("how", [["--no-decode"], ["--no-decode", "--fail-on", "any"], ["--config", "off.toml"]])
def test_decoding_can_be_switched_off(forms_repo: Repo, how: list[str]) -> None:
    forms_repo.write("off.toml", "decode = false\n")
    result = run_cli("scan", "--format", "json", *how, cwd=forms_repo.path)
    # only the assignment rule's raw view of the Kubernetes Secrets is left: nothing is decoded
    found = {(f["path"], tuple(f["encoding"])) for f in findings(result)}
    assert found <= {("secret.yaml", ()), ("decoy-secret.yaml", ())}


def test_text_and_sarif_show_the_chain(repo: Repo) -> None:
    repo.write("pull-secret.yaml", docker_config(KEY))
    text = run_cli("scan", cwd=repo.path)
    assert "decoded: base64 > base64" in text.out
    sarif = run_cli("scan", "--format", "sarif", cwd=repo.path).json()
    [result] = sarif["runs"][0]["results"]
    assert result["properties"]["encoding"] == ["base64", "base64"]
    assert "decoded from base64 > base64" in result["message"]["text"]


def test_bad_decoding_config_is_one_clear_error(repo: Repo) -> None:
    repo.write(".yardguard.toml", "max_decode_depth = -1\n")
    result = run_cli("scan", cwd=repo.path)
    assert result.code == 2 and "max_decode_depth" in result.err and "Traceback" not in result.err


def test_a_clean_change_loads_no_decoder(repo: Repo, tmp_path: Path) -> None:
    repo.write("app.py", "x = 1\n")
    repo.commit("init")
    repo.write("app.py", "x = 1\ny = 2\n")
    repo.git("add", "app.py")
    run_cli("staged", cwd=repo.path)
    loaded = imported(repo.path, tmp_path, "staged")
    assert "scanner.decoding.gate" in loaded
    assert not {m for m in loaded if m.startswith("scanner.decoding.") and m != "scanner.decoding.gate"}


def zipped(members: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in members.items():
            z.writestr(name, text)
    return out.getvalue()


def test_archive_members_in_scan_staged_and_history(repo: Repo) -> None:
    """The wiring: member paths, the chain (a base64 line inside a zip member), the archive as the SARIF
    artifact; the archive formats themselves are covered in tests/decoding/test_containers.py."""
    repo.write("a.txt", "x\n")
    repo.commit("init")
    repo.write("deploy/backup.zip", zipped({"conf/app.env": f"x=1\nTRACKYARD_API_KEY={KEY}\n",
                                            "conf/secret.yaml": f"data:\n  env: {b64('k=' + KEY3)}\n"}))
    want = [("deploy/backup.zip!conf/app.env", 2, 19, ["zip"]),
            ("deploy/backup.zip!conf/secret.yaml", 2, 8, ["zip", "base64"])]
    scan = run_cli("scan", "--format", "json", cwd=repo.path)
    assert [(f["path"], f["line"], f["column"], f["encoding"]) for f in findings(scan)] == want
    assert run_cli("scan", "--no-archives", cwd=repo.path).code == 0
    repo.git("add", "-A")
    staged = run_cli("staged", "--format", "json", cwd=repo.path)
    assert [(f["path"], f["line"], f["column"], f["encoding"]) for f in findings(staged)] == want
    commit = repo.commit("backup")
    history = run_cli("history", "--format", "json", cwd=repo.path)
    assert [(f["path"], f["commit"]) for f in findings(history)] == [(p, commit) for p, *_ in want]
    sarif = run_cli("history", "--format", "sarif", cwd=repo.path).json()
    artifacts = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert artifacts == {"deploy/backup.zip"}


def test_archive_warning_is_one_line_naming_the_file(repo: Repo) -> None:
    repo.write("broken.zip", zipped({"a.env": f"k={KEY}\n"})[:-30])  # the central directory cut short
    result = run_cli("scan", "--format", "json", cwd=repo.path)
    warnings = [line for line in result.err.splitlines() if line.startswith("yardguard: warning: broken.zip: ")]
    assert warnings and "Traceback" not in result.err


def test_stdin_is_decoded(tmp_path: Path) -> None:
    result = run_cli("scan", "-", "--format", "json", cwd=tmp_path, stdin=f"data:\n  env: {b64('K=' + KEY)}\n")
    assert [(f["path"], f["line"], f["encoding"]) for f in findings(result)] == [("-", 2, ["base64"])]


def test_many_rules_find_every_form_as_the_shipped_rules_do(forms_repo: Repo, tmp_path: Path) -> None:
    from tests.test_engine import _many_rules
    rules = tmp_path / "many.toml"
    rules.write_text(_many_rules(150))  # 300 keywords: every literal search goes through Hyperscan
    for command in (("scan", "."), ("staged",)):
        forms_repo.git("add", "-A")
        many = by_path(run_cli(*command, "--format", "json", "--rules", str(rules), cwd=forms_repo.path))
        assert many == by_path(run_cli(*command, "--format", "json", cwd=forms_repo.path)) == expected()


def test_encoded_literals_drop_forms_that_contain_a_shorter_one() -> None:
    from scanner.decoding.gate import _minimal_forms
    forms = sorted({b"ab", b"xaby", b"b\nab", b"cd", b"cde", b"zzcdzz", b"q"}, key=lambda f: (len(f), f))
    pairwise = [f for i, f in enumerate(forms) if not any(k in f for k in forms[:i] if k != f)]
    assert _minimal_forms(forms) == pairwise == [b"q", b"ab", b"cd"]
    no_newline = [f for f in forms if b"\n" not in f]
    assert _minimal_forms(no_newline) == [b"q", b"ab", b"cd"]

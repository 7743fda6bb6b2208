"""The self-contained HTML audit report: content, escaping of repository data, and (with Chromium) rendering."""
from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from scanner.findings import Finding
from scanner.model import Revocation, Verification
from scanner.reporters import ReportContext, render
from scanner.rules import load_rules
from tests.conftest import KEY, KEY2, KEY3

RULES = load_rules().rules
RULE = {r.id: r for r in RULES}
HOSTILE_FILE = "<img src=x onerror=alert(1)>.py"
# git drops "<" and ">" from names, so the hostile author attacks attributes and entities instead
HOSTILE_AUTHOR = 'Mallory" onmouseover="alert(1)" x=\'&amp; y'


class Page(HTMLParser):
    """Every tag with its attributes, the text, and the contents of each <script>."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)

    @property
    def all_text(self) -> str:
        return " ".join(self.text)

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.tags if t == tag]


def assert_inert(page: Page) -> None:
    """No injected markup: only the report's own tags, no event handlers, one nonce'd script, no assets."""
    allowed = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "section", "div",
               "span", "svg", "line", "text", "circle", "input", "table", "thead", "tbody", "tr", "th", "td",
               "button", "code", "time", "ol", "li", "label", "a", "script", "wbr"}
    assert {t for t, _ in page.tags} <= allowed
    for tag, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "src" not in attrs, (tag, attrs)
    (csp,) = [a["content"] for a in page.named("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    (script,) = page.named("script")
    assert f"'nonce-{script['nonce']}'" in csp and "default-src 'none'" in csp
    assert [a["href"] for a in page.named("a")] == ["https://app.trackyard.com/api-keys"]


def finding(secret: str, path: str, status: str, date: str, author: str = "Ada Author", **kw: object) -> Finding:
    verification = Verification.from_dict({"status": status, **kw.pop("verification", {})})  # type: ignore[dict-item]
    if kw.get("revocation") is not None:
        kw["revocation"] = Revocation.from_dict(kw["revocation"])  # type: ignore[arg-type]
    return Finding(RULE["trackyard-api-key"], secret, path, 4, 7, "f" * 40, author, "ada@example.com", date,
                   verification=verification, **kw)  # type: ignore[arg-type]


FINDINGS = [
    finding(KEY, "src/app.py", "live", "2021-03-04T10:00:00+01:00",
            verification={"tier": "pro", "credits_remaining": 1200, "last_used_at": "2024-05-01"},
            revocation={"status": "failed", "detail": "still answers 200"}),
    finding(KEY, "deploy/.env", "live", "2022-01-01T00:00:00+00:00"),
    finding(KEY2, "old/config.py", "invalid", "2019-06-01T00:00:00+00:00", author="Bob",
            revocation={"status": "revoked"}),
    finding(KEY3, "tests/fixtures.py", "unknown", "2023-02-02T00:00:00+00:00", verification={"detail": "timeout"}),
    finding("trackyard_live_Zq8Wm2Xc7Vb4Nn1Lk5Jp3Hq7", "docs/x.md", "not_checked", "2023-02-03T00:00:00+00:00"),
]


def page_for(findings: list[Finding], **extra: object) -> tuple[str, Page]:
    text = render("html", findings, ReportContext("history", RULES, repo_root="/repo", extra=extra))
    return text, Page(text)


def test_report_headline_counts_distinct_keys_by_status():
    _, page = page_for(FINDINGS)
    text = " ".join(page.all_text.split())
    for label in ("1 Live key(s) 2 finding(s)", "1 Invalid key(s)", "1 Unknown key(s)", "1 Not checked key(s)"):
        assert label in text
    assert "5 finding(s) of 4 distinct key(s)" in text


def test_report_timeline_has_one_dot_per_key_at_its_first_introduction():
    _, page = page_for(FINDINGS)
    circles = page.named("circle")
    assert len(circles) == 4
    assert {c["class"] for c in circles} == {"dot s-live", "dot s-invalid", "dot s-unknown", "dot s-not_checked"}
    assert "introduced 2021-03-04" in page.all_text  # the earlier of the live key's two introductions
    assert "2020" in page.all_text  # an axis tick between 2019 and 2023


def test_report_table_is_sortable_and_shows_every_detail():
    text, page = page_for(FINDINGS)
    assert {b["data-sort"] for b in page.named("button")} == {"status", "path", "author", "date"}
    rows = [a for a in page.named("tr") if "data-status" in a]
    assert [r["data-status"] for r in rows] == ["0", "0", "1", "2", "3"]  # live first
    assert [r["data-date"] for r in rows[:2]] == ["2022-01-01T00:00:00Z", "2021-03-04T09:00:00Z"]  # UTC
    body = " ".join(page.all_text.split())
    for expected in ("trackyard_live_9fQ2…", "tier: pro", "credits remaining: 1200", "last used at: 2024-05-01",
                     "timeout", "failed", "still answers 200", "revoked", "ffffffffffff",
                     "Ada Author <ada@example.com>", "src/app.py", "2019-06-01"):
        assert expected in body, expected
    for secret in (KEY, KEY2, KEY3):
        assert secret not in text
    script = page.scripts[0]
    assert "addEventListener" in script and "data-ready" in script


def test_report_per_author_and_per_path_counts():
    _, page = page_for(FINDINGS)
    text = " ".join(page.all_text.split())
    assert "Findings by author" in text and "Findings by path" in text
    assert "Ada Author <ada@example.com> 4 2" in text  # 4 findings, 2 of them live
    assert "Bob <ada@example.com> 1" in text


def test_report_remediation_checklist():
    _, page = page_for(FINDINGS)
    text = " ".join(page.all_text.split())
    assert len([a for a in page.named("input") if a.get("type") == "checkbox"]) == 5
    for expected in ("Revoke the 1 live key(s) now", "https://app.trackyard.com/api-keys", "Rotate",
                     "TRACKYARD_API_KEY", "Purge history", "git filter-repo"):
        assert expected in text, expected


def test_report_without_findings_is_complete():
    text, page = page_for([])
    assert_inert(page)
    assert "No Trackyard keys found." in page.all_text
    assert "0 finding(s)" in page.all_text
    assert text.startswith("<!DOCTYPE html>")


def test_report_escapes_everything_from_the_repository():
    author = HOSTILE_AUTHOR + " </td></script><script>alert(3)</script>"
    hostile = [finding(KEY, HOSTILE_FILE, "live", "2024-01-01T00:00:00+00:00", author=author,
                       verification={"detail": "<b>bold</b>"}, revocation={"status": "<i>x</i>"})]
    text, page = page_for(hostile, repositories=[{"url": "<script>alert(2)</script>", "status": "ok",
                                                  "findings": 1, "scanned_at": None, "error": None}])
    assert_inert(page)
    assert HOSTILE_FILE in page.all_text and author in page.all_text
    assert "<b>bold</b>" in page.all_text and "<script>alert(2)</script>" in page.all_text
    assert "&amp;amp;" in text  # an entity in a name is shown as typed, not decoded


def test_report_from_a_real_repository_with_a_hostile_file_name_and_author(repo, cli, tmp_path):
    repo.write("README.md", "hello\n")
    repo.commit("init", date="2020-01-01T00:00:00+00:00")
    repo.write(HOSTILE_FILE, f'KEY = "{KEY}"\n')
    repo.commit("add", author=f"{HOSTILE_AUTHOR} <evil@example.com>", date="2023-05-06T07:08:09+00:00")
    out = tmp_path / "report.html"
    result = cli("history", "--format", "html", "--output", str(out), cwd=repo.path)
    assert result.code == 1, result.err
    assert result.out == ""
    text = out.read_text()
    page = Page(text)
    assert_inert(page)
    assert HOSTILE_FILE in page.all_text
    assert f"{HOSTILE_AUTHOR} <evil@example.com>" in page.all_text
    assert "2023-05-06" in page.all_text and len(page.named("circle")) == 1
    assert KEY not in text and "trackyard_live_9fQ2…" in text
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", text.replace(
        'href="https://app.trackyard.com/api-keys"', ""))


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None, reason="no chromium or chromium-browser on PATH")
def test_report_renders_in_headless_chromium(tmp_path):
    report = tmp_path / "report.html"
    hostile = [*FINDINGS, finding(KEY, HOSTILE_FILE, "live", "2024-01-01T00:00:00+00:00", author=HOSTILE_AUTHOR)]
    report.write_text(render("html", hostile, ReportContext("history", RULES)))
    shot = tmp_path / "shot.png"
    base = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}"]
    subprocess.run([*base, f"--screenshot={shot}", "--window-size=1280,1600", report.as_uri()],
                   capture_output=True, timeout=120, check=False)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    dom = subprocess.run([*base, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=120)
    assert 'data-ready="1"' in dom.stdout  # the report's script ran to its end without an error
    rendered = Page(dom.stdout)
    assert not rendered.named("img")
    assert not any(name.startswith("on") for _, attrs in rendered.tags for name in attrs)
    assert HOSTILE_FILE in rendered.all_text

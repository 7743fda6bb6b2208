"""The HTML report in a real headless Chromium, driven over the DevTools protocol (``--remote-debugging-pipe``:
JSON messages on file descriptors 3 and 4, no network port): it renders, its layout holds (the timeline
scales to the span, paths break only at ``/``, values never wrap inside), and sorting and filtering work.
Skipped when Chromium is not installed (``.ci/run`` installs Debian's package)."""
from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import struct
import subprocess
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from scanner.reporters import ReportContext, render
from tests.audit_helpers import audit, make_repo, repos_file
from tests.conftest import KEY, KEY2, KEY3, Repo, run_cli
from tests.reporters.test_html import FINDINGS, RULES, finding

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--remote-debugging-pipe")
WIDTH = 1280


class Browser:
    """One headless Chromium with a fresh profile, spoken to over the DevTools pipe."""

    def __init__(self, profile: Path) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire() -> None:  # in the child: the pipe ends become fds 3 (commands) and 4 (replies)
            high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.proc = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, preexec_fn=wire, pass_fds=(3, 4))
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next = 0
        self.session: str | None = None

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command (to the page's session once attached) and wait for its result."""
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if self.session and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 60
        while True:
            while b"\0" not in self._buffer:
                ready, _, _ = select.select([self._from_browser], [], [], max(0.0, deadline - time.monotonic()))
                if not ready:
                    raise AssertionError(f"Chromium did not answer {method}")
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise AssertionError("Chromium closed the pipe")
                self._buffer += chunk
            raw, _, self._buffer = self._buffer.partition(b"\0")
            reply = json.loads(raw)
            if reply.get("id") == self._next:
                assert "error" not in reply, (method, reply["error"])
                return reply["result"]

    def open(self, url: str) -> None:
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send("Emulation.setDeviceMetricsOverride", width=WIDTH, height=1000, deviceScaleFactor=1, mobile=False)
        self.send("Page.navigate", url=url)
        for _ in range(200):
            if self.js("document.body && document.body.getAttribute('data-ready')") == "1":
                return
            time.sleep(0.05)
        raise AssertionError("the report's script never finished")

    def js(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def screenshot(self, path: Path) -> tuple[int, int]:
        """A PNG of the whole page at ``path``; its (width, height)."""
        height = self.js("document.documentElement.scrollHeight")
        self.send("Emulation.setDeviceMetricsOverride", width=WIDTH, height=height, deviceScaleFactor=1,
                  mobile=False)
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"]))
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        return struct.unpack(">II", data[16:24])

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except AssertionError:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


@pytest.fixture
def browser(tmp_path: Path):
    b = Browser(tmp_path / "profile")
    yield b
    b.close()


def show(browser: Browser, tmp_path: Path, html: str, name: str = "report") -> Path:
    page = tmp_path / f"{name}.html"
    page.write_text(html)
    browser.open(page.as_uri())
    return page


# JavaScript helpers evaluated in the page
LINES_OF = """(function (node) { var r = document.createRange(); r.selectNodeContents(node);
  return new Set(Array.prototype.map.call(r.getClientRects(), function (x) { return Math.round(x.top); })).size; })"""
PATH_SEGMENT_LINES = f"""Array.prototype.concat.apply([], Array.prototype.map.call(
  document.querySelectorAll('#findings td.path'), function (td) {{
    return Array.prototype.filter.call(td.childNodes, function (n) {{ return n.nodeType === 3; }})
      .map(function (n) {{ return [n.textContent, {LINES_OF}(n)]; }}); }}))"""
VISIBLE_PATHS = """Array.prototype.filter.call(document.querySelectorAll('#findings tr[data-status]'),
  function (r) { return !r.hidden && !r.parentNode.hidden; }).map(function (r) { return r.getAttribute('data-path'); })"""
HEADERS = "Array.prototype.map.call(document.querySelectorAll('#findings thead th'), function (t) { return t.textContent; })"


def test_history_report_renders_sorts_and_filters(browser: Browser, tmp_path: Path) -> None:
    long_path = "services/billing/internal/config/environments/production/settings_for_the_payment_gateway.py"
    findings = [f.replace(in_head=i % 2 == 0, revocation=None) for i, f in enumerate(FINDINGS)]
    findings.append(finding(KEY, long_path, "live", "2024-01-01T10:00:00+00:00", verification={
        "tier": "pro", "credits_remaining": 4200, "created_at": "2024-03-05T10:20:30Z",
        "last_used_at": "2025-01-14T08:00:00Z"}).replace(in_head=True))
    extra = {"repository_url": "https://github.com/acme/shop", "subjects": {"f" * 40: "Add the payment gateway"}}
    show(browser, tmp_path, render("html", findings, ReportContext("history", RULES, repo_root="/r", extra=extra)))
    width, height = browser.screenshot(tmp_path / "history.png")
    assert width == WIDTH and height > 1000 and (tmp_path / "history.png").stat().st_size > 30_000

    # layout: nothing overflows the window, values do not wrap, paths break only after a "/"
    assert browser.js("document.documentElement.scrollWidth") <= WIDTH
    assert browser.js("document.querySelector('.scroll').scrollWidth <= document.querySelector('.scroll').clientWidth")
    segments = browser.js(PATH_SEGMENT_LINES)
    assert any(text.startswith("settings_for") for text, _ in segments)
    assert all(lines == 1 for _, lines in segments), segments
    values = browser.js(f"Array.prototype.map.call(document.querySelectorAll('.fact .v, td.date time'),"
                        f" function (n) {{ return {LINES_OF}(n.firstChild); }})")
    assert len(values) > 12 and set(values) == {1}
    assert browser.js(f"{LINES_OF}(document.querySelector('td.path').lastChild.previousSibling)") == 1  # :line:col

    # columns: a HEAD column, no revocation column (nothing was revoked), commit links on the forge
    headers = browser.js(HEADERS)
    assert "HEAD" in headers and not any("Revocation" in h for h in headers)
    assert browser.js("document.querySelectorAll('#findings td a[href^=\"https://github.com/acme/shop/commit/ff\"]').length") == 6
    assert "Add the payment gateway" in browser.js("document.querySelector('#findings').textContent")

    # sorting
    order = "Array.prototype.map.call(document.querySelectorAll('#findings tr[data-status]'), function (r) { return r.getAttribute('data-%s'); })"
    browser.js("document.querySelector('button[data-sort=path]').click()")
    paths = browser.js(order % "path")
    assert paths == sorted(paths)
    browser.js("document.querySelector('button[data-sort=path]').click()")
    assert browser.js(order % "path") == sorted(paths, reverse=True)
    browser.js("document.querySelector('button[data-sort=date]').click()")
    dates = browser.js(order % "date")
    assert dates == sorted(dates)
    browser.js("document.querySelector('button[data-sort=status]').click()")
    assert browser.js(order % "status") == sorted(browser.js(order % "status"))
    assert browser.js("document.querySelector('button[data-sort=status]').parentNode.getAttribute('aria-sort')") \
        == "ascending"

    # filtering
    type_in = ("(function (v) { var f = document.getElementById('filter'); f.value = v;"
               " f.dispatchEvent(new Event('input')); })(%s)")
    browser.js(type_in % json.dumps("bob"))
    assert browser.js(VISIBLE_PATHS) == ["old/config.py"]
    browser.js(type_in % json.dumps("settings_for"))
    assert browser.js(VISIBLE_PATHS) == [long_path]
    browser.js(type_in % json.dumps(""))
    assert len(browser.js(VISIBLE_PATHS)) == 6


def test_timeline_scales_to_minutes_and_years(browser: Browser, tmp_path: Path) -> None:
    minutes = [finding(KEY, "a.py", "not_checked", "2024-01-01T10:00:00+00:00"),
               finding(KEY2, "b.py", "not_checked", "2024-01-01T10:07:00+00:00"),
               finding(KEY3, "c.py", "not_checked", "2024-01-01T10:31:00+00:00")]
    show(browser, tmp_path, render("html", minutes, ReportContext("history", RULES)), "minutes")
    browser.screenshot(tmp_path / "minutes.png")
    xs = browser.js("Array.prototype.map.call(document.querySelectorAll('circle'), function (c) {"
                    " return c.getBoundingClientRect().left; })")
    assert len(xs) == 3 and min(b - a for a, b in pairwise(sorted(xs))) > 100  # minutes apart, spread out
    labels = browser.js("Array.prototype.map.call(document.querySelectorAll('.ticklabel'), function (t) {"
                        " return t.textContent; })")
    assert labels[0] == "2024-01-01 10:00" and "10:30" in labels
    assert browser.js("document.querySelectorAll('.lanelabel').length") == 1  # only the lane that has keys
    assert browser.js("document.querySelector('svg.timeline').getBoundingClientRect().height") < 140

    show(browser, tmp_path, render("html", FINDINGS, ReportContext("history", RULES)), "years")
    labels = browser.js("Array.prototype.map.call(document.querySelectorAll('.ticklabel'), function (t) {"
                        " return t.textContent; })")
    assert labels == ["2020", "2021", "2022", "2023"]
    assert browser.js("document.querySelectorAll('.lanelabel').length") == 4
    headers = browser.js(HEADERS)
    assert "Revocation" in headers  # this run revoked (FINDINGS carry revocation results)


def test_audit_report_groups_by_repository(browser: Browser, tmp_path: Path) -> None:
    """A real audit of two repositories: the Repositories table comes first, findings are grouped by
    repository, filtering hides a group with no match, and the checklist re-verifies with ``audit``."""
    src = tmp_path / "src"
    alpha = make_repo(src, "alpha", {"config.py": f"API_KEY = '{KEY}'\n"})
    alpha.write("later.py", f"k = '{KEY2}'\n")
    alpha.commit("later")
    make_repo(src, "beta", {"deploy/.env": f"TRACKYARD_API_KEY={KEY3}\n"})
    listing = repos_file(tmp_path / "repos.txt", str(src / "alpha"), str(src / "beta"))
    assert audit(tmp_path, "--repos", str(listing)).code == 1
    out = tmp_path / "audit.html"
    result = run_cli("audit", "report", "--store", str(tmp_path / "audit.db"), "--format", "html", "-o", str(out),
                     cwd=tmp_path)
    assert result.code == 0, result.err
    browser.open(out.as_uri())
    browser.screenshot(tmp_path / "audit.png")
    headings = browser.js("Array.prototype.map.call(document.querySelectorAll('h2'), function (h) {"
                          " return h.textContent; })")
    assert headings[0] == "Repositories"
    groups = browser.js("Array.prototype.map.call(document.querySelectorAll('#findings tbody'), function (b) {"
                        " return [b.querySelector('tr.group').textContent, b.querySelectorAll('tr[data-status]').length]; })")
    assert [(name.split(" ")[0], n) for name, n in groups] == [(str(src / "alpha"), 2), (str(src / "beta"), 1)]
    browser.js("(function () { var f = document.getElementById('filter'); f.value = '.env';"
               " f.dispatchEvent(new Event('input')); })()")
    assert browser.js("Array.prototype.map.call(document.querySelectorAll('#findings tbody'), function (b) {"
                      " return b.hidden; })") == [True, False]
    checklist = browser.js("document.querySelector('.checklist').textContent")
    assert "yardguard audit --verify" in checklist and "history --verify" not in checklist


def test_real_history_report_links_commits_on_the_origin_forge(browser: Browser, repo: Repo, tmp_path: Path) -> None:
    repo.write("app.py", f"key = '{KEY}'\n")
    sha = repo.commit(f"Wire the gateway with {KEY2}")  # a key in the subject is redacted in the report
    repo.git("remote", "add", "origin", "git@gitlab.com:acme/platform/shop.git")
    out = tmp_path / "report.html"
    assert run_cli("history", "--format", "html", "-o", str(out), cwd=repo.path).code == 1
    assert KEY not in out.read_text() and KEY2 not in out.read_text()
    browser.open(out.as_uri())
    links = browser.js("Array.prototype.map.call(document.querySelectorAll('#findings a'), function (a) {"
                       " return a.href; })")
    assert f"https://gitlab.com/acme/platform/shop/-/commit/{sha}" in links
    text = browser.js("document.getElementById('findings').textContent")
    assert "Wire the gateway with trackyard_live_Hq7Z…" in text and "In HEAD" in text

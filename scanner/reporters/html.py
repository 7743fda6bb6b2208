"""A self-contained HTML audit report (inline CSS, JS and SVG; no network) for a security lead.

Everything taken from the repository (paths, authors, commit ids, secrets) is attacker-controlled: it is
only ever written through :func:`esc`, and a Content-Security-Policy with a per-report nonce blocks any
script the report did not write itself.
"""
from __future__ import annotations

import html
import math
import secrets
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from scanner import __version__, forge
from scanner.model import Finding
from scanner.reporters import ReportContext, ordered
from scanner.reporters.vocabulary import DASHBOARD_URL, ENV_VAR, STATUSES, URGENCY, label

_LIST_LIMIT = 50  # rows in the per-author / per-path tables


def esc(value: object) -> str:
    """HTML-escape text and attribute values (quotes included)."""
    return html.escape(str(value), quote=True)


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _iso(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def _badge(status: str) -> str:
    return f'<span class="badge s-{esc(status)}">{esc(label(status))}</span>'


def _author(f: Finding) -> str:
    if f.author_name is None and f.author_email is None:
        return ""
    return f"{f.author_name or ''} <{f.author_email or ''}>".strip()


def _where(f: Finding) -> str:
    """The path, prefixed by its repository in multi-repository audit reports (the findings table shows
    the repository as a group heading instead)."""
    return f"{f.repository}: {f.path}" if f.repository else f.path


def _cards(findings: list[Finding]) -> str:
    keys: dict[str, str] = {}
    for f in findings:
        keys.setdefault(f.secret_sha256, f.status)
    by_key = Counter(keys.values())
    by_finding = Counter(f.status for f in findings)
    cards = []
    for status in STATUSES:
        cards.append(
            f'<div class="card s-{status}"><div class="num">{by_key.get(status, 0)}</div>'
            f'<div class="what">{label(status)} key(s)</div>'
            f'<div class="sub">{by_finding.get(status, 0)} finding(s)</div></div>')
    totals = (f"{len(findings)} finding(s) of {len(keys)} distinct key(s); "
              f"{len({_where(f) for f in findings})} path(s)")
    if any(f.revocation is not None for f in findings):
        revoked = sum(1 for f in findings if f.revocation is not None and f.revocation.status == "revoked")
        totals += f"; {revoked} finding(s) of revoked keys"
    return f'<section class="cards">{"".join(cards)}</section><p class="totals">{esc(totals)}</p>'


_CLOCK_STEPS = (1, 5, 15, 30, 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400)
_MONTH_STEPS = (1, 2, 3, 6)


def _ticks(lo: float, hi: float, most: int = 7) -> list[tuple[float, str]]:
    """Axis ticks at round minutes, hours, days, months or years, whichever fits the span, at most ``most``."""
    span = hi - lo
    for step in _CLOCK_STEPS:
        if span / step <= most:
            first = math.ceil(lo / step) * step
            stamps = [first + i * step for i in range(int((hi - first) // step) + 1)]
            if step >= 86400:
                return [(t, f"{datetime.fromtimestamp(t, UTC):%Y-%m-%d}") for t in stamps]
            clock = "%H:%M" if step >= 60 else "%H:%M:%S"
            ticks: list[tuple[float, str]] = []
            day = None
            for t in stamps:  # the date on the first tick of each day, the time on every tick
                when = datetime.fromtimestamp(t, UTC)
                ticks.append((t, when.strftime(f"%Y-%m-%d {clock}" if when.date() != day else clock)))
                day = when.date()
            return ticks
    start, end = (datetime.fromtimestamp(t, UTC) for t in (lo, hi))
    first, last = start.year * 12 + start.month, end.year * 12 + end.month
    months = next((m for m in _MONTH_STEPS if (last - first) / m <= most), None)
    if months is not None:
        marks = [datetime(m // 12, m % 12 + 1, 1, tzinfo=UTC) for m in range(first, last + 1)
                 if (m % 12) % months == 0]
        fmt = "%Y-%m"
    else:
        years = next(n for n in (1, 2, 5, 10, 20, 50, 100) if (end.year - start.year) / n <= most)
        marks = [datetime(y, 1, 1, tzinfo=UTC) for y in range(start.year, end.year + 1) if y % years == 0]
        fmt = "%Y"
    return [(m.timestamp(), m.strftime(fmt)) for m in marks if lo <= m.timestamp() <= hi]


def _timeline(findings: list[Finding]) -> str:
    """SVG: one dot per distinct key at the moment it was first introduced, one lane per status that occurs;
    the axis spans exactly the dates found (minutes apart or years apart)."""
    first: dict[str, tuple[datetime, Finding]] = {}
    for f in findings:
        when = _parse_date(f.commit_date)
        if when is not None and (f.secret_sha256 not in first or when < first[f.secret_sha256][0]):
            first[f.secret_sha256] = (when, f)
    if not first:
        return '<p class="empty">No commit dates: run <code>yardguard history --format html</code> for a timeline.</p>'
    lanes = [s for s in STATUSES if any(_lane(f) == s for _, f in first.values())]
    width, left, right, top, lane = 960, 110, 30, 14, 40
    height = top + lane * len(lanes) + 44
    stamps = [w.timestamp() for w, _ in first.values()]
    lo, hi = min(stamps), max(stamps)
    pad = (hi - lo) * 0.05 or 1800  # a single moment: an hour around it
    pad = max(pad, 2.0)  # keys a second apart: a few seconds of axis
    lo, hi = lo - pad, hi + pad
    span = hi - lo
    precise = span < 2 * 86400  # keys hours apart: say when, not only which day

    def x(ts: float) -> float:
        return left + (ts - lo) / span * (width - left - right)

    parts = [f'<svg class="timeline" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="When each leaked key was introduced" xmlns="http://www.w3.org/2000/svg">']
    for i, status in enumerate(lanes):
        y = top + lane * i + lane / 2
        parts.append(f'<line class="lane" x1="{left}" x2="{width - right}" y1="{y}" y2="{y}"/>'
                     f'<text class="lanelabel" x="{left - 10}" y="{y + 4}" text-anchor="end">{label(status)}</text>')
    axis_y = top + lane * len(lanes) + 8
    parts.append(f'<line class="axis" x1="{left}" x2="{width - right}" y1="{axis_y}" y2="{axis_y}"/>')
    for ts, tick in _ticks(lo, hi):
        parts.append(f'<line class="tick" x1="{x(ts):.1f}" x2="{x(ts):.1f}" y1="{axis_y}" y2="{axis_y + 5}"/>'
                     f'<text class="ticklabel" x="{x(ts):.1f}" y="{axis_y + 20}" text-anchor="middle">{tick}</text>')
    placed: dict[int, list[float]] = {}
    for when, f in sorted(first.values(), key=lambda item: item[0]):
        lane_index = lanes.index(_lane(f))
        cx = x(when.timestamp())
        crowd = sum(1 for other in placed.setdefault(lane_index, []) if abs(other - cx) < 12)
        placed[lane_index].append(cx)
        offset = 0 if crowd == 0 else (crowd + 1) // 2 * 8 * (1 if crowd % 2 else -1)  # 0, +8, -8, +16 ...
        y = top + lane * lane_index + lane / 2 + max(-16, min(16, offset))
        moment = f"{when:%Y-%m-%d %H:%M} UTC" if precise else f"{when:%Y-%m-%d}"
        tip = f"{f.redacted} - {label(f.status)} - introduced {moment} in {_where(f)} by {_author(f)}"
        parts.append(f'<circle class="dot s-{esc(f.status)}" cx="{cx:.1f}" cy="{y:.1f}" r="6">'
                     f'<title>{esc(tip)}</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


def _lane(f: Finding) -> str:
    return f.status if f.status in STATUSES else "unknown"


def _verification(f: Finding) -> str:
    """The status badge, then each verification fact on its own line, never wrapped inside a value."""
    v = f.verification
    items = [(k.replace("_", " "), value) for k, value in v.stated().items()]
    facts = "".join(f'<div class="detail fact">{esc(k)}: {_fact(value)}</div>' for k, value in items)
    if v.detail:
        facts += f'<div class="detail">{esc(v.detail)}</div>'
    return _badge(f.status) + facts


def _fact(value: object) -> str:
    """A verification value; a timestamp as ``2024-03-05 10:20 UTC`` (the exact value in its title)."""
    when = _parse_date(value) if isinstance(value, str) and len(value) > 10 else None
    if when is None:
        return f'<span class="v">{esc(value)}</span>'
    return f'<span class="v" title="{esc(value)}">{when:%Y-%m-%d %H:%M} UTC</span>'


def _revocation(f: Finding) -> str:
    r = f.revocation
    if not r:
        return '<span class="muted">-</span>'
    text = f'<span class="rev rev-{esc(r.status)}">{esc(r.status)}</span>'
    return text + (f'<div class="detail">{esc(r.detail)}</div>' if r.detail else "")


def _date_cell(raw: str | None, when: datetime | None) -> str:
    if not raw:
        return '<span class="muted">-</span>'
    if when is None:
        return f'<time datetime="{esc(raw)}">{esc(raw)}</time>'
    return (f'<time datetime="{esc(raw)}" title="{esc(raw)}">{when:%Y-%m-%d}'
            f'<span class="detail">{when:%H:%M} UTC</span></time>')


def _decoded(f: Finding) -> str:
    return f" · decoded from {esc(f.decoded_from)}" if f.encoding else ""


def _breakable(path: str) -> str:
    """``path`` escaped, with a line-break opportunity after each ``/`` (CSS breaks a segment too long for
    its column, and only then)."""
    return "/<wbr>".join(esc(part) for part in path.split("/"))


def _path(f: Finding) -> str:
    return _breakable(f.path)


_IN_HEAD = {True: ("head", "In HEAD", "The key is still at this path in HEAD: delete it there too"),
            False: ("history", "History only", "Only past commits have the key at this path")}


def _head_cell(f: Finding) -> str:
    if f.in_head is None:
        return '<span class="muted">-</span>'
    css, label, title = _IN_HEAD[f.in_head]
    return f'<span class="where-{css}" title="{title}">{label}</span>'


def _commit_cell(f: Finding, extra: dict[str, Any]) -> str:
    if not f.commit:
        return '<span class="muted">-</span>'
    sha = f'<code title="{esc(f.commit)}">{esc(f.commit[:12])}</code>'
    repository = extra.get("repository_url") or forge.repository_url(f.repository or "")
    url = forge.commit_url(repository, f.commit)
    if url:
        sha = f'<a href="{esc(url)}" rel="noreferrer noopener">{sha}</a>'
    subject = extra.get("subjects", {}).get(f.commit)
    author = _author(f)
    return (sha + (f'<div class="subject">{esc(subject)}</div>' if subject else "")
            + (f'<div class="detail">by {esc(author)}</div>' if author else ""))


class _Columns:
    """Which optional columns a report has: revocation only when a revocation ran, HEAD only for history."""

    def __init__(self, findings: list[Finding]) -> None:
        self.revocation = any(f.revocation is not None for f in findings)
        self.head = any(f.in_head is not None for f in findings)


def _row(f: Finding, show_secrets: bool, columns: _Columns, extra: dict[str, Any]) -> str:
    when = _parse_date(f.commit_date)
    attrs = (f'data-status="{URGENCY.get(f.status, 9)}" data-date="{_iso(when)}" '
             f'data-author="{esc(_author(f).lower())}" data-path="{esc(_where(f).lower())}"')
    cells = [
        f'<td class="status">{_verification(f)}</td>',
        f'<td class="path">{_path(f)}<span class="muted place">:{f.line}:{f.column}</span>'
        f'<div class="detail">{esc(f.rule.id)}{_decoded(f)}</div></td>',
        f'<td><code class="secret">{esc(f.secret if show_secrets else f.redacted)}</code>'
        f'<div class="detail" title="SHA-256 of the secret">{esc(f.secret_sha256[:16])}…</div></td>',
    ]
    if columns.head:
        cells.append(f"<td>{_head_cell(f)}</td>")
    cells += [
        f'<td class="commit">{_commit_cell(f, extra)}</td>',
        f'<td class="date">{_date_cell(f.commit_date, when)}</td>',
    ]
    if columns.revocation:
        cells.append(f"<td>{_revocation(f)}</td>")
    return f"<tr {attrs}>{''.join(cells)}</tr>"


def _table(findings: list[Finding], show_secrets: bool, extra: dict[str, Any]) -> str:
    """The findings table, live keys first; in an audit one group of rows per repository."""
    def th(label: str, key: str | None = None) -> str:
        if key is None:
            return f"<th>{label}</th>"
        return f'<th aria-sort="none"><button type="button" data-sort="{key}">{label}</button></th>'

    columns = _Columns(findings)
    heads = [th("Status", "status"), th("Path", "path"), th("Secret")]
    heads += [th("HEAD")] if columns.head else []
    heads += [th("Commit, author", "author"), th("Introduced", "date")]
    heads += [th("Revocation")] if columns.revocation else []
    groups: dict[str, list[Finding]] = {}
    for f in ordered(findings):
        groups.setdefault(f.repository or "", []).append(f)
    bodies = []
    for repository, group in sorted(groups.items()):
        caption = ""
        if repository:
            keys = len({f.secret_sha256 for f in group})
            caption = (f'<tr class="group"><th colspan="{len(heads)}">{esc(repository)} '
                       f'<span class="muted">{len(group)} finding(s), {keys} key(s)</span></th></tr>')
        rows = "".join(_row(f, show_secrets, columns, extra) for f in group)
        bodies.append(f"<tbody>{caption}{rows}</tbody>")
    return (f'<input id="filter" type="search" placeholder="Filter findings (path, author, status...)" '
            f'aria-label="Filter findings">'
            f'<div class="scroll"><table id="findings"><thead><tr>{"".join(heads)}</tr></thead>{"".join(bodies)}'
            f"</table></div>")


def _counts(title: str, groups: dict[str, list[Finding]]) -> str:
    biggest = max((len(v) for v in groups.values()), default=1)
    items = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    rows = []
    for name, group in items[:_LIST_LIMIT]:
        live = sum(1 for f in group if f.status == "live")
        width = 100 * len(group) / biggest
        rows.append(f'<tr><td class="name">{_breakable(name) or "(unknown)"}</td><td class="n">{len(group)}</td>'
                    f'<td class="n live-n">{live or ""}</td>'
                    f'<td class="barcell"><div class="bar" style="width:{width:.0f}%"></div></td></tr>')
    more = (f'<p class="muted">and {len(items) - _LIST_LIMIT} more</p>' if len(items) > _LIST_LIMIT else "")
    return (f"<div><h2>{esc(title)}</h2><table class=\"counts\"><thead><tr><th>{esc(title.split()[-1])}</th>"
            f"<th>Findings</th><th>Live</th><th></th></tr></thead><tbody>{''.join(rows)}</tbody></table>{more}</div>")


def _grouped(findings: list[Finding]) -> str:
    by_author: dict[str, list[Finding]] = {}
    by_path: dict[str, list[Finding]] = {}
    for f in findings:
        by_author.setdefault(_author(f), []).append(f)
        by_path.setdefault(_where(f), []).append(f)
    return (f'<section class="two">{_counts("Findings by author", by_author)}'
            f'{_counts("Findings by path", by_path)}</section>')


def _repositories(rows: list[dict[str, object]]) -> str:
    """The audit's repository table (``ReportContext.extra["repositories"]``)."""
    body = "".join(
        f'<tr><td class="name">{esc(r.get("url", ""))}</td><td>{esc(r.get("status", ""))}</td>'
        f'<td class="n">{esc(r.get("findings", 0))}</td><td>{esc(r.get("scanned_at") or "")}</td>'
        f'<td class="detail">{esc(r.get("error") or "")}</td></tr>' for r in rows)
    return ('<section><h2>Repositories</h2><div class="scroll"><table class="counts"><thead><tr><th>Repository</th>'
            f"<th>Status</th><th>Findings</th><th>Scanned</th><th>Error</th></tr></thead><tbody>{body}</tbody>"
            "</table></div></section>")


_RECHECK = {
    "audit": "<code>yardguard audit --verify</code> with the same <code>--repos</code>/<code>--repos-dir</code> "
             "and <code>--store</code>, then <code>yardguard audit report --format html</code>",
    "scan": "<code>yardguard scan --verify</code>",
}
"""The command that re-verifies the keys of a report, by the command that wrote it (default: history)."""


def _checklist(findings: list[Finding], command: str) -> str:
    """Remediation steps whose commands fit the report (an audit re-verifies with ``audit --verify``)."""
    live = len({f.secret_sha256 for f in findings if f.status == "live"})
    unchecked = len({f.secret_sha256 for f in findings if f.status in ("unknown", "not_checked")})
    link = f'<a href="{esc(DASHBOARD_URL)}" rel="noreferrer noopener">{esc(DASHBOARD_URL)}</a>'
    first = (f"Revoke the {live} live key(s) now" if live else "Revoke every key that may still work") + (
        f" in the Trackyard dashboard, {link}. Find each one by its created date and last-used time "
        "(shown above). Deleting the line does not un-leak a key.")
    recheck = _RECHECK.get(command, "<code>yardguard history --verify</code>")
    in_head = any(f.in_head for f in findings)
    steps = [
        first,
        f"Rotate: create a replacement key, deploy it, and confirm the old one is dead ({recheck} reports it "
        "as Invalid)." + (f" {unchecked} key(s) have not been proven dead yet." if unchecked else ""),
        f"Move the key out of the code: read it from the <code>{ENV_VAR}</code> environment variable "
        "(a CI secret or your secret manager in production)."
        + (" The HEAD column shows which files still hold a key today." if in_head else ""),
    ]
    if command == "scan":
        steps.append("If a file was ever committed, check the history too: <code>yardguard history</code> "
                     "finds the key in every commit that has it.")
    else:
        steps.append("Purge history if needed: the key stays in every clone, fork and cache of the old commits. "
                     "Rewrite the history (<code>git filter-repo --replace-text</code>), force-push, and ask "
                     "collaborators to re-clone. Revocation is what actually protects you; purging only limits "
                     "the noise.")
    steps.append("Stop the next one: install the pre-commit hook (<code>yardguard install-hooks</code>"
                 + (" in each repository" if command == "audit" else "")
                 + ") and the pull-request gate (the yardguard GitHub Action or GitLab job).")
    items = "".join(f'<li><label><input type="checkbox"> <span>{s}</span></label></li>' for s in steps)
    return f'<section><h2>Remediation checklist</h2><ol class="checklist">{items}</ol></section>'


_CSS = """
:root{--bg:#f7f7f9;--fg:#1d1f24;--muted:#6a6f7a;--card:#fff;--line:#e2e4ea;--live:#c62828;--invalid:#2e7d32;
--unknown:#b26a00;--not_checked:#45607a;--accent:#3949ab}
@media (prefers-color-scheme:dark){:root{--bg:#15171c;--fg:#e6e8ee;--muted:#9aa0ac;--card:#1f2229;--line:#323641;
--live:#ef5350;--invalid:#66bb6a;--unknown:#ffa726;--not_checked:#90a4ae;--accent:#9fa8da}}
*{box-sizing:border-box}
body{margin:0;padding:24px 32px;background:var(--bg);color:var(--fg);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
h1{margin:0 0 4px;font-size:24px}h2{font-size:17px;margin:28px 0 10px}
.meta,.muted,.totals{color:var(--muted)}.meta{margin:0 0 20px}
.cards{display:grid;grid-template-columns:repeat(4,minmax(140px,1fr));gap:12px}
.card{background:var(--card);border:1px solid var(--line);border-top:5px solid;border-radius:8px;padding:14px}
.card .num{font-size:34px;font-weight:700}.card .what{font-weight:600}.card .sub{color:var(--muted);font-size:12px}
.card.s-live{border-top-color:var(--live)}.card.s-live .num{color:var(--live)}
.card.s-invalid{border-top-color:var(--invalid)}.card.s-unknown{border-top-color:var(--unknown)}
.card.s-not_checked{border-top-color:var(--not_checked)}
.timeline{width:100%;height:auto;background:var(--card);border:1px solid var(--line);border-radius:8px}
.timeline .lane{stroke:var(--line)}.timeline .axis,.timeline .tick{stroke:var(--muted)}
.timeline text{fill:var(--muted);font-size:12px}
.dot{stroke:var(--card);stroke-width:1.5}.dot.s-live{fill:var(--live)}.dot.s-invalid{fill:var(--invalid)}
.dot.s-unknown{fill:var(--unknown)}.dot.s-not_checked{fill:var(--not_checked)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line)}
th,td{text-align:left;padding:7px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.03em;color:var(--muted);white-space:nowrap}
th button{all:unset;cursor:pointer;color:var(--accent)}th button::after{content:" \\2195";color:var(--muted)}
th[aria-sort=ascending] button::after{content:" \\2191"}th[aria-sort=descending] button::after{content:" \\2193"}
td.path{max-width:300px;overflow-wrap:break-word}code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
.detail{color:var(--muted);font-size:12px}
td.status{min-width:13em}.fact{white-space:nowrap}.fact .v{color:var(--fg)}
td.date,td.date time{white-space:nowrap}td.date .detail{display:block}
td.commit{min-width:12em;max-width:300px}.subject{overflow-wrap:break-word}.place{white-space:nowrap}
.where-head{color:var(--live);font-weight:600;white-space:nowrap}.where-history{color:var(--muted);white-space:nowrap}
tr.group th{background:var(--bg);color:var(--fg);text-transform:none;letter-spacing:0;font-size:14px;
white-space:normal;overflow-wrap:anywhere;padding-top:14px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff}
.badge.s-live{background:var(--live)}.badge.s-invalid{background:var(--invalid)}
.badge.s-unknown{background:var(--unknown)}.badge.s-not_checked{background:var(--not_checked)}
.rev-revoked{color:var(--invalid);font-weight:600}.rev-failed{color:var(--live);font-weight:600}
#filter{margin:0 0 10px;padding:6px 10px;width:min(420px,100%);border:1px solid var(--line);border-radius:6px;
background:var(--card);color:var(--fg)}
.two{display:grid;grid-template-columns:1fr 1fr;gap:24px}
.counts td.name{overflow-wrap:anywhere}section+.cards{margin-top:24px}
.counts td.n{text-align:right;width:1%}.live-n{color:var(--live);font-weight:600}
.barcell{width:30%}.bar{height:10px;border-radius:5px;background:var(--accent);min-width:2px}
.checklist li{margin:8px 0}.checklist input{margin-right:6px}
a{color:var(--accent)}
@media (max-width:800px){.cards,.two{grid-template-columns:1fr 1fr}.two{grid-template-columns:1fr}}
@media print{#filter{display:none}body{background:#fff}}
"""

_JS = """
(function () {
  var table = document.getElementById('findings');
  if (!table) { document.body.setAttribute('data-ready', '1'); return; }
  var current = null, direction = 1;
  function value(row, key) { return row.getAttribute('data-' + key) || ''; }
  function rowsOf(body) {  // the finding rows of one group (a repository's heading row stays first)
    return Array.prototype.filter.call(body.rows, function (row) { return row.hasAttribute('data-status'); });
  }
  function sortBy(key) {
    direction = current === key ? -direction : 1;
    current = key;
    Array.prototype.forEach.call(table.tBodies, function (body) {
      var rows = rowsOf(body);
      rows.sort(function (a, b) {
        var x = value(a, key), y = value(b, key);
        if (key === 'status') { return (Number(x) - Number(y)) * direction; }
        if (x === y) { return 0; }
        if (!x) { return 1; }
        if (!y) { return -1; }
        return (x < y ? -1 : 1) * direction;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
    table.querySelectorAll('th[aria-sort]').forEach(function (th) {
      var button = th.querySelector('button');
      th.setAttribute('aria-sort', button.getAttribute('data-sort') !== key ? 'none'
        : direction === 1 ? 'ascending' : 'descending');
    });
  }
  table.querySelectorAll('th button[data-sort]').forEach(function (button) {
    button.addEventListener('click', function () { sortBy(button.getAttribute('data-sort')); });
  });
  var filter = document.getElementById('filter');
  filter.addEventListener('input', function () {
    var needle = filter.value.toLowerCase();
    Array.prototype.forEach.call(table.tBodies, function (body) {
      var shown = 0;
      rowsOf(body).forEach(function (row) {
        row.hidden = needle !== '' && row.textContent.toLowerCase().indexOf(needle) < 0;
        shown += row.hidden ? 0 : 1;
      });
      body.hidden = shown === 0;
    });
  });
  document.body.setAttribute('data-ready', '1');
})();
"""


def render(findings: list[Finding], ctx: ReportContext) -> str:
    """The whole report as one HTML document."""
    nonce = secrets.token_urlsafe(16)
    csp = (f"default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-{nonce}'; img-src data:; "
           "base-uri 'none'; form-action 'none'")
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    meta = [f"generated {generated} by yardguard {__version__}", f"command: {ctx.command}"]
    if ctx.repo_root:
        meta.append(f"repository: {ctx.repo_root}")
    if ctx.extra.get("range"):
        meta.append(f"range: {ctx.extra['range']}")
    body = ((_repositories(ctx.extra["repositories"]) if ctx.extra.get("repositories") else "")
            + _cards(findings)
            + "<section><h2>When the leaked keys were introduced</h2>" + _timeline(findings) + "</section>"
            + "<section><h2>Findings</h2>"
            + (_table(findings, ctx.show_secrets, ctx.extra) if findings
               else '<p class="empty">No Trackyard keys found.</p>')
            + "</section>"
            + (_grouped(findings) if findings else "")
            + _checklist(findings, ctx.command))
    script = f'<script nonce="{nonce}">{_JS}</script>'
    return ("<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="referrer" content="no-referrer">'
            "<title>yardguard audit report: Trackyard API keys</title>"
            f"<style>{_CSS}</style></head>"
            "<body><header><h1>Trackyard API key audit</h1>"
            f'<p class="meta">{" &middot; ".join(esc(m) for m in meta)}</p></header>'
            f"{body}{script}</body></html>\n")

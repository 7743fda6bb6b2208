"""The decoding stage proper: raw matches, then matches in every decoded run (recursively, within a
depth and a budget), then UTF-16 text, then the members of a container (each scanned the same way, to
``max_archive_depth``): one list of findings per scanned buffer.

A match found in decoded text is a :class:`DecodedMatch`: it carries the decoded secret, the chain of
encodings it was found under (outermost first), and the span of the encoded run in the scanned buffer,
which is what the finding's line and column point at (the place the user must edit). A raw match inside
an encoded run is encoded text, never a key: it is dropped (its decoded form is judged instead). A finding
in a container member has the path ``outer!member`` (``member`` set), its line and column inside the
member, and the container's kind first in its ``encoding``."""
from __future__ import annotations

import bisect
import sys
from collections.abc import Callable, Iterator

from scanner.decoding import DecodeOptions, base64text, entities, escapes, hexstr, percent, utf16
from scanner.decoding.containers import ArchiveLimits, container_kind, open_container
from scanner.decoding.containers import label as label_member
from scanner.decoding.containers.members import Repeatable
from scanner.decoding.gate import LiteralSearch, archive_literals, encoded_literals
from scanner.decoding.runs import Run
from scanner.engine import Buffer, Engine, KeywordMatcher, Match, RegexTimeout, View, minimal_keywords
from scanner.filters import has_allow_comment
from scanner.findings import Locator, Occurrences, dedupe_locations, matches_to_findings
from scanner.model import Finding, printable

DECODERS = (base64text, hexstr, percent.FORM, escapes.FORM, entities.FORM)
"""The text forms recognised inside a buffer, each with ``runs(data, wanted)``."""
CONTEXT = 512
"""Bytes of the surrounding text scanned with each decoded run: ``TRACKYARD_API_KEY: <base64>`` is
only a key with its name (the bearer rule looks up to 400 characters away for its host)."""
REACH = 64 << 10
"""How far from a keyword (plain or encoded) a run is looked for: to the ends of the lines around it, but
no further than this (a single line of 1 MB is cut there)."""
MAX_RUNS = 10_000
"""Decoded runs per scanned file (all depths together)."""
MAX_DECODED = 64 << 20
"""Decoded bytes per scanned file (all depths together)."""
MIN_ENCODED_ARCHIVE = 32
"""Decoded bytes below which base64 is not opened as a container: the smallest archive that can hold a key
is larger, and shorter runs are mentions of a magic prefix (``H4sI`` in a document), not archives."""

Warn = Callable[[str, str], None]


def print_warning(where: str, message: str) -> None:
    """``yardguard: warning: <where>: <message>`` on stderr (never secret material)."""
    print(f"yardguard: warning: {printable(where)}: {message}", file=sys.stderr)


class RepeatedWarnings:
    """The warnings of one container's members: a :class:`Repeatable` one said of a member itself waits, and
    once the container is read, one line per reason names the container, how many members had it and the
    first (33 unsupported .pyc in a few eggs were 33 lines); a reason met once, and every other warning, is
    said as it is."""

    def __init__(self, label: str, warn: Warn) -> None:
        self.label, self.warn = label, warn
        self._held: dict[str, list[tuple[str, str, str]]] = {}  # reason -> [(member, where, message)]

    def of(self, member: str, where_member: str) -> Warn:
        """The ``warn`` for the scan of ``member``, which its own warnings name ``where_member``."""

        def warn(where: str, message: str) -> None:
            if isinstance(message, Repeatable) and where == where_member:
                self._held.setdefault(message.many, []).append((member, where, message))
            else:
                self.warn(where, message)
        return warn

    def say(self) -> None:
        """The held warnings: one line per reason."""
        for many, held in self._held.items():
            if len(held) == 1:
                self.warn(held[0][1], held[0][2])
            else:
                self.warn(self.label, many.format(count=len(held), first=label_member(held[0][0])))
        self._held.clear()


class DecodedMatch(Match):
    """A match in decoded text: ``start``/``end`` span the encoded run in the scanned buffer (in a base64
    block wrapped over lines, the encoded bytes of the match itself, from the line they begin on),
    ``secret`` is the decoded key and ``encoding`` the chain of forms it was decoded from."""

    __slots__ = ("encoding",)

    def __init__(self, match: Match, span: tuple[int, int], encoding: tuple[str, ...]) -> None:
        super().__init__(match.rule, span[0], span[1], match.secret)
        self.encoding = encoding


def encoded_span(data: Buffer, run: Run, start: int, end: int) -> tuple[int, int]:
    """Where in ``data`` the bytes ``start:end`` of ``run.decoded`` are encoded: the whole run, unless it is
    a base64 block wrapped over lines, where a finding's line is the one its key's encoding begins on."""
    if run.form != base64text.NAME or data.find(b"\n", run.start, run.end) < 0:
        return run.start, run.end
    first, last = base64text.encoded_chars(max(start, 0), min(end, len(run.decoded)))
    low, high = base64text.char_offsets(bytes(data[run.start:run.end]), first, last)
    return run.start + low, run.start + high


class Budget:
    """What one scanned file may still decode; running out is reported once."""

    __slots__ = ("runs", "nbytes", "spent")

    def __init__(self) -> None:
        self.runs, self.nbytes, self.spent = MAX_RUNS, MAX_DECODED, False

    def take(self, run: Run) -> bool:
        self.runs -= 1
        self.nbytes -= len(run.decoded)
        self.spent = self.runs < 0 or self.nbytes < 0
        return not self.spent


def windows(data: Buffer, anchors: list[int]) -> list[tuple[int, int]]:
    """Disjoint spans of ``data`` around the sorted ``anchors``: from the start of the line :data:`CONTEXT`
    bytes before each to the end of the line as far after it, each side at most :data:`REACH` away.
    A base64 block wrapped at 64/76 columns decodes the same from any of its line starts."""
    spans: list[tuple[int, int]] = []
    line_ends = Occurrences(data, b"\n", 16 * REACH)  # anchors ascend: a long line is searched once
    for at in anchors:
        end = line_ends.find(at + CONTEXT, at + REACH)
        high = min(len(data), at + REACH if end < 0 else end)
        # its span starts at most CONTEXT bytes before it: within the previous span, it joins it
        if spans and max(0, at - CONTEXT) <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], high))
            continue
        low = max(data.rfind(b"\n", max(0, at - REACH), max(0, at - CONTEXT)) + 1, at - REACH, 0)
        if spans and low <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], high))
        else:
            spans.append((low, high))
    return spans


def outside_runs(matches: list[Match], runs: list[Run]) -> list[Match]:
    """The ``matches`` that lie within none of ``runs`` (sorted by start): a match inside a run is encoded
    text, not a key. Linear in both, plus a binary search per match (a line of 10,000 keys has as many
    runs)."""
    if not runs:
        return matches
    starts, reach, furthest = [], [], 0
    for r in runs:  # reach[i]: the furthest end of runs[0..i]
        furthest = max(furthest, r.end)
        starts.append(r.start)
        reach.append(furthest)
    kept = []
    for m in matches:
        i = bisect.bisect_right(starts, m.start)
        if not (i and reach[i - 1] >= m.end):
            kept.append(m)
    return kept


class Decoder:
    """The engine behind the decoding stage: ``worth_scanning`` is the cheap skip test every source
    applies first, ``scan`` the one place a buffer becomes findings."""

    def __init__(self, engine: Engine, options: DecodeOptions | None = None, warn: Warn = print_warning) -> None:
        self.engine, self.warn = engine, warn
        self.options = options = options or DecodeOptions()
        keywords = minimal_keywords(k for r in engine.rules for k in r.keywords)
        self.literals = encoded_literals(k.encode() for k in keywords) if options.decode else []
        self._archives = options.archives and options.max_archive_depth > 0
        # a base64-encoded archive (a zip in a YAML value) shows no encoded keyword: its first characters do
        self._archive_literals = archive_literals() if options.decode and self._archives else []
        self.literals += self._archive_literals
        self._encoded = LiteralSearch(self.literals)
        self._gate = LiteralSearch(self.literals, engine.keywords)
        self._keyword_at = KeywordMatcher(k.encode() for k in keywords)  # where each keyword is (anchors)
        self._utf16 = [lit for lit in self.literals if b"\0" in lit]
        self._utf16_search = LiteralSearch(self._utf16)  # many rules: one pass, not one search per literal
        self.limits = ArchiveLimits(options.max_archive_bytes, options.max_archive_entries, options.max_archive_ratio)

    def expect_many(self) -> None:
        """The caller is about to ask :meth:`worth_scanning` of many buffers (a whole history): its one-pass
        matcher starts now, not after the first MiB."""
        self._gate.expect_many()

    def worth_scanning(self, data: Buffer, name: str = "") -> bool:
        """False when ``data`` (named ``name``, if known) can hold no key in any form the run looks for: no
        keyword and no encoded keyword (one pass for both), no UTF-16 byte-order mark, not a container."""
        return self._gate.any(data) or self.opens(data, name)

    def opens(self, data: View, name: str = "") -> bool:
        """``data`` starts like something this run opens whole: a UTF-16 byte-order mark (when decoding) or a
        container's magic bytes (when opening archives). Looks at its first bytes only."""
        return ((self.options.decode and bytes(data[:2]) in (b"\xff\xfe", b"\xfe\xff"))
                or (self._archives and container_kind(data, name) is not None))

    def skip_test(self) -> Callable[[View], bool]:
        """:meth:`worth_scanning` (without a name) for many buffers from the calling thread: a whole
        history asks it of every blob, its lookups done once."""
        gate, opens = self._gate.any_test(), self.opens

        def worth(data: View) -> bool:
            return gate(data) or opens(data)
        return worth

    def scan(self, data: Buffer, path: str, label: str | None = None, warn: Warn | None = None) -> list[Finding]:
        """Every finding in one buffer (before path filters and baseline); warnings name ``label``
        (default ``path``) and go to ``warn`` (default the decoder's)."""
        budget = Budget()
        where = path if label is None else label
        warn = warn or self.warn
        try:
            found = self._scan(data, path, where, 0, 0, budget, warn)
        except RegexTimeout as e:  # the scan is incomplete: say where (exit 2)
            raise e.at(printable(where or path)) from None
        if budget.spent:
            warn(where, f"decoding stopped after {MAX_RUNS} encoded runs or {MAX_DECODED >> 20} MiB "
                        "(the raw bytes were scanned whole)")
        return dedupe_locations(found)

    def holds(self, data: Buffer, secret: str, label: str) -> bool:
        """True when ``data`` holds ``secret``, plain or in any form this decoder reads (an older version
        of a file that already had the key, even encoded otherwise, does not introduce it)."""
        if data.find(secret.encode("utf-8", "surrogateescape")) >= 0:
            return True
        return secret in self.secrets_in(data, label)

    def secrets_in(self, data: Buffer, label: str) -> set[str]:
        """The secrets of every finding in ``data``, in any form this decoder reads; no warning (a question,
        not a scan: the buffer's own scan has warned already)."""
        def quiet(where: str, message: str) -> None:
            pass
        return {f.secret for f in self.scan(data, "", label, quiet)} if self.worth_scanning(data) else set()

    def _scan(self, data: Buffer, path: str, label: str, depth: int, archive_depth: int, budget: Budget,
              warn: Warn) -> list[Finding]:
        """Findings in ``data`` as text, then in its members if it is a container, and in the members of the
        containers encoded in it as base64 (the chain then starts with ``base64``, and line and column are
        the encoded run's)."""
        encoded: list[Run] = []
        found = self._text(data, path, depth, budget, encoded)
        if self._archives and archive_depth < self.options.max_archive_depth:
            inside = []
            if container_kind(data, path) is not None:
                inside = self._members(data, path, label, archive_depth, budget, warn)
            for run in encoded:  # placed at the encoded run (the place to edit), like any decoded finding
                where = Locator(data).locate(run.start, run.end)
                if not has_allow_comment(where.context):
                    inside += [f.replace(encoding=(run.form, *f.encoding), line=where.line, column=where.column)
                               for f in self._members(run.decoded, path, label, archive_depth, budget, warn)]
            # a key stored uncompressed is also in the raw bytes, maybe glued to a length or type byte
            # (.pyc, SQLite): the member's finding, with the bare key, is the one reported
            keys = {f.secret for f in inside}
            found = [f for f in found if not any(key in f.secret for key in keys)] + inside
        return found

    def _text(self, data: Buffer, path: str, depth: int, budget: Budget, archives: list[Run] | None = None
              ) -> list[Finding]:
        """Findings in ``data`` read as text: raw, in its encoded runs, and as UTF-16. The base64 runs that
        decode to a container are added to ``archives`` (when given) for the caller to open."""
        raw = list(self.engine.scan(data))
        if not self.options.decode or depth >= self.options.max_decode_depth:
            return list(matches_to_findings(raw, data, path))
        runs = self._runs(data, budget) if self._may_hide_key(data) else []
        if archives is not None and self._archive_literals:
            archives += self._archive_runs(data, budget)
            runs = sorted([*runs, *archives], key=lambda r: r.start)  # its raw bytes are encoded text
        kept = outside_runs(raw, runs)
        found = list(matches_to_findings([*kept, *self._decoded(data, runs, depth + 1, budget)], data, path))
        text = utf16.transcode(data, self._utf16) if self._utf16 and self._may_be_utf16(data) else None
        if text is not None:
            form, transcoded = text
            found += [f.replace(encoding=(form, *f.encoding))
                      for f in self._text(transcoded, path, depth + 1, budget)]
        return found

    def _members(self, data: Buffer, path: str, label: str, archive_depth: int, budget: Budget, warn: Warn
                 ) -> list[Finding]:
        """Findings in each member of the container ``data``: path ``path!name``, the kind first in the chain."""
        found: list[Finding] = []
        repeated = RepeatedWarnings(label, warn)
        for member in open_container(data, path, self.limits, lambda message: warn(label, message)):
            if not self.worth_scanning(member.data, member.name):
                continue
            inner = f"{path}!{member.name}"
            where = f"{label}!{label_member(member.name)}"  # a member's name is archive content: maybe a key
            for f in self._scan(member.data, inner, where, 0, archive_depth + 1, budget,
                                repeated.of(member.name, where)):
                nested = member.name if f.member is None else f"{member.name}!{f.member}"
                found.append(f.replace(member=nested, encoding=(member.kind, *f.encoding)))
        repeated.say()
        return found

    def _may_be_utf16(self, data: Buffer) -> bool:
        """``data`` starts with a UTF-16 byte-order mark or holds a NUL-interleaved keyword."""
        return (bytes(data[:2]) in (b"\xff\xfe", b"\xfe\xff")
                or (data.find(b"\0") >= 0 and self._utf16_search.any(data)))

    def _may_hide_key(self, data: Buffer) -> bool:
        """``data`` holds a keyword, plain or encoded: its encoded runs are worth decoding."""
        return self.engine.has_keyword(data) or self._encoded.any(data)

    def _anchors(self, data: Buffer) -> list[int]:
        """Sorted offsets in ``data`` of every plain keyword and every encoded keyword literal."""
        at = self._keyword_at.positions(data)
        for literal in self._encoded.found(data):
            i = data.find(literal)
            while i >= 0:
                at.append(i)
                i = data.find(literal, i + 1)
        return sorted(at)

    def _runs(self, data: Buffer, budget: Budget) -> list[Run]:
        """The encoded runs of ``data`` that decode to text, in order, within ``budget``. Runs are looked
        for only in the lines around a keyword (plain or encoded, see :func:`windows`), and only a run that
        holds an encoded keyword or has a keyword within :data:`CONTEXT` bytes (``TRACKYARD_API_KEY:
        <base64>``) is decoded: a big file that mentions a keyword once is not decoded whole."""
        anchors = self._anchors(data)
        runs: list[Run] = []
        for low, high in windows(data, anchors):
            view = bytes(data[low:high])

            def near_keyword(start: int, end: int, low: int = low) -> bool:
                i = bisect.bisect_left(anchors, low + start - CONTEXT)
                return i < len(anchors) and anchors[i] < low + end + CONTEXT

            for decoder in DECODERS:
                for run in decoder.runs(view, near_keyword):
                    if budget.spent or not budget.take(run):
                        return sorted(runs, key=lambda r: r.start)
                    runs.append(Run(run.form, low + run.start, low + run.end, run.decoded))
        return sorted(runs, key=lambda r: r.start)

    def _archive_runs(self, data: Buffer, budget: Budget) -> list[Run]:
        """The base64 texts in ``data`` that decode to a container, within ``budget``."""
        out: list[Run] = []
        for literal in self._archive_literals:
            at = data.find(literal)
            while at >= 0 and not budget.spent:
                run = base64text.block_at(data, at)
                if (run is not None and len(run.decoded) >= MIN_ENCODED_ARCHIVE
                        and container_kind(run.decoded, "") is not None and budget.take(run)):
                    out.append(run)
                at = data.find(literal, at + 1 if run is None else max(run.end, at + 1))
        return out

    def _decoded(self, data: Buffer, runs: list[Run], depth: int, budget: Budget) -> Iterator[DecodedMatch]:
        """Matches in each run's decoded text (read with its surroundings), and in the runs nested in it."""
        for run in runs:
            before = bytes(data[max(0, run.start - CONTEXT):run.start])
            window = before + run.decoded + bytes(data[run.end:run.end + CONTEXT])
            low, high = len(before), len(before) + len(run.decoded)
            for m in self.engine.scan(window):
                if m.start < high and m.end > low:
                    yield DecodedMatch(m, encoded_span(data, run, m.start - low, m.end - low), (run.form,))
            if depth < self.options.max_decode_depth and self._may_hide_key(run.decoded):
                for inner in self._decoded(run.decoded, self._runs(run.decoded, budget), depth + 1, budget):
                    span = encoded_span(data, run, inner.start, inner.end)
                    yield DecodedMatch(inner, span, (run.form, *inner.encoding))

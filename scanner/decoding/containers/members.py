"""What every container reader shares: the :class:`Member` it yields, the :class:`ArchiveLimits` it keeps to,
the ``warn`` callback it reports skips through, and :func:`label` for the names it shows."""
from __future__ import annotations

from collections.abc import Callable

Warn = Callable[[str], None]


class ArchiveLimits:
    """Per-archive bounds (config keys in brackets, defaults set by decode in config.py)."""

    __slots__ = ("max_bytes", "max_entries", "max_ratio")

    def __init__(self, max_bytes: int, max_entries: int, max_ratio: float) -> None:
        self.max_bytes = max_bytes      # total uncompressed bytes read from one archive [max_archive_bytes]
        self.max_entries = max_entries  # members looked at in one archive               [max_archive_entries]
        self.max_ratio = max_ratio      # uncompressed / compressed, per member and overall [max_archive_ratio]

    def __repr__(self) -> str:
        return f"ArchiveLimits({self.max_bytes}, {self.max_entries}, {self.max_ratio})"


class Member:
    """One thing inside a container: ``name`` is a label only (never a filesystem path; may contain
    '../' or start with '/': it is never opened), ``data`` its bytes, ``kind`` the container format it
    came from: "zip" | "tar" | "gzip" | "bz2" | "xz" | "sqlite" | "pyc"."""

    __slots__ = ("name", "data", "kind")

    def __init__(self, name: str, data: bytes, kind: str) -> None:
        self.name = name
        self.data = data
        self.kind = kind

    def __repr__(self) -> str:
        return f"Member({self.name!r}, <{len(self.data)} bytes>, {self.kind!r})"


class Repeatable(str):
    """A warning about one member that, when members of one archive repeat it, is said once for the archive
    (:class:`~scanner.decoding.stage.Decoder` gathers them): ``many`` is that line, with ``{count}`` and
    ``{first}`` (the first member's :func:`label`) to fill in; the same ``many``, the same reason."""

    many: str

    def __new__(cls, message: str, many: str) -> Repeatable:
        self = super().__new__(cls, message)
        self.many = many
        return self


def label(name: str) -> str:
    """``name`` (untrusted: a member's name, a table's, an error's text) made safe for a one-line warning:
    key-shaped tokens redacted as in every message (:func:`~scanner.redaction.redact_text`), control
    characters replaced, alphanumeric runs of 16 or more (which could be key material) cut to their first
    four characters, at most 120 characters."""
    from scanner.redaction import redact_text
    name = redact_text(name[:400])
    out: list[str] = []
    run: list[str] = []

    def end_run() -> None:
        out.append("".join(run) if len(run) < 16 else "".join(run[:4]) + "\u2026")
        run.clear()

    for ch in name:
        if ch.isascii() and ch.isalnum():
            run.append(ch)
            continue
        end_run()
        out.append(ch if ch.isprintable() else "?")
    end_run()
    text = "".join(out)
    return text if len(text) <= 120 else text[:119] + "\u2026"

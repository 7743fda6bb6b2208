"""The decoding stage, between the sources and the engine: keys hidden in encoded text (base64, hex,
percent-encoding, backslash escapes, HTML entities, UTF-16) and in containers (zip, tar, gzip/bz2/xz,
SQLite, .pyc) are decoded in memory and scanned again, recursively and within bounds.

This module is imported by the hook's quick "clean change" answer (through :mod:`scanner.decoding.gate`),
so it holds only the settings: the decoders are imported when a buffer needs them."""
from __future__ import annotations


class DecodeOptions:
    """What the decoding stage may do for one run (config keys and ``--no-decode`` / ``--no-archives``).

    ``decode``: encoded text; ``archives``: containers; ``max_decode_depth``: encodings nested in one
    another; ``max_archive_depth``: containers nested in one another; ``max_archive_bytes``,
    ``max_archive_entries``, ``max_archive_ratio``: per-container bounds (see docs/decoding.md)."""

    __slots__ = ("decode", "archives", "max_decode_depth", "max_archive_depth", "max_archive_bytes",
                 "max_archive_entries", "max_archive_ratio")

    def __init__(self, decode: bool = True, archives: bool = True, max_decode_depth: int = 3,
                 max_archive_depth: int = 3, max_archive_bytes: int = 256 << 20, max_archive_entries: int = 10_000,
                 max_archive_ratio: float = 100.0) -> None:
        self.decode, self.archives = decode, archives
        self.max_decode_depth, self.max_archive_depth = max_decode_depth, max_archive_depth
        self.max_archive_bytes, self.max_archive_entries = max_archive_bytes, max_archive_entries
        self.max_archive_ratio = max_archive_ratio

    @property
    def enabled(self) -> bool:
        """True when the stage does anything at all."""
        return (self.decode and self.max_decode_depth > 0) or (self.archives and self.max_archive_depth > 0)


NO_DECODING = DecodeOptions(decode=False, archives=False)
"""Plain-text scanning only (rule examples, keys typed on stdin for ``revoke``)."""

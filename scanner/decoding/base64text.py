"""Base64, standard and URL-safe, padded or not, on one line or wrapped at 64/76 columns (MIME, PEM) with
a key split across the wrap."""
from __future__ import annotations

import binascii
import re
from collections.abc import Iterator

from scanner.decoding.runs import Run, Wanted, token_runs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from scanner.engine import Buffer

NAME = "base64"
_LINE = re.compile(rb"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{20,}={0,2}")
"""One unbroken run: 20 characters decode to 15 bytes, shorter than any key."""
_WRAPPED = re.compile(rb"(?<![A-Za-z0-9+/=])(?:(?:[A-Za-z0-9+/]{76}[ \t]*\r?\n[ \t]*)+|"
                      rb"(?:[A-Za-z0-9+/]{64}[ \t]*\r?\n[ \t]*)+)[A-Za-z0-9+/]{1,76}={0,2}")
"""Full lines of exactly 64 or 76 characters (indentation allowed) and the shorter line that ends them."""
_SPACE = re.compile(rb"\s+")
_URL_SAFE = bytes.maketrans(b"-_", b"+/")


def decode(run: bytes) -> bytes | None:
    """The bytes ``run`` encodes, or None when it is not base64 (mixed alphabets, a stray length)."""
    body = _SPACE.sub(b"", run).rstrip(b"=")
    url_safe = b"-" in body or b"_" in body
    if url_safe:
        if b"+" in body or b"/" in body:
            return None
        body = body.translate(_URL_SAFE)
    if len(body) % 4 == 1:
        return None
    try:
        return binascii.a2b_base64(body + b"=" * (-len(body) % 4), strict_mode=True)
    except binascii.Error:
        return None


def runs(data: Buffer, wanted: Wanted) -> Iterator[Run]:
    """Wanted base64 runs of ``data`` that decode to text: wrapped blocks first, then single lines outside them."""
    blocks = list(token_runs(NAME, data, _WRAPPED, decode, wanted))
    yield from blocks
    for run in token_runs(NAME, data, _LINE, decode, wanted):
        if not any(b.start <= run.start < b.end for b in blocks):
            yield run

"""Key-shaped text kept out of messages: every :class:`~scanner.errors.YardguardError` passes through
:func:`redact_text`, so no error path can print a key (a rule example, a key-shaped rule id, a URL token)."""
from __future__ import annotations

import re

# a prefixed key (trackyard_live_…, and the like: word_word_token), or any long token mixing cases and digits
_PREFIXED = re.compile(r"\b(trackyard_(?:live|test)_)([A-Za-z0-9_-]{4})[A-Za-z0-9_-]*", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9_+=-]{20,}")  # not "/": a path is not one token


def looks_like_key(token: str) -> bool:
    """A token of 20+ characters with upper case, lower case and digits (what keys look like; a commit id,
    a word, a path part does not)."""
    return (len(token) >= 20 and any(c.isupper() for c in token) and any(c.islower() for c in token)
            and sum(c.isdigit() for c in token) >= 2)


def redact_text(text: str) -> str:
    """``text`` with each key-shaped token cut to its first four characters and ``…``."""
    text = _PREFIXED.sub(lambda m: f"{m[1]}{m[2]}…", text)
    return _TOKEN.sub(lambda m: f"{m[0][:4]}…" if looks_like_key(m[0]) else m[0], text)

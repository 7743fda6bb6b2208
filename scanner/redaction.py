"""Key-shaped text kept out of messages: every :class:`~scanner.errors.YardguardError` passes through
:func:`redact_text`, so no error path can print a key (a rule example, a key-shaped rule id, a URL token);
audit store names use :func:`mask_credentials`."""
from __future__ import annotations

import re

# a prefixed key (trackyard_live_…, and the like: word_word_token), or any long token mixing cases and digits
# (a key already cut to four characters and "…" is left as it is)
_PREFIXED = re.compile(r"\b(trackyard_(?:live|test)_)([A-Za-z0-9_-]{4})[A-Za-z0-9_-]+", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9_+=-]{20,}")  # not "/": a path is not one token


def looks_like_key(token: str) -> bool:
    """A token of 20+ characters with upper case, lower case and digits (what keys look like; a commit id,
    a word, a path part does not)."""
    return (len(token) >= 20 and any(c.isupper() for c in token) and any(c.islower() for c in token)
            and sum(c.isdigit() for c in token) >= 2)


# credentials in URLs: a query parameter named like a secret, a password in scheme://user:PASSWORD@host, and
# git's scp-like user:PASSWORD@host:path
_QUERY = re.compile(r"(?<=[?&;])([\w.-]*(?:token|key|pass|secret|auth|sig|credential|session)[\w.-]*=)[^&#;\s'\"]+",
                    re.IGNORECASE)
_PASSWORD = re.compile(r"(://[^/\s:@]*):[^@/\s]+@")
_SCP_PASSWORD = re.compile(r"(?<![\w:/@.-])([\w.-]+):[^@/\s:]+@(?=[\w.-]+:)")


def mask_credentials(text: str) -> str:
    """``text`` with the values of secret-looking URL query parameters (``private_token``, ``access_token``,
    ``token``, ``key``, ``password``, …) and URL or scp-style passwords replaced by ``***``."""
    text = _QUERY.sub(r"\1***", text)
    text = _PASSWORD.sub(r"\1:***@", text)
    return _SCP_PASSWORD.sub(r"\1:***@", text)


def redact_prefixed(text: str) -> str:
    """``text`` with each prefixed key (``trackyard_live_…``) cut to its prefix, four characters and ``…``."""
    return _PREFIXED.sub(lambda m: f"{m[1]}{m[2]}…", text)


def redact_text(text: str) -> str:
    """``text`` with credentials in URLs masked (:func:`mask_credentials`) and each key-shaped token cut to
    its first four characters and ``…``."""
    text = redact_prefixed(mask_credentials(text))
    return _TOKEN.sub(lambda m: f"{m[0][:4]}…" if looks_like_key(m[0]) else m[0], text)

"""Reading a JSON input file (baseline, report, event payload) with one-line errors."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scanner import inputfile
from scanner.errors import YardguardError


def read(path: str | Path, what: str) -> Any:
    """The parsed JSON in ``path``; a missing, unreadable, invalid or not regular file (or one above
    :data:`inputfile.MAX_SIZE`) is a :class:`YardguardError` naming ``what`` it should have been."""
    try:
        return json.loads(inputfile.read(path).decode("utf-8"))
    except FileNotFoundError:
        raise YardguardError(f"{what} not found: {path}") from None
    except OSError as e:
        raise YardguardError(f"cannot read {what} {path}: {e.strerror}") from None
    except ValueError as e:  # JSONDecodeError and UnicodeDecodeError
        raise YardguardError(f"{what} {path} is not valid JSON: {e}") from None

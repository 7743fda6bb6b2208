"""Reading a JSON input file (baseline, report, event payload) with one-line errors."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scanner.errors import YardguardError


def read(path: str | Path, what: str) -> Any:
    """The parsed JSON in ``path``; a missing, unreadable or invalid file is a :class:`YardguardError`
    naming ``what`` it should have been."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise YardguardError(f"{what} not found: {path}") from None
    except OSError as e:
        raise YardguardError(f"cannot read {what} {path}: {e.strerror}") from None
    except ValueError as e:  # JSONDecodeError and UnicodeDecodeError
        raise YardguardError(f"{what} {path} is not valid JSON: {e}") from None

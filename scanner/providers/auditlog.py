"""The revocation audit log: one JSON line per attempt, appended and fsync'ed (never the raw key)."""
from __future__ import annotations

import errno
import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scanner.errors import YardguardError


class AuditLog:
    """Opened before the first revoke request, so an unwritable log stops the run before it acts."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def open(self) -> None:
        """Create the file (and its directory) if needed and open it for appending."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # a fifo without a reader fails at once (ENXIO) instead of blocking; a device is refused
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK, 0o600)
            if not stat.S_ISREG(os.fstat(self._fd).st_mode):
                os.close(self._fd)
                self._fd = None
                raise OSError(errno.EINVAL, "not a regular file")
        except OSError as e:
            raise YardguardError(f"cannot open audit log {self.path}: {e.strerror}") from None

    def write(self, record: dict[str, Any]) -> None:
        """Append ``record`` (with a UTC ``time``) as one line and fsync it."""
        if self._fd is None:
            self.open()
        assert self._fd is not None
        line = {"time": datetime.now(UTC).isoformat(timespec="seconds"), **record}
        data = (json.dumps(line, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
        try:
            while data:
                data = data[os.write(self._fd, data):]
            os.fsync(self._fd)
        except OSError as e:
            raise YardguardError(f"cannot write audit log {self.path}: {e.strerror}") from None

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

"""Progress on stderr, only when stderr is a terminal (never mixed into reports)."""
from __future__ import annotations

import sys
import time


class Progress:
    """Prints ``label: N done, X MB, Y MB/s`` at most a few times a second."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty()
        self._start = self._last = time.monotonic()

    def __call__(self, count: int, nbytes: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.25:
            return
        self._last = now
        rate = nbytes / max(now - self._start, 1e-6) / 1e6
        sys.stderr.write(f"\r{self.label}: {count} done, {nbytes / 1e6:.1f} MB, {rate:.1f} MB/s ")
        sys.stderr.flush()

    def done(self) -> None:
        """Clear the progress line."""
        if self.enabled:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()

"""The one exception type that means "bad input", and the guard that turns errors into one line."""
from __future__ import annotations

import os
import sys
from collections.abc import Callable


class YardguardError(Exception):
    """A usage, configuration or input error (exit code 2, no traceback). Its text (``str()``, wherever it
    is shown or stored) is one line with key-shaped tokens redacted and control characters escaped."""

    def __str__(self) -> str:
        from scanner.escaping import escape
        from scanner.redaction import redact_text
        return escape(redact_text(super().__str__()))


def guarded(action: Callable[[], int]) -> int:
    """Run ``action`` and return its exit code; every error becomes one line on stderr (exit 2, 130 when
    interrupted), never a traceback (``YARDGUARD_DEBUG=1`` re-raises bugs)."""
    try:
        return action()
    except YardguardError as e:
        print(f"yardguard: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`yardguard ... | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print("yardguard: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - a bug must still be one line, not a traceback
        if os.environ.get("YARDGUARD_DEBUG"):
            raise
        # the message is left out on purpose: it could quote scanned bytes, and so a secret
        frame = e.__traceback__
        while frame is not None and frame.tb_next is not None:
            frame = frame.tb_next
        where = f" at {os.path.basename(frame.tb_frame.f_code.co_filename)}:{frame.tb_lineno}" if frame else ""
        print(f"yardguard: internal error: {type(e).__name__}{where} (YARDGUARD_DEBUG=1 shows more)",
              file=sys.stderr)
        return 2

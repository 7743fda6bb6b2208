"""yardguard: find, verify and revoke hardcoded Trackyard API keys."""
import time

__version__ = "0.1.0"

STARTED = time.monotonic()
"""When this process started running yardguard (pre-receive counts its time budget from here)."""

"""yardguard: find, verify and revoke hardcoded Trackyard API keys."""

__version__ = "0.1.0"

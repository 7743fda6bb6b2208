"""Verify keys: one request per distinct key, with bounded retries, a shared rate-limit pause, at most
``verify_concurrency`` at once and one deadline for all; definite verdicts are cached by key hash."""
from __future__ import annotations

import json
import sys
import threading
import time
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.model import Verification
from scanner.providers.http import Response, TransportError
from scanner.providers.leak import Leak
from scanner.providers.spec import Provider

if TYPE_CHECKING:
    from scanner.providers.cache import VerifyCache
    from scanner.run import Run


def _seconds(value: str | None) -> float | None:
    """A delay from ``Retry-After`` (seconds or HTTP date) or a rate-limit reset (seconds or epoch)."""
    if value is None:
        return None
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        try:
            return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
        except (TypeError, ValueError):
            return None
    if number != number or number < 0:  # NaN or negative
        return None
    return max(number - time.time(), 0.0) if number > 1e9 else number


def _scrub(value: Any, secret: str) -> Any:
    """A value copied from a response, unless it echoes the key."""
    return "[redacted]" if secret in json.dumps(value) else value


class Checker:
    """Verifies keys for one provider: bounded retries, a shared rate-limit pause, one deadline."""

    def __init__(self, provider: Provider, timeout: float, retries: int, deadline: float,
                 stop: threading.Event) -> None:
        self.provider, self.timeout, self.retries = provider, timeout, retries
        self.deadline, self.stop = deadline, stop  # deadline: time.monotonic() value
        self._lock = threading.Lock()
        self._not_before = 0.0

    def _left(self) -> float:
        return self.deadline - time.monotonic()

    def _pause_if_exhausted(self, resp: Response) -> None:
        """``X-RateLimit-Remaining: 0`` holds every further request until the limit resets."""
        try:
            remaining = int(resp.headers.get("x-ratelimit-remaining", "1"))
        except ValueError:
            return
        if remaining > 0:
            return
        wait = _seconds(resp.headers.get("retry-after"))
        if wait is None:
            wait = _seconds(resp.headers.get("x-ratelimit-reset"))
        wait = min(60.0 if wait is None else wait, self.provider.max_retry_after)
        with self._lock:
            self._not_before = max(self._not_before, time.monotonic() + wait)

    def check(self, secret: str) -> Verification:
        """The verdict for one key (never raises)."""
        try:
            return self._check(secret)
        except Exception as e:  # noqa: BLE001 - a bug must not sink the whole run or print the key
            return self.provider.result("unknown", f"internal error ({type(e).__name__})")

    def _check(self, secret: str) -> Verification:
        p = self.provider
        retries = 0
        while True:
            with self._lock:
                pause = self._not_before - time.monotonic()
            if pause > 0:
                if pause >= self._left():
                    return p.result("unknown", "rate limit exhausted until after the verification deadline")
                self.stop.wait(pause)
            if self.stop.is_set() or self._left() <= 0:
                return p.result("unknown", "verification deadline reached")
            try:
                resp = p.verify.send(p.base, secret, min(self.timeout, self._left()))
            except TransportError as e:
                return p.result("unknown", str(e))
            self._pause_if_exhausted(resp)
            outcome = p.outcomes.get(resp.status)
            if outcome != "retry":
                return self._interpret(secret, resp, outcome)
            if retries >= self.retries:
                return p.result("unknown", f"still rate limited after {retries} retries", resp.status)
            wait = _seconds(resp.headers.get("retry-after"))
            wait = min(2.0 ** retries, p.max_retry_after) if wait is None else wait
            if wait > p.max_retry_after:
                return p.result("unknown", f"rate limited: Retry-After {wait:g}s is over the "
                                           f"{p.max_retry_after:g}s limit", resp.status)
            if wait >= self._left():
                return p.result("unknown", "rate limited: Retry-After ends after the verification deadline",
                                resp.status)
            retries += 1
            self.stop.wait(wait)

    def _interpret(self, secret: str, resp: Response, outcome: str | None) -> Verification:
        p, status = self.provider, resp.status
        if outcome is None:
            if 300 <= status < 400:
                detail = f"redirect (HTTP {status}) not followed"
            elif status >= 500:
                detail = f"server error (HTTP {status})"
            else:
                detail = f"unexpected answer (HTTP {status})"
            return p.result("unknown", detail, status)
        data: Any = None
        try:
            data = json.loads(resp.body) if resp.body.strip() else None
        except ValueError:
            data = None
        if not isinstance(data, dict):
            if outcome == "live" and status in p.require_json:
                return p.result("unknown", f"answer is not JSON (HTTP {status})", status)
            data = {}
        data = {f: _scrub(data.get(f), secret) for f in p.fields}
        return p.result(outcome, p.details.get(status), status, data)


def verify(run: Run, leaks: list[Leak], use_cache: bool = True) -> VerifyCache | None:
    """Set ``verification`` of every finding: one request per distinct key, at most
    ``verify_concurrency`` at once, all within ``verify_deadline`` seconds. Returns the on-disk
    cache when one is configured (``use_cache=False`` only skips reading it)."""
    from scanner.providers.cache import VerifyCache
    from scanner.providers.runner import run_bounded
    c = run.config
    cache = VerifyCache(Path(c.resolve(c.verify_cache)), c.verify_cache_ttl) if c.verify_cache else None
    todo = []
    for leak in leaks:
        hit = cache.get(leak.first.secret_sha256, str(leak.provider.base)) if cache and use_cache else None
        if hit is not None:
            leak.verified(hit)
        else:
            todo.append(leak)
    if not todo:
        return cache
    bases = ", ".join(sorted({str(leak.provider.base) for leak in todo}))
    print(f"yardguard: verifying {len(todo)} distinct key(s) with {bases}", file=sys.stderr)
    stop = threading.Event()
    deadline = time.monotonic() + c.verify_deadline
    checkers = {name: Checker(p, c.verify_timeout, c.verify_retries, deadline, stop)
                for name, p in {leak.provider.name: leak.provider for leak in todo}.items()}

    def check(i: int) -> Verification:
        return checkers[todo[i].provider.name].check(todo[i].secret)

    def late(i: int) -> Verification:
        return todo[i].provider.result("unknown", f"not checked within the {c.verify_deadline:g}s deadline")

    results = run_bounded(range(len(todo)), check, c.verify_concurrency, deadline, stop, late)
    for i, result in results.items():
        todo[i].verified(result)
        if cache:
            cache.put(todo[i].first.secret_sha256, str(todo[i].provider.base), result)
    if cache:
        cache.save()
    return cache

"""Per-route throttling as API Gateway applies it: a token bucket of `burst_limit` tokens refilled at
`rate_limit` per second; a request that finds it empty gets `429 {"message":"Too Many Requests"}`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

from compiler.serve.responses import Response, gateway_error

TOO_MANY_REQUESTS = "Too Many Requests"


class TokenBucket:
    """Starts full; `clock` (seconds, monotonic) is injectable so that tests need no waiting."""

    def __init__(self, burst: int, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst, self.rate = burst, rate
        self._clock = clock
        self._tokens = float(burst)
        self._last = clock()
        self._lock = threading.Lock()

    def take(self) -> bool:
        """Whether a request may pass now (and use a token)."""
        with self._lock:
            now = self._clock()
            self._tokens = min(float(self.burst), self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            return False


class Throttles:
    """The buckets of the routes that have `throttling`, by route key."""

    def __init__(self, limits: Mapping[str, tuple[int, float]], clock: Callable[[], float] = time.monotonic) -> None:
        self._buckets = {key: TokenBucket(burst, rate, clock) for key, (burst, rate) in limits.items()}

    def check(self, route_key: str) -> Response | None:
        """The 429 for a request to `route_key` past its limits, or None when it may pass."""
        bucket = self._buckets.get(route_key)
        if bucket is None or bucket.take():
            return None
        return gateway_error(429, TOO_MANY_REQUESTS)

"""How often one client may ask for a sign-in challenge (each one is a database write).

Counted in memory, per process, in a sliding window per key: the signing
address, and the browser (Reflex client token) or the IP address of a script.
Several app workers each count on their own, so the bound is per worker; what
matters is that no single client turns clicks into unbounded writes.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from coop_dashboard.errors import AuthError

WINDOW_S = 60.0
# A person signs in once and may retry a few times (rejected, wrong account,
# another tab); a browser may try several accounts.
MAX_PER_ADDRESS = 10
MAX_PER_CLIENT = 10
# Several people may share one IP (NAT, an office); Reflex takes it from
# X-Forwarded-For behind its trusted proxies. At most one write a second.
MAX_PER_IP = 60
# Keys kept at most (oldest forgotten first): the counter's own memory is bounded.
MAX_KEYS = 50_000


@dataclass
class SlidingWindowCounter:
    """At most `limit` events per key in any `window_s` seconds."""

    limit: int
    window_s: float
    clock: Callable[[], float] = time.monotonic
    _events: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_s(self, key: str) -> float:
        """Seconds until `key` may have one more event (0 if it may now)."""
        with self._lock:
            events = self._recent(key)
            if len(events) < self.limit:
                return 0.0
            return max(events[0] + self.window_s - self.clock(), 0.0)

    def record(self, key: str) -> None:
        with self._lock:
            self._recent(key).append(self.clock())
            while len(self._events) > MAX_KEYS:
                self._events.pop(next(iter(self._events)))

    def _recent(self, key: str) -> deque[float]:
        events = self._events.setdefault(key, deque())
        cutoff = self.clock() - self.window_s
        while events and events[0] <= cutoff:
            events.popleft()
        return events


@dataclass
class NonceThrottle:
    """Refuses a new sign-in challenge for a client over its budget, with a clear message."""

    per_address: SlidingWindowCounter = field(
        default_factory=lambda: SlidingWindowCounter(MAX_PER_ADDRESS, WINDOW_S)
    )
    per_client: SlidingWindowCounter = field(
        default_factory=lambda: SlidingWindowCounter(MAX_PER_CLIENT, WINDOW_S)
    )
    per_ip: SlidingWindowCounter = field(
        default_factory=lambda: SlidingWindowCounter(MAX_PER_IP, WINDOW_S)
    )

    def admit(self, address: str, *, client: str = "", ip: str = "") -> None:
        """Count one challenge for these keys, or raise AuthError (nothing counted then)."""
        checks: list[tuple[SlidingWindowCounter, str]] = [
            (counter, key)
            for counter, key in (
                (self.per_address, address.lower()),
                (self.per_client, client),
                (self.per_ip, ip),
            )
            if key
        ]
        wait = max((counter.wait_s(key) for counter, key in checks), default=0.0)
        if wait > 0:
            raise AuthError(
                "Too many sign-in attempts from here in the last minute. "
                f"Try again in {math.ceil(wait)} s."
            )
        for counter, key in checks:
            counter.record(key)

"""One slow read shared by every caller: at most one in flight, its result reused briefly.

Every open overview tab re-reads the chain every few seconds; without sharing,
N viewers cost N full reads per interval. With it, the RPC sees at most one
read per `max_age_s` per server process, however many people watch.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class SharedRead(Generic[T]):
    """Runs `read` (blocking) in a worker thread; concurrent and recent callers share it.

    `read` should not raise: return the failure as a value, so a failed read is
    shared (and rate-limited) exactly like a successful one.
    """

    def __init__(self, read: Callable[[], T], *, max_age_s: float) -> None:
        self._read = read
        self._max_age_s = max_age_s
        self._lock: asyncio.Lock | None = None
        self._value: T | None = None
        self._read_at = float("-inf")

    async def get(self) -> T:
        # Created lazily: an asyncio.Lock belongs to the loop it is first used on.
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._value is None or time.monotonic() - self._read_at > self._max_age_s:
                self._value = await asyncio.to_thread(self._read)
                self._read_at = time.monotonic()
            return self._value

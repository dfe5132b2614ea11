"""SharedRead: concurrent callers share one read; a recent result is reused."""

from __future__ import annotations

import asyncio
import threading
import time

from coop_dashboard.services.shared_read import SharedRead


def test_concurrent_callers_share_one_read() -> None:
    calls = 0
    lock = threading.Lock()

    def slow_read() -> int:
        nonlocal calls
        with lock:
            calls += 1
        time.sleep(0.2)
        return 42

    shared = SharedRead(slow_read, max_age_s=10)

    async def many() -> list[int]:
        return await asyncio.gather(*(shared.get() for _ in range(20)))

    assert asyncio.run(many()) == [42] * 20
    assert calls == 1


def test_an_old_result_is_read_again() -> None:
    values = iter([1, 2])
    shared = SharedRead(lambda: next(values), max_age_s=0.05)

    async def twice() -> tuple[int, int, int]:
        first = await shared.get()
        cached = await shared.get()
        await asyncio.sleep(0.1)
        return first, cached, await shared.get()

    assert asyncio.run(twice()) == (1, 1, 2)

"""Measure how long an asyncio event loop is kept busy while something else happens on it.

Two figures per 5 ms timer: how late it fired (wall clock), and how much CPU the
loop's own thread spent meanwhile. Tests assert on the second: work done on the
loop is CPU on its thread, while lateness also counts the OS giving the core to
another process (on a loaded 2-core CI machine, over a second at times).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

TICK_S = 0.005


@dataclass
class LagSamples:
    lags_s: list[float] = field(default_factory=list)
    busy_s: list[float] = field(default_factory=list)

    @property
    def worst_s(self) -> float:
        """The latest a timer tick fired."""
        return max(self.lags_s, default=0.0)

    @property
    def worst_busy_s(self) -> float:
        """The most CPU the loop's thread spent within one timer tick."""
        return max(self.busy_s, default=0.0)

    def report(self) -> str:
        return (
            f"loop busy {self.worst_busy_s * 1000:.0f} ms in one tick "
            f"(latest tick {self.worst_s * 1000:.0f} ms)"
        )


@asynccontextmanager
async def loop_lag() -> AsyncIterator[LagSamples]:
    """Per tick of a 5 ms timer on the running loop: its lateness and the loop thread's CPU."""
    samples = LagSamples()

    async def probe() -> None:
        while True:
            scheduled = time.perf_counter() + TICK_S
            cpu = time.thread_time()
            await asyncio.sleep(TICK_S)
            samples.lags_s.append(max(time.perf_counter() - scheduled, 0.0))
            samples.busy_s.append(time.thread_time() - cpu)

    task = asyncio.create_task(probe())
    await asyncio.sleep(0)
    try:
        yield samples
        await asyncio.sleep(2 * TICK_S)  # the probe sees the end of the work
    finally:
        task.cancel()

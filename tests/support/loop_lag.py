"""Measure how late an asyncio event loop runs a timer while something else happens on it."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

TICK_S = 0.005


@dataclass
class LagSamples:
    lags_s: list[float] = field(default_factory=list)

    def quantile(self, q: float) -> float:
        if not self.lags_s:
            return 0.0
        ordered = sorted(self.lags_s)
        return ordered[min(int(q * len(ordered)), len(ordered) - 1)]

    @property
    def worst_s(self) -> float:
        return max(self.lags_s, default=0.0)

    @property
    def median_s(self) -> float:
        return statistics.median(self.lags_s) if self.lags_s else 0.0


@asynccontextmanager
async def loop_lag() -> AsyncIterator[LagSamples]:
    """Samples of (actual - scheduled) wake-up time of a 5 ms timer on the running loop."""
    samples = LagSamples()

    async def probe() -> None:
        while True:
            scheduled = time.perf_counter() + TICK_S
            await asyncio.sleep(TICK_S)
            samples.lags_s.append(max(time.perf_counter() - scheduled, 0.0))

    task = asyncio.create_task(probe())
    await asyncio.sleep(0)
    try:
        yield samples
        await asyncio.sleep(2 * TICK_S)  # the probe sees the end of the work
    finally:
        task.cancel()

"""How late the server's event loop runs a timer: for benchmarks/event_loop.py only.

Enabled by COOP_LOOP_PROBE=1 (never in a normal deployment): a lifespan task
wakes every PROBE_INTERVAL_S and records how late it woke; `GET /api/loop-lag`
returns the samples (milliseconds) and, with `?reset=1`, starts a new series.
Lag is what every tab served by this worker waits on top of its own work.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import deque

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ENABLED_BY = "COOP_LOOP_PROBE"
PROBE_INTERVAL_S = 0.01
MAX_SAMPLES = 100_000

_samples: deque[float] = deque(maxlen=MAX_SAMPLES)


def probe_enabled() -> bool:
    return os.environ.get(ENABLED_BY, "") == "1"


async def probe_loop_lag() -> None:
    """The lifespan task: forever, sleep PROBE_INTERVAL_S and record the overshoot."""
    while True:
        scheduled = time.perf_counter() + PROBE_INTERVAL_S
        await asyncio.sleep(PROBE_INTERVAL_S)
        _samples.append(max(time.perf_counter() - scheduled, 0.0) * 1000)


async def loop_lag(request: Request) -> JSONResponse:
    samples = list(_samples)
    if request.query_params.get("reset") == "1":
        _samples.clear()
    return JSONResponse({"interval_ms": PROBE_INTERVAL_S * 1000, "lag_ms": samples})


ROUTES = [Route("/api/loop-lag", loop_lag, methods=["GET"])]

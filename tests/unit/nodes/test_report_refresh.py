"""A node's report (heartbeat, reproduction) is stored without a block: the hub
re-reads the one watched job page at once, and nothing unwatched."""

from __future__ import annotations

import asyncio
from collections import Counter

from coop_dashboard.services.live_data import LiveHub, LiveView


def test_refresh_rereads_one_watched_key_and_wakes_its_tabs() -> None:
    async def scenario() -> None:
        rows = {1: "accepted", 2: "open"}
        reads: Counter[int] = Counter()

        def read(job: int) -> str:
            reads[job] += 1
            return rows[job]

        view = LiveView("job_page_test", read=read)
        hub = LiveHub()
        hub._started = True  # no transport: only refresh() can cause a read
        woken: Counter[int] = Counter()
        await hub.current(view, 1)
        hub.subscribe(view, 1, lambda: woken.update([1]))
        await asyncio.sleep(0.05)
        rows[1] = "training 3/10"
        hub.refresh(view, 1)
        hub.refresh(view, 2)  # nobody watches job 2: nothing read
        for _ in range(100):
            await asyncio.sleep(0.01)
            if woken[1]:
                break
        assert woken[1] == 1 and hub.cached(view, 1) is not None
        assert hub.cached(view, 1)[0] == "training 3/10"  # type: ignore[index]
        assert reads[1] == 2 and reads[2] == 0

    asyncio.run(scenario())

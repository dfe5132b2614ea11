"""A node's report (heartbeat, reproduction) is stored without a block: the hub
re-reads the one watched job page at once, and nothing unwatched; the other workers'
hubs hear of it (tests/indexer/test_live_transports.py sends it through Redis)."""

from __future__ import annotations

import asyncio
from collections import Counter

from coop_dashboard.indexer.announce import ViewRefresh
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


def test_a_refresh_from_another_worker_rereads_a_watched_key_and_ignores_its_own_echo() -> None:
    async def scenario() -> None:
        rows = {1: "accepted"}
        reads: Counter[int] = Counter()

        def read(job: int) -> str:
            reads[job] += 1
            return rows.get(job, "none")

        view = LiveView("job_page_test", read=read)
        hub = LiveHub()
        hub._started = True
        woken = asyncio.Event()
        await hub.current(view, 1)
        hub.subscribe(view, 1, woken.set)
        await asyncio.sleep(0.05)
        rows[1] = "training 3/10"
        hub.refresh_arrived(ViewRefresh(view.name, 1, hub.origin))  # its own, heard back
        hub.refresh_arrived(ViewRefresh(view.name, 2, "another worker"))  # not watched here
        hub.refresh_arrived(ViewRefresh("another_view", 1, "another worker"))
        await asyncio.sleep(0.05)
        assert reads == Counter({1: 1}) and not woken.is_set()

        hub.refresh_arrived(ViewRefresh(view.name, 1, "another worker"))
        await asyncio.wait_for(woken.wait(), 2)
        assert hub.cached(view, 1)[0] == "training 3/10"  # type: ignore[index]
        assert reads == Counter({1: 2})

    asyncio.run(scenario())


def test_a_report_between_a_tabs_load_and_its_follower_reaches_the_tab() -> None:
    """The page's load read the job; the report is stored before the tab's follower
    subscribes: subscribing re-reads the job and wakes the tab."""

    async def scenario() -> None:
        rows = {1: "accepted"}
        reads: Counter[int] = Counter()

        def read(job: int) -> str:
            reads[job] += 1
            return rows[job]

        view = LiveView("job_page_test", read=read)
        hub = LiveHub()
        hub._started = True
        await hub.current(view, 1)  # the page's load
        rows[1] = "training 3/10"
        hub.refresh(view, 1)  # nobody subscribed yet
        woken = asyncio.Event()
        hub.subscribe(view, 1, woken.set)  # the follower starts
        await asyncio.wait_for(woken.wait(), 2)
        assert hub.cached(view, 1)[0] == "training 3/10"  # type: ignore[index]
        assert reads[1] == 2

    asyncio.run(scenario())

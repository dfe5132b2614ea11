"""A node's report (heartbeat, reproduction) is stored without a block: the hub
re-reads the one watched job page at once, and nothing unwatched; the other workers'
hubs hear of it (tests/indexer/test_live_transports.py sends it through Redis)."""

from __future__ import annotations

import asyncio
from collections import Counter

from coop_dashboard.indexer.announce import ViewRefresh
from coop_dashboard.services.live_data import LiveHub, LiveView


class JobRows:
    """The jobs' stored reports, as the job page reads them; counts reads per job."""

    def __init__(self, rows: dict[int, str]) -> None:
        self.rows = dict(rows)
        self.reads: Counter[int] = Counter()
        self.view = LiveView("job_page_test", read=self.read)

    def read(self, job: int) -> str:
        self.reads[job] += 1
        return self.rows.get(job, "none")


def _hub() -> LiveHub:
    hub = LiveHub()
    hub._started = True  # no transport: only the test's refreshes cause reads
    return hub


def test_refresh_rereads_one_watched_key_and_wakes_its_tabs() -> None:
    async def scenario() -> None:
        jobs = JobRows({1: "accepted", 2: "open"})
        hub = _hub()
        woken = asyncio.Event()
        await hub.current(jobs.view, 1)
        hub.subscribe(jobs.view, 1, woken.set)
        await asyncio.sleep(0.05)
        jobs.rows[1] = "training 3/10"
        hub.refresh(jobs.view, 1)
        hub.refresh(jobs.view, 2)  # nobody watches job 2: nothing read
        await asyncio.wait_for(woken.wait(), 2)
        assert hub.cached(jobs.view, 1)[0] == "training 3/10"  # type: ignore[index]
        assert jobs.reads == Counter({1: 2})

    asyncio.run(scenario())


def test_a_refresh_from_another_worker_rereads_a_watched_key_and_ignores_its_own_echo() -> None:
    async def scenario() -> None:
        jobs = JobRows({1: "accepted"})
        view = jobs.view
        hub = _hub()
        woken = asyncio.Event()
        await hub.current(view, 1)
        hub.subscribe(view, 1, woken.set)
        await asyncio.sleep(0.05)
        jobs.rows[1] = "training 3/10"
        hub.refresh_arrived(ViewRefresh(view.name, 1, hub.origin))  # its own, heard back
        hub.refresh_arrived(ViewRefresh(view.name, 2, "another worker"))  # not read here
        hub.refresh_arrived(ViewRefresh("another_view", 1, "another worker"))
        await asyncio.sleep(0.05)
        assert jobs.reads == Counter({1: 1}) and not woken.is_set()

        hub.refresh_arrived(ViewRefresh(view.name, 1, "another worker"))
        await asyncio.wait_for(woken.wait(), 2)
        assert hub.cached(view, 1)[0] == "training 3/10"  # type: ignore[index]
        assert jobs.reads == Counter({1: 2})

    asyncio.run(scenario())


def test_a_report_between_a_tabs_load_and_its_follower_reaches_the_tab() -> None:
    """The page's load read the job; the report is stored before the tab's follower
    subscribes: subscribing re-reads the job and wakes the tab (and so does a page
    load after the report, instead of the value cached before it)."""

    async def scenario() -> None:
        jobs = JobRows({1: "accepted"})
        hub = _hub()
        await hub.current(jobs.view, 1)  # the page's load
        jobs.rows[1] = "training 3/10"
        hub.refresh(jobs.view, 1)  # nobody subscribed yet
        woken = asyncio.Event()
        hub.subscribe(jobs.view, 1, woken.set)  # the follower starts
        await asyncio.wait_for(woken.wait(), 2)
        assert hub.cached(jobs.view, 1)[0] == "training 3/10"  # type: ignore[index]
        assert jobs.reads == Counter({1: 2})

        other = _hub()
        assert (await other.current(jobs.view, 1))[0] == "training 3/10"
        jobs.rows[1] = "training 4/10"
        other.refresh(jobs.view, 1)  # no tab of this worker watches job 1
        assert (await other.current(jobs.view, 1))[0] == "training 4/10"

    asyncio.run(scenario())

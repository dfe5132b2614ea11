"""state/live.py: a page's follower starts without the tab's lock, from what load showed.

A fake tab state counts how often its lock is taken; the hub is the real one
(heads come from the test). Starting a follower used to take the lock once just
to read the key the page's load had shown: one more state load and save per
follower per page view (with Redis, a lock round trip each).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from reflex.istate.data import SessionData

from coop_dashboard.indexer.announce import IndexedHead
from coop_dashboard.services.live_data import LiveReadError, LiveView, live_hub
from coop_dashboard.state.live import follow_live, show_live


class FakeTab:
    """What follow_live / show_live use of a Reflex state: session, name, lock."""

    rx_router_session = SessionData(client_token="tab-1")

    def __init__(self) -> None:
        self.locks = 0
        self.key: str | None = None
        self.shown: list[int] = []

    @classmethod
    def get_full_name(cls) -> str:
        return "fake_tab_state"

    async def __aenter__(self) -> FakeTab:
        self.locks += 1
        return self

    async def __aexit__(self, *_exc: object) -> None:
        return None


def _apply(tab: FakeTab, value: int) -> None:
    tab.shown.append(value)


async def _until(check: Any, seconds: float = 3.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


def test_a_follower_starts_without_the_lock_and_pushes_changes_under_it() -> None:
    rows = {"a": 1}
    view = LiveView("followed_rows", read=lambda key: rows[key])

    async def scenario() -> None:
        hub = live_hub()
        hub._started = True  # heads come from the test
        tab = FakeTab()
        try:
            tab.key = "a"  # the page's load (holding the lock) shows its key...
            assert await show_live(tab, view, "a") == 1
            follower = asyncio.ensure_future(follow_live(tab, view, lambda s: s.key, _apply))
            await asyncio.sleep(0.05)
            assert tab.locks == 0  # ...and the follower it chains takes no lock to start
            rows["a"] = 2
            hub.head_arrived(IndexedHead(1, "0x01"))
            await _until(lambda: tab.shown == [2])
            assert tab.locks == 1  # the change itself is applied under the lock
            follower.cancel()
        finally:
            hub.stop()

    asyncio.run(scenario())


def test_a_failed_first_read_is_still_followed_and_shown_once_it_succeeds() -> None:
    rows: dict[str, int] = {}

    def read(key: str) -> int:
        if key not in rows:
            raise RuntimeError("index unreadable")
        return rows[key]

    view = LiveView("unreadable_rows", read=read)

    async def scenario() -> None:
        hub = live_hub()
        hub._started = True
        tab = FakeTab()
        try:
            tab.key = "b"
            with pytest.raises(LiveReadError):
                await show_live(tab, view, "b")  # the page says "retrying shortly"
            follower = asyncio.ensure_future(follow_live(tab, view, lambda s: s.key, _apply))
            await asyncio.sleep(0.05)
            rows["b"] = 7  # the index is readable again
            hub.head_arrived(IndexedHead(2, "0x02"))
            await _until(lambda: tab.shown == [7])
            follower.cancel()
        finally:
            hub.stop()

    asyncio.run(scenario())


def test_the_next_pages_follower_starts_without_the_lock_from_the_cancelled_ones_key() -> None:
    rows = {"c": 1}
    view = LiveView("header_rows", read=lambda key: rows[key])

    async def scenario() -> None:
        hub = live_hub()
        hub._started = True
        tab = FakeTab()
        try:
            tab.key = "c"
            # The first page: nobody showed this view yet, the follower asks the state.
            first = asyncio.ensure_future(follow_live(tab, view, lambda s: s.key, _apply))
            await _until(lambda: tab.shown == [1])  # its first value, applied under the lock
            assert tab.locks == 2
            first.cancel()  # the tab moved to another page (Reflex cancels the chain)...
            await asyncio.gather(first, return_exceptions=True)
            # ...whose load does not show this view: its follower starts from the record.
            second = asyncio.ensure_future(follow_live(tab, view, lambda s: s.key, _apply))
            await asyncio.sleep(0.05)
            assert tab.locks == 2 and tab.shown == [1]  # no lock, nothing shown twice
            rows["c"] = 5
            hub.head_arrived(IndexedHead(3, "0x03"))
            await _until(lambda: tab.shown == [1, 5])
            second.cancel()
        finally:
            hub.stop()

    asyncio.run(scenario())

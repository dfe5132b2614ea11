"""The live-data hub: one read per (view, key, indexed head), however many tabs watch."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import Counter

import pytest

from coop_dashboard.indexer.announce import IndexedHead, announce_in_process
from coop_dashboard.indexer.announce import _listeners as announce_listeners
from coop_dashboard.services.live_data import LiveHub, LiveView


def _head(number: int) -> IndexedHead:
    return IndexedHead(number, f"0x{number:064x}")


class FakeTable:
    """A 'database' whose rows change when the test says so; counts reads per key."""

    def __init__(self, read_delay_s: float = 0.0) -> None:
        self.rows: dict[str, int] = {"a": 1, "b": 1}
        self.reads: Counter[str] = Counter()
        self.read_delay_s = read_delay_s
        self.lock = threading.Lock()

    def read(self, key: str) -> int:
        with self.lock:
            self.reads[key] += 1
        time.sleep(self.read_delay_s)
        return self.rows[key]


async def _settle(hub: LiveHub) -> None:
    for _ in range(200):
        await asyncio.sleep(0.01)
        if not any(entry.reading for entry in hub._entries.values()):
            return


def test_one_read_per_batch_however_many_tabs_watch() -> None:
    async def scenario() -> None:
        table = FakeTable()
        view = LiveView("counted", read=table.read)
        hub = LiveHub()
        hub._started = True  # heads come from the test, not from a transport
        woken: Counter[int] = Counter()
        for tab in range(200):
            await hub.current(view, "a")
            hub.subscribe(view, "a", lambda tab=tab: woken.update([tab]))
        assert table.reads["a"] == 1  # 200 tabs opened the page: one read

        for batch in range(1, 6):
            table.rows["a"] += 1
            hub.head_arrived(_head(batch))
            await _settle(hub)
            assert table.reads["a"] == 1 + batch
            assert all(woken[tab] == batch for tab in range(200))

        # The same head again (a second transport): nothing is read.
        hub.head_arrived(_head(5))
        await _settle(hub)
        assert table.reads["a"] == 6

    asyncio.run(scenario())


def test_a_tab_whose_view_did_not_change_gets_nothing() -> None:
    async def scenario() -> None:
        table = FakeTable()
        view = LiveView("quiet", read=table.read)
        hub = LiveHub()
        hub._started = True
        woken: Counter[str] = Counter()
        hub.subscribe(view, "a", lambda: woken.update(["a"]))
        hub.subscribe(view, "b", lambda: woken.update(["b"]))
        await _settle(hub)
        woken.clear()
        table.rows["b"] = 7
        hub.head_arrived(_head(1))
        await _settle(hub)
        assert woken == Counter({"b": 1})
        assert table.reads == Counter({"a": 2, "b": 2})  # each watched key read once per head
        assert hub.cached(view, "b") is not None and hub.cached(view, "b")[0] == 7  # type: ignore[index]

    asyncio.run(scenario())


def test_heads_arriving_during_a_read_coalesce_into_one_more_read() -> None:
    async def scenario() -> None:
        table = FakeTable(read_delay_s=0.2)
        view = LiveView("slow", read=table.read)
        hub = LiveHub()
        hub._started = True
        hub.subscribe(view, "a", lambda: None)
        await asyncio.sleep(0.05)  # the first read is under way
        for number in range(1, 20):
            hub.head_arrived(_head(number))
        await _settle(hub)
        assert table.reads["a"] == 2

    asyncio.run(scenario())


def test_concurrent_first_reads_of_a_key_share_one_read() -> None:
    async def scenario() -> None:
        table = FakeTable(read_delay_s=0.1)
        view = LiveView("shared", read=table.read)
        hub = LiveHub()
        hub._started = True
        values = await asyncio.gather(*(hub.current(view, "b") for _ in range(50)))
        assert {value for value, _ in values} == {1}
        assert table.reads["b"] == 1

    asyncio.run(scenario())


def test_in_process_announcement_reaches_a_started_hub() -> None:
    async def scenario() -> None:
        table = FakeTable()
        view = LiveView("announced", read=table.read)
        hub = LiveHub()
        hub.start(indexer_in_app=True)
        try:
            changed = asyncio.Event()
            hub.subscribe(view, "a", changed.set)
            await _settle(hub)
            changed.clear()
            table.rows["a"] = 42
            # The indexer announces from its own thread.
            thread = threading.Thread(target=announce_in_process, args=(_head(9),))
            thread.start()
            thread.join()
            await asyncio.wait_for(changed.wait(), 2.0)
            assert hub.cached(view, "a") == (42, hub.cached(view, "a")[1])  # type: ignore[index]
            assert hub.head == _head(9)
        finally:
            hub.stop()

    asyncio.run(scenario())


def test_a_hub_whose_loop_ended_without_stop_stops_listening(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A worker (or test) that ends without hub.stop() must not leave the indexer
    calling into a closed loop and logging an error for every batch."""

    async def scenario() -> None:
        LiveHub().start(indexer_in_app=True)

    # Compared by identity: a hub another test left behind may be listening too.
    before = list(announce_listeners)
    asyncio.run(scenario())
    added = [listener for listener in announce_listeners if listener not in before]
    assert len(added) == 1
    with caplog.at_level(logging.ERROR, logger="coop.indexer"):
        announce_in_process(_head(10))
        announce_in_process(_head(11))
    assert not caplog.records
    assert added[0] not in announce_listeners


def test_a_failed_read_keeps_the_last_value_and_is_retried() -> None:
    async def scenario() -> None:
        calls: list[str] = []
        fail = {"now": False}

        def read(key: str) -> str:
            calls.append(key)
            if fail["now"]:
                raise OSError("database gone")
            return f"value {len(calls)}"

        view = LiveView("flaky", read=read)
        hub = LiveHub()
        hub._started = True
        first, _ = await hub.current(view, "k")
        hub.subscribe(view, "k", lambda: None)
        fail["now"] = True
        hub.head_arrived(_head(1))
        await _settle(hub)
        assert hub.cached(view, "k")[0] == first  # type: ignore[index]
        value, _ = await hub.current(view, "k")  # no exception: the last value
        assert value == first

    asyncio.run(scenario())


def test_fresh_gives_only_what_current_would_give_without_reading() -> None:
    async def scenario() -> None:
        table = FakeTable()
        view = LiveView("at_hand", read=table.read)
        stale_view = LiveView("at_hand_stale", read=table.read, stale_after_s=0.05)
        hub = LiveHub()
        hub._started = True
        assert hub.fresh(view, "a") is None  # never read
        await hub.current(view, "a")
        assert hub.fresh(view, "a") == 1
        table.rows["a"] = 2
        hub.head_arrived(_head(1))
        # A new head: the value at hand is the previous head's until a read.
        assert hub.fresh(view, "a") is None
        assert (await hub.current(view, "a"))[0] == 2
        assert hub.fresh(view, "a") == 2
        # A chain-backed view older than its staleness is not at hand either.
        await hub.current(stale_view, "b")
        assert hub.fresh(stale_view, "b") == 1
        await asyncio.sleep(0.06)
        assert hub.fresh(stale_view, "b") is None
        reads = dict(table.reads)
        hub.fresh(view, "a")
        hub.fresh(stale_view, "b")
        assert dict(table.reads) == reads  # fresh() never reads

    asyncio.run(scenario())

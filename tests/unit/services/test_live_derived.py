"""Derived live views: many keys cut from one base value read once per indexed head."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter

from coop_dashboard.indexer.announce import IndexedHead
from coop_dashboard.services.live_data import Derived, LiveHub, LiveView


def _head(number: int) -> IndexedHead:
    return IndexedHead(number, f"0x{number:064x}")


class Rows:
    """All rows of a 'table'; counts whole-table reads and per-key reads."""

    def __init__(self) -> None:
        self.rows = list(range(100))
        self.reads: Counter[str] = Counter()
        self.lock = threading.Lock()

    def read_all(self, _key: str) -> list[int]:
        with self.lock:
            self.reads["all"] += 1
        return list(self.rows)

    def read_one(self, key: int) -> list[int]:
        with self.lock:
            self.reads["own"] += 1
        return [row for row in self.rows if row % 7 == key]


def _views(rows: Rows) -> tuple[LiveView[str, list[int]], LiveView[int, list[int]]]:
    base = LiveView("rows", read=rows.read_all)
    # Keys 0..6 are cut from the whole table; -1 ("mine") needs its own read.
    derived = LiveView(
        "rows_mod",
        read=rows.read_one,
        derived=Derived(
            base,
            lambda key: None if key < 0 else "all",
            lambda table, key: [row for row in table if row % 7 == key],
        ),
    )
    return base, derived


async def _settle(hub: LiveHub) -> None:
    for _ in range(200):
        await asyncio.sleep(0.01)
        if not any(entry.reading for entry in hub._entries.values()):
            return


def test_every_key_from_one_base_read_per_head() -> None:
    async def scenario() -> None:
        rows = Rows()
        _base, view = _views(rows)
        hub = LiveHub()
        hub._started = True  # heads come from the test
        woken: Counter[int] = Counter()
        for key in range(7):
            value, _ = await hub.current(view, key)
            assert value == [row for row in range(100) if row % 7 == key]
            for _tab in range(20):  # 140 tabs over 7 keys
                hub.subscribe(view, key, lambda key=key: woken.update([key]))
        assert rows.reads == Counter({"all": 1})
        assert hub.derive_count == 7

        for batch in range(1, 4):
            rows.rows.append(1000 + batch)  # 1001 % 7 = 0, 1002 % 7 = 1, 1003 % 7 = 2
            hub.head_arrived(_head(batch))
            await _settle(hub)
            assert rows.reads == Counter({"all": 1 + batch})
        # Only the tabs whose key's rows changed were woken, once per change.
        assert woken == Counter({0: 20, 1: 20, 2: 20})

    asyncio.run(scenario())


def test_a_key_that_cannot_be_derived_is_read_on_its_own() -> None:
    async def scenario() -> None:
        rows = Rows()
        _base, view = _views(rows)
        hub = LiveHub()
        hub._started = True
        value, _ = await hub.current(view, -1)
        assert value == []
        assert rows.reads == Counter({"own": 1})
        hub.stop()

    asyncio.run(scenario())


def test_a_failing_derivation_is_a_failed_read() -> None:
    async def scenario() -> None:
        base = LiveView("numbers", read=lambda _key: [1, 2])
        view = LiveView(
            "broken",
            read=lambda _key: [],
            derived=Derived(base, lambda _key: "all", lambda _table, _key: 1 // 0),
        )
        hub = LiveHub()
        hub._started = True
        try:
            await hub.current(view, "x")
        except Exception as error:  # noqa: BLE001 - the hub's own error type is what counts
            assert type(error).__name__ == "LiveReadError"
        else:
            raise AssertionError("a derivation that raised gave a value")

    asyncio.run(scenario())

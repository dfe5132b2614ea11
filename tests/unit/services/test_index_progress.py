"""The hook a write waits on: no indexer, an indexer that catches up, one that lags.

The wait reads the index's progress through the live-data hub: once per announced
head (however many writes wait), never on a timer of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from coop_dashboard.indexer.announce import IndexedHead
from coop_dashboard.services import index_progress
from coop_dashboard.services.index_progress import IndexWait, wait_until_indexed
from coop_dashboard.services.live_data import live_hub


@pytest.fixture(autouse=True)
def no_reader() -> Iterator[None]:
    index_progress.set_indexed_block_reader(None)
    yield
    index_progress.set_indexed_block_reader(None)


class _Index:
    """An index's checkpoint the test moves, counting how often it is read."""

    def __init__(self, block: int | None) -> None:
        self.block = block
        self.reads = 0

    def __call__(self) -> int | None:
        self.reads += 1
        return self.block


def _announce(block: int) -> None:
    live_hub().head_arrived(IndexedHead(block, f"0x{block:064x}"))


def test_without_an_indexer_a_mined_block_is_fresh_at_once() -> None:
    assert asyncio.run(wait_until_indexed(10)) is IndexWait.NO_INDEXER


def test_waiting_writes_wake_on_announced_heads_with_one_read_per_head() -> None:
    index = _Index(8)
    index_progress.set_indexed_block_reader(index)

    async def scenario() -> list[IndexWait]:
        waiting = [asyncio.ensure_future(wait_until_indexed(10, timeout_s=10)) for _ in range(20)]
        for block in (9, 10):
            await asyncio.sleep(0.1)
            assert not any(w.done() for w in waiting)
            index.block = block
            _announce(block)
        return list(await asyncio.gather(*waiting))

    assert asyncio.run(scenario()) == [IndexWait.INDEXED] * 20
    assert index.reads == 3  # the first look, then one per head: shared by the 20 writes


def test_an_indexer_that_lags_is_reported_after_the_timeout_without_polling() -> None:
    index = _Index(3)
    index_progress.set_indexed_block_reader(index)
    assert asyncio.run(wait_until_indexed(10, timeout_s=0.6)) is IndexWait.BEHIND
    assert index.reads == 1


def test_a_broken_reader_does_not_hang_the_write() -> None:
    def broken() -> int:
        raise RuntimeError("database gone")

    index_progress.set_indexed_block_reader(broken)
    assert asyncio.run(wait_until_indexed(10)) is IndexWait.BEHIND

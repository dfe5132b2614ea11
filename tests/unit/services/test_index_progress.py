"""The hook a write waits on: no indexer, an indexer that catches up, one that lags."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from coop_dashboard.services import index_progress
from coop_dashboard.services.index_progress import IndexWait, wait_until_indexed


@pytest.fixture(autouse=True)
def no_reader() -> Iterator[None]:
    index_progress.set_indexed_block_reader(None)
    yield
    index_progress.set_indexed_block_reader(None)


def test_without_an_indexer_a_mined_block_is_fresh_at_once() -> None:
    assert asyncio.run(wait_until_indexed(10)) is IndexWait.NO_INDEXER


def test_waits_until_the_indexer_covers_the_block() -> None:
    progress = iter([None, 8, 9, 10, 11])
    index_progress.set_indexed_block_reader(lambda: next(progress))
    assert asyncio.run(wait_until_indexed(10, poll_s=0.001)) is IndexWait.INDEXED


def test_an_indexer_that_lags_is_reported_after_the_timeout() -> None:
    index_progress.set_indexed_block_reader(lambda: 3)
    assert asyncio.run(wait_until_indexed(10, timeout_s=0.05, poll_s=0.01)) is IndexWait.BEHIND


def test_a_broken_reader_does_not_hang_the_write() -> None:
    def broken() -> int:
        raise RuntimeError("database gone")

    index_progress.set_indexed_block_reader(broken)
    assert asyncio.run(wait_until_indexed(10)) is IndexWait.BEHIND

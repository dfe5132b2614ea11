"""The real indexer feeding the live-data hub: fifty tabs watching the feed cost one
read per indexed batch, and each tab is woken at most once a batch."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.db import queries
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.service import Follower, run_follower
from coop_dashboard.services.governance.feed import FeedQuery
from coop_dashboard.services.governance.feed_live import FeedResult, read_feed
from coop_dashboard.services.live_data import LiveHub, LiveView
from tests.indexer.conftest import (
    GeneratedChain,
    engine_for,
    indexer_settings,
    start_generated_chain,
)

TABS = 50
BLOCKS = 4


@pytest.fixture
def small_chain(
    compiled_artifacts: dict[str, Artifact], tmp_path: Path
) -> Iterator[GeneratedChain]:
    generated = start_generated_chain(compiled_artifacts, tmp_path, target_logs=200)
    yield generated
    generated.chain.stop()


def _rpc(generated: GeneratedChain, method: str, *params: object) -> object:
    response = generated.chain.w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
    assert "error" not in response, response
    return response["result"]


def test_fifty_tabs_cost_one_read_per_indexed_batch(
    small_chain: GeneratedChain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database_url = f"sqlite:///{tmp_path / 'index.db'}"
    monkeypatch.setenv("DATABASE_URL", database_url)  # read_feed reads this index
    settings = replace(
        indexer_settings(small_chain.rpc_url, small_chain.manifest_path, database_url),
        rpc_ws_url="off",  # polled: the announcements, not the websocket, are under test
    )
    follower = Follower(settings, IndexerConfig(poll_interval_s=0.05))
    stop = threading.Event()
    thread = threading.Thread(target=run_follower, args=(follower, stop), daemon=True)
    thread.start()

    reads: list[FeedQuery] = []

    def counted_read(query: FeedQuery) -> FeedResult:
        reads.append(query)
        return read_feed(query)

    # The feed with one proposal a page: what a tab shows changes only with new blocks'
    # clock (time left) or votes, never because another tab opened it.
    view = LiveView("feed_counted", read=counted_read)
    query = FeedQuery(sort="newest", page=1, page_size=1)

    async def scenario() -> tuple[int, list[int]]:
        hub = LiveHub()
        hub.start(indexer_in_app=True)  # the indexer above announces in this process
        try:
            engine = engine_for(database_url)
            head = int(str(_rpc(small_chain, "eth_blockNumber")), 16)
            while (queries.indexed_block_number(engine) or -1) < head:
                await asyncio.sleep(0.05)
            wakes = [0] * TABS
            for tab in range(TABS):
                await hub.current(view, query)
                hub.subscribe(view, query, lambda tab=tab: wakes.__setitem__(tab, wakes[tab] + 1))
            await asyncio.sleep(0.3)
            reads.clear()
            heads_before = hub.head
            for _ in range(BLOCKS):
                _rpc(small_chain, "evm_increaseTime", 3_600)  # an hour less to vote
                _rpc(small_chain, "evm_mine")
                head += 1
                while hub.head is None or hub.head.block_number < head:
                    await asyncio.sleep(0.01)
                while any(entry.reading for entry in hub._entries.values()):
                    await asyncio.sleep(0.01)
            assert hub.head != heads_before
            return len(reads), wakes
        finally:
            hub.stop()

    try:
        read_count, wakes = asyncio.run(scenario())
    finally:
        stop.set()
        thread.join(timeout=30)
    # One read per indexed block for all fifty tabs (a batch may carry two blocks).
    assert 1 <= read_count <= BLOCKS
    # Every tab is told the same thing, at most once a batch (only when its card changed).
    assert len(set(wakes)) == 1
    assert wakes[0] <= read_count

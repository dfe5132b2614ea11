"""The RPC goes away mid-run: the indexer backs off, keeps the app responsive, and
resumes where it stopped when the node answers again (nothing lost, nothing twice)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.loadgen import LoadGenerator
from coop_dashboard.db import queries
from coop_dashboard.db.engine import get_engine
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.digest import database_digest
from coop_dashboard.indexer.lock import IndexerLock
from coop_dashboard.indexer.service import Follower, run_indexer_forever, run_once
from tests.indexer.conftest import (
    GeneratedChain,
    engine_for,
    indexer_settings,
    start_generated_chain,
)
from tests.support.loop_lag import LagSamples, loop_lag
from tests.support.tcp_proxy import TcpProxy

FAST = IndexerConfig(
    poll_interval_s=0.02, backoff_initial_s=0.08, backoff_max_s=0.5, rpc_timeout_s=2.0
)


@pytest.fixture
def proxied_chain(
    compiled_artifacts: dict[str, Artifact], tmp_path: Path
) -> Iterator[tuple[GeneratedChain, TcpProxy]]:
    generated = start_generated_chain(
        compiled_artifacts, tmp_path, target_logs=600, txs_per_block=25
    )
    proxy = TcpProxy("127.0.0.1", generated.chain.node.port)
    proxy.start()
    yield generated, proxy
    proxy.stop()
    generated.chain.stop()


def _more_blocks(generated: GeneratedChain, seed: int) -> int:
    """Activity sent straight to the node (not through the proxy); returns the new head."""
    generator = LoadGenerator(generated.rpc_url, generated.deployment, seed, txs_per_block=10)
    try:
        generator.resume(generated.report)
        generator.activity(200, treasury_share=0.1)
        return generator.finish().last_block
    finally:
        generator.close()


def _wait_for(condition: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _indexed_block(database_url: str) -> int:
    try:
        status = queries.index_status(engine_for(database_url))
    except DBAPIError:  # before the indexer created its tables
        return -1
    return status.block_number if status else -1


def _clean_digest(generated: GeneratedChain, url: str) -> str:
    run_once(indexer_settings(generated.rpc_url, generated.manifest_path, url), IndexerConfig())
    return database_digest(engine_for(url))


def test_follower_backs_off_while_the_rpc_is_down_and_resumes(
    proxied_chain: tuple[GeneratedChain, TcpProxy],
    database_url: str,
    make_database_url: Callable[[], str],
) -> None:
    generated, proxy = proxied_chain
    settings = indexer_settings(proxy.url, generated.manifest_path, database_url)
    follower = Follower(settings, FAST)
    delays: list[float] = []
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            delay = follower.tick()
            delays.append(delay)
            stop.wait(delay)
        follower.close()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        head = generated.chain.w3.eth.block_number
        _wait_for(lambda: _indexed_block(database_url) == head, 30)

        proxy.stop()
        new_head = _more_blocks(generated, seed=11)
        # The loop appends a tick's delay only after tick() returns (which now also
        # records the stall in the database): wait for the delays, not the counter.
        _wait_for(lambda: len([d for d in delays if d > FAST.poll_interval_s]) >= 4, 15)
        assert _indexed_block(database_url) == head
        failed = [d for d in delays if d > FAST.poll_interval_s]
        # Exponential backoff, capped.
        assert failed[:4] == [0.08, 0.16, 0.32, 0.5]
        assert max(delays) <= FAST.backoff_max_s

        proxy.start()
        _wait_for(lambda: _indexed_block(database_url) == new_head, 30)
        # The step commits the checkpoint before tick() counts the recovery: the row can
        # be visible here a moment before the counter is reset (CI saw 4 == 0).
        _wait_for(lambda: follower.failures == 0, 5)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert database_digest(engine_for(database_url)) == _clean_digest(
        generated, make_database_url()
    )


def test_lifespan_task_keeps_the_event_loop_free_during_an_outage(
    proxied_chain: tuple[GeneratedChain, TcpProxy], database_url: str
) -> None:
    generated, proxy = proxied_chain
    settings = indexer_settings(proxy.url, generated.manifest_path, database_url)
    head = generated.chain.w3.eth.block_number

    async def scenario() -> LagSamples:
        task = asyncio.create_task(run_indexer_forever(settings, FAST))

        async def serve_for(seconds: float, until: Callable[[], bool] | None = None) -> None:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline and not (until and until()):
                await asyncio.sleep(0.05)

        async with loop_lag() as lag:  # stands in for the app answering requests
            await serve_for(30, until=lambda: _indexed_block(database_url) == head)
            proxy.stop()
            new_head = await asyncio.to_thread(_more_blocks, generated, 12)
            await serve_for(1.5)
            assert _indexed_block(database_url) == head
            proxy.start()
            await serve_for(30, until=lambda: _indexed_block(database_url) == new_head)
            assert _indexed_block(database_url) == new_head
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        return lag

    lag = asyncio.run(scenario())
    # With tick() run on the loop, its thread was busy 0.41-0.55 s in one tick
    # (yet the worst lateness, 0.66-0.78 s, passed the old 1 s bound); offloaded,
    # about 1 ms. 0.1 s leaves room for a garbage collection.
    assert lag.worst_busy_s < 0.1, lag.report()
    # Cancelling the task released the indexer lock.
    lock = IndexerLock(get_engine(settings.database_url))
    assert lock.try_acquire()
    lock.release()

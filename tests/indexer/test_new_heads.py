"""Blocks pushed over a websocket (eth_subscribe newHeads): the indexer wakes on each head,
keeps indexing by polling while the socket is cut, resubscribes when it is back, and
follows a reorg, without missing or duplicating a block (the database equals a clean
index of the final chain)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.loadgen import LoadGenerator
from coop_dashboard.db import queries
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.digest import database_digest
from coop_dashboard.indexer.service import Follower, run_follower, run_once
from tests.indexer.conftest import (
    GeneratedChain,
    engine_for,
    indexer_settings,
    start_generated_chain,
)
from tests.support.tcp_proxy import TcpProxy

# Polling is slow on purpose: a block indexed well before it came by the websocket.
POLL_S = 1.5
WAIT_S = 30.0


@pytest.fixture
def chain_and_ws_proxy(
    compiled_artifacts: dict[str, Artifact], tmp_path: Path
) -> Iterator[tuple[GeneratedChain, TcpProxy]]:
    generated = start_generated_chain(
        compiled_artifacts, tmp_path, target_logs=300, txs_per_block=25
    )
    proxy = TcpProxy("127.0.0.1", generated.chain.node.port)
    proxy.start()
    yield generated, proxy
    proxy.stop()
    generated.chain.stop()


def _rpc(generated: GeneratedChain, method: str, *params: object) -> object:
    response = generated.chain.w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
    assert "error" not in response, response
    return response["result"]


def _activity(generated: GeneratedChain, seed: int, logs: int = 40) -> int:
    """Blocks with transfers, votes and delegations; returns the new head."""
    generator = LoadGenerator(generated.rpc_url, generated.deployment, seed, txs_per_block=10)
    try:
        generator.resume(generated.report)
        generator.activity(logs, treasury_share=0.2)
        return generator.finish().last_block
    finally:
        generator.close()


def _head(generated: GeneratedChain) -> int:
    return int(str(_rpc(generated, "eth_blockNumber")), 16)


def _wait_indexed(database_url: str, block: int, within_s: float = WAIT_S) -> float:
    """Seconds until the index reaches `block`."""
    started = time.monotonic()
    engine = engine_for(database_url)
    while time.monotonic() - started < within_s:
        if (queries.indexed_block_number(engine) or -1) >= block:
            return time.monotonic() - started
        time.sleep(0.01)
    raise AssertionError(f"block {block} not indexed within {within_s} s")


def _wait_for(condition: object, within_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + within_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_pushed_heads_survive_a_cut_socket_and_a_reorg(
    chain_and_ws_proxy: tuple[GeneratedChain, TcpProxy], tmp_path: Path
) -> None:
    generated, proxy = chain_and_ws_proxy
    database_url = f"sqlite:///{tmp_path / 'index.db'}"
    settings = replace(
        indexer_settings(generated.rpc_url, generated.manifest_path, database_url),
        rpc_ws_url=proxy.url.replace("http://", "ws://"),
    )
    follower = Follower(settings, IndexerConfig(poll_interval_s=POLL_S, rpc_timeout_s=5.0))
    heads = follower.heads
    assert heads is not None
    stop = threading.Event()
    thread = threading.Thread(target=run_follower, args=(follower, stop), daemon=True)
    thread.start()
    try:
        _wait_indexed(database_url, _head(generated))
        _wait_for(lambda: heads.connected)

        # Pushed: each new block is indexed long before the next poll would find it.
        snapshot = _rpc(generated, "evm_snapshot")
        for _ in range(3):
            seen = heads.heads_seen
            _rpc(generated, "evm_mine")
            assert _wait_indexed(database_url, _head(generated)) < POLL_S / 2
            assert heads.heads_seen > seen

        # The websocket is cut: blocks are still indexed, by polling.
        proxy.stop()
        _wait_for(lambda: not heads.connected)
        _wait_indexed(database_url, _activity(generated, seed=11))
        assert not heads.connected

        # Back: the subscription is renewed by itself and pushes again.
        proxy.start()
        _wait_for(lambda: heads.connected)
        seen = heads.heads_seen
        _rpc(generated, "evm_mine")
        assert _wait_indexed(database_url, _head(generated)) < POLL_S / 2
        assert heads.heads_seen > seen

        # A reorg: the blocks since the snapshot are replaced by a longer branch.
        assert _rpc(generated, "evm_revert", snapshot) is True
        new_head = _activity(generated, seed=23, logs=80)
        _wait_for(lambda: (queries.index_status(engine_for(database_url)) or None) is not None)
        _wait_indexed(database_url, new_head)
        _wait_for(
            lambda: (
                (status := queries.index_status(engine_for(database_url))) is not None
                and status.block_hash
                == str(
                    _rpc(generated, "eth_getBlockByNumber", hex(new_head), False)["hash"]
                ).lower()
            )  # type: ignore[index]
        )
    finally:
        stop.set()
        thread.join(timeout=30)

    # Nothing missed, nothing twice: the same rows as a clean index of the final chain.
    clean_url = f"sqlite:///{tmp_path / 'clean.db'}"
    run_once(indexer_settings(generated.rpc_url, generated.manifest_path, clean_url))
    assert database_digest(engine_for(database_url)) == database_digest(engine_for(clean_url))

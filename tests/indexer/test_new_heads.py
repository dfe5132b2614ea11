"""Blocks pushed over a websocket (eth_subscribe newHeads): the indexer wakes on each head,
keeps indexing by polling while the socket is cut, resubscribes when it is back, and
follows a reorg, without missing or duplicating a block (the database equals a clean
index of the final chain)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.heads import NewHeads
from coop_dashboard.chain.loadgen import LoadGenerator
from coop_dashboard.chain.rpc import RpcClient
from coop_dashboard.db import queries
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.digest import table_digests
from coop_dashboard.indexer.service import Follower, IndexerSession, run_follower, run_once
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


@contextmanager
def _following_pushed_heads(
    generated: GeneratedChain, proxy: TcpProxy, database_url: str
) -> Iterator[NewHeads]:
    """A follower in a thread, heads pushed through `proxy`; yields once it has caught
    up and its subscription is live; stopped when the block ends."""
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
        yield heads
    finally:
        stop.set()
        thread.join(timeout=30)


def test_pushed_heads_survive_a_cut_socket_and_a_reorg(
    chain_and_ws_proxy: tuple[GeneratedChain, TcpProxy], tmp_path: Path
) -> None:
    generated, proxy = chain_and_ws_proxy
    database_url = f"sqlite:///{tmp_path / 'index.db'}"
    with _following_pushed_heads(generated, proxy, database_url) as heads:
        # Pushed: each new block is indexed long before the next poll would find it.
        snapshot = _rpc(generated, "evm_snapshot")
        for _ in range(3):
            seen = heads.heads_seen
            _rpc(generated, "evm_mine")
            assert _wait_indexed(database_url, _head(generated)) < POLL_S / 2
            _wait_for(lambda seen=seen: heads.heads_seen > seen, within_s=POLL_S)

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
        # The wake-up on reconnect may index the block before its push is counted.
        _wait_for(lambda: heads.heads_seen > seen, within_s=POLL_S)

        # A reorg: the blocks since the snapshot are replaced by another branch (shorter
        # here, so the old head vanishes), its blocks funding the treasury in ETH.
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

    # Nothing missed, nothing twice: the same rows as a clean index of the final chain.
    assert table_digests(engine_for(database_url)) == _clean_digests(generated, tmp_path)


def _clean_digests(generated: GeneratedChain, tmp_path: Path) -> dict[str, str]:
    """Per-table digests of a clean index of the chain as it is now (a failure names the table)."""
    clean_url = f"sqlite:///{tmp_path / 'clean.db'}"
    run_once(indexer_settings(generated.rpc_url, generated.manifest_path, clean_url))
    return table_digests(engine_for(clean_url))


class _MinesDuringTheBalanceRead(RpcClient):
    """Forces the interleaving anvil allows at random: the scanner asks for the treasury's
    balance at the head N while the node executes block N+1, and is answered from the
    state that already holds N+1 (anvil serves the head from its working state until
    N+1 is published). Here N+1 is really mined first (with ETH for the treasury in
    it) and the read is then made at N+1: what anvil answers in that window."""

    def __init__(self, url: str, treasury: str, race_at: int, send_eth: Any) -> None:
        super().__init__(url, 5.0)
        self.treasury = treasury.lower()
        self.race_at = race_at
        self.send_eth = send_eth
        self.raced = 0

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        calls = list(calls)
        for position, (method, params) in enumerate(calls):
            reads_balance = method in ("eth_getBalance", "eth_getProof")
            treasury = reads_balance and str(params[0]).lower() == self.treasury
            if treasury and params[-1] == hex(self.race_at) and not self.raced:
                self.send_eth()  # automine: block N+1, the treasury richer
                calls[position] = (method, [*params[:-1], hex(self.race_at + 1)])
                self.raced += 1
        return super().batch(calls)


def test_a_balance_read_racing_the_next_block_is_refused(
    chain_and_ws_proxy: tuple[GeneratedChain, TcpProxy], tmp_path: Path
) -> None:
    """CI saw the follower's digest differ after pushed heads: an extra eth_internal row.
    The treasury's ETH at the head was read while anvil mined the next block, so that
    block's inflow was counted in the head block too (and again in its own block)."""
    generated, _proxy = chain_and_ws_proxy
    database_url = f"sqlite:///{tmp_path / 'index.db'}"
    settings = indexer_settings(generated.rpc_url, generated.manifest_path, database_url)
    treasury = generated.deployment.address("CoopTimelock")
    sender = generated.chain.w3.eth.accounts[3]
    session = IndexerSession(settings, IndexerConfig())
    try:
        session.scanner.catch_up()
        _rpc(generated, "evm_mine")  # block N: nothing for the treasury
        head = _head(generated)

        def send_eth() -> None:
            tx = {"from": sender, "to": treasury, "value": hex(7 * 10**15)}
            _rpc(generated, "eth_sendTransaction", tx)

        racing = _MinesDuringTheBalanceRead(generated.rpc_url, treasury, head, send_eth)
        session.scanner.rpc = racing
        session.scanner.catch_up()
        assert racing.raced == 1
        assert _head(generated) == head + 1
        assert (queries.indexed_block_number(engine_for(database_url)) or -1) == head + 1
    finally:
        session.close()
    assert table_digests(engine_for(database_url)) == _clean_digests(generated, tmp_path)


def test_pushed_heads_while_blocks_fund_the_treasury_back_to_back(
    chain_and_ws_proxy: tuple[GeneratedChain, TcpProxy], tmp_path: Path
) -> None:
    """The same race left to chance on a real anvil: blocks full of ETH sent to the
    treasury mined back to back, each pushed to a follower that indexes it at once
    (so its balance reads meet the mining of the next block)."""
    generated, proxy = chain_and_ws_proxy
    database_url = f"sqlite:///{tmp_path / 'index.db'}"
    with _following_pushed_heads(generated, proxy, database_url):
        generator = LoadGenerator(generated.rpc_url, generated.deployment, 5, txs_per_block=2)
        try:
            generator.resume(generated.report)
            generator.activity(400, treasury_share=0.9)
            last = generator.finish().last_block
        finally:
            generator.close()
        _wait_indexed(database_url, last, within_s=120)
    assert table_digests(engine_for(database_url)) == _clean_digests(generated, tmp_path)

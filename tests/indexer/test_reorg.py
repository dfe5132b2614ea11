"""Reorgs: replace the last blocks with different transactions (anvil evm_snapshot /
evm_revert); the database must equal a clean index of the new canonical chain,
with nothing left from the orphaned blocks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from web3 import Web3

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.loadgen import LoadGenerator
from coop_dashboard.errors import IndexerError
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.digest import database_digest
from coop_dashboard.indexer.service import IndexerSession, run_once
from tests.indexer.conftest import (
    GeneratedChain,
    engine_for,
    indexer_settings,
    start_generated_chain,
)

# Tables holding transaction hashes of indexed events.
TX_TABLES = (
    "chain_event",
    "gov_vote",
    "token_transfer",
    "token_delegation",
    "token_voting_power",
    "treasury_movement",
)


@pytest.fixture
def small_chain(
    compiled_artifacts: dict[str, Artifact], tmp_path: Path
) -> Iterator[GeneratedChain]:
    """A chain of its own: these tests rewrite its history."""
    generated = start_generated_chain(
        compiled_artifacts, tmp_path, target_logs=800, txs_per_block=25
    )
    yield generated
    generated.chain.stop()


def _rpc(generated: GeneratedChain, method: str, *params: object) -> object:
    response = generated.chain.w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
    assert "error" not in response, response
    return response["result"]


def _branch(generated: GeneratedChain, seed: int, logs: int) -> None:
    """Mine a few blocks of activity that differs with `seed` (ETH to the treasury included)."""
    generator = LoadGenerator(generated.rpc_url, generated.deployment, seed, txs_per_block=10)
    try:
        generator.resume(generated.report)
        generator.activity(logs, treasury_share=0.2)
        generator.finish()
    finally:
        generator.close()


def _tx_hashes(database_url: str) -> set[str]:
    hashes: set[str] = set()
    with engine_for(database_url).connect() as connection:
        for table in TX_TABLES:
            hashes |= {h for (h,) in connection.execute(text(f"SELECT tx_hash FROM {table}"))}
    hashes.discard(None)  # type: ignore[arg-type]
    return hashes


def _assert_tallies_add_up(database_url: str) -> None:
    """Each proposal's tally (total weight included) is the sum of its remaining votes."""
    votes: dict[int, list[int]] = {}
    with engine_for(database_url).connect() as connection:
        for proposal_id, support, weight in connection.execute(
            text("SELECT proposal_id, support, weight FROM gov_vote")
        ):
            sums = votes.setdefault(int(proposal_id), [0, 0, 0, 0])
            sums[{1: 0, 0: 1, 2: 2}[support]] += int(weight)
            sums[3] += 1
        tallies = {
            int(row[0]): [int(value) for value in row[1:]]
            for row in connection.execute(
                text(
                    "SELECT proposal_id, for_votes, against_votes, abstain_votes, total_weight,"
                    " vote_count FROM gov_proposal_tally"
                )
            )
        }
    assert votes
    assert tallies == {
        pid: [for_, against, abstain, for_ + against + abstain, count]
        for pid, (for_, against, abstain, count) in votes.items()
    }


def _clean_digest(generated: GeneratedChain, make_database_url: Callable[[], str]) -> str:
    url = make_database_url()
    run_once(indexer_settings(generated.rpc_url, generated.manifest_path, url), IndexerConfig())
    return database_digest(engine_for(url))


def test_reorg_replaces_orphaned_rows_with_the_new_branch(
    small_chain: GeneratedChain,
    database_url: str,
    make_database_url: Callable[[], str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = indexer_settings(small_chain.rpc_url, small_chain.manifest_path, database_url)
    run_once(settings, IndexerConfig())
    base_hashes = _tx_hashes(database_url)

    snapshot = _rpc(small_chain, "evm_snapshot")
    _branch(small_chain, seed=101, logs=150)
    run_once(settings, IndexerConfig())
    orphaned = _tx_hashes(database_url) - base_hashes
    assert orphaned
    with engine_for(database_url).connect() as connection:
        sources = {
            source for (source,) in connection.execute(text("SELECT source FROM treasury_movement"))
        }
    assert {"eth_tx", "erc20_transfer"} <= sources  # synthesised rows are rewound too

    # The chain is now shorter than the index: the indexer must notice and rewind.
    assert _rpc(small_chain, "evm_revert", snapshot) is True
    run_once(settings, IndexerConfig())
    assert "chain reorganisation" in caplog.text
    assert _tx_hashes(database_url) == base_hashes
    _assert_tallies_add_up(database_url)
    assert database_digest(engine_for(database_url)) == _clean_digest(
        small_chain, make_database_url
    )

    # A longer, different branch replaces it.
    caplog.clear()
    _branch(small_chain, seed=202, logs=250)
    run_once(settings, IndexerConfig())
    assert not (_tx_hashes(database_url) & orphaned)
    _assert_tallies_add_up(database_url)
    assert database_digest(engine_for(database_url)) == _clean_digest(
        small_chain, make_database_url
    )


def test_a_range_read_ahead_is_not_written_once_the_chain_replaced_it(
    small_chain: GeneratedChain, database_url: str, make_database_url: Callable[[], str]
) -> None:
    """The next range is read while the current one is written. A reorg in between that
    keeps the current range's last block (the next step's checkpoint) must not let the
    next range's orphaned blocks be written, even for one step."""
    settings = indexer_settings(small_chain.rpc_url, small_chain.manifest_path, database_url)
    run_once(settings, IndexerConfig())
    indexed = small_chain.chain.w3.eth.block_number
    _branch(small_chain, seed=505, logs=40)  # kept: the first range
    kept = small_chain.chain.w3.eth.block_number
    snapshot = _rpc(small_chain, "evm_snapshot")
    _branch(small_chain, seed=606, logs=120)  # read ahead, then replaced
    w3 = small_chain.chain.w3
    orphaned = {
        Web3.to_hex(transaction)
        for number in range(kept + 1, w3.eth.block_number + 1)
        for transaction in w3.eth.get_block(number)["transactions"]
    }
    assert orphaned

    span = kept - indexed  # one range for the kept blocks, the next one read ahead
    session = IndexerSession(settings, IndexerConfig(initial_chunk=span, max_chunk=span))
    try:
        first = session.scanner.step()
        assert (first.kind, first.to_block) == ("applied", kept)
        ahead = session.scanner._prefetch
        assert ahead is not None
        assert ahead.future.result().first == kept + 1  # read: the blocks about to go

        assert _rpc(small_chain, "evm_revert", snapshot) is True
        _branch(small_chain, seed=707, logs=120)
        second = session.scanner.step()
        assert second.kind == "applied"
        assert not (_tx_hashes(database_url) & orphaned)
        session.scanner.catch_up()
    finally:
        session.close()
    assert database_digest(engine_for(database_url)) == _clean_digest(
        small_chain, make_database_url
    )


def test_same_height_reorg_is_detected_by_hash(
    small_chain: GeneratedChain, database_url: str, make_database_url: Callable[[], str]
) -> None:
    settings = indexer_settings(small_chain.rpc_url, small_chain.manifest_path, database_url)
    snapshot = _rpc(small_chain, "evm_snapshot")
    _branch(small_chain, seed=303, logs=120)
    height = small_chain.chain.w3.eth.block_number
    run_once(settings, IndexerConfig())
    _rpc(small_chain, "evm_revert", snapshot)
    _branch(small_chain, seed=404, logs=120)
    # Pad to the same height: only the block hashes tell the branches apart.
    while small_chain.chain.w3.eth.block_number < height:
        _rpc(small_chain, "evm_mine")
    run_once(settings, IndexerConfig())
    assert database_digest(engine_for(database_url)) == _clean_digest(
        small_chain, make_database_url
    )


def test_reorg_deeper_than_the_kept_hashes_stops_with_a_clear_error(
    small_chain: GeneratedChain, database_url: str
) -> None:
    settings = indexer_settings(small_chain.rpc_url, small_chain.manifest_path, database_url)
    snapshot = _rpc(small_chain, "evm_snapshot")
    _branch(small_chain, seed=505, logs=200)
    config = IndexerConfig(reorg_window=2)
    run_once(settings, config)
    _rpc(small_chain, "evm_revert", snapshot)
    _branch(small_chain, seed=606, logs=300)
    with pytest.raises(IndexerError, match="reorganised deeper"):
        run_once(settings, config)

"""The scaled configuration's indexer: one `coop index` writes, a second stands by and
takes over when the first is killed (the PostgreSQL advisory lock decides who writes)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from coop_dashboard.chain.contracts import Deployment, write_manifest
from coop_dashboard.chain.transact import Sender
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.queries import indexed_block_number
from tests.support.chains import Chain
from tests.support.databases import postgres_schema_url
from tests.support.indexers import INDEXING_LINE, STANDING_BY_LINE, start_indexer

# indexer/service.py LOCK_RETRY_S (5 s) between attempts, plus a catch-up step.
TAKEOVER_S = 20.0


@pytest.fixture
def standby_database() -> Iterator[str]:
    with postgres_schema_url("standby") as url:
        yield url


def _wait_indexed(database_url: str, block: int, timeout_s: float) -> float:
    """Seconds until the index covers `block` (fails after `timeout_s`)."""
    engine = get_engine(database_url)
    started = time.monotonic()
    while (indexed_block_number(engine) or -1) < block:
        assert time.monotonic() - started < timeout_s, f"block {block} was never indexed"
        time.sleep(0.1)
    return time.monotonic() - started


def _delegate_to_self(chain: Chain, deployment: Deployment, account: int) -> int:
    """A token event in a new block; returns the block number."""
    token = deployment.contract(chain.w3, "CoopToken")
    sender = Sender.unlocked(chain.w3, chain.w3.eth.accounts[account])
    receipt = sender.call(token.functions.delegate(sender.address), what="self-delegation")
    return int(receipt["blockNumber"])


def test_a_standby_indexer_takes_over_when_the_writer_is_killed(
    chain: Chain, deployment: Deployment, standby_database: str, tmp_path: Path
) -> None:
    manifest = tmp_path / "deployment.json"
    write_manifest(deployment, manifest)
    environment = {
        "RPC_URL": chain.rpc_url,
        "CHAIN_ID": str(chain.chain_id),
        "DEPLOYMENT": str(manifest),
        "DATABASE_URL": standby_database,
        "COOP_DATA_DIR": str(tmp_path / "data"),
    }
    writer = start_indexer(environment, tmp_path / "index-writer.log")
    standby = None
    try:
        writer.wait_for_line(INDEXING_LINE)
        _wait_indexed(standby_database, _delegate_to_self(chain, deployment, 3), 30)
        standby = start_indexer(environment, tmp_path / "index-standby.log")
        standby.wait_for_line(STANDING_BY_LINE)
        assert INDEXING_LINE not in standby.log()

        writer.kill()
        block = _delegate_to_self(chain, deployment, 4)
        took_s = _wait_indexed(standby_database, block, TAKEOVER_S)
        print(f"standby indexed block {block} {took_s:.1f} s after the writer was killed")
        assert INDEXING_LINE in standby.log()
        # It goes on following the chain, not just one catch-up.
        _wait_indexed(standby_database, _delegate_to_self(chain, deployment, 5), 10)
    finally:
        writer.stop()
        if standby is not None:
            standby.stop()

"""Kill -9 the indexer at random points of a backfill: after restarts the database
equals the one a clean, uninterrupted run produces (digest of every row)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time

from sqlalchemy.exc import DBAPIError

from coop_dashboard.config import PROJECT_ROOT
from coop_dashboard.db import queries
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.digest import database_digest
from coop_dashboard.indexer.service import run_once
from tests.indexer.conftest import GeneratedChain, engine_for, indexer_settings

KILLS = 3


def _checkpoint(database_url: str) -> int:
    try:
        status = queries.index_status(engine_for(database_url))
    except DBAPIError:  # before the indexer created its tables
        return -1
    return status.block_number if status else -1


def _start_indexer(generated: GeneratedChain, database_url: str) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "RPC_URL": generated.rpc_url,
        "DEPLOYMENT": str(generated.manifest_path),
        "DATABASE_URL": database_url,
        # Small ranges: many batches, so kills land between and inside them.
        "INDEXER_INITIAL_CHUNK": "2",
        "INDEXER_MAX_CHUNK": "3",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "coop_dashboard.indexer.cli", "--once"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_sigkill_during_backfill_loses_and_duplicates_nothing(
    generated_chain: GeneratedChain, database_url: str, make_database_url: object
) -> None:
    seed = int(os.environ.get("CRASH_SEED", time.time_ns() % 10**6))
    rng = random.Random(seed)
    head = generated_chain.report.last_block

    clean_url = make_database_url()  # type: ignore[operator]
    clean = indexer_settings(generated_chain.rpc_url, generated_chain.manifest_path, clean_url)
    run_once(clean, IndexerConfig())
    expected = database_digest(engine_for(clean_url))

    killed_at: list[int] = []
    for _ in range(KILLS):
        before = _checkpoint(database_url)
        process = _start_indexer(generated_chain, database_url)
        deadline = time.monotonic() + 60
        while _checkpoint(database_url) <= before and process.poll() is None:
            assert time.monotonic() < deadline, "the indexer made no progress"
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.15))
        process.kill()
        process.wait()
        killed_at.append(_checkpoint(database_url))
    assert any(block < head for block in killed_at), (seed, killed_at)

    final = _start_indexer(generated_chain, database_url)
    _, errors = final.communicate(timeout=120)
    assert final.returncode == 0, errors.decode()
    assert _checkpoint(database_url) == head
    assert database_digest(engine_for(database_url)) == expected, f"seed {seed}: {killed_at}"

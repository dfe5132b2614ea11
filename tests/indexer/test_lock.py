"""Never two indexers on one database: the lock, and what happens when its holder dies."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from coop_dashboard.db.engine import get_engine
from coop_dashboard.indexer.lock import IndexerLock, IndexerLockHeldError
from coop_dashboard.indexer.service import run_once
from tests.indexer.conftest import GeneratedChain, indexer_settings


def test_a_second_lock_on_the_same_database_is_refused(database_url: str) -> None:
    engine = get_engine(database_url)
    first, second = IndexerLock(engine), IndexerLock(engine)
    first.acquire()
    try:
        with pytest.raises(IndexerLockHeldError):
            second.acquire()
        assert not second.try_acquire()
    finally:
        first.release()
    assert second.try_acquire()
    second.release()


def test_run_once_refuses_while_another_indexer_runs(
    generated_chain: GeneratedChain, database_url: str
) -> None:
    holder = IndexerLock(get_engine(database_url))
    holder.acquire()
    try:
        settings = indexer_settings(
            generated_chain.rpc_url, generated_chain.manifest_path, database_url
        )
        with pytest.raises(IndexerLockHeldError):
            run_once(settings)
    finally:
        holder.release()


def test_the_lock_dies_with_its_holder(database_url: str) -> None:
    script = textwrap.dedent(
        f"""
        import sys, time
        from coop_dashboard.db.engine import get_engine
        from coop_dashboard.indexer.lock import IndexerLock
        lock = IndexerLock(get_engine({database_url!r}))
        lock.acquire()
        print("locked", flush=True)
        time.sleep(60)
        """
    )
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == b"locked"
        lock = IndexerLock(get_engine(database_url))
        assert not lock.try_acquire()
        holder.kill()
        holder.wait()
        deadline = time.monotonic() + 10
        while not lock.try_acquire():
            assert time.monotonic() < deadline, "the lock outlived its holder"
            time.sleep(0.05)
        lock.release()
    finally:
        holder.kill()
        holder.wait()

"""An indexed head announced in one process reaches the live-data hub of another:
PostgreSQL NOTIFY, Redis pub/sub, or (SQLite, separate indexer) the checkpoint row."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import insert

from coop_dashboard.config import load_settings
from coop_dashboard.db.chain_tables import IndexerCheckpoint, table_of
from coop_dashboard.db.engine import create_tables, get_engine
from coop_dashboard.indexer.announce import Announcer, IndexedHead
from coop_dashboard.indexer.head_watch import head_transport, watch_heads
from tests.support.databases import database_url_of

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")


async def _received(settings_kwargs: dict[str, str], publish: object, indexer_in_app: bool) -> list:
    settings = replace(load_settings(), **settings_kwargs)
    heads: list[IndexedHead] = []
    resynced = asyncio.Event()
    arrived = asyncio.Event()

    def on_head(head: IndexedHead) -> None:
        heads.append(head)
        arrived.set()

    watcher = asyncio.ensure_future(watch_heads(settings, indexer_in_app, on_head, resynced.set))
    try:
        if head_transport(settings, indexer_in_app) != "checkpoint":
            await asyncio.wait_for(resynced.wait(), 10)  # subscribed
        await asyncio.to_thread(publish)  # type: ignore[arg-type]
        await asyncio.wait_for(arrived.wait(), 10)
    finally:
        watcher.cancel()
    return heads


def _unique_head() -> IndexedHead:
    return IndexedHead(12_345, "0x" + uuid.uuid4().hex * 2)


def test_postgres_notify_reaches_a_listener(tmp_path: Path) -> None:
    with database_url_of("postgresql", tmp_path, "live") as url:
        head = _unique_head()
        announcer = Announcer(get_engine(url))
        heads = asyncio.run(
            _received({"database_url": url}, lambda: announcer.announce(head), False)
        )
        assert head in heads


def test_redis_pubsub_reaches_a_subscriber(tmp_path: Path) -> None:
    _redis_or_skip()
    url = f"sqlite:///{tmp_path / 'live.db'}"
    head = _unique_head()
    announcer = Announcer(get_engine(url), REDIS_URL)
    try:
        heads = asyncio.run(
            _received(
                {"database_url": url, "redis_url": REDIS_URL},
                lambda: announcer.announce(head),
                True,
            )
        )
    finally:
        announcer.close()
    assert heads == [head]  # one channel per index: nothing from other apps on this Redis


def test_sqlite_with_a_separate_indexer_watches_the_checkpoint_row(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    engine = get_engine(url)
    create_tables(engine)
    head = _unique_head()

    def commit_checkpoint() -> None:
        with engine.begin() as connection:
            connection.execute(
                insert(table_of(IndexerCheckpoint)).values(
                    stream="governance",
                    deployment_key="k",
                    chain_id=31337,
                    block_number=head.block_number,
                    block_hash=head.block_hash,
                    block_timestamp=1,
                    updated_at=1,
                )
            )

    assert head_transport(replace(load_settings(), database_url=url), False) == "checkpoint"
    heads = asyncio.run(_received({"database_url": url}, commit_checkpoint, False))
    assert heads[-1] == head


def test_in_app_indexer_on_sqlite_needs_no_watcher(tmp_path: Path) -> None:
    settings = replace(load_settings(), database_url=f"sqlite:///{tmp_path / 'x.db'}")
    assert head_transport(settings, True) == "in_process"


def test_malformed_messages_are_ignored() -> None:
    for raw in (b"", b"null", b"[]", b'{"block_number": "1", "block_hash": "0x"}', b"\xff"):
        assert IndexedHead.from_json(raw) is None
    assert IndexedHead.from_json(_unique_head().to_json()) is not None

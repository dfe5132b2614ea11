"""An indexed head announced in one process reaches the live-data hub of another:
PostgreSQL NOTIFY, Redis pub/sub, or (SQLite, separate indexer) the checkpoint row.
A view refreshed by one worker (a node's report) reaches the other workers over Redis."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import insert

from coop_dashboard.config import load_settings
from coop_dashboard.db.chain_tables import IndexerCheckpoint, table_of
from coop_dashboard.db.engine import create_tables, get_engine
from coop_dashboard.indexer.announce import Announcer, IndexedHead, ViewRefresh
from coop_dashboard.indexer.head_watch import head_transport, redis_channel, watch_heads
from coop_dashboard.services.live_data import LiveHub, LiveView
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


def test_refresh_messages_are_read_strictly() -> None:
    refresh = ViewRefresh("job_page", 7, "a" * 32)
    assert ViewRefresh.from_json(refresh.to_json()) == refresh
    assert ViewRefresh.from_json(ViewRefresh("delegate", "0xabc", "w").to_json()) is not None
    head = _unique_head().to_json()
    assert ViewRefresh.from_json(head) is None and IndexedHead.from_json(refresh.to_json()) is None
    for raw in (
        b"\xff",
        b'{"refresh": []}',
        b'{"refresh": {"view": "v", "key": true, "origin": "w"}}',  # bool: no view's key
        b'{"refresh": {"view": "v", "key": 1.5, "origin": "w"}}',
        b'{"refresh": {"view": "v", "key": [1], "origin": "w"}}',
        b'{"refresh": {"view": "", "key": 1, "origin": "w"}}',
        b'{"refresh": {"view": "v", "key": 1}}',
        json.dumps({"refresh": {"view": "v", "key": "x" * 201, "origin": "w"}}),
        json.dumps({"refresh": {"view": "v", "key": 2**256, "origin": "w"}}),
        json.dumps({"refresh": {"view": "v" * 65, "key": 1, "origin": "w"}}),
    ):
        assert ViewRefresh.from_json(raw) is None, raw


def test_a_refresh_reaches_the_other_workers_hub_over_redis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worker A stores a node's report and refreshes the job page: worker B's tab on that
    page gets the new value without a block; A reads once, not again for its own echo."""
    _redis_or_skip()
    import redis

    database_url = f"sqlite:///{tmp_path / 'live.db'}"  # names the channel: this test's own
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    channel = redis_channel(load_settings())
    rows = {7: "accepted"}

    async def scenario() -> None:
        view = LiveView("job_page_test", read=lambda job: rows[job])
        worker_a, worker_b = LiveHub(), LiveHub()
        client = redis.Redis.from_url(REDIS_URL)
        try:
            for hub in (worker_a, worker_b):
                hub.start(indexer_in_app=True)
            for _ in range(200):  # both subscribed (and their first resync done)
                if dict(client.pubsub_numsub(channel)).get(channel.encode()) == 2:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.2)
            woken = asyncio.Event()
            for hub in (worker_a, worker_b):
                await hub.current(view, 7)
            worker_a.subscribe(view, 7, lambda: None)
            worker_b.subscribe(view, 7, woken.set)
            rows[7] = "training 3/10"
            worker_a.refresh(view, 7)
            await asyncio.wait_for(woken.wait(), 10)
            assert worker_b.cached(view, 7)[0] == "training 3/10"  # type: ignore[index]
            await asyncio.sleep(0.5)  # A's own refresh comes back to it: ignored
            assert (worker_a.read_count, worker_b.read_count) == (2, 2)
        finally:
            for hub in (worker_a, worker_b):
                hub.stop()
            client.close()

    asyncio.run(scenario())

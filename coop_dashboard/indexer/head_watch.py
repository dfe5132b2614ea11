"""Hearing the indexer's announcements in another process (one watcher per app worker).

`watch_heads(settings, on_head, on_resync)` picks the transport from the
configuration (the same rule the Announcer publishes by):

- REDIS_URL set: Redis pub/sub on `redis_heads_channel(DATABASE_URL)`;
- DATABASE_URL is PostgreSQL: `LISTEN` on `HEADS_CHANNEL` (a thread holding one
  connection, woken by select() on its socket);
- SQLite with a separate `coop index` (INDEXER_IN_APP=0): read the checkpoint row
  every `CHECKPOINT_POLL_S` (one cheap indexed read per worker, never per tab);
- SQLite with the indexer in the app: nothing to watch, the in-process
  announcement (announce.add_listener) is enough.

`on_head` is called in the event loop; `on_resync` after every (re)connection,
because announcements sent while disconnected are lost: listeners re-read then.
On Redis, `on_refresh` also hears the other workers' `ViewRefresh`es (rows stored
outside the index, announce.py), which their hubs publish on the same channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import select
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import make_url

from coop_dashboard.config import Settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.queries import index_status
from coop_dashboard.indexer.announce import (
    HEADS_CHANNEL,
    IndexedHead,
    ViewRefresh,
    redis_heads_channel,
)

log = logging.getLogger("coop.live")

# SQLite + out-of-process indexer: how often each worker reads the checkpoint row.
CHECKPOINT_POLL_S = 0.1
RECONNECT_S = 1.0

OnHead = Callable[[IndexedHead], None]
OnResync = Callable[[], None]
OnRefresh = Callable[[ViewRefresh], None]


def head_transport(settings: Settings, indexer_in_app: bool) -> str:
    """ "redis", "postgres", "checkpoint" or "in_process" (see the module doc)."""
    if settings.redis_url:
        return "redis"
    if make_url(settings.database_url).get_backend_name() == "postgresql":
        return "postgres"
    return "in_process" if indexer_in_app else "checkpoint"


def redis_channel(settings: Settings) -> str:
    """The Redis channel of this index's heads and refreshes (the Announcer's too)."""
    return redis_heads_channel(get_engine(settings.database_url))


async def watch_heads(
    settings: Settings,
    indexer_in_app: bool,
    on_head: OnHead,
    on_resync: OnResync,
    on_refresh: OnRefresh | None = None,
) -> None:
    """Run the configured watcher until cancelled (returns at once for "in_process")."""
    transport = head_transport(settings, indexer_in_app)
    log.info("live data: indexed heads arrive by %s", transport.replace("_", " "))
    if transport == "redis":
        await _watch_redis(
            settings.redis_url, redis_channel(settings), on_head, on_resync, on_refresh
        )
    elif transport == "postgres":
        await _watch_postgres(settings.database_url, on_head, on_resync)
    elif transport == "checkpoint":
        await _watch_checkpoint(settings.database_url, on_head)


async def _watch_redis(
    redis_url: str,
    channel: str,
    on_head: OnHead,
    on_resync: OnResync,
    on_refresh: OnRefresh | None,
) -> None:
    import redis.asyncio as aioredis

    while True:
        client = aioredis.Redis.from_url(redis_url)
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(channel)
                on_resync()
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    data = message.get("data") or b""
                    head = IndexedHead.from_json(data)
                    if head is not None:
                        on_head(head)
                    elif on_refresh is not None:
                        refresh = ViewRefresh.from_json(data)
                        if refresh is not None:
                            on_refresh(refresh)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning("live data: the Redis subscription dropped (%s); reconnecting", error)
        finally:
            with contextlib.suppress(Exception):
                await client.aclose()
        await asyncio.sleep(RECONNECT_S)


async def _watch_postgres(database_url: str, on_head: OnHead, on_resync: OnResync) -> None:
    loop = asyncio.get_running_loop()
    stop = threading.Event()

    def deliver(head: IndexedHead) -> None:
        loop.call_soon_threadsafe(on_head, head)

    def resync() -> None:
        loop.call_soon_threadsafe(on_resync)

    thread = threading.Thread(
        target=_listen_postgres,
        args=(database_url, deliver, resync, stop),
        name="coop-live-listen",
        daemon=True,
    )
    thread.start()
    try:
        await asyncio.Event().wait()
    finally:
        stop.set()


def _listen_postgres(
    database_url: str, deliver: OnHead, resync: OnResync, stop: threading.Event
) -> None:
    """LISTEN on one dedicated connection; reconnect after any failure."""
    engine = get_engine(database_url)
    while not stop.is_set():
        raw: Any = None
        try:
            raw = engine.raw_connection()
            connection = raw.driver_connection
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f"LISTEN {HEADS_CHANNEL}")
            resync()
            while not stop.is_set():
                readable, _, _ = select.select([connection], [], [], 1.0)
                if not readable:
                    continue
                connection.poll()
                while connection.notifies:
                    note = connection.notifies.pop(0)
                    head = IndexedHead.from_json(note.payload)
                    if head is not None:
                        deliver(head)
        except Exception as error:
            log.warning("live data: LISTEN dropped (%s); reconnecting", error)
            stop.wait(RECONNECT_S)
        finally:
            if raw is not None:
                with contextlib.suppress(Exception):
                    raw.invalidate()


async def _watch_checkpoint(database_url: str, on_head: OnHead) -> None:
    engine = get_engine(database_url)

    def read() -> IndexedHead | None:
        status = index_status(engine)
        return None if status is None else IndexedHead(status.block_number, status.block_hash)

    while True:
        try:
            head = await asyncio.to_thread(read)
        except Exception as error:
            log.debug("live data: reading the checkpoint failed: %s", error)
            head = None
        if head is not None:
            on_head(head)
        await asyncio.sleep(CHECKPOINT_POLL_S)

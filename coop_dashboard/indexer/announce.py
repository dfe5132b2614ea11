"""The indexer says "a batch is committed, the index is now at block N (hash H)".

Announcing is the indexer's half of live data (the other half, the per-worker
hub that re-reads views and pushes them to tabs, is services/live_data.py).
One announcement per committed batch or rewind, through every transport that
can reach a listener:

- in process: the app's own indexer (INDEXER_IN_APP=1) calls the hub's listener
  directly (`add_listener`), nothing leaves the process;
- Redis pub/sub on `redis_heads_channel(DATABASE_URL)` when REDIS_URL is set
  (several workers, or a separate `coop index` process);
- PostgreSQL `NOTIFY` on `HEADS_CHANNEL` when DATABASE_URL is PostgreSQL.

With SQLite and a separate `coop index` there is no channel: the workers watch
the checkpoint row instead (head_watch.CheckpointPoller, one task per worker).

An announcement is only a wake-up: listeners re-read SQL, so a lost or
duplicated announcement costs freshness or one read, never correctness.

Rows can also change without a block: a compute node's heartbeat or reproduction
is stored by whichever app worker its HTTP request reached. That worker's hub
re-reads the view at once and publishes a `ViewRefresh` on the heads' Redis
channel (`RedisPublisher`; the other workers hear it through head_watch), which
several workers always have (`coop serve --workers N` needs REDIS_URL); with one
worker there is no one else to tell.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeGuard

from sqlalchemy import text
from sqlalchemy.engine import Engine

log = logging.getLogger("coop.indexer")

# The PostgreSQL NOTIFY channel (a plain identifier; NOTIFY is per database anyway).
HEADS_CHANNEL = "coop_indexed_head"


def redis_heads_channel(engine: Engine) -> str:
    """The Redis channel of one index (its database's full URL): apps sharing a Redis
    never wake each other."""
    database_url = engine.url.render_as_string(hide_password=False)
    return f"{HEADS_CHANNEL}:{hashlib.sha256(database_url.encode()).hexdigest()[:16]}"


@dataclass(frozen=True)
class IndexedHead:
    """Where the index stands: the last committed block and its hash."""

    block_number: int
    block_hash: str

    def to_json(self) -> str:
        return json.dumps({"block_number": self.block_number, "block_hash": self.block_hash})

    @staticmethod
    def from_json(raw: str | bytes) -> IndexedHead | None:
        """The head in a message, or None for anything malformed (channels are shared)."""
        try:
            data = json.loads(raw)
            number, block_hash = data["block_number"], data["block_hash"]
        except (ValueError, TypeError, KeyError):
            return None
        if not isinstance(number, int) or not isinstance(block_hash, str) or len(block_hash) > 80:
            return None
        return IndexedHead(number, block_hash)


# A ViewRefresh names a view (LiveView.name) and one key of it: an id or an address.
MAX_VIEW_NAME_CHARS = 64
MAX_REFRESH_KEY_CHARS = 200
MAX_REFRESH_KEY_INT = 2**256


def refresh_key_ok(key: object) -> TypeGuard[int | str]:
    """Whether `key` can travel in a ViewRefresh and come back equal (JSON, bounded)."""
    if isinstance(key, bool):
        return False  # JSON would bring it back as a bool, but no view is keyed by one
    if isinstance(key, int):
        return -MAX_REFRESH_KEY_INT < key < MAX_REFRESH_KEY_INT
    return isinstance(key, str) and len(key) <= MAX_REFRESH_KEY_CHARS


@dataclass(frozen=True)
class ViewRefresh:
    """One key of one view changed outside the index. Sent by the worker that stored the
    rows (`origin`: its hub, which re-read already) to every other worker's hub."""

    view: str
    key: int | str
    origin: str

    def to_json(self) -> str:
        return json.dumps({"refresh": {"view": self.view, "key": self.key, "origin": self.origin}})

    @staticmethod
    def from_json(raw: str | bytes) -> ViewRefresh | None:
        """The refresh in a message, or None for anything else (heads share the channel)."""
        try:
            data = json.loads(raw)["refresh"]
            view, key, origin = data["view"], data["key"], data["origin"]
        except (ValueError, TypeError, KeyError):
            return None
        if not (isinstance(view, str) and 0 < len(view) <= MAX_VIEW_NAME_CHARS):
            return None
        if not (isinstance(origin, str) and 0 < len(origin) <= MAX_VIEW_NAME_CHARS):
            return None
        return ViewRefresh(view, key, origin) if refresh_key_ok(key) else None


HeadListener = Callable[[IndexedHead], None]

_listeners: list[HeadListener] = []
_listeners_lock = threading.Lock()


def add_listener(listener: HeadListener) -> Callable[[], None]:
    """Call `listener` (from the indexer's thread) for every in-process announcement.

    Returns the function that removes it. Listeners must be quick and thread-safe
    (the hub's only hands the head to its event loop).
    """
    with _listeners_lock:
        _listeners.append(listener)

    def remove() -> None:
        with _listeners_lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return remove


def announce_in_process(head: IndexedHead) -> None:
    with _listeners_lock:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            listener(head)
        except Exception:
            # A broken listener must never stop the indexer.
            log.exception("a live-data listener failed")


class RedisPublisher:
    """Publishes messages on one Redis channel: one connection, opened at the first
    message, reopened after a failure. Blocking (call it off the event loop) and
    thread-safe; a publish never raises, since a lost announcement only delays pages."""

    def __init__(self, redis_url: str, channel: str) -> None:
        self._redis_url = redis_url
        self.channel = channel
        self._client: Any = None
        self._lock = threading.Lock()

    def publish(self, payload: str, what: str) -> None:
        """`what` names the message in the warning if it is lost."""
        with self._lock:
            try:
                if self._client is None:
                    import redis

                    self._client = redis.Redis.from_url(
                        self._redis_url, socket_timeout=2.0, socket_connect_timeout=2.0
                    )
                self._client.publish(self.channel, payload)
            except Exception as error:
                log.warning("publishing %s to Redis failed: %s", what, error)
                self._close_locked()

    def close(self) -> None:
        with self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.close()
            except Exception as error:
                log.debug("closing the Redis publisher failed: %s", error)


class Announcer:
    """Publishes each committed head in process and on the configured channels."""

    def __init__(self, engine: Engine, redis_url: str = "") -> None:
        self._engine = engine
        self._notify = engine.dialect.name == "postgresql"
        channel = redis_heads_channel(engine)
        self._redis = RedisPublisher(redis_url, channel) if redis_url else None

    def announce(self, head: IndexedHead) -> None:
        """Never raises: a lost announcement only delays pages until the next one."""
        announce_in_process(head)
        payload = head.to_json()
        if self._notify:
            try:
                with self._engine.begin() as connection:
                    connection.execute(
                        text("SELECT pg_notify(:channel, :payload)"),
                        {"channel": HEADS_CHANNEL, "payload": payload},
                    )
            except Exception as error:
                log.warning("NOTIFY of the indexed head failed: %s", error)
        if self._redis is not None:
            self._redis.publish(payload, "the indexed head")

    def close(self) -> None:
        if self._redis is not None:
            self._redis.close()

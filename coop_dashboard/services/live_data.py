"""The live-data hub: one read per (view, key, indexed head), shared by every tab.

How a page gets live data (the one pattern for every page, today's and the
coming delegates / datasets / treasury / jobs pages):

1. Declare the view once, at module level, next to its read function::

       FEED = LiveView("proposal_feed", read=read_feed)   # read(key) -> value, blocking

   (services/governance/feed_live.py, proposal_live.py, overview_live.py and
   account_live.py are the examples.)

   `key` is whatever selects the data (a frozen dataclass / tuple: filters,
   page, an id, an address); `value` is what the tab shows, compared with `==`
   (or `same=`) to decide whether tabs need it. `read` runs in a worker thread
   and should return failures as values (a notice), not raise.
   Views that read the chain rather than SQL may set `stale_after_s`: the hub
   then also re-reads them when no head arrived for that long (one read per
   worker, e.g. to notice that the RPC went away), watched or only asked for.

2. In the page's state (see state/live.py, which wraps this for Reflex):
   on_load shows `await hub.current(FEED, key)` in the same event, then starts a
   background follower that calls `hub.subscribe(FEED, key, wake)` and, each
   time it is woken, applies `hub.cached(FEED, key)` under the state lock.
   Controls that change the key apply `current()` of the new key and `move()`
   the subscription.

What the hub guarantees:
- Each committed batch the indexer announces (announce.py: in process, Redis
  pub/sub, PostgreSQL NOTIFY, or the checkpoint row: head_watch.py) makes the
  hub re-read every *watched* key once, however many tabs watch it; heads that
  arrive during a read coalesce into one more read (latest wins).
- Subscribers are woken only when their key's value changed.
- `current()` of a key already read at the current head costs nothing;
  concurrent callers for an unread key share one read.
- A view with `derived=Derived(base, base_key, derive)` reads `base` once per
  head and cuts each of its keys from it on the loop (no thread, no SQL).
- Rows stored outside the index (a node's report through the HTTP API) reach
  every worker's tabs: `refresh(view, key)` re-reads the key here and tells the
  other workers' hubs over Redis, which re-read it if their tabs watch it.

Nothing here knows Reflex: the hub is one object per event loop (= per worker).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import logging
import time
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from coop_dashboard.config import indexer_runs_in_app, load_settings
from coop_dashboard.indexer.announce import (
    IndexedHead,
    RedisPublisher,
    ViewRefresh,
    add_listener,
    refresh_key_ok,
)
from coop_dashboard.indexer.head_watch import redis_channel, watch_heads

log = logging.getLogger("coop.live")

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")

# At most this many view reads run at once per worker (each holds a DB connection).
MAX_CONCURRENT_READS = 4
# A read that raised is retried after this long (the previous value stays shown).
RETRY_FAILED_S = 2.0
# Unwatched cached values are forgotten after this long (and beyond this many).
UNWATCHED_TTL_S = 120.0
MAX_CACHED = 5_000
TICK_S = 0.5

_versions = itertools.count(1)


def _equal(a: Any, b: Any) -> bool:
    return bool(a == b)


@dataclass(frozen=True, eq=False)
class LiveView(Generic[K, T]):
    """A kind of data pages show live: its name and how to read one key of it."""

    name: str
    read: Callable[[K], T]
    # Also re-read a watched key when no change-triggered read happened for this long.
    stale_after_s: float | None = None
    same: Callable[[T, T], bool] = _equal
    # Keys computed from another view's value instead of read (see Derived).
    derived: Derived[K, T] | None = None


@dataclass(frozen=True, eq=False)
class Derived(Generic[K, T]):
    """A view whose keys are cut from one shared value read once per head.

    E.g. every filter / sort / page of the proposal feed from one snapshot of all
    proposals: the hub reads `base` (in a thread) once per head however many keys
    are watched, then runs `derive(base_value, key)` on the event loop, so it must
    be cheap and pure (well under a millisecond). `base_key(key)` None: this key
    cannot be derived (e.g. per-voter data) and is read with the view's `read`.
    """

    base: LiveView[Any, Any]
    base_key: Callable[[K], Hashable | None]
    derive: Callable[[Any, K], T]


@dataclass(eq=False)
class Subscription:
    """One watcher (a tab's follower) of one key of a view; `wake` is called on change."""

    hub: LiveHub
    view: LiveView[Any, Any]
    key: Any
    wake: Callable[[], None]
    closed: bool = False

    def move(self, key: Any) -> None:
        """Watch another key of the same view (the tab's controls changed)."""
        if self.closed or key == self.key:
            return
        self.hub._detach(self)
        self.key = key
        self.hub._attach(self)

    def close(self) -> None:
        if not self.closed:
            self.hub._detach(self)
            self.closed = True


@dataclass(eq=False)
class _Entry:
    view: LiveView[Any, Any]
    key: Any
    value: Any = None
    version: int = 0  # 0 = never read
    read_seq: int = -1  # the hub's head sequence the value was read at
    read_at: float = 0.0  # monotonic
    failed_at: float | None = None
    reading: asyncio.Future[None] | None = None
    again: bool = False  # a head arrived while reading: read once more
    subscribers: set[Subscription] = field(default_factory=set)
    last_used: float = 0.0


class LiveHub:
    """Per-worker cache of view values keyed by (view, key), refreshed per indexed head."""

    def __init__(self, *, max_concurrent_reads: int = MAX_CONCURRENT_READS) -> None:
        self._entries: dict[tuple[str, Any], _Entry] = {}
        self._head: IndexedHead | None = None
        self._seq = 0  # bumped for every new head or resync
        self._reads = asyncio.Semaphore(max_concurrent_reads)
        self._max_reads = max_concurrent_reads
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._started = False
        self._remove_listener: Callable[[], None] | None = None
        self.read_count = 0  # reads done (tests and benchmarks count them)
        self.derive_count = 0  # keys cut from a base view's value, no read of their own
        # Names this hub in the refreshes it sends: it re-read already, its echo is ignored.
        self.origin = uuid.uuid4().hex
        self._refresh_sender: RedisPublisher | None = None
        self._refresh_sender_made = False

    # -- feeding heads ----------------------------------------------------------------

    @property
    def head(self) -> IndexedHead | None:
        return self._head

    def start(self, *, indexer_in_app: bool | None = None) -> None:
        """Listen for heads: in process, plus the configured cross-process transport.

        Called by the first `current()`/`subscribe()`; idempotent. Must run in the
        event loop the hub serves.
        """
        if self._started:
            return
        self._started = True
        loop = asyncio.get_running_loop()

        def from_indexer_thread(head: IndexedHead) -> None:
            try:
                loop.call_soon_threadsafe(self.head_arrived, head)
            except RuntimeError:
                if not loop.is_closed():
                    raise
                # The loop this hub served is gone (a worker or test that ended without
                # stop()): nobody can be pushed to, so stop listening.
                remove_listener()

        remove_listener = add_listener(from_indexer_thread)
        self._remove_listener = remove_listener
        if indexer_in_app is None:
            indexer_in_app = indexer_runs_in_app()
        self._spawn(
            watch_heads(
                load_settings(),
                indexer_in_app,
                self.head_arrived,
                self.resync,
                self.refresh_arrived,
            )
        )
        self._spawn(self._tick_forever())

    def stop(self) -> None:
        if self._remove_listener is not None:
            self._remove_listener()
            self._remove_listener = None
        for task in list(self._tasks):
            task.cancel()
        if self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None
        if self._refresh_sender is not None:
            self._refresh_sender.close()
        self._refresh_sender, self._refresh_sender_made = None, False
        self._started = False

    def head_arrived(self, head: IndexedHead) -> None:
        """A batch was committed (or rewound): re-read every watched key once."""
        if head == self._head:
            return  # the same head through a second transport
        self._head = head
        self.resync()

    def resync(self) -> None:
        """Re-read every watched key (after a reconnection: announcements may be lost)."""
        self._seq += 1
        for entry in list(self._entries.values()):
            if entry.subscribers:
                self._refresh(entry)

    def refresh(self, view: LiveView[K, T], key: K) -> None:
        """Re-read one key now wherever tabs watch it: its rows changed without an indexed
        head (a compute node's heartbeat stored through the HTTP API, by this worker).

        Here at once; the other workers (when there are: REDIS_URL) hear of it over
        Redis. Only int and str keys travel; any other stays this worker's.
        """
        self._refresh_watched(view.name, key)
        sender = self._sender()
        if sender is not None and refresh_key_ok(key):
            payload = ViewRefresh(view.name, key, self.origin).to_json()
            self._spawn(asyncio.to_thread(sender.publish, payload, "a view's refresh"))

    def refresh_arrived(self, refresh: ViewRefresh) -> None:
        """Another worker stored rows of `refresh.view`: re-read the key if watched here."""
        if refresh.origin != self.origin:
            self._refresh_watched(refresh.view, refresh.key)

    def _refresh_watched(self, view_name: str, key: Any) -> None:
        """Re-read the key now if tabs watch it, else mark it stale: a tab between its
        page load (which read the key) and its follower's subscription re-reads it then,
        as after a head."""
        entry = self._entries.get((view_name, key))
        if entry is None:
            return
        if entry.subscribers:
            self._refresh(entry)
        else:
            entry.read_seq = -1

    def _sender(self) -> RedisPublisher | None:
        if not self._refresh_sender_made:
            self._refresh_sender_made = True
            settings = load_settings()
            if settings.redis_url:
                self._refresh_sender = RedisPublisher(settings.redis_url, redis_channel(settings))
        return self._refresh_sender

    # -- reading ----------------------------------------------------------------------

    async def current(self, view: LiveView[K, T], key: K) -> tuple[T, int]:
        """The value of `key` at the current head, and its version (reads at most once)."""
        if not self._started:
            self.start()
        entry = self._entry(view, key)
        entry.last_used = time.monotonic()
        while entry.read_seq != self._seq or entry.version == 0 or _went_stale(entry):
            if entry.reading is None:
                self._refresh(entry)
            reading = entry.reading
            if reading is None:
                break
            await asyncio.shield(reading)
            if entry.version == 0:
                # The read failed and there is nothing to show: say so to the caller.
                raise LiveReadError(f"reading {view.name} failed")
            if entry.failed_at is not None:
                break  # failed again: keep showing the previous value
        return entry.value, entry.version

    def cached(self, view: LiveView[K, T], key: K) -> tuple[T, int] | None:
        """The last value read for `key` (None if never read): what a woken subscriber shows."""
        entry = self._entries.get((view.name, key))
        if entry is None or entry.version == 0:
            return None
        return entry.value, entry.version

    def fresh(self, view: LiveView[K, T], key: K) -> T | None:
        """`key`'s value if `current` would return it without reading (None otherwise):
        for a handler that shows it inline when it is at hand and asks for a read otherwise."""
        entry = self._entries.get((view.name, key))
        if entry is None or entry.version == 0 or entry.read_seq != self._seq or _went_stale(entry):
            return None
        entry.last_used = time.monotonic()
        return entry.value

    def subscribe(self, view: LiveView[K, T], key: K, wake: Callable[[], None]) -> Subscription:
        """Watch `key`: it is re-read at every head; `wake()` runs when its value changes."""
        if not self._started:
            self.start()
        subscription = Subscription(self, view, key, wake)
        self._attach(subscription)
        return subscription

    def watched_keys(self, view: LiveView[Any, Any]) -> int:
        return sum(1 for e in self._entries.values() if e.view is view and e.subscribers)

    def subscriber_count(self) -> int:
        return sum(len(e.subscribers) for e in self._entries.values())

    # -- internals --------------------------------------------------------------------

    def _read_threads(self) -> concurrent.futures.ThreadPoolExecutor:
        """The hub's own reader threads: views never queue behind the default executor's
        slow work (RPC calls of other handlers, CSV exports) in the same worker."""
        if self._executor is None:
            self._executor = concurrent.futures.ThreadPoolExecutor(
                max_workers=self._max_reads, thread_name_prefix="coop-live-read"
            )
        return self._executor

    def _entry(self, view: LiveView[Any, Any], key: Any) -> _Entry:
        entry = self._entries.get((view.name, key))
        if entry is None:
            entry = self._entries[(view.name, key)] = _Entry(view, key)
        return entry

    def _attach(self, subscription: Subscription) -> None:
        entry = self._entry(subscription.view, subscription.key)
        entry.subscribers.add(subscription)
        entry.last_used = time.monotonic()
        if entry.read_seq != self._seq and entry.reading is None:
            self._refresh(entry)

    def _detach(self, subscription: Subscription) -> None:
        entry = self._entries.get((subscription.view.name, subscription.key))
        if entry is not None:
            entry.subscribers.discard(subscription)
            entry.last_used = time.monotonic()

    def _refresh(self, entry: _Entry) -> None:
        if entry.reading is not None:
            entry.again = True  # coalesce: one more read once this one ends
            return
        entry.reading = asyncio.get_running_loop().create_future()
        self._spawn(self._read(entry))

    async def _read(self, entry: _Entry) -> None:
        reading = entry.reading
        try:
            while True:
                entry.again = False
                seq = self._seq
                try:
                    value = await self._value_of(entry)
                except Exception:
                    log.exception("live data: reading %s %r failed", entry.view.name, entry.key)
                    entry.failed_at = time.monotonic()
                    entry.read_seq = seq
                else:
                    entry.failed_at = None
                    entry.read_seq, entry.read_at = seq, time.monotonic()
                    changed = entry.version == 0 or not entry.view.same(entry.value, value)
                    if changed:
                        entry.value, entry.version = value, next(_versions)
                        for subscription in list(entry.subscribers):
                            subscription.wake()
                if not entry.again:
                    break
        finally:
            entry.reading = None
            if reading is not None and not reading.done():
                reading.set_result(None)

    async def _value_of(self, entry: _Entry) -> Any:
        """Read the entry's key in a reader thread, or derive it from its base view."""
        derived = entry.view.derived
        base_key = None if derived is None else derived.base_key(entry.key)
        if derived is not None and base_key is not None:
            base, _version = await self.current(derived.base, base_key)
            self.derive_count += 1
            return derived.derive(base, entry.key)
        async with self._reads:
            self.read_count += 1
            return await asyncio.get_running_loop().run_in_executor(
                self._read_threads(), entry.view.read, entry.key
            )

    async def _tick_forever(self) -> None:
        """Retries failed reads, re-reads stale chain-backed views, forgets unused values."""
        while True:
            await asyncio.sleep(TICK_S)
            now = time.monotonic()
            for key, entry in list(self._entries.items()):
                if entry.subscribers:
                    if self._due(entry, now):
                        self._refresh(entry)
                elif entry.reading is None and now - entry.last_used > UNWATCHED_TTL_S:
                    del self._entries[key]
            if len(self._entries) > MAX_CACHED:
                idle = sorted(
                    (e.last_used, k)
                    for k, e in self._entries.items()
                    if not e.subscribers and e.reading is None
                )
                for _, key in idle[: len(self._entries) - MAX_CACHED]:
                    del self._entries[key]

    @staticmethod
    def _due(entry: _Entry, now: float) -> bool:
        """A watched entry whose read failed a while ago, or that went stale."""
        if entry.failed_at is not None:
            return now - entry.failed_at >= RETRY_FAILED_S
        stale = entry.view.stale_after_s
        return stale is not None and now - entry.read_at >= stale

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("live data task failed", exc_info=task.exception())


def _went_stale(entry: _Entry) -> bool:
    """A chain-backed view read longer ago than it may be shown (watched or not)."""
    stale = entry.view.stale_after_s
    return stale is not None and time.monotonic() - entry.read_at >= stale


class LiveReadError(RuntimeError):
    """The first read of a view failed (there is no earlier value to show)."""


_hubs: dict[asyncio.AbstractEventLoop, LiveHub] = {}


def live_hub() -> LiveHub:
    """This worker's hub (one per event loop)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        for stale in [other for other in _hubs if other.is_closed()]:
            with contextlib.suppress(Exception):
                _hubs.pop(stale).stop()
        hub = _hubs[loop] = LiveHub()
    return hub

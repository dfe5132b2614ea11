"""Running the indexer: once (catch up and return), or forever (app lifespan / `coop index`).

The forever loop never gives up: a dead RPC, a missing manifest, a database
hiccup, a handler that raises or another indexer holding the lock all mean
"wait, then try again", with exponential backoff for failures. While failing,
the indexer says where and why in indexer_stall (stall.py), which the
overview shows. The blocking work (HTTP + SQL) runs in a
worker thread so the app's event loop keeps serving pages meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from coop_dashboard.chain.contracts import load_manifest
from coop_dashboard.chain.heads import NewHeads
from coop_dashboard.chain.rpc import RpcClient
from coop_dashboard.config import Settings, indexer_runs_in_app, load_settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.errors import CoopError, IndexerError
from coop_dashboard.indexer.announce import Announcer, IndexedHead
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.handlers.default import build_default_registry
from coop_dashboard.indexer.handlers.registry import HandlerRegistry
from coop_dashboard.indexer.lock import IndexerLock, IndexerLockHeldError
from coop_dashboard.indexer.scanner import (
    BatchWriteError,
    LogHandlingError,
    Scanner,
    deployment_key,
)
from coop_dashboard.indexer.stall import STREAM, clear_stall, describe_failure, record_stall
from coop_dashboard.indexer.store import IndexStore

log = logging.getLogger("coop.indexer")

# How often a standby indexer (lock held elsewhere) tries to take over.
LOCK_RETRY_S = 5.0
_DBAPI_CONNECTION_ERRORS = {"OperationalError", "InterfaceError"}
# While new blocks are pushed over the websocket, the head is still checked this
# often (a safety net; the step always catches up by block number anyway).
PUSHED_HEADS_POLL_S = 2.0


@dataclass(frozen=True)
class IndexRun:
    """What one catch-up did."""

    events: int
    checkpoint: int
    seconds: float


class IndexerSession:
    """An opened indexer: the lock held, the manifest loaded, a scanner ready."""

    def __init__(
        self,
        settings: Settings,
        config: IndexerConfig,
        registry: HandlerRegistry | None = None,
    ) -> None:
        self.settings = settings
        self.config = config
        deployment = load_manifest(settings.deployment_path)
        self.manifest_mtime = _mtime(settings)
        engine = get_engine(settings.database_url)
        self.lock = IndexerLock(engine)
        self.lock.acquire()
        try:
            self.rpc = RpcClient(settings.rpc_url, config.rpc_timeout_s)
            registry = registry or build_default_registry()
            self.store = IndexStore(
                engine,
                registry,
                deployment_key=deployment_key(deployment),
                chain_id=deployment.chain_id,
                contracts={n: c.address.lower() for n, c in deployment.contracts.items()},
            )
            self.store.ensure_schema()
            self.scanner = Scanner(self.rpc, self.store, deployment, registry, config)
            self.announcer = Announcer(engine, settings.redis_url)
        except BaseException:
            self.lock.release()
            raise

    def manifest_changed(self) -> bool:
        return _mtime(self.settings) != self.manifest_mtime

    def announce(self) -> None:
        """Tell live pages the index moved (after each committed batch or rewind)."""
        checkpoint = self.scanner.checkpoint
        if checkpoint is not None:
            self.announcer.announce(IndexedHead(checkpoint.block_number, checkpoint.block_hash))

    def close(self) -> None:
        self.announcer.close()
        self.scanner.close()
        self.rpc.close()
        self.lock.release()


def _connection_lost(error: Exception) -> bool:
    """Whether `error` may mean the database connection is gone (not a refused row).

    A refused row (duplicate key, bad value) keeps the session, so the scanner's
    narrowing range finds the block the database refuses.
    """
    cause = error.__cause__ if isinstance(error, BatchWriteError) else error
    if isinstance(cause, IntegrityError | DataError):
        return False
    if isinstance(cause, SQLAlchemyError):
        return True
    # A driver's own error (psycopg2 through COPY): PEP 249 names the connection kinds.
    return any(kind.__name__ in _DBAPI_CONNECTION_ERRORS for kind in type(cause).__mro__)


def _mtime(settings: Settings) -> int | None:
    try:
        return os.stat(settings.deployment_path).st_mtime_ns
    except OSError:
        return None


def run_once(
    settings: Settings | None = None,
    config: IndexerConfig | None = None,
    *,
    reset: bool = False,
    registry: HandlerRegistry | None = None,
) -> IndexRun:
    """Catch up to the (confirmed) head once, then return. Raises CoopError on failure."""
    settings = settings or load_settings()
    config = config or IndexerConfig.from_env()
    started = time.monotonic()
    session = IndexerSession(settings, config, registry)
    try:
        if reset:
            session.store.reset()
        events, checkpoint = session.scanner.catch_up()
    except SQLAlchemyError as exc:
        raise IndexerError(f"The database refused the indexer's writes: {exc}") from exc
    finally:
        session.close()
    return IndexRun(events, checkpoint, time.monotonic() - started)


class Follower:
    """One tick = one scanner step, with opening, backoff and standby handled."""

    def __init__(
        self,
        settings: Settings,
        config: IndexerConfig,
        registry: HandlerRegistry | None = None,
    ) -> None:
        self.settings = settings
        self.config = config
        self.registry = registry
        self.session: IndexerSession | None = None
        self.failures = 0
        self._standby_logged = False
        # A stall row may be left by a previous run: cleared after the first good step.
        self._stall_stored = True
        # Caught up after the last tick: the next one waits for a new block.
        self.idle = False
        # Blocks pushed by the node (eth_subscribe newHeads); polling when None or down.
        ws_url = settings.new_heads_url
        self.heads = NewHeads(ws_url).start() if ws_url else None
        self._pushed: asyncio.Event | None = None  # wait_for_block_async's wake-up
        self._pushed_used = -1  # the last pushed head a step started from

    def _new_pushed_head(self) -> int | None:
        """The head the node pushed since the last step, if any (the step starts from it)."""
        heads = self.heads
        if heads is None or not heads.connected or heads.latest in (-1, self._pushed_used):
            return None
        self._pushed_used = heads.latest
        return heads.latest

    def _idle_wait_s(self, delay: float, heads: NewHeads) -> float:
        # Pushed heads: the poll is only a safety net. Socket down: poll as usual
        # (a reconnection also ends the wait).
        return max(delay, PUSHED_HEADS_POLL_S) if heads.connected else delay

    def wait_for_block(self, delay: float) -> None:
        """Sleep before the next tick: `delay`, but a pushed block ends an idle wait early."""
        heads = self.heads
        if heads is None or not self.idle:
            time.sleep(delay)
        else:
            heads.wait(self._idle_wait_s(delay, heads))

    async def wait_for_block_async(self, delay: float) -> None:
        """`wait_for_block` for an event loop, without holding a worker thread."""
        heads = self.heads
        if heads is None or not self.idle:
            await asyncio.sleep(delay)
            return
        if self._pushed is None:
            loop, pushed = asyncio.get_running_loop(), asyncio.Event()

            def from_heads_thread() -> None:
                loop.call_soon_threadsafe(pushed.set)

            heads.add_waker(from_heads_thread)
            self._pushed = pushed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._pushed.wait(), self._idle_wait_s(delay, heads))
        self._pushed.clear()

    def tick(self) -> float:
        """Do one step; returns how long to wait before the next tick."""
        self.idle = False
        try:
            if self.session is not None and self.session.manifest_changed():
                log.info("the deployment manifest changed: reloading it")
                self.close()
            if self.session is None:
                self.session = IndexerSession(self.settings, self.config, self.registry)
                self._standby_logged = False
                log.info("indexing %s into the database", self.settings.rpc_url)
            result = self.session.scanner.step(self._new_pushed_head())
        except IndexerLockHeldError as error:
            if not self._standby_logged:
                log.info("standing by: %s", error)
                self._standby_logged = True
            return LOCK_RETRY_S
        except Exception as error:  # noqa: BLE001 - nothing may end the indexer: retry
            return self._failed(error)
        if self.failures:
            log.info("indexer recovered after %d failed attempts", self.failures)
            self.failures = 0
        if self._stall_stored and clear_stall(self._engine(), STREAM):
            self._stall_stored = False
        if result.kind in ("applied", "rewound") and self.session is not None:
            self.session.announce()
        if result.kind == "applied":
            log.info(
                "indexed blocks %d..%d (%d events)",
                result.from_block,
                result.to_block,
                result.events,
            )
        self.idle = result.kind in ("idle", "retry")
        return self.config.poll_interval_s if self.idle else 0.0

    def _engine(self) -> Engine:
        return get_engine(self.settings.database_url)

    def _failed(self, error: Exception) -> float:
        """Back off after a failed tick: log where and why, record the stall, reset state."""
        self.failures += 1
        delay = min(
            self.config.backoff_max_s,
            self.config.backoff_initial_s * 2 ** min(self.failures - 1, 16),
        )
        block: int | None = getattr(error, "block_number", None)
        log_index: int | None = getattr(error, "log_index", None)
        if block is None and self.session is not None:
            checkpoint = self.session.scanner.checkpoint
            block = None if checkpoint is None else checkpoint.block_number + 1
        reason = describe_failure(error)
        # A handler's or the driver's own exception is a bug to read about, not weather.
        expected = isinstance(error, CoopError | SQLAlchemyError | OSError) and not isinstance(
            error, LogHandlingError | BatchWriteError
        )
        log.log(
            logging.WARNING if expected else logging.ERROR,
            "indexer stalled at block %s (log index %s): %s; attempt %d, retrying in %.1f s",
            "?" if block is None else block,
            "-" if log_index is None else log_index,
            reason,
            self.failures,
            delay,
            # A bug: its traceback once per stall, not on every retry.
            exc_info=error if not expected and self.failures == 1 else None,
        )
        record_stall(self._engine(), STREAM, block_number=block, log_index=log_index, reason=reason)
        self._stall_stored = True
        if _connection_lost(error):
            # The database may have restarted: the PostgreSQL lock lived on a
            # connection that is gone. Start over (lock, schema, checkpoint).
            self._close_quietly()
        elif self.session is not None:
            self.session.scanner.forget_checkpoint()
        return delay

    def close(self) -> None:
        if self.heads is not None:
            self.heads.close()
            self.heads = None
        if self.session is not None:
            self.session.close()
            self.session = None

    def _close_quietly(self) -> None:
        try:
            self.close()
        except (SQLAlchemyError, OSError) as error:
            log.debug("closing the indexer session failed: %s", error)
            self.session = None


def follow(
    settings: Settings | None = None,
    config: IndexerConfig | None = None,
    stop: threading.Event | None = None,
    registry: HandlerRegistry | None = None,
) -> None:
    """Follow the chain in this thread until `stop` is set (`coop index`)."""
    follower = Follower(settings or load_settings(), config or IndexerConfig.from_env(), registry)
    run_follower(follower, stop or threading.Event())


def run_follower(follower: Follower, stop: threading.Event) -> None:
    """Tick `follower` in this thread until `stop` is set, then close it."""
    try:
        while not stop.is_set():
            delay = follower.tick()
            if delay and not stop.is_set():
                if follower.idle:
                    follower.wait_for_block(delay)
                else:
                    stop.wait(delay)
    finally:
        follower.close()


async def run_indexer_forever(
    settings: Settings | None = None, config: IndexerConfig | None = None
) -> None:
    """Follow the chain until cancelled: the app's lifespan task.

    Blocking steps run in a worker thread; cancellation waits for the step in
    flight (bounded by the RPC timeout) so the lock is released after its commit.
    """
    follower = Follower(settings or load_settings(), config or IndexerConfig.from_env())
    try:
        while True:
            tick = asyncio.ensure_future(asyncio.to_thread(follower.tick))
            try:
                delay = await asyncio.shield(tick)
            except asyncio.CancelledError:
                await asyncio.wait({tick})
                raise
            if delay:
                await follower.wait_for_block_async(delay)
    finally:
        await asyncio.to_thread(follower.close)


async def indexer_lifespan_task() -> None:
    """`app.register_lifespan_task(indexer_lifespan_task)`; INDEXER_IN_APP=0 disables it
    (when a separate `coop index` process does the indexing)."""
    if not indexer_runs_in_app():
        log.info("INDEXER_IN_APP=0: the app does not index (run `coop index`)")
        return
    await run_indexer_forever()

"""How far the indexer has read the chain: the hook a write waits on before refreshing.

A confirmed transaction is only visible on pages that read SQL once the
indexer has applied its block. Until an indexer registers itself here, pages
read the chain directly and a mined block is immediately "indexed".

The app calls `set_indexed_block_reader` with a function returning the last
block the indexer committed (its checkpoint row). `wait_until_indexed` reads
it through the live-data hub (services/live_data.py): once per indexed head
the indexer announces and per worker, however many writes wait, and each
waiter wakes when the value moves; no timer per write.

When the indexer cannot move on, it says where and why in the database
(indexer/stall.py, written from whichever process indexes); `stall_notice`
is how pages word it.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from collections.abc import Callable

from sqlalchemy import Engine

from coop_dashboard.indexer.stall import read_stall
from coop_dashboard.services.live_data import LiveReadError, LiveView, live_hub

logger = logging.getLogger(__name__)

# Returns the highest block whose events are committed to SQL, or None if unknown.
IndexedBlockReader = Callable[[], int | None]

# Read again after this long without an announced head, should one have been lost.
LOST_HEAD_SAFETY_S = 5.0

_reader: IndexedBlockReader | None = None


class IndexWait(enum.Enum):
    NO_INDEXER = "no_indexer"  # pages read the chain directly: fresh right away
    INDEXED = "indexed"  # the indexer has applied the block
    BEHIND = "behind"  # the indexer did not reach the block in time


def set_indexed_block_reader(reader: IndexedBlockReader | None) -> None:
    """Register (or with None, remove) the function that says how far the index is."""
    global _reader
    _reader = reader


def indexed_block_reader() -> IndexedBlockReader | None:
    return _reader


def _read_indexed_block(_key: None) -> int | None:
    reader = _reader
    return None if reader is None else reader()


INDEXED_BLOCK: LiveView[None, int | None] = LiveView(
    "indexed_block", read=_read_indexed_block, stale_after_s=LOST_HEAD_SAFETY_S
)


async def wait_until_indexed(block_number: int, *, timeout_s: float = 30.0) -> IndexWait:
    """Wait until the index covers `block_number` (or `timeout_s` passes)."""
    if _reader is None:
        return IndexWait.NO_INDEXER
    hub = live_hub()
    moved = asyncio.Event()
    subscription = hub.subscribe(INDEXED_BLOCK, None, moved.set)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    try:
        while True:
            moved.clear()  # before reading: a move after the read still wakes the wait
            try:
                indexed, _version = await asyncio.wait_for(
                    hub.current(INDEXED_BLOCK, None), max(0.0, deadline - loop.time())
                )
            except LiveReadError:
                # A broken reader must not hang a write's confirmation: report "behind".
                logger.warning("reading the indexer's progress failed")
                return IndexWait.BEHIND
            except TimeoutError:
                return IndexWait.BEHIND
            if indexed is not None and indexed >= block_number:
                return IndexWait.INDEXED
            remaining = deadline - loop.time()
            if remaining <= 0:
                return IndexWait.BEHIND
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(moved.wait(), remaining)
    finally:
        subscription.close()


def stall_notice(engine: Engine) -> str:
    """ "indexer stalled at block N: <reason>" while the indexer fails, else ""."""
    stall = read_stall(engine)
    if stall is None:
        return ""
    where = "" if stall.block_number is None else f" at block {stall.block_number}"
    return f"indexer stalled{where}: {stall.reason}"

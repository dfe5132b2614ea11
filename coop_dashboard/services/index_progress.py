"""How far the indexer has read the chain: the hook a write waits on before refreshing.

A confirmed transaction is only visible on pages that read SQL once the
indexer has applied its block. Until an indexer registers itself here, pages
read the chain directly and a mined block is immediately "indexed".

The indexer process (or its lifespan task) calls `set_indexed_block_reader`
with a function returning the last block it committed (e.g. its checkpoint
row); `wait_until_indexed` then polls that function.

When the indexer cannot move on, it says where and why in the database
(indexer/stall.py, written from whichever process indexes); `stall_notice`
is how pages word it.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Callable

from sqlalchemy import Engine

from coop_dashboard.indexer.stall import read_stall

logger = logging.getLogger(__name__)

# Returns the highest block whose events are committed to SQL, or None if unknown.
IndexedBlockReader = Callable[[], int | None]

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


async def wait_until_indexed(
    block_number: int, *, timeout_s: float = 30.0, poll_s: float = 0.5
) -> IndexWait:
    """Wait until the index covers `block_number` (or `timeout_s` passes)."""
    reader = _reader
    if reader is None:
        return IndexWait.NO_INDEXER
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            indexed = await asyncio.to_thread(reader)
        except Exception:
            # A broken reader must not hang a write's confirmation: report "behind".
            logger.exception("reading the indexer's progress failed")
            return IndexWait.BEHIND
        if indexed is not None and indexed >= block_number:
            return IndexWait.INDEXED
        if time.monotonic() >= deadline:
            return IndexWait.BEHIND
        await asyncio.sleep(poll_s)


def stall_notice(engine: Engine) -> str:
    """ "indexer stalled at block N: <reason>" while the indexer fails, else ""."""
    stall = read_stall(engine)
    if stall is None:
        return ""
    where = "" if stall.block_number is None else f" at block {stall.block_number}"
    return f"indexer stalled{where}: {stall.reason}"

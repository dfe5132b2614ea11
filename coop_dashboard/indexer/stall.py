"""Why the indexer is stuck, written where every process can read it (indexer_stall).

The follower records each failed attempt (block, log index, reason, attempts)
and deletes the row once a step succeeds again; the overview shows it as
"indexer stalled at block N: reason". Recording is best effort: when the
database itself is what fails, the log says so and the next attempt tries again.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import DBAPIError

from coop_dashboard.db.chain_tables import IndexerCheckpoint, IndexerStall, table_of
from coop_dashboard.errors import CoopError

log = logging.getLogger("coop.indexer")

# The indexer's stream (one per database: see store.py).
STREAM = "coop"

# A reason is one line a person reads on the overview, not a traceback.
STALL_REASON_MAX_CHARS = 300

_stalls = table_of(IndexerStall)
_checkpoints = table_of(IndexerCheckpoint)


def describe_failure(error: BaseException) -> str:
    """One line saying what went wrong: CoopErrors speak for themselves, others by type."""
    text = str(error).strip()
    if not isinstance(error, CoopError):
        text = f"{type(error).__name__}: {text}" if text else type(error).__name__
    first_line = text.splitlines()[0] if text else type(error).__name__
    if len(first_line) > STALL_REASON_MAX_CHARS:
        first_line = first_line[: STALL_REASON_MAX_CHARS - 1] + "…"
    return first_line


def record_stall(
    engine: Engine,
    stream: str,
    *,
    block_number: int | None,
    log_index: int | None,
    reason: str,
) -> None:
    """Store (or update) the stall of `stream`; `block_number` None: after the checkpoint."""
    now = int(time.time())
    try:
        with engine.begin() as connection:
            if block_number is None:
                stored = connection.execute(
                    select(_checkpoints.c.block_number).where(_checkpoints.c.stream == stream)
                ).scalar()
                block_number = None if stored is None else int(stored) + 1
            values = {
                "block_number": block_number,
                "log_index": log_index,
                "reason": reason,
                "updated_at": now,
            }
            updated = connection.execute(
                update(_stalls)
                .where(_stalls.c.stream == stream)
                .values(attempts=_stalls.c.attempts + 1, **values)
            )
            if updated.rowcount == 0:
                connection.execute(
                    insert(_stalls).values(stream=stream, attempts=1, since=now, **values)
                )
    except Exception as error:  # noqa: BLE001 - best effort: the database may be what fails
        log.debug("recording the indexer's stall failed: %s", error)


def clear_stall(engine: Engine, stream: str) -> bool:
    """Forget the stall of `stream`; False when the database could not be written."""
    try:
        with engine.begin() as connection:
            connection.execute(delete(_stalls).where(_stalls.c.stream == stream))
    except Exception as error:  # noqa: BLE001 - best effort, retried after the next step
        log.debug("clearing the indexer's stall failed: %s", error)
        return False
    return True


@dataclass(frozen=True)
class Stall:
    """The indexer's current stall, as stored."""

    block_number: int | None
    log_index: int | None
    reason: str
    attempts: int
    since: int  # unix seconds
    updated_at: int


def read_stall(engine: Engine, stream: str = STREAM) -> Stall | None:
    """The stall of `stream`, None when the indexer is not stalled (or has no tables yet)."""
    try:
        with engine.connect() as connection:
            row = (
                connection.execute(select(_stalls).where(_stalls.c.stream == stream))
                .mappings()
                .first()
            )
    except DBAPIError:
        return None
    if row is None:
        return None
    return Stall(
        row["block_number"],
        row["log_index"],
        row["reason"],
        int(row["attempts"]),
        int(row["since"]),
        int(row["updated_at"]),
    )

"""The indexer's writes: a batch with its checkpoint in one transaction, rewinds, resets.

The checkpoint update is conditional on the checkpoint the batch started from
(compare-and-set): even if two indexers ever ran against one database despite
the lock, neither could apply a batch on top of the other's.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from coop_dashboard.chain.rpc import BlockHeader
from coop_dashboard.db.bulk_insert import (
    PreparedInsert,
    bulk_insert,
    execute_insert,
    prepare_insert,
)
from coop_dashboard.db.chain_tables import (
    ChainEvent,
    IndexedBlock,
    IndexedContract,
    IndexerCheckpoint,
    table_of,
)
from coop_dashboard.db.migrations import upgrade_engine
from coop_dashboard.errors import IndexerError
from coop_dashboard.indexer.decoders import DecodedLog
from coop_dashboard.indexer.handlers.registry import HandlerRegistry, Row, RowSink
from coop_dashboard.indexer.stall import STREAM


class ConcurrentIndexerError(IndexerError):
    """The checkpoint moved under this indexer: another one writes this database."""


@dataclass(frozen=True)
class PreparedBatch:
    """A batch's inserts converted for the driver, and its rows (for the aggregates)."""

    inserts: list[PreparedInsert]
    sink: RowSink


@dataclass(frozen=True)
class Checkpoint:
    block_number: int
    block_hash: str
    block_timestamp: int


def _json_args(value: Any) -> Any:
    # uint256 values do not survive JSON numbers in JavaScript: ints as strings.
    if type(value) is int:
        return str(value)
    if isinstance(value, list):
        return [_json_args(item) for item in value]
    if isinstance(value, dict):
        return {key: _json_args(item) for key, item in value.items()}
    return value


def chain_event_listing(log: DecodedLog) -> Row:
    """The chain_event row of a log a handler stores in a table of its own.

    Only its position and name: its values (and transaction) are in that
    table, and four bound columns instead of eleven halve SQLite's insert cost.
    """
    return {
        "block_number": log.block_number,
        "log_index": log.log_index,
        "contract": log.contract,
        "event": log.event,
    }


def chain_event_row(log: DecodedLog) -> Row:
    """The chain_event row of any other log: raw topics and data (enough to decode it
    again later), plus its arguments as JSON when its ABI is known."""
    return {
        "block_number": log.block_number,
        "log_index": log.log_index,
        "tx_hash": log.tx_hash,
        "tx_index": log.tx_index,
        "address": log.address,
        "contract": log.contract,
        "event": log.event,
        "args": (
            json.dumps(_json_args(log.args), separators=(",", ":"))
            if log.event is not None
            else None
        ),
        "topics": ",".join(log.topics),
        "data": log.data,
        "block_timestamp": log.block_timestamp,
    }


class IndexStore:
    """Reads and writes of the indexer's own tables for one deployment."""

    def __init__(
        self,
        engine: Engine,
        registry: HandlerRegistry,
        *,
        deployment_key: str,
        chain_id: int,
        contracts: dict[str, str],
        stream: str = STREAM,
    ) -> None:
        self.engine = engine
        self.registry = registry
        self.deployment_key = deployment_key
        self.chain_id = chain_id
        self.contracts = contracts
        self.stream = stream
        self._checkpoints = table_of(IndexerCheckpoint)
        self._blocks = table_of(IndexedBlock)

    def ensure_schema(self) -> None:
        """Apply the migrations the database lacks (never create_all: see db/migrations.py)."""
        upgrade_engine(self.engine)

    def load_checkpoint(self) -> Checkpoint | None:
        """The checkpoint, or None when nothing (of this deployment) is indexed yet.

        Rows of another deployment (a redeployed local chain) are wiped first.
        """
        t = self._checkpoints
        with self.engine.begin() as connection:
            row = connection.execute(select(t).where(t.c.stream == self.stream)).mappings().first()
            if row is None:
                return None
            if row["deployment_key"] != self.deployment_key or row["chain_id"] != self.chain_id:
                self._wipe(connection)
                return None
            return Checkpoint(row["block_number"], row["block_hash"], row["block_timestamp"])

    def reset(self) -> None:
        """Forget everything indexed (the next run re-reads the chain from the deploy block)."""
        with self.engine.begin() as connection:
            self._wipe(connection)

    def _wipe(self, connection: Any) -> None:
        for model in self.registry.event_tables:
            connection.execute(delete(table_of(model)))
        for model in self.registry.aggregate_tables:
            connection.execute(delete(table_of(model)))
        connection.execute(delete(self._blocks))
        connection.execute(delete(table_of(IndexedContract)))
        connection.execute(
            delete(self._checkpoints).where(self._checkpoints.c.stream == self.stream)
        )

    def recent_blocks(self, at_most: int) -> list[tuple[int, str]]:
        """Stored (number, hash) at or below `at_most`, newest first."""
        b = self._blocks
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(b.c.block_number, b.c.block_hash)
                .where(b.c.block_number <= at_most)
                .order_by(b.c.block_number.desc())
            )
            return [(int(number), str(block_hash)) for number, block_hash in rows]

    def prepare_batch(self, logs: Sequence[DecodedLog], sink: RowSink) -> PreparedBatch:
        """Convert a batch's rows for the driver; needs no connection (any thread)."""
        dialect = self.engine.dialect
        handles = self.registry.handles
        listed: list[Row] = []
        kept: list[Row] = []
        for item in logs:
            # A log whose text was sanitised keeps its raw data here too: its exact
            # bytes (and any digest over them) stay recoverable from the index.
            if handles(item.contract, item.event) and not item.altered_text:
                listed.append(chain_event_listing(item))
            else:
                kept.append(chain_event_row(item))
        events = table_of(ChainEvent)
        inserts = [prepare_insert(dialect, events, listed), prepare_insert(dialect, events, kept)]
        inserts += [prepare_insert(dialect, table, rows) for table, rows in sink.rows.items()]
        return PreparedBatch([i for i in inserts if i is not None], sink)

    def apply_batch(
        self,
        previous: Checkpoint | None,
        new: Checkpoint,
        batch: PreparedBatch,
        headers: Sequence[BlockHeader],
        keep_blocks_from: int,
    ) -> None:
        """Insert a batch's rows, update aggregates, move the checkpoint: all or nothing."""
        sink = batch.sink
        with self.engine.begin() as connection:
            self._move_checkpoint(connection, previous, new)
            for prepared in batch.inserts:
                execute_insert(connection, prepared)
            for aggregate in self.registry.aggregates:
                aggregate.apply(connection, sink)
            b = self._blocks
            numbers = [header.number for header in headers]
            if numbers:
                connection.execute(delete(b).where(b.c.block_number.in_(numbers)))
                bulk_insert(
                    connection,
                    b,
                    [
                        {
                            "block_number": h.number,
                            "block_hash": h.hash,
                            "parent_hash": h.parent_hash,
                            "block_timestamp": h.timestamp,
                        }
                        for h in headers
                    ],
                )
            connection.execute(delete(b).where(b.c.block_number < keep_blocks_from))

    def _move_checkpoint(
        self, connection: Any, previous: Checkpoint | None, new: Checkpoint
    ) -> None:
        t = self._checkpoints
        values = {
            "block_number": new.block_number,
            "block_hash": new.block_hash,
            "block_timestamp": new.block_timestamp,
            "updated_at": int(time.time()),
        }
        if previous is None:
            existing = connection.execute(select(t.c.stream).where(t.c.stream == self.stream))
            if existing.first() is not None:
                raise ConcurrentIndexerError(
                    "Another indexer started indexing this database at the same time."
                )
            # The primary key still refuses a second insert racing this one.
            connection.execute(
                insert(t).values(
                    stream=self.stream,
                    deployment_key=self.deployment_key,
                    chain_id=self.chain_id,
                    **values,
                )
            )
            contracts = table_of(IndexedContract)
            connection.execute(delete(contracts))
            if self.contracts:
                connection.execute(
                    insert(contracts),
                    [{"name": n, "address": a} for n, a in self.contracts.items()],
                )
            return
        result = connection.execute(
            update(t)
            .where(
                t.c.stream == self.stream,
                t.c.deployment_key == self.deployment_key,
                t.c.block_number == previous.block_number,
                t.c.block_hash == previous.block_hash,
            )
            .values(**values)
        )
        if result.rowcount != 1:
            raise ConcurrentIndexerError(
                "The indexer's checkpoint changed under it: another indexer writes this database."
            )

    def rewind(self, current: Checkpoint, fork: Checkpoint) -> None:
        """Remove everything above the fork block (reverting aggregates first)."""
        with self.engine.begin() as connection:
            self._move_checkpoint(connection, current, fork)
            for aggregate in self.registry.aggregates:
                aggregate.revert(connection, fork.block_number)
            for model in self.registry.event_tables:
                table = table_of(model)
                connection.execute(delete(table).where(table.c.block_number > fork.block_number))
            b = self._blocks
            connection.execute(delete(b).where(b.c.block_number > fork.block_number))

"""The handler table: (contract, event) -> functions turning a decoded log into rows.

A feature that adds contracts (datasets, licensing, jobs) adds its tables to
db/ and registers handlers for its events on the registry: nothing here or in
the scanner changes. Handlers are pure (log in, rows out); aggregates that need
the database's current state (balances, tallies) implement `Aggregate`.

Text in `log.args` is already safe to store and show: the decoders pass every
event string through indexer/chain_text.py (invalid UTF-8 and NUL become
U+FFFD; `exact_bytes` gives back what the chain holds, for digests). A handler
that raises stops the index at its log's block (scanner.LogHandlingError) and
the follower retries: it never drops the log nor ends the indexer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, Table
from sqlmodel import SQLModel

from coop_dashboard.db.chain_tables import table_of
from coop_dashboard.indexer.decoders import DecodedLog

Row = dict[str, Any]


@dataclass(frozen=True)
class HandlerContext:
    """What handlers may know about the deployment besides the log itself."""

    addresses: dict[str, str]  # contract name -> lowercase address
    treasury: str  # the timelock's lowercase address

    def address_of(self, name: str) -> str | None:
        return self.addresses.get(name)


class RowSink:
    """Rows produced by one batch, grouped per table in insertion order."""

    def __init__(self) -> None:
        self.rows: dict[Table, list[Row]] = defaultdict(list)

    def add(self, model: type[SQLModel], row: Row) -> None:
        table, defaults = _table_info(model)
        # executemany needs every row of a statement to name the same columns:
        # optional ones a handler leaves out are NULL.
        self.rows[table].append(defaults | row if defaults else row)

    def of(self, model: type[SQLModel]) -> list[Row]:
        return self.rows.get(_table_info(model)[0], [])

    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


_TABLE_INFO: dict[type[SQLModel], tuple[Table, Row]] = {}


def _table_info(model: type[SQLModel]) -> tuple[Table, Row]:
    """The model's table and a row of NULLs for its nullable columns (cached)."""
    info = _TABLE_INFO.get(model)
    if info is None:
        table = table_of(model)
        info = (table, {column.name: None for column in table.columns if column.nullable})
        _TABLE_INFO[model] = info
    return info


Handler = Callable[[DecodedLog, HandlerContext, RowSink], None]


class Aggregate(Protocol):
    """A table kept in step with event rows (e.g. balances from transfers).

    `apply` runs in the batch's transaction after its rows are inserted;
    `revert` runs in the rewind's transaction before rows above `block` are
    deleted, and must undo exactly what `apply` did for them.
    """

    def apply(self, connection: Connection, sink: RowSink) -> None: ...

    def revert(self, connection: Connection, block: int) -> None: ...


class HandlerRegistry:
    """Handlers per (contract name, event name), plus the tables they write."""

    def __init__(self) -> None:
        self._handlers: dict[tuple[str, str], list[Handler]] = defaultdict(list)
        self.event_tables: list[type[SQLModel]] = []
        self.aggregates: list[Aggregate] = []
        self.aggregate_tables: list[type[SQLModel]] = []

    def register(self, contract: str, event: str, handler: Handler) -> None:
        self._handlers[(contract, event)].append(handler)

    def on(self, contract: str, *events: str) -> Callable[[Handler], Handler]:
        """Decorator form of `register` for one contract and one or more events."""

        def decorate(handler: Handler) -> Handler:
            for event in events:
                self.register(contract, event, handler)
            return handler

        return decorate

    def add_event_tables(self, *models: type[SQLModel]) -> None:
        """Tables of rows keyed by block: a rewind deletes their rows above the fork."""
        for model in models:
            if model not in self.event_tables:
                self.event_tables.append(model)

    def add_aggregate(self, aggregate: Aggregate, *models: type[SQLModel]) -> None:
        """An aggregate and the tables it maintains (wiped with the index on reset)."""
        self.aggregates.append(aggregate)
        self.aggregate_tables.extend(m for m in models if m not in self.aggregate_tables)

    def handles(self, contract: str | None, event: str | None) -> bool:
        return (contract, event) in self._handlers

    def handlers_for(self, contract: str, event: str) -> list[Handler]:
        return self._handlers.get((contract, event), [])

    def handle(self, log: DecodedLog, context: HandlerContext, sink: RowSink) -> None:
        if log.contract is None or log.event is None:
            return
        for handler in self._handlers.get((log.contract, log.event), ()):
            handler(log, context, sink)


def log_fields(log: DecodedLog) -> Row:
    """The position columns every event-derived row carries."""
    return {
        "block_number": log.block_number,
        "log_index": log.log_index,
        "tx_hash": log.tx_hash,
        "block_timestamp": log.block_timestamp,
    }

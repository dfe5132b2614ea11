"""Aggregates kept in step with the event rows: token balances and vote tallies.

Both are sums of uint256 values, which SQLite cannot add exactly in SQL (its
integers are 64-bit), so the indexer adds them up in Python, in the batch's
own transaction, and subtracts the rows it rewinds. A key whose total comes
back to zero is deleted: the table looks the same whatever path led to it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, delete, select, tuple_

from coop_dashboard.db.bulk_insert import bulk_upsert
from coop_dashboard.db.chain_tables import (
    ProposalTally,
    TokenBalance,
    TokenTransfer,
    Vote,
    table_of,
)
from coop_dashboard.errors import IndexerError
from coop_dashboard.evm import ZERO_ADDRESS
from coop_dashboard.indexer.handlers.registry import Row, RowSink

# Bound parameters per SELECT ... IN (...): well under SQLite's limit.
_IN_CHUNK = 500

Key = tuple[Any, ...]
Totals = tuple[int, ...]


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _SummedTable:
    """Rows of `table` keyed by `key_columns`, holding integer totals in `value_columns`."""

    def __init__(self, table: Table, key_columns: Sequence[str], value_columns: Sequence[str]):
        self.table = table
        self.key_columns = list(key_columns)
        self.value_columns = list(value_columns)

    def _load(self, connection: Connection, keys: list[Key]) -> dict[Key, Totals]:
        # Filter on the first key column in SQL, on the whole key in Python.
        first = self.table.c[self.key_columns[0]]
        columns = [self.table.c[c] for c in self.key_columns + self.value_columns]
        wanted = set(keys)
        found: dict[Key, Totals] = {}
        width = len(self.key_columns)
        for chunk in _chunks(sorted({key[0] for key in keys}), _IN_CHUNK):
            for row in connection.execute(select(*columns).where(first.in_(chunk))):
                key = tuple(row[:width])
                if key in wanted:
                    found[key] = tuple(int(v) for v in row[width:])
        return found

    def add(self, connection: Connection, deltas: dict[Key, list[int]]) -> None:
        """Add `deltas` to the stored totals (creating, updating or deleting rows)."""
        deltas = {key: delta for key, delta in deltas.items() if any(delta)}
        # Only SQLite and PostgreSQL are supported (see indexer/lock.py).
        if not deltas:
            return
        current = self._load(connection, list(deltas))
        upserts: list[Row] = []
        deletes: list[Key] = []
        for key, delta in deltas.items():
            old = current.get(key)
            new = [a + b for a, b in zip(old or (0,) * len(delta), delta, strict=True)]
            if any(value < 0 for value in new):
                raise IndexerError(
                    f"{self.table.name} would go negative for {key}: the index is "
                    "inconsistent; rebuild it with `coop index --once --reset`."
                )
            if any(new):
                upserts.append(
                    dict(zip(self.key_columns, key, strict=True))
                    | dict(zip(self.value_columns, new, strict=True))
                )
            elif old is not None:
                deletes.append(key)
        keys = tuple_(*(self.table.c[c] for c in self.key_columns))
        for chunk in _chunks(deletes, _IN_CHUNK):
            connection.execute(delete(self.table).where(keys.in_(list(chunk))))
        bulk_upsert(connection, self.table, upserts, self.key_columns)


def _balance_deltas(transfers: Iterable[Mapping[Any, Any]], sign: int) -> dict[Key, list[int]]:
    deltas: dict[Key, list[int]] = defaultdict(lambda: [0])
    for transfer in transfers:
        value = sign * int(transfer["value"])
        token, sender, receiver = (
            transfer["token"],
            transfer["from_address"],
            transfer["to_address"],
        )
        if sender != ZERO_ADDRESS:
            deltas[(token, sender)][0] -= value
        if receiver != ZERO_ADDRESS:
            deltas[(token, receiver)][0] += value
    return deltas


class TokenBalances:
    """token_balance = the sum of each account's transfers, per token."""

    def __init__(self) -> None:
        self._table = _SummedTable(table_of(TokenBalance), ["token", "account"], ["balance"])
        self._transfers = table_of(TokenTransfer)

    def apply(self, connection: Connection, sink: RowSink) -> None:
        self._table.add(connection, _balance_deltas(sink.of(TokenTransfer), +1))

    def revert(self, connection: Connection, block: int) -> None:
        t = self._transfers
        rows = connection.execute(
            select(t.c.token, t.c.from_address, t.c.to_address, t.c.value).where(
                t.c.block_number > block
            )
        ).mappings()
        self._table.add(connection, _balance_deltas(rows, -1))


# CountingSimple's support values -> position in the tally.
_SUPPORT_COLUMN = {1: 0, 0: 1, 2: 2}


# Positions after the three support columns.
_TOTAL_WEIGHT, _VOTE_COUNT = 3, 4


def _tally_deltas(votes: Iterable[Mapping[Any, Any]], sign: int) -> dict[Key, list[int]]:
    deltas: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for vote in votes:
        delta = deltas[(int(vote["proposal_id"]),)]
        column = _SUPPORT_COLUMN.get(int(vote["support"]))
        if column is not None:
            weight = sign * int(vote["weight"])
            delta[column] += weight
            delta[_TOTAL_WEIGHT] += weight
        delta[_VOTE_COUNT] += sign
    return deltas


class ProposalTallies:
    """gov_proposal_tally = for / against / abstain weight, their total and vote count."""

    def __init__(self) -> None:
        self._table = _SummedTable(
            table_of(ProposalTally),
            ["proposal_id"],
            ["for_votes", "against_votes", "abstain_votes", "total_weight", "vote_count"],
        )
        self._votes = table_of(Vote)

    def apply(self, connection: Connection, sink: RowSink) -> None:
        self._table.add(connection, _tally_deltas(sink.of(Vote), +1))

    def revert(self, connection: Connection, block: int) -> None:
        v = self._votes
        rows = connection.execute(
            select(v.c.proposal_id, v.c.support, v.c.weight).where(v.c.block_number > block)
        ).mappings()
        self._table.add(connection, _tally_deltas(rows, -1))

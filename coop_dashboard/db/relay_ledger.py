"""The relayer's shared ledger: the locked nonce row, sent transactions, the hourly spend.

`locked_relayer` is the one nonce authority of a relayer key across every app
worker: while one worker holds it (SELECT ... FOR UPDATE on PostgreSQL, BEGIN
IMMEDIATE on SQLite, whose write lock is database-wide), no other worker can
read the next nonce, check the spend or record a transaction for that key, so
budget check, nonce choice, send and record happen as one step.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from coop_dashboard.db.chain_tables import table_of
from coop_dashboard.db.relay_tables import RelayedTx, RelayerNonce

_txs = table_of(RelayedTx)
_nonces = table_of(RelayerNonce)

SENT = "sent"
SUCCEEDED = "succeeded"
FAILED = "failed"
DROPPED = "dropped"


@dataclass(frozen=True)
class SentTx:
    relayer: str
    nonce: int
    tx_hash: str
    kind: str
    signer: str
    claim: str | None
    sent_at_ms: int
    max_cost_wei: int


def _ensure_row(engine: Engine, relayer: str) -> None:
    dialect_insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    with engine.begin() as connection:
        connection.execute(
            dialect_insert(_nonces)
            .values(relayer=relayer, next_nonce=0)
            .on_conflict_do_nothing(index_elements=["relayer"])
        )


@contextmanager
def locked_relayer(engine: Engine, relayer: str) -> Iterator[Connection]:
    """A transaction holding `relayer`'s nonce row: committed on success, else rolled back."""
    key = relayer.lower()
    _ensure_row(engine, key)
    if engine.dialect.name == "sqlite":
        # pysqlite would open a deferred transaction, which takes the write lock only at
        # its first write (and can then fail instead of waiting): begin it ourselves.
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.exec_driver_sql("ROLLBACK")
                raise
            connection.exec_driver_sql("COMMIT")
        return
    with engine.begin() as connection:
        connection.execute(
            select(_nonces.c.next_nonce).where(_nonces.c.relayer == key).with_for_update()
        )
        yield connection


def stored_next_nonce(connection: Connection, relayer: str) -> int:
    return int(
        connection.execute(
            select(_nonces.c.next_nonce).where(_nonces.c.relayer == relayer.lower())
        ).scalar_one()
    )


def store_next_nonce(connection: Connection, relayer: str, next_nonce: int) -> None:
    connection.execute(
        update(_nonces).where(_nonces.c.relayer == relayer.lower()).values(next_nonce=next_nonce)
    )


def spend_since(connection: Connection, relayer: str, since_ms: int) -> list[tuple[int, int]]:
    """(sent_at_ms, cost_wei) of `relayer`'s transactions sent after `since_ms`, oldest first.

    Summed in Python by the caller: SQLite cannot add uint256 text exactly.
    """
    rows = connection.execute(
        select(_txs.c.sent_at_ms, _txs.c.cost_wei)
        .where(_txs.c.relayer == relayer.lower(), _txs.c.sent_at_ms > since_ms)
        .order_by(_txs.c.sent_at_ms)
    )
    return [(int(sent_at), int(cost)) for sent_at, cost in rows]


def claim_taken(connection: Connection, claim: str) -> bool:
    return connection.execute(select(_txs.c.id).where(_txs.c.claim == claim)).first() is not None


def sent_at_of_nonce(connection: Connection, relayer: str, nonce: int) -> int | None:
    """When the newest transaction recorded with `nonce` was sent (unix ms), if any."""
    return connection.execute(
        select(_txs.c.sent_at_ms)
        .where(_txs.c.relayer == relayer.lower(), _txs.c.nonce == nonce)
        .order_by(_txs.c.sent_at_ms.desc())
        .limit(1)
    ).scalar()


def record_sent(connection: Connection, sent: SentTx) -> None:
    connection.execute(
        insert(_txs).values(
            relayer=sent.relayer.lower(),
            nonce=sent.nonce,
            tx_hash=sent.tx_hash.lower(),
            kind=sent.kind,
            signer=sent.signer.lower(),
            claim=sent.claim,
            sent_at_ms=sent.sent_at_ms,
            cost_wei=sent.max_cost_wei,
            status=SENT,
        )
    )


def settle(engine: Engine, tx_hash: str, status: str, cost_wei: int) -> None:
    """Replace the reserved cost by the real one; a failed or dropped one frees its claim."""
    values: dict[str, object] = {"status": status, "cost_wei": cost_wei}
    if status != SUCCEEDED:
        values["claim"] = None
    with engine.begin() as connection:
        connection.execute(
            update(_txs)
            .where(_txs.c.tx_hash == tx_hash.lower(), _txs.c.status == SENT)
            .values(**values)
        )


def status_of(engine: Engine, tx_hash: str) -> tuple[str, int] | None:
    """(status, cost_wei) of a recorded transaction."""
    with engine.connect() as connection:
        row = connection.execute(
            select(_txs.c.status, _txs.c.cost_wei).where(_txs.c.tx_hash == tx_hash.lower())
        ).first()
    return None if row is None else (str(row[0]), int(row[1]))


def prune_before(connection: Connection, relayer: str, before_ms: int) -> None:
    """Forget `relayer`'s transactions sent before `before_ms` (outside every window)."""
    connection.execute(
        delete(_txs).where(_txs.c.relayer == relayer.lower(), _txs.c.sent_at_ms < before_ms)
    )

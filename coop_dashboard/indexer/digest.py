"""A digest of everything the indexer wrote, to compare two databases row for row."""

from __future__ import annotations

import hashlib

from sqlalchemy import Engine, select
from sqlmodel import SQLModel

from coop_dashboard.db.chain_tables import (
    AGGREGATE_TABLES,
    EVENT_TABLES,
    IndexedContract,
    IndexerCheckpoint,
    table_of,
)
from coop_dashboard.db.dataset_tables import DATASET_EVENT_TABLES, DATASET_STATE_TABLES
from coop_dashboard.db.delegate_tables import DELEGATE_DIRECTORY_TABLES

# Wall-clock bookkeeping, not chain data.
_IGNORED_COLUMNS = {"updated_at"}


def table_digests(engine: Engine) -> dict[str, str]:
    """sha256 per table over its rows in primary-key order.

    indexer_block is left out: which recent hashes are kept depends on where
    the batch boundaries fell, not on the chain.
    """
    digests: dict[str, str] = {}
    with engine.connect() as connection:
        models: list[type[SQLModel]] = [
            IndexerCheckpoint,
            IndexedContract,
            *EVENT_TABLES,
            *AGGREGATE_TABLES,
            *DATASET_EVENT_TABLES,
            *DATASET_STATE_TABLES,
            *DELEGATE_DIRECTORY_TABLES,
        ]
        for model in models:
            table = table_of(model)
            columns = [c for c in table.columns if c.name not in _IGNORED_COLUMNS]
            order = list(table.primary_key.columns)
            hasher = hashlib.sha256()
            count = 0
            for row in connection.execute(select(*columns).order_by(*order)):
                hasher.update(repr(tuple(row)).encode())
                count += 1
            digests[table.name] = f"{count}:{hasher.hexdigest()}"
    return digests


def database_digest(engine: Engine) -> str:
    """One sha256 over every table's digest."""
    hasher = hashlib.sha256()
    for name, digest in sorted(table_digests(engine).items()):
        hasher.update(f"{name}={digest}\n".encode())
    return hasher.hexdigest()

"""Migration 8883540a170f files the treasury movements indexed before it: the proposal
executed in the same transaction, its payments as proposal transfers, token mints;
the rest stays "other" (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, MetaData, Table, insert, select

from coop_dashboard.db.chain_tables import ProposalTransition, TreasuryMovement, table_of
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.migrations import head_revision, upgrade_database
from coop_dashboard.evm import ZERO_ADDRESS

BEFORE = "309f16137d3f"
PROPOSAL = 2**255 + 7
GRANT_TX = "0x" + "aa" * 32
TOKEN = "0x" + "c0" * 20


def _movement(log_index: int, asset: str, direction: str, counterparty: str, tx: str) -> Any:
    return {
        "block_number": 10,
        "log_index": log_index,
        "asset": asset,
        "direction": direction,
        "counterparty": counterparty,
        "amount": 10**30,
        "source": "erc20_transfer",
        "tx_hash": tx,
        "block_timestamp": 1_700_000_000,
    }


def _table_before() -> Table:
    """treasury_movement as it was at BEFORE (the same column types, without the new ones)."""
    columns: list[Column[Any]] = [
        column._copy()
        for column in table_of(TreasuryMovement).columns
        if column.name not in ("category", "proposal_id")
    ]
    return Table("treasury_movement", MetaData(), *columns)


def test_existing_movements_are_filed(database_url: str) -> None:
    assert upgrade_database(database_url, BEFORE) == BEFORE
    with get_engine(database_url).begin() as connection:
        connection.execute(
            insert(table_of(ProposalTransition)).values(
                block_number=10,
                log_index=9,
                proposal_id=PROPOSAL,
                kind="executed",
                tx_hash=GRANT_TX,
                block_timestamp=1_700_000_000,
            )
        )
        connection.execute(
            insert(_table_before()),
            [
                _movement(1, TOKEN, "out", "0x" + "11" * 20, GRANT_TX),
                _movement(2, TOKEN, "in", ZERO_ADDRESS, "0x" + "bb" * 32),
                _movement(3, "eth", "in", "0x" + "22" * 20, "0x" + "cc" * 32),
            ],
        )
    assert upgrade_database(database_url) == head_revision()
    movements = table_of(TreasuryMovement)
    with get_engine(database_url).connect() as connection:
        filed = connection.execute(
            select(movements.c.log_index, movements.c.category, movements.c.proposal_id).order_by(
                movements.c.log_index
            )
        ).all()
    assert [tuple(row) for row in filed] == [
        (1, "proposal_transfer", PROPOSAL),
        (2, "mint", None),
        (3, "other", None),
    ]

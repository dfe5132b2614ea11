"""Reads and writes of the treasury pages: movements (indexed), supplies, notes (off-chain).

Amounts are uint256 (`Uint256`): sums are taken in Python as exact ints, never
with SQL SUM (SQLite stores them as padded text).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, and_, insert, select

from coop_dashboard.db.chain_tables import TokenBalance, TreasuryMovement, table_of
from coop_dashboard.db.treasury_tables import TreasuryNote

_movements = table_of(TreasuryMovement)
_balances = table_of(TokenBalance)
_notes = table_of(TreasuryNote)


@dataclass(frozen=True)
class Movement:
    block_number: int
    log_index: int
    timestamp: int
    asset: str  # "eth" or a token address
    direction: str  # in | out
    counterparty: str | None
    amount: int
    source: str
    tx_hash: str | None
    category: str
    proposal_id: int | None

    @property
    def signed(self) -> int:
        return self.amount if self.direction == "in" else -self.amount


@dataclass(frozen=True)
class Note:
    block_number: int
    log_index: int
    author: str
    note: str
    tag: str
    created_at: datetime


_MOVEMENT_COLUMNS = (
    _movements.c.block_number,
    _movements.c.log_index,
    _movements.c.block_timestamp,
    _movements.c.asset,
    _movements.c.direction,
    _movements.c.counterparty,
    _movements.c.amount,
    _movements.c.source,
    _movements.c.tx_hash,
    _movements.c.category,
    _movements.c.proposal_id,
)


def all_movements(engine: Engine) -> list[Movement]:
    """Every treasury movement, oldest first (the pages aggregate them in one pass)."""
    statement = select(*_MOVEMENT_COLUMNS).order_by(
        _movements.c.block_number, _movements.c.log_index
    )
    with engine.connect() as connection:
        return [Movement(*row) for row in connection.execute(statement)]


def movement(engine: Engine, block_number: int, log_index: int) -> Movement | None:
    statement = select(*_MOVEMENT_COLUMNS).where(
        _movements.c.block_number == block_number, _movements.c.log_index == log_index
    )
    with engine.connect() as connection:
        row = connection.execute(statement).first()
    return None if row is None else Movement(*row)


def net_flow(engine: Engine, asset: str, first_block: int, last_block: int) -> int:
    """Inflows minus outflows of `asset` recorded in blocks first..last (inclusive)."""
    statement = select(_movements.c.direction, _movements.c.amount).where(
        _movements.c.asset == asset,
        _movements.c.block_number >= first_block,
        _movements.c.block_number <= last_block,
    )
    with engine.connect() as connection:
        return sum(
            amount if direction == "in" else -amount
            for direction, amount in connection.execute(statement)
        )


def token_supplies(engine: Engine, tokens: list[str]) -> dict[str, int]:
    """The indexed supply (sum of holders' balances) of each token of the manifest."""
    supplies: dict[str, int] = defaultdict(int)
    if not tokens:
        return {}
    statement = select(_balances.c.token, _balances.c.balance).where(_balances.c.token.in_(tokens))
    with engine.connect() as connection:
        for token, balance in connection.execute(statement):
            supplies[token] += balance
    return dict(supplies)


def notes(engine: Engine) -> dict[tuple[int, int], list[Note]]:
    """Every note, per movement (block number, log index), oldest first.

    A note counts only while its movement still has the transaction it was written
    for (a reorg that replaced the movement hides it)."""
    statement = (
        select(
            _notes.c.block_number,
            _notes.c.log_index,
            _notes.c.author,
            _notes.c.note,
            _notes.c.tag,
            _notes.c.created_at,
        )
        .join(
            _movements,
            and_(
                _movements.c.block_number == _notes.c.block_number,
                _movements.c.log_index == _notes.c.log_index,
            ),
        )
        .where(
            (_movements.c.tx_hash == _notes.c.tx_hash)
            | (_movements.c.tx_hash.is_(None) & _notes.c.tx_hash.is_(None))
        )
        .order_by(_notes.c.id)
    )
    found: dict[tuple[int, int], list[Note]] = defaultdict(list)
    with engine.connect() as connection:
        for row in connection.execute(statement):
            found[(row[0], row[1])].append(Note(*row))
    return dict(found)


def add_note(
    engine: Engine,
    target: Movement,
    author: str,
    note: str,
    tag: str,
    created_at: datetime,
) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(_notes).values(
                block_number=target.block_number,
                log_index=target.log_index,
                tx_hash=target.tx_hash,
                author=author,
                note=note,
                tag=tag,
                created_at=created_at,
            )
        )

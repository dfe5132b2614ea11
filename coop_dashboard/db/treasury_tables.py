"""Off-chain notes members attach to treasury movements (kept only in the database)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel

from coop_dashboard.db.utc_datetime import UtcDateTime

NOTE_MAX_CHARS = 280
TAG_MAX_CHARS = 32


class TreasuryNote(SQLModel, table=True):
    """A member's note or tag on one treasury movement, attributed to their address.

    The movement is named by its position (block number, log index) and, when
    it has one, its transaction: a note whose movement a reorg replaced no
    longer matches and is not shown.
    """

    __tablename__ = "treasury_note"
    __table_args__ = (
        Index("ix_treasury_note_movement", "block_number", "log_index"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    block_number: int = Field(sa_type=BigInteger)
    log_index: int = Field(sa_type=BigInteger)
    tx_hash: str | None = Field(default=None, max_length=66)
    author: str = Field(max_length=42)
    note: str = Field(default="", max_length=NOTE_MAX_CHARS)
    tag: str = Field(default="", max_length=TAG_MAX_CHARS)
    created_at: datetime = Field(sa_type=UtcDateTime)

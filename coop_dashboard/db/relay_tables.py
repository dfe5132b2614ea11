"""Tables of the gasless-vote relayer: the ledger its per-voter rate limit counts.

The limit must hold across every backend worker, and the database is the one
thing they all share in both configurations (SQLite file, PostgreSQL), so
each relayed ballot is a row here rather than an entry in a process's memory.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel

ADDRESS_LENGTH = 42


class RelayEvent(SQLModel, table=True):
    """A ballot the relayer counted against its voter's allowance (rows expire with the window)."""

    __tablename__ = "relay_event"
    # Every check counts one voter's rows inside the window: (voter, time) answers it
    # from the index alone.
    __table_args__ = (
        Index("ix_relay_event_voter_relayed_at", "voter", "relayed_at_ms"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    voter: str = Field(max_length=ADDRESS_LENGTH)  # lowercase 0x-hex
    # Wall clock of the worker that relayed, unix milliseconds: workers are separate
    # processes, and only wall-clock times are comparable between them.
    relayed_at_ms: int = Field(sa_type=BigInteger)

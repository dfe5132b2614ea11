"""Tables of the gasless relayer: what every backend worker must share about it.

The relayer's limits must hold across every backend worker, and the database
is the one thing they all share in both configurations (SQLite file,
PostgreSQL). So each relayed signature is a row here rather than an entry in a
process's memory: the per-signer rate limit (relay_event), the hourly spend and
each sent transaction (relay_tx), and the one nonce authority of the relayer's
key (relay_nonce, a row locked while a transaction is signed and sent).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel

from coop_dashboard.db.uint256 import Uint256

ADDRESS_LENGTH = 42
TX_HASH_LENGTH = 66
CLAIM_MAX_CHARS = 160


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


class RelayedTx(SQLModel, table=True):
    """A transaction the relayer sent: its nonce, what it may cost / did cost, its outcome."""

    __tablename__ = "relay_tx"
    # The hourly spend sums one relayer's rows inside the window.
    __table_args__ = (
        Index("ix_relay_tx_relayer_sent_at", "relayer", "sent_at_ms"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    relayer: str = Field(max_length=ADDRESS_LENGTH)  # lowercase 0x-hex
    nonce: int = Field(sa_type=BigInteger)  # the relayer account's nonce
    tx_hash: str = Field(max_length=TX_HASH_LENGTH, unique=True)
    kind: str = Field(max_length=16)  # "vote", "delegation", ...
    signer: str = Field(max_length=ADDRESS_LENGTH)  # whose signature was relayed (lowercase)
    # "<kind>:<signer>:<signature nonce>" while the transaction is on its way or
    # succeeded: one signed message is relayed at most once. NULL again when it
    # failed or was dropped (several NULLs are allowed by a unique index on both engines).
    claim: str | None = Field(default=None, max_length=CLAIM_MAX_CHARS, unique=True)
    sent_at_ms: int = Field(sa_type=BigInteger)  # wall clock of the sending worker
    # The most it can cost (gas limit x max fee) until it is mined, then what it cost.
    cost_wei: int = Field(sa_type=Uint256)
    status: str = Field(max_length=16)  # sent | succeeded | failed | dropped


class RelayerNonce(SQLModel, table=True):
    """The next nonce of one relayer key: the row every worker locks before it sends."""

    __tablename__ = "relay_nonce"
    __table_args__ = {"extend_existing": True}

    relayer: str = Field(primary_key=True, max_length=ADDRESS_LENGTH)  # lowercase 0x-hex
    next_nonce: int = Field(sa_type=BigInteger)

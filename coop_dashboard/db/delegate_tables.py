"""Tables of the delegate directory: the present of every delegate, kept by the indexer.

`delegate_directory` holds one row per address that ever had voting power or a
statement, with every figure the directory filters and sorts on (power, its
7-day change, delegators, participation, latest vote, statement facts), so a
page over 10,000 delegates is one indexed query instead of a replay of
200,000 delegation events. `delegate_current_delegation` is each account's
current delegate (the delegators of a delegate, counted by index);
`delegate_topic` lists each current statement's topics for the topic filter;
`delegate_directory_clock` is the time the figures are as of (the latest
indexed event) and the votes token's total supply. All four are recomputed by
indexer/handlers/delegate_directory.py for what a batch or a rewind touches.

`delegate_document` is keyed by the statement's sha-256: content-addressed facts
(the name read from a verified document) stay true whatever the chain does, so
it is not an indexer table (like dataset_card).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Float, Index, Integer, Text
from sqlmodel import Field, SQLModel

from coop_dashboard.db.chain_tables import ADDRESS_LENGTH, HASH_LENGTH
from coop_dashboard.db.uint256 import Uint256

_TABLE_OPTIONS = {"extend_existing": True, "sqlite_with_rowid": False}
TOPIC_LENGTH = 32  # DelegateRegistry.MAX_TOPIC_LENGTH
NAME_LENGTH = 80
# power_change_key = change + CHANGE_OFFSET: a signed change as an unsigned value whose
# order is the change's order (Uint256 columns sort numerically on both engines).
CHANGE_OFFSET = 2**255
RANDOM_BITS = 31  # draws below 2**31: draw * multiplier stays within a signed 64-bit integer


class DelegateDirectoryRow(SQLModel, table=True):
    """A delegate now: what the directory shows, filters and sorts on."""

    __tablename__ = "delegate_directory"
    __table_args__ = (
        Index("ix_delegate_directory_power", "listed", "voting_power"),
        Index("ix_delegate_directory_random", "listed", "power_tokens", "random_draw"),
        Index("ix_delegate_directory_search", "listed", "search_text"),
        Index("ix_delegate_directory_delegators", "listed", "delegator_count"),
        Index("ix_delegate_directory_participation", "listed", "participation_bp"),
        Index("ix_delegate_directory_change", "listed", "power_change_key"),
        Index("ix_delegate_directory_last_vote", "listed", "last_vote_at"),
        Index("ix_delegate_directory_statement", "has_statement", "voting_power"),
        Index("ix_delegate_directory_seeking", "seeking_delegation", "voting_power"),
        Index("ix_delegate_directory_window", "window_expires_at"),
        Index("ix_delegate_directory_digest", "statement_digest"),
        _TABLE_OPTIONS,
    )

    address: str = Field(primary_key=True, max_length=ADDRESS_LENGTH)
    # Shown in the directory: voting power now or a current statement.
    listed: bool = Field(sa_type=Boolean)
    voting_power: int = Field(sa_type=Uint256)
    # The weighted-random order's inputs, in SQL: power in whole tokens as a float, and
    # a fixed draw per address (RANDOM_BITS bits) that each session's seed hashes anew.
    power_tokens: float = Field(sa_type=Float)
    random_draw: int = Field(sa_type=BigInteger)
    power_7d_ago: int = Field(sa_type=Uint256)
    power_change_key: int = Field(sa_type=Uint256)  # change + CHANGE_OFFSET
    # When power_7d_ago next changes (the week-old end of the window passes a change).
    window_expires_at: int | None = Field(default=None, sa_type=BigInteger)
    delegator_count: int = Field(sa_type=Integer)
    votes_cast: int = Field(sa_type=Integer)  # votes with weight (power at the snapshot)
    eligible_proposals: int = Field(sa_type=Integer)  # snapshot passed while it had power
    participation_bp: int = Field(sa_type=Integer)  # basis points; -1: nothing to vote on yet
    last_vote_at: int = Field(sa_type=BigInteger)  # 0: never voted
    has_statement: bool = Field(sa_type=Boolean)
    seeking_delegation: bool = Field(sa_type=Boolean)
    statement_version: int = Field(sa_type=Integer)  # 0: never published
    statement_uri: str | None = Field(default=None, sa_type=Text)
    statement_digest: str | None = Field(default=None, max_length=HASH_LENGTH)
    statement_updated_at: int | None = Field(default=None, sa_type=BigInteger)
    topics: str = Field(sa_type=Text)  # JSON list, as the chain holds them (sanitised)
    name: str = Field(sa_type=Text)  # from the verified statement document; "" if unknown
    search_text: str = Field(sa_type=Text)  # lowercase address, name and topics


class DelegateTopic(SQLModel, table=True):
    """One topic of a delegate's current statement (lowercase), for the topic filter."""

    __tablename__ = "delegate_topic"
    __table_args__ = _TABLE_OPTIONS

    topic: str = Field(primary_key=True, sa_type=Text)
    address: str = Field(primary_key=True, max_length=ADDRESS_LENGTH)


class DelegateCurrentDelegation(SQLModel, table=True):
    """An account's current delegate (its latest DelegateChanged; none: no row)."""

    __tablename__ = "delegate_current_delegation"
    __table_args__ = (
        Index("ix_delegate_current_delegation_delegate", "delegate"),
        _TABLE_OPTIONS,
    )

    delegator: str = Field(primary_key=True, max_length=ADDRESS_LENGTH)
    delegate: str = Field(max_length=ADDRESS_LENGTH)
    since_block: int = Field(sa_type=BigInteger)
    since_timestamp: int = Field(sa_type=BigInteger)


class DelegateDirectoryClock(SQLModel, table=True):
    """What the directory's figures are as of: one row (id 1)."""

    __tablename__ = "delegate_directory_clock"
    __table_args__ = _TABLE_OPTIONS

    id: int = Field(primary_key=True)
    as_of: int = Field(sa_type=BigInteger)  # timestamp of the latest indexed event
    total_supply: int = Field(sa_type=Uint256)  # of the votes token


class DelegateDocument(SQLModel, table=True):
    """Facts of a verified statement document, by its sha-256 (0x-hex)."""

    __tablename__ = "delegate_document"
    __table_args__ = _TABLE_OPTIONS

    digest: str = Field(primary_key=True, max_length=HASH_LENGTH)
    name: str = Field(sa_type=Text)
    fetched_at: int = Field(sa_type=BigInteger)


DELEGATE_DIRECTORY_TABLES: tuple[type[SQLModel], ...] = (
    DelegateDirectoryRow,
    DelegateTopic,
    DelegateCurrentDelegation,
    DelegateDirectoryClock,
)

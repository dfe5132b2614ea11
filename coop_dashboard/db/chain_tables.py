"""Tables the indexer fills from contract events, and its own bookkeeping.

Conventions (the indexer and the queries rely on them):
- Every event-derived row carries `block_number` + `log_index` (its primary key
  or part of it), so a reorg rewind is one `DELETE ... WHERE block_number > n`
  per table and a replay cannot duplicate a row.
- Addresses are lowercase 0x-hex (checksumming costs a keccak per address, and
  the indexer writes tens of thousands per second); compare lowercase.
- uint256 values (amounts, proposal ids) use `Uint256`: exact on both engines.
- Times are the block's unix timestamp in seconds (`block_timestamp`); the
  governor's clock is the token's timestamp clock, so vote_start / vote_end /
  eta are unix seconds too.
- Rows the indexer synthesises without a log (ETH received by the treasury)
  use negative `log_index` values (see indexer/treasury_eth.py).
- `token_balance` and `gov_proposal_tally` are aggregates the indexer keeps in
  step with their event tables in the same transaction (and reverts on rewind).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, SmallInteger, Table, Text
from sqlmodel import Field, SQLModel

from coop_dashboard.db.treasury_categories import CATEGORY_MAX_LENGTH
from coop_dashboard.db.uint256 import Uint256

ADDRESS_LENGTH = 42
HASH_LENGTH = 66
# SQLite: WITHOUT ROWID stores rows in their primary key's b-tree instead of a
# rowid table plus a separate key index, halving the writes per inserted row.
_TABLE_OPTIONS = {"extend_existing": True, "sqlite_with_rowid": False}


class IndexerCheckpoint(SQLModel, table=True):
    """The last block whose events are all in the database, per indexed deployment."""

    __tablename__ = "indexer_checkpoint"
    __table_args__ = _TABLE_OPTIONS

    stream: str = Field(primary_key=True, max_length=64)
    # Digest of chain id + deploy block hash + addresses: a redeployed suite
    # (`coop up --fresh`) must not be mixed with rows of the previous one.
    deployment_key: str = Field(max_length=64)
    chain_id: int = Field(sa_type=BigInteger)
    block_number: int = Field(sa_type=BigInteger)
    block_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)
    updated_at: int = Field(sa_type=BigInteger)  # wall clock, unix seconds


class IndexerStall(SQLModel, table=True):
    """Why the indexer cannot move past a block, while it cannot (deleted once it does).

    Written by the indexer on every failed attempt, read by the overview page
    ("indexer stalled at block N: reason"): the indexer may run in another process.
    """

    __tablename__ = "indexer_stall"
    __table_args__ = _TABLE_OPTIONS

    stream: str = Field(primary_key=True, max_length=64)
    # The first block not indexed (None: nothing indexed and the deployment unknown).
    block_number: int | None = Field(default=None, sa_type=BigInteger)
    log_index: int | None = Field(default=None, sa_type=BigInteger)  # when one log is the cause
    reason: str = Field(sa_type=Text)
    attempts: int = Field(sa_type=BigInteger)
    since: int = Field(sa_type=BigInteger)  # wall clock, unix seconds
    updated_at: int = Field(sa_type=BigInteger)


class IndexedContract(SQLModel, table=True):
    """The indexed deployment's contracts, so queries need no manifest to find them."""

    __tablename__ = "indexer_contract"
    __table_args__ = _TABLE_OPTIONS

    name: str = Field(primary_key=True, max_length=64)
    address: str = Field(max_length=ADDRESS_LENGTH)


class IndexedBlock(SQLModel, table=True):
    """Hashes of recent blocks (and of every checkpoint), to find where a reorg forked."""

    __tablename__ = "indexer_block"
    __table_args__ = _TABLE_OPTIONS

    block_number: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    block_hash: str = Field(max_length=HASH_LENGTH)
    parent_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class ChainEvent(SQLModel, table=True):
    """Every log fetched, by position: the generic event table.

    A log a handler stores in a table of its own is only listed here (position,
    contract, event; its values and transaction are in that table). Any other
    log (roles, approvals, events of contracts a later feature adds,
    undecodable logs) keeps its transaction, address, raw topics and data, and
    its decoded arguments as JSON when the ABI is known: a later feature can
    derive tables from these rows without refetching the chain.
    """

    __tablename__ = "chain_event"
    __table_args__ = (
        Index("ix_chain_event_contract_event", "contract", "event"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    tx_hash: str | None = Field(default=None, max_length=HASH_LENGTH)
    tx_index: int | None = Field(default=None)
    address: str | None = Field(default=None, max_length=ADDRESS_LENGTH)
    contract: str | None = Field(default=None, max_length=64)
    event: str | None = Field(default=None, max_length=64)
    # Decoded arguments; ints as decimal strings (JSON numbers lose precision in JS).
    args: str | None = Field(default=None, sa_type=Text)
    topics: str | None = Field(default=None, sa_type=Text)  # comma-separated 0x-hex topics
    data: str | None = Field(default=None, sa_type=Text)  # 0x-hex
    block_timestamp: int | None = Field(default=None, sa_type=BigInteger)


class Proposal(SQLModel, table=True):
    """A governor proposal as created (ProposalCreated)."""

    __tablename__ = "gov_proposal"
    __table_args__ = _TABLE_OPTIONS

    proposal_id: int = Field(sa_type=Uint256, primary_key=True)
    governor: str = Field(max_length=ADDRESS_LENGTH)
    proposer: str = Field(max_length=ADDRESS_LENGTH, index=True)
    title: str = Field(sa_type=Text)
    # As shown: invalid UTF-8 and NUL replaced by U+FFFD (indexer/chain_text.py).
    description: str = Field(sa_type=Text)
    # keccak256 of the description's exact bytes, as the Governor hashes it
    # (queue / execute name the proposal by it; `description` may be sanitised).
    description_hash: str = Field(max_length=HASH_LENGTH)
    vote_start: int = Field(sa_type=BigInteger)  # snapshot timepoint (token clock)
    vote_end: int = Field(sa_type=BigInteger)  # deadline before any late-quorum extension
    action_count: int
    block_number: int = Field(sa_type=BigInteger, index=True)
    log_index: int = Field(sa_type=BigInteger)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger, index=True)


class ProposalAction(SQLModel, table=True):
    """One call a proposal would execute."""

    __tablename__ = "gov_proposal_action"
    __table_args__ = _TABLE_OPTIONS

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    action_index: int = Field(primary_key=True)
    proposal_id: int = Field(sa_type=Uint256, index=True)
    target: str = Field(max_length=ADDRESS_LENGTH)
    value: int = Field(sa_type=Uint256)
    signature: str = Field(sa_type=Text)
    calldata: str = Field(sa_type=Text)  # 0x-hex


class ProposalTransition(SQLModel, table=True):
    """A step in a proposal's life: created, queued (eta), executed, canceled, extended."""

    __tablename__ = "gov_proposal_event"
    __table_args__ = _TABLE_OPTIONS

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    proposal_id: int = Field(sa_type=Uint256, index=True)
    kind: str = Field(max_length=16)
    eta: int | None = Field(default=None, sa_type=BigInteger)
    extended_deadline: int | None = Field(default=None, sa_type=BigInteger)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class Vote(SQLModel, table=True):
    """A vote cast (VoteCast or VoteCastWithParams)."""

    __tablename__ = "gov_vote"
    __table_args__ = (
        Index("ix_gov_vote_proposal_weight", "proposal_id", "weight"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    proposal_id: int = Field(sa_type=Uint256)
    voter: str = Field(max_length=ADDRESS_LENGTH, index=True)
    support: int = Field(sa_type=SmallInteger)  # 0 against, 1 for, 2 abstain
    weight: int = Field(sa_type=Uint256)
    reason: str = Field(sa_type=Text)
    params: str | None = Field(default=None, sa_type=Text)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class ProposalTally(SQLModel, table=True):
    """Running vote totals per proposal (maintained with the votes, reverted on rewind)."""

    __tablename__ = "gov_proposal_tally"
    __table_args__ = _TABLE_OPTIONS

    proposal_id: int = Field(sa_type=Uint256, primary_key=True)
    for_votes: int = Field(sa_type=Uint256)
    against_votes: int = Field(sa_type=Uint256)
    abstain_votes: int = Field(sa_type=Uint256)
    # for + against + abstain (the voting power cast), kept so the feed can sort by
    # it in SQL: SQLite cannot add uint256 values (padded text), but a Uint256
    # column orders numerically on both engines.
    total_weight: int = Field(sa_type=Uint256)
    vote_count: int = Field(sa_type=BigInteger)


class GovernanceSettingChange(SQLModel, table=True):
    """A governance parameter set or changed (constructor values included)."""

    __tablename__ = "gov_setting_change"
    __table_args__ = (
        Index("ix_gov_setting_change_setting", "setting", "block_number", "log_index"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    contract: str = Field(max_length=ADDRESS_LENGTH)
    # voting_delay, voting_period, proposal_threshold, quorum_numerator,
    # late_quorum_extension, timelock, timelock_min_delay
    setting: str = Field(max_length=32)
    old_value: str = Field(max_length=ADDRESS_LENGTH + 36)  # decimal, or an address
    new_value: str = Field(max_length=ADDRESS_LENGTH + 36)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class TokenTransfer(SQLModel, table=True):
    """An ERC20 Transfer of one of the cooperative's tokens (mints/burns: zero address)."""

    __tablename__ = "token_transfer"
    __table_args__ = _TABLE_OPTIONS

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    # No index on token alone: two tokens; queries go by account (or mint/burn: zero).
    token: str = Field(max_length=ADDRESS_LENGTH)
    from_address: str = Field(max_length=ADDRESS_LENGTH, index=True)
    to_address: str = Field(max_length=ADDRESS_LENGTH, index=True)
    value: int = Field(sa_type=Uint256)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class TokenBalance(SQLModel, table=True):
    """Current balance per token and account (maintained with the transfers)."""

    __tablename__ = "token_balance"
    __table_args__ = (
        Index("ix_token_balance_token_balance", "token", "balance"),
        _TABLE_OPTIONS,
    )

    token: str = Field(max_length=ADDRESS_LENGTH, primary_key=True)
    account: str = Field(max_length=ADDRESS_LENGTH, primary_key=True)
    balance: int = Field(sa_type=Uint256)


class Delegation(SQLModel, table=True):
    """A delegator chose a delegate (DelegateChanged)."""

    __tablename__ = "token_delegation"
    __table_args__ = (
        Index("ix_token_delegation_delegator", "delegator", "block_number", "log_index"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    delegator: str = Field(max_length=ADDRESS_LENGTH)
    from_delegate: str = Field(max_length=ADDRESS_LENGTH)
    to_delegate: str = Field(max_length=ADDRESS_LENGTH)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class VotingPowerChange(SQLModel, table=True):
    """A delegate's voting power changed (DelegateVotesChanged): power over time."""

    __tablename__ = "token_voting_power"
    __table_args__ = (
        Index("ix_token_voting_power_delegate", "delegate", "block_number", "log_index"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    delegate: str = Field(max_length=ADDRESS_LENGTH)
    previous_votes: int = Field(sa_type=Uint256)
    new_votes: int = Field(sa_type=Uint256)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class DelegateStatementEvent(SQLModel, table=True):
    """DelegateRegistry events: statement published, seeking flag changed, cleared."""

    __tablename__ = "delegate_statement"
    __table_args__ = (
        Index("ix_delegate_statement_delegate", "delegate", "block_number", "log_index"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    delegate: str = Field(max_length=ADDRESS_LENGTH)
    kind: str = Field(max_length=16)  # published | seeking_changed | cleared
    uri: str | None = Field(default=None, sa_type=Text)
    digest: str | None = Field(default=None, max_length=HASH_LENGTH)
    topics: str | None = Field(default=None, sa_type=Text)  # JSON list of tags
    seeking_delegation: bool | None = Field(default=None, sa_type=Boolean)
    version: int | None = Field(default=None, sa_type=BigInteger)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class TimelockCall(SQLModel, table=True):
    """Timelock operations: a call scheduled, executed, or the operation cancelled."""

    __tablename__ = "timelock_call"
    __table_args__ = _TABLE_OPTIONS

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    operation_id: str = Field(max_length=HASH_LENGTH, index=True)
    kind: str = Field(max_length=16)  # scheduled | executed | cancelled
    call_index: int | None = Field(default=None, sa_type=BigInteger)
    target: str | None = Field(default=None, max_length=ADDRESS_LENGTH)
    value: int | None = Field(default=None, sa_type=Uint256)
    data: str | None = Field(default=None, sa_type=Text)
    predecessor: str | None = Field(default=None, max_length=HASH_LENGTH)
    delay: int | None = Field(default=None, sa_type=BigInteger)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class TreasuryMovement(SQLModel, table=True):
    """ETH or an ERC20 entering or leaving the treasury (the timelock).

    Sources: `erc20_transfer` (Transfer logs of any token from/to the timelock),
    `timelock_call` (ETH sent by an executed call, CallExecuted value > 0),
    `eth_tx` (a transaction sending ETH straight to the timelock) and
    `eth_internal` (ETH received without a transaction of its own, e.g. from a
    contract; found by balance reconciliation, counterparty unknown) and
    `eth_push` (such ETH announced by the sending contract's event, e.g. a
    slashed bond: booked under that event's log).
    `category` and `proposal_id` (the proposal executed in the same
    transaction) are set by indexer/treasury_classify.py.
    """

    __tablename__ = "treasury_movement"
    __table_args__ = (
        Index("ix_treasury_movement_asset_time", "asset", "block_timestamp"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    asset: str = Field(max_length=ADDRESS_LENGTH)  # "eth" or the token's address
    direction: str = Field(max_length=3)  # in | out
    counterparty: str | None = Field(default=None, max_length=ADDRESS_LENGTH)
    amount: int = Field(sa_type=Uint256)
    source: str = Field(max_length=16)
    tx_hash: str | None = Field(default=None, max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)
    category: str = Field(default="other", max_length=CATEGORY_MAX_LENGTH)
    proposal_id: int | None = Field(default=None, sa_type=Uint256)


# Tables whose rows all come from blocks: a rewind deletes `block_number > n` in each.
EVENT_TABLES: tuple[type[SQLModel], ...] = (
    ChainEvent,
    Proposal,
    ProposalAction,
    ProposalTransition,
    Vote,
    GovernanceSettingChange,
    TokenTransfer,
    Delegation,
    VotingPowerChange,
    DelegateStatementEvent,
    TimelockCall,
    TreasuryMovement,
)
# Aggregates kept by the indexer (reverted by delta on rewind, not by block).
AGGREGATE_TABLES: tuple[type[SQLModel], ...] = (TokenBalance, ProposalTally)
# Everything the indexer owns (wiped when the indexed deployment changes).
INDEXER_TABLES: tuple[type[SQLModel], ...] = (
    IndexerCheckpoint,
    IndexedContract,
    IndexedBlock,
    *EVENT_TABLES,
    *AGGREGATE_TABLES,
)


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a SQLModel table class (for bulk writes and SQL expressions)."""
    table = getattr(model, "__table__", None)
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not a table model")
    return table

"""Tables of the job board: what the indexer derives from JobBoard's events.

Event tables follow chain_tables' conventions (block_number + log_index in the
primary key, lowercase addresses, a rewind deletes rows above the fork); CIDs
are kept as the chain's events carry them (sanitised: indexer/chain_text.py).
`job_state` is the present of each job, recomputed by the indexer from the
event tables for every job a batch or a rewind touches
(indexer/handlers/jobs.py), so the board filters, sorts and pages with indexes
instead of replaying each job's history per query.

A provider's reputation is not stored: it is a function of the events
(completed = finalized jobs, failed = slashes, disputes = resolutions of its
jobs, earned = payment credits), exactly as JobBoard counts it, and
db/job_queries.py computes it for the few providers a page shows.

Who holds JobBoard's roles (arbiters, admins) is a fold of `job_role_event`
(db/job_queries.arbiters). What a spec says (`job_spec`) is not on chain: the
spec service (services/jobs/spec_facts.py) reads each spec CID from the content
store and saves its facts by CID, as the card service does for dataset cards.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, SmallInteger, Text
from sqlmodel import Field, SQLModel

from coop_dashboard.db.chain_tables import ADDRESS_LENGTH, HASH_LENGTH
from coop_dashboard.db.uint256 import Uint256

_TABLE_OPTIONS = {"extend_existing": True, "sqlite_with_rowid": False}
NAME_LENGTH = 24  # the longest status / purpose / credit reason / event kind, with room
TITLE_LENGTH = 90  # services/jobs/display.TITLE_CHARS: the board's one-line title of a spec


class JobPosting(SQLModel, table=True):
    """A job as posted (JobPosted): its terms."""

    __tablename__ = "job_posting"
    __table_args__ = (
        Index("ux_job_posting_job_id", "job_id", unique=True),
        Index("ix_job_posting_poster", "poster"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    job_id: int = Field(sa_type=BigInteger)
    poster: str = Field(max_length=ADDRESS_LENGTH)
    asset: str = Field(max_length=ADDRESS_LENGTH)  # the zero address: ETH
    spec_cid: str = Field(sa_type=Text)
    purpose: str = Field(max_length=NAME_LENGTH)
    bounty: int = Field(sa_type=Uint256)
    bidding_deadline: int = Field(sa_type=BigInteger)
    delivery_deadline: int = Field(sa_type=BigInteger)
    minimum_stake: int = Field(sa_type=Uint256)
    challenge_window: int = Field(sa_type=BigInteger)  # seconds
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class JobDataset(SQLModel, table=True):
    """One dataset a job trains on (from its JobPosted), in the job's order."""

    __tablename__ = "job_dataset"
    __table_args__ = (
        Index("ix_job_dataset_dataset", "dataset_id", "job_id"),
        Index("ix_job_dataset_job", "job_id"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    position: int = Field(sa_type=SmallInteger, primary_key=True)
    job_id: int = Field(sa_type=BigInteger)
    dataset_id: int = Field(sa_type=BigInteger)


class JobBidEvent(SQLModel, table=True):
    """A bid placed (BidPlaced), withdrawn (BidWithdrawn) or accepted (BidAccepted)."""

    __tablename__ = "job_bid_event"
    __table_args__ = (
        Index("ix_job_bid_event_job", "job_id", "block_number"),
        Index("ix_job_bid_event_provider", "provider", "kind"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    job_id: int = Field(sa_type=BigInteger)
    provider: str = Field(max_length=ADDRESS_LENGTH)
    kind: str = Field(max_length=NAME_LENGTH)  # placed | withdrawn | accepted
    price: int | None = Field(default=None, sa_type=Uint256)  # placed, accepted
    delivery_time: int | None = Field(default=None, sa_type=BigInteger)  # placed, accepted
    stake: int | None = Field(default=None, sa_type=Uint256)  # placed, withdrawn
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class JobLifecycleEvent(SQLModel, table=True):
    """A job cancelled, reopened, failed or finalized (JobCancelled / JobReopened /
    JobFailed / JobFinalized)."""

    __tablename__ = "job_lifecycle_event"
    __table_args__ = (
        Index("ix_job_lifecycle_event_job", "job_id", "block_number"),
        Index("ix_job_lifecycle_event_provider", "provider", "kind"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    job_id: int = Field(sa_type=BigInteger)
    kind: str = Field(max_length=NAME_LENGTH)  # cancelled | reopened | failed | finalized
    provider: str | None = Field(default=None, max_length=ADDRESS_LENGTH)  # failed, finalized
    paid: int | None = Field(default=None, sa_type=Uint256)  # finalized: the provider's price
    refunded: int | None = Field(default=None, sa_type=Uint256)  # cancelled, failed, finalized
    bidding_deadline: int | None = Field(default=None, sa_type=BigInteger)  # reopened
    delivery_deadline: int | None = Field(default=None, sa_type=BigInteger)  # reopened
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class JobResult(SQLModel, table=True):
    """A result submitted (ResultSubmitted): the CIDs JobBoard keeps only digests of."""

    __tablename__ = "job_result"
    __table_args__ = (
        Index("ix_job_result_job", "job_id", "block_number"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    job_id: int = Field(sa_type=BigInteger)
    provider: str = Field(max_length=ADDRESS_LENGTH)
    checkpoint_cid: str = Field(sa_type=Text)
    metrics_cid: str = Field(sa_type=Text)
    claimed_score: int = Field(sa_type=Uint256)  # millionths (services/jobs/spec.py)
    challenge_ends_at: int = Field(sa_type=BigInteger)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class JobChallenge(SQLModel, table=True):
    """A result challenged (ResultChallenged) with a bond and evidence."""

    __tablename__ = "job_challenge"
    __table_args__ = (
        Index("ix_job_challenge_job", "job_id", "block_number"),
        Index("ix_job_challenge_challenger", "challenger"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    job_id: int = Field(sa_type=BigInteger)
    challenger: str = Field(max_length=ADDRESS_LENGTH)
    bond: int = Field(sa_type=Uint256)
    evidence_cid: str = Field(sa_type=Text)
    escalates_at: int = Field(sa_type=BigInteger)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class JobResolution(SQLModel, table=True):
    """A challenge resolved (ChallengeResolved) by an arbiter or by governance."""

    __tablename__ = "job_resolution"
    __table_args__ = (
        Index("ix_job_resolution_job", "job_id", "block_number"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    job_id: int = Field(sa_type=BigInteger)
    resolver: str = Field(max_length=ADDRESS_LENGTH)
    provider_upheld: bool = Field(sa_type=Boolean)
    by_governance: bool = Field(sa_type=Boolean)
    reason_cid: str = Field(sa_type=Text)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class JobSlash(SQLModel, table=True):
    """A provider's stake slashed (ProviderSlashed): a lost challenge or a missed delivery."""

    __tablename__ = "job_slash"
    __table_args__ = (
        Index("ix_job_slash_job", "job_id"),
        Index("ix_job_slash_provider", "provider"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    job_id: int = Field(sa_type=BigInteger)
    provider: str = Field(max_length=ADDRESS_LENGTH)
    to_challenger: int = Field(sa_type=Uint256)
    to_treasury: int = Field(sa_type=Uint256)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class JobModel(SQLModel, table=True):
    """A model a finalized job produced (ModelRecorded): digests of its CIDs; the CIDs
    are the job's last result's (job_result), the datasets the job's (job_dataset)."""

    __tablename__ = "job_model"
    __table_args__ = (
        Index("ux_job_model_model_id", "model_id", unique=True),
        Index("ix_job_model_job", "job_id"),
        Index("ix_job_model_provider", "provider"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    model_id: int = Field(sa_type=BigInteger)
    job_id: int = Field(sa_type=BigInteger)
    provider: str = Field(max_length=ADDRESS_LENGTH)
    checkpoint_digest: str = Field(max_length=HASH_LENGTH)  # 0x-hex keccak256 of the CID
    metrics_digest: str = Field(max_length=HASH_LENGTH)
    purpose: str = Field(max_length=NAME_LENGTH)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class JobCredit(SQLModel, table=True):
    """An amount credited to an account from a job (PayoutCredited), for a reason."""

    __tablename__ = "job_credit"
    __table_args__ = (
        Index("ix_job_credit_job", "job_id"),
        Index("ix_job_credit_account", "account", "asset", "reason"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    job_id: int = Field(sa_type=BigInteger)
    account: str = Field(max_length=ADDRESS_LENGTH)
    asset: str = Field(max_length=ADDRESS_LENGTH)
    amount: int = Field(sa_type=Uint256)
    reason: str = Field(max_length=NAME_LENGTH)  # chain/job_board.CREDIT_REASONS
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class JobWithdrawal(SQLModel, table=True):
    """An account withdrew its credits in one asset (Withdrawn)."""

    __tablename__ = "job_withdrawal"
    __table_args__ = (
        Index("ix_job_withdrawal_account", "account", "asset"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    account: str = Field(max_length=ADDRESS_LENGTH)
    asset: str = Field(max_length=ADDRESS_LENGTH)
    amount: int = Field(sa_type=Uint256)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class JobRoleEvent(SQLModel, table=True):
    """A role of JobBoard granted or revoked (RoleGranted / RoleRevoked): by governance,
    or renounced by its holder."""

    __tablename__ = "job_role_event"
    __table_args__ = (
        Index("ix_job_role_event_role", "role", "account", "block_number"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    role: str = Field(max_length=HASH_LENGTH)  # arbiter | admin | the role's 0x-hex id
    account: str = Field(max_length=ADDRESS_LENGTH)
    granted: bool = Field(sa_type=Boolean)
    sender: str = Field(max_length=ADDRESS_LENGTH)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class JobSpecFacts(SQLModel, table=True):
    """What the spec at a CID says (filled by the spec service, not the indexer).

    A CID names fixed bytes, so facts are saved once and never go stale. A spec that
    is not a JobSpec (not JSON, unknown recipe, not a CID...) is saved with `problem`
    saying why and no facts, so it is not read again.
    """

    __tablename__ = "job_spec"
    __table_args__ = (_TABLE_OPTIONS,)

    spec_cid: str = Field(sa_type=Text, primary_key=True)  # as job_posting holds it
    task: str | None = Field(default=None, max_length=NAME_LENGTH)
    recipe: str | None = Field(default=None, max_length=NAME_LENGTH)
    metric: str | None = Field(default=None, max_length=NAME_LENGTH)
    target_units: int | None = Field(default=None, sa_type=BigInteger)  # millionths
    problem: str | None = Field(default=None, sa_type=Text)  # why it is not a JobSpec
    # The board's title for the job (services/jobs/display.spec_heading), saved here so a
    # board page reads no spec from the content store; None with `problem`.
    title: str | None = Field(default=None, max_length=TITLE_LENGTH)
    # Lowercase task, recipe (name and label), metric (name and label), label column,
    # description: what the board's search matches besides job_state.search_text.
    search_text: str = Field(sa_type=Text)
    read_at: int = Field(sa_type=BigInteger)  # wall clock, unix seconds


class JobState(SQLModel, table=True):
    """Each job now: the board's row (recomputed by the indexer, see the module doc)."""

    __tablename__ = "job_state"
    __table_args__ = (
        Index("ix_job_state_status", "status", "job_id"),
        Index("ix_job_state_bounty", "bounty", "job_id"),
        Index("ix_job_state_next_deadline", "next_deadline", "job_id"),
        Index("ix_job_state_asset", "asset", "job_id"),
        Index("ix_job_state_poster", "poster", "job_id"),
        Index("ix_job_state_provider", "provider", "job_id"),
        _TABLE_OPTIONS,
    )

    job_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    poster: str = Field(max_length=ADDRESS_LENGTH)
    asset: str = Field(max_length=ADDRESS_LENGTH)
    bounty: int = Field(sa_type=Uint256)
    purpose: str = Field(max_length=NAME_LENGTH)
    spec_cid: str = Field(sa_type=Text)
    minimum_stake: int = Field(sa_type=Uint256)
    challenge_window: int = Field(sa_type=BigInteger)
    # open | in_progress | in_review | challenged | completed | failed | cancelled
    status: str = Field(max_length=NAME_LENGTH)
    provider: str | None = Field(default=None, max_length=ADDRESS_LENGTH)  # the accepted one
    price: int | None = Field(default=None, sa_type=Uint256)
    stake: int | None = Field(default=None, sa_type=Uint256)  # the accepted provider's, held
    bidding_deadline: int = Field(sa_type=BigInteger)
    delivery_deadline: int = Field(sa_type=BigInteger)  # the accepted bid's once accepted
    challenge_ends_at: int | None = Field(default=None, sa_type=BigInteger)
    escalates_at: int | None = Field(default=None, sa_type=BigInteger)
    # The deadline the job waits for now (bidding, delivery, challenge window, escalation);
    # None once it is over (completed, failed, cancelled).
    next_deadline: int | None = Field(default=None, sa_type=BigInteger)
    bid_count: int = Field(sa_type=BigInteger)  # active bids
    claimed_score: int | None = Field(default=None, sa_type=Uint256)
    model_id: int | None = Field(default=None, sa_type=BigInteger)
    dataset_ids: str = Field(sa_type=Text)  # JSON list, the job's order
    # Lowercase "#id", CIDs, addresses, purpose and dataset ids, for the board's search.
    search_text: str = Field(sa_type=Text)
    posted_block: int = Field(sa_type=BigInteger)
    posted_at: int = Field(sa_type=BigInteger)
    updated_at: int = Field(sa_type=BigInteger)  # block time of the last change


JOB_EVENT_TABLES: tuple[type[SQLModel], ...] = (
    JobPosting,
    JobDataset,
    JobBidEvent,
    JobLifecycleEvent,
    JobResult,
    JobChallenge,
    JobResolution,
    JobSlash,
    JobModel,
    JobCredit,
    JobWithdrawal,
    JobRoleEvent,
)
JOB_STATE_TABLES: tuple[type[SQLModel], ...] = (JobState,)

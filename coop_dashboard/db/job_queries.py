"""Read queries of the job pages, over the job tables. One function per question.

Every function takes an Engine and returns frozen dataclasses; addresses are
lowercase in and out, amounts exact ints (the bounty's asset: the zero address
is ETH). The board reads `job_state` (one row per job, indexed for each filter
and sort), so a page of the board is one bounded query plus one count. A
provider's reputation is computed from the event rows exactly as JobBoard
counts it (completed: finalized jobs; failed: slashes; disputes: resolutions
of its jobs; earned: payment credits), for the few providers a page shows.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Engine, and_, desc, func, or_, select, true
from sqlalchemy.engine import Connection

from coop_dashboard.db.chain_tables import table_of
from coop_dashboard.db.dataset_tables import DatasetState
from coop_dashboard.db.job_tables import (
    JobBidEvent,
    JobChallenge,
    JobCredit,
    JobDataset,
    JobLifecycleEvent,
    JobModel,
    JobPosting,
    JobResolution,
    JobResult,
    JobRoleEvent,
    JobSlash,
    JobSpecFacts,
    JobState,
    JobWithdrawal,
)
from coop_dashboard.db.licensing_tables import LicenseDeclaration, LicensePurchase, LicenseTierEvent
from coop_dashboard.db.list_query_checks import (
    MAX_PAGE_SIZE,
    check_choices,
    check_paging,
)

# chain/job_board.STATUSES and chain/data_licensing.USES (most permissive first), by
# value: db/ does not import chain/ (tests/indexer/test_jobs.py checks they agree).
STATUSES = ("open", "in_progress", "in_review", "challenged", "completed", "failed", "cancelled")
USES = ("all", "non_commercial", "academic")
SORTS = ("newest", "bounty_high", "bounty_low", "deadline", "bids")
MAX_TIMELINE = 500
MAX_PROFILE_JOBS = 200
MAX_MODELS = 500
SIMILAR_JOBS = 20
_IN_CHUNK = 500

_states = table_of(JobState)
_postings = table_of(JobPosting)
_datasets = table_of(JobDataset)
_bids = table_of(JobBidEvent)
_lifecycle = table_of(JobLifecycleEvent)
_results = table_of(JobResult)
_challenges = table_of(JobChallenge)
_resolutions = table_of(JobResolution)
_slashes = table_of(JobSlash)
_models = table_of(JobModel)
_credits = table_of(JobCredit)
_withdrawals = table_of(JobWithdrawal)
_roles = table_of(JobRoleEvent)
_specs = table_of(JobSpecFacts)
_dataset_states = table_of(DatasetState)


class JobQueryError(ValueError):
    """A board query asks for something that does not exist (the message says what)."""


@dataclass(frozen=True)
class JobQuery:
    """What the board shows: filters (all must hold), a sort, a page."""

    search: str = ""
    statuses: tuple[str, ...] = ()  # any of these (empty: all)
    dataset_id: int | None = None  # jobs training on this dataset
    asset: str | None = None  # lowercase address; the zero address is ETH
    min_bounty: int | None = None  # in the asset's smallest unit, inclusive
    max_bounty: int | None = None
    sort: str = "newest"
    page: int = 1
    page_size: int = 24

    def checked(self) -> JobQuery:
        """This query, or JobQueryError naming what is wrong (clients send anything)."""
        check_choices(
            sort=self.sort,
            sorts=SORTS,
            statuses=self.statuses,
            known_statuses=STATUSES,
            search=self.search,
            error=JobQueryError,
        )
        check_paging(page=self.page, page_size=self.page_size, error=JobQueryError)
        for bound in (self.min_bounty, self.max_bounty):
            if bound is not None and not 0 <= bound < 2**256:
                raise JobQueryError("A bounty bound must be between 0 and 2**256 - 1.")
        if (
            self.min_bounty is not None
            and self.max_bounty is not None
            and self.min_bounty > self.max_bounty
        ):
            raise JobQueryError("The lowest bounty is above the highest.")
        if self.dataset_id is not None and not 0 < self.dataset_id < 2**63:
            raise JobQueryError("No such dataset.")
        return self


@dataclass(frozen=True)
class JobSummary:
    """One row of the board (and of a provider's jobs)."""

    job_id: int
    status: str
    poster: str
    asset: str
    bounty: int
    purpose: str
    spec_cid: str
    dataset_ids: list[int]
    bid_count: int
    next_deadline: int | None  # what the job waits for now (None: over)
    bidding_deadline: int
    delivery_deadline: int
    provider: str | None
    price: int | None
    model_id: int | None
    posted_at: int
    updated_at: int
    # From job_spec (the board's rows only): whether the spec service read the spec yet,
    # and its title (None when read but not a JobSpec).
    spec_read: bool = False
    spec_title: str | None = None


@dataclass(frozen=True)
class JobPage:
    rows: list[JobSummary]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class Reputation:
    """A provider's record, as JobBoard.reputationOf / earnedOf count it."""

    provider: str
    jobs_completed: int = 0
    jobs_failed: int = 0
    disputes_won: int = 0
    disputes_lost: int = 0
    earned: dict[str, int] = field(default_factory=dict)  # asset -> paid over completed jobs


@dataclass(frozen=True)
class BidRow:
    provider: str
    price: int
    delivery_time: int
    stake: int
    state: str  # active | withdrawn | accepted
    placed_at: int
    reputation: Reputation


@dataclass(frozen=True)
class JobDatasetRow:
    dataset_id: int
    name: str | None  # the card's, once read
    status: str | None  # dataset_state's (None: not indexed)


@dataclass(frozen=True)
class TimelineEntry:
    """One event of a job's life, in chain order."""

    block_number: int
    log_index: int
    timestamp: int
    kind: str  # posted, bid_placed, ..., credited (see _timeline)
    actor: str | None
    amount: int | None
    detail: str  # a short plain description
    tx_hash: str
    asset: str | None = None  # a credit's asset (the zero address for ETH); None otherwise


@dataclass(frozen=True)
class ResultRow:
    provider: str
    checkpoint_cid: str
    metrics_cid: str
    claimed_score: int  # millionths
    submitted_at: int
    challenge_ends_at: int
    tx_hash: str


@dataclass(frozen=True)
class ResolutionRow:
    resolver: str
    provider_upheld: bool
    by_governance: bool
    reason_cid: str
    resolved_at: int
    tx_hash: str


@dataclass(frozen=True)
class ChallengeRow:
    challenger: str
    bond: int
    evidence_cid: str
    escalates_at: int
    challenged_at: int
    tx_hash: str
    resolution: ResolutionRow | None


@dataclass(frozen=True)
class SlashRow:
    provider: str
    to_challenger: int
    to_treasury: int
    slashed_at: int


@dataclass(frozen=True)
class CreditRow:
    job_id: int
    account: str
    asset: str
    amount: int
    reason: str  # chain/job_board.CREDIT_REASONS
    credited_at: int
    tx_hash: str


@dataclass(frozen=True)
class JobDetail:
    summary: JobSummary
    minimum_stake: int
    challenge_window: int
    stake: int | None  # the accepted provider's stake while held
    challenge_ends_at: int | None
    escalates_at: int | None
    claimed_score: int | None
    datasets: list[JobDatasetRow]
    bids: list[BidRow]  # every provider's latest bid, active first
    timeline: list[TimelineEntry]
    results: list[ResultRow]  # oldest first (a reopened job may have had none)
    challenges: list[ChallengeRow]
    slashes: list[SlashRow]
    credits: list[CreditRow]


@dataclass(frozen=True)
class DisputeRow:
    job_id: int
    challenger: str
    bond: int
    challenged_at: int
    resolution: ResolutionRow | None


@dataclass(frozen=True)
class ProviderProfile:
    address: str
    reputation: Reputation
    jobs: list[JobSummary]  # jobs it was accepted for, newest first
    bids_placed: int
    disputes: list[DisputeRow]
    credits: dict[str, int]  # asset -> credited from jobs (payments, stakes, bonds)
    withdrawn: dict[str, int]  # asset -> withdrawn from JobBoard


@dataclass(frozen=True)
class ModelLicense:
    """The most restrictive class of a model's datasets (chain/data_licensing.USES order)."""

    use: str
    attribution: bool
    share_alike: bool
    known: bool  # every dataset's class was found in the index


@dataclass(frozen=True)
class ModelDatasetRow:
    dataset_id: int
    name: str | None
    use: str | None  # the class the provider's pass (or the declaration) gives
    attribution: bool | None
    share_alike: bool | None


@dataclass(frozen=True)
class ModelSummary:
    model_id: int
    job_id: int
    provider: str
    checkpoint_cid: str | None  # the job's last result's (None: not indexed)
    metrics_cid: str | None
    claimed_score: int | None
    checkpoint_digest: str
    metrics_digest: str
    dataset_ids: list[int]
    purpose: str
    recorded_at: int
    tx_hash: str


@dataclass(frozen=True)
class ModelDetail:
    summary: ModelSummary
    datasets: list[ModelDatasetRow]
    license: ModelLicense
    spec_cid: str | None


@dataclass(frozen=True)
class SimilarJob:
    job_id: int
    bounty: int
    price: int
    status: str


@dataclass(frozen=True)
class PreflightStats:
    """What a poster asks before posting."""

    providers_total: int  # addresses that ever bid
    providers_qualified: int  # with the reputation and a stake at least the minimum
    similar: list[SimilarJob]  # completed jobs in the asset and purpose (sharing a dataset)
    median_price: int | None


@dataclass(frozen=True)
class LineageJob:
    """A job seen from the datasets it trained on (the provenance graph)."""

    job_id: int
    status: str
    dataset_ids: list[int]
    model_id: int | None


# ------------------------------------------------------------------- board


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _is_id(word: str) -> bool:
    digits = word.lstrip("#")
    return digits.isascii() and digits.isdigit() and len(digits) <= 18


def _filters(query: JobQuery) -> list[Any]:
    conditions: list[Any] = []
    if query.statuses:
        conditions.append(_states.c.status.in_(list(query.statuses)))
    if query.asset is not None:
        conditions.append(_states.c.asset == query.asset.lower())
    if query.min_bounty is not None:
        conditions.append(_states.c.bounty >= query.min_bounty)
    if query.max_bounty is not None:
        conditions.append(_states.c.bounty <= query.max_bounty)
    if query.dataset_id is not None:
        conditions.append(
            _states.c.job_id.in_(
                select(_datasets.c.job_id).where(_datasets.c.dataset_id == query.dataset_id)
            )
        )
    for word in query.search.split():
        pattern = _like(word)
        conditions.append(
            or_(
                _states.c.search_text.like(pattern, escape="\\"),
                _states.c.job_id == (int(word.lstrip("#")) if _is_id(word) else -1),
                # What the spec says (task, recipe, metric...): job_spec, by CID.
                _states.c.spec_cid.in_(
                    select(_specs.c.spec_cid).where(_specs.c.search_text.like(pattern, escape="\\"))
                ),
            )
        )
    return conditions


_ORDER: dict[str, tuple[Any, ...]] = {
    "newest": (desc(_states.c.job_id),),
    "bounty_high": (desc(_states.c.bounty), desc(_states.c.job_id)),
    "bounty_low": (_states.c.bounty, desc(_states.c.job_id)),
    # Jobs waiting on something first, soonest first; finished ones after.
    "deadline": (_states.c.next_deadline.is_(None), _states.c.next_deadline, _states.c.job_id),
    "bids": (desc(_states.c.bid_count), desc(_states.c.job_id)),
}


def _summary(row: Any) -> JobSummary:
    return JobSummary(
        job_id=int(row.job_id),
        status=row.status,
        poster=row.poster,
        asset=row.asset,
        bounty=int(row.bounty),
        purpose=row.purpose,
        spec_cid=row.spec_cid,
        dataset_ids=[int(d) for d in json.loads(row.dataset_ids)],
        bid_count=int(row.bid_count),
        next_deadline=None if row.next_deadline is None else int(row.next_deadline),
        bidding_deadline=int(row.bidding_deadline),
        delivery_deadline=int(row.delivery_deadline),
        provider=row.provider,
        price=None if row.price is None else int(row.price),
        model_id=None if row.model_id is None else int(row.model_id),
        posted_at=int(row.posted_at),
        updated_at=int(row.updated_at),
    )


def _states_with_titles() -> Any:
    # The spec's title comes from job_spec, so a list of jobs reads nothing from the store.
    return select(
        _states, _specs.c.title.label("spec_title"), _specs.c.read_at.label("spec_read_at")
    ).select_from(_states.outerjoin(_specs, _specs.c.spec_cid == _states.c.spec_cid))


def _titled_summary(row: Any) -> JobSummary:
    return replace(_summary(row), spec_read=row.spec_read_at is not None, spec_title=row.spec_title)


def list_jobs(engine: Engine, query: JobQuery) -> JobPage:
    """One page of the board. JobQueryError for a query that makes no sense."""
    query = query.checked()
    conditions = and_(true(), *_filters(query))
    statement = (
        _states_with_titles()
        .where(conditions)
        .order_by(*_ORDER[query.sort])
        .limit(query.page_size)
        .offset((query.page - 1) * query.page_size)
    )
    count = select(func.count()).select_from(_states).where(conditions)
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
        total = int(connection.execute(count).scalar_one())
    return JobPage([_titled_summary(row) for row in rows], total, query.page, query.page_size)


def status_counts(engine: Engine) -> dict[str, int]:
    """How many jobs are in each status (every status named, zeros included)."""
    counts = dict.fromkeys(STATUSES, 0)
    with engine.connect() as connection:
        statement = select(_states.c.status, func.count()).group_by(_states.c.status)
        for status, count in connection.execute(statement):
            counts[str(status)] = int(count)
    return counts


def job_assets(engine: Engine) -> list[str]:
    """The assets jobs were posted in (for the board's asset filter)."""
    with engine.connect() as connection:
        statement = select(_states.c.asset).distinct().order_by(_states.c.asset)
        return [str(asset) for (asset,) in connection.execute(statement)]


# -------------------------------------------------------------- reputation


def reputations_of(engine: Engine, providers: Sequence[str]) -> dict[str, Reputation]:
    """Each provider's record (zeros for an address that never worked)."""
    wanted = sorted({p.lower() for p in providers})
    with engine.connect() as connection:
        return _reputations(connection, wanted)


def _reputations(connection: Connection, providers: Sequence[str]) -> dict[str, Reputation]:
    counts: dict[str, dict[str, int]] = {p: defaultdict(int) for p in providers}
    earned: dict[str, dict[str, int]] = {p: defaultdict(int) for p in providers}
    for start in range(0, len(providers), _IN_CHUNK):
        chunk = list(providers[start : start + _IN_CHUNK])
        finalized = select(_lifecycle.c.provider, func.count()).where(
            _lifecycle.c.kind == "finalized", _lifecycle.c.provider.in_(chunk)
        )
        for provider, count in connection.execute(finalized.group_by(_lifecycle.c.provider)):
            counts[provider]["completed"] = int(count)
        slashed = select(_slashes.c.provider, func.count()).where(_slashes.c.provider.in_(chunk))
        for provider, count in connection.execute(slashed.group_by(_slashes.c.provider)):
            counts[provider]["failed"] = int(count)
        # A resolved job's provider never changes after: job_state names it.
        disputes = (
            select(_states.c.provider, _resolutions.c.provider_upheld, func.count())
            .select_from(_resolutions.join(_states, _states.c.job_id == _resolutions.c.job_id))
            .where(_states.c.provider.in_(chunk))
            .group_by(_states.c.provider, _resolutions.c.provider_upheld)
        )
        for provider, upheld, count in connection.execute(disputes):
            counts[provider]["won" if upheld else "lost"] += int(count)
        paid = select(_credits.c.account, _credits.c.asset, _credits.c.amount).where(
            _credits.c.reason == "payment", _credits.c.account.in_(chunk)
        )
        for account, asset, amount in connection.execute(paid):
            earned[account][asset] += int(amount)  # summed in Python: exact on SQLite
    return {
        p: Reputation(
            provider=p,
            jobs_completed=counts[p]["completed"],
            jobs_failed=counts[p]["failed"],
            disputes_won=counts[p]["won"],
            disputes_lost=counts[p]["lost"],
            earned=dict(earned[p]),
        )
        for p in providers
    }


# ------------------------------------------------------------------ detail


def _ordered(table: Any, job_id: int) -> Any:
    return (
        select(table)
        .where(table.c.job_id == job_id)
        .order_by(table.c.block_number, table.c.log_index)
    )


def _dataset_rows(connection: Connection, dataset_ids: Sequence[int]) -> list[JobDatasetRow]:
    s = _dataset_states
    statement = select(s.c.dataset_id, s.c.name, s.c.status).where(
        s.c.dataset_id.in_(list(dataset_ids))
    )
    found = {int(row.dataset_id): row for row in connection.execute(statement)}
    return [
        JobDatasetRow(
            d, found[d].name if d in found else None, found[d].status if d in found else None
        )
        for d in dataset_ids
    ]


def _bid_rows(connection: Connection, events: Sequence[Any]) -> list[BidRow]:
    latest: dict[str, dict[str, Any]] = {}
    for event in events:
        if event.kind == "placed":
            latest[event.provider] = {
                "price": int(event.price),
                "delivery_time": int(event.delivery_time),
                "stake": int(event.stake),
                "state": "active",
                "placed_at": int(event.block_timestamp),
            }
        elif event.provider in latest:
            bid = latest[event.provider]
            bid["state"] = "withdrawn" if event.kind == "withdrawn" else "accepted"
            if event.kind == "accepted":
                bid["price"] = int(event.price)
                bid["delivery_time"] = int(event.delivery_time)
    reputations = _reputations(connection, sorted(latest))
    rank = {"accepted": 0, "active": 1, "withdrawn": 2}
    rows = [BidRow(provider=p, reputation=reputations[p], **bid) for p, bid in latest.items()]
    return sorted(rows, key=lambda b: (rank[b.state], b.price, b.placed_at))


def _resolution(row: Any) -> ResolutionRow:
    return ResolutionRow(
        resolver=row.resolver,
        provider_upheld=bool(row.provider_upheld),
        by_governance=bool(row.by_governance),
        reason_cid=row.reason_cid,
        resolved_at=int(row.block_timestamp),
        tx_hash=row.tx_hash,
    )


def _challenge_rows(challenges: Sequence[Any], resolutions: Sequence[Any]) -> list[ChallengeRow]:
    """Each challenge with the resolution that followed it (one open challenge at a time)."""
    found: list[ChallengeRow] = []
    for challenge in challenges:
        position = (challenge.block_number, challenge.log_index)
        after = [r for r in resolutions if (r.block_number, r.log_index) > position]
        found.append(
            ChallengeRow(
                challenger=challenge.challenger,
                bond=int(challenge.bond),
                evidence_cid=challenge.evidence_cid,
                escalates_at=int(challenge.escalates_at),
                challenged_at=int(challenge.block_timestamp),
                tx_hash=challenge.tx_hash,
                resolution=_resolution(after[0]) if after else None,
            )
        )
    return found


def _credit(row: Any) -> CreditRow:
    return CreditRow(
        job_id=int(row.job_id),
        account=row.account,
        asset=row.asset,
        amount=int(row.amount),
        reason=row.reason,
        credited_at=int(row.block_timestamp),
        tx_hash=row.tx_hash,
    )


def _entry(
    row: Any,
    kind: str,
    actor: str | None,
    amount: int | None,
    detail: str,
    asset: str | None = None,
) -> Any:
    return TimelineEntry(
        int(row.block_number),
        int(row.log_index),
        int(row.block_timestamp),
        kind,
        actor,
        amount,
        detail,
        row.tx_hash,
        asset,
    )


def _timeline(tables: dict[str, Sequence[Any]]) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    for row in tables["posting"]:
        entries.append(_entry(row, "posted", row.poster, int(row.bounty), "Posted"))
    for row in tables["bids"]:
        amount = int(row.price) if row.kind != "withdrawn" else int(row.stake)
        bid_text = {
            "placed": "Bid placed",
            "withdrawn": "Bid withdrawn",
            "accepted": "Bid accepted",
        }
        entries.append(_entry(row, f"bid_{row.kind}", row.provider, amount, bid_text[row.kind]))
    for row in tables["lifecycle"]:
        amount = row.paid if row.kind == "finalized" else row.refunded
        detail = {
            "cancelled": "Cancelled, bounty refunded",
            "reopened": "Reopened for bids",
            "failed": "Failed, bounty refunded",
            "finalized": "Finalized, provider paid",
        }[row.kind]
        value = None if amount is None else int(amount)
        entries.append(_entry(row, row.kind, row.provider, value, detail))
    for row in tables["results"]:
        entries.append(_entry(row, "result_submitted", row.provider, None, "Result submitted"))
    for row in tables["challenges"]:
        entries.append(_entry(row, "challenged", row.challenger, int(row.bond), "Challenged"))
    for row in tables["resolutions"]:
        detail = "Provider upheld" if row.provider_upheld else "Provider found wrong"
        if row.by_governance:
            detail += " (by governance)"
        entries.append(_entry(row, "resolved", row.resolver, None, detail))
    for row in tables["slashes"]:
        amount = int(row.to_challenger) + int(row.to_treasury)
        entries.append(_entry(row, "slashed", row.provider, amount, "Stake slashed"))
    for row in tables["models"]:
        entries.append(
            _entry(row, "model_recorded", row.provider, None, f"Model #{row.model_id} recorded")
        )
    for row in tables["credits"]:
        detail = f"Credited ({str(row.reason).replace('_', ' ')})"
        entries.append(
            _entry(row, "credited", row.account, int(row.amount), detail, asset=row.asset)
        )
    entries.sort(key=lambda e: (e.block_number, e.log_index))
    return entries[:MAX_TIMELINE]


def job_detail(engine: Engine, job_id: int) -> JobDetail | None:
    """Everything the job page shows about `job_id` (None: no such job indexed)."""
    if not 0 < job_id < 2**63:
        return None
    with engine.connect() as connection:
        state = connection.execute(select(_states).where(_states.c.job_id == job_id)).first()
        if state is None:
            return None
        tables = {
            "posting": connection.execute(_ordered(_postings, job_id)).all(),
            "bids": connection.execute(_ordered(_bids, job_id)).all(),
            "lifecycle": connection.execute(_ordered(_lifecycle, job_id)).all(),
            "results": connection.execute(_ordered(_results, job_id)).all(),
            "challenges": connection.execute(_ordered(_challenges, job_id)).all(),
            "resolutions": connection.execute(_ordered(_resolutions, job_id)).all(),
            "slashes": connection.execute(_ordered(_slashes, job_id)).all(),
            "models": connection.execute(_ordered(_models, job_id)).all(),
            "credits": connection.execute(_ordered(_credits, job_id)).all(),
        }
        summary = _summary(state)
        datasets = _dataset_rows(connection, summary.dataset_ids)
        bids = _bid_rows(connection, tables["bids"])
    return JobDetail(
        summary=summary,
        minimum_stake=int(state.minimum_stake),
        challenge_window=int(state.challenge_window),
        stake=None if state.stake is None else int(state.stake),
        challenge_ends_at=None if state.challenge_ends_at is None else int(state.challenge_ends_at),
        escalates_at=None if state.escalates_at is None else int(state.escalates_at),
        claimed_score=None if state.claimed_score is None else int(state.claimed_score),
        datasets=datasets,
        bids=bids,
        timeline=_timeline(tables),
        results=[
            ResultRow(
                provider=row.provider,
                checkpoint_cid=row.checkpoint_cid,
                metrics_cid=row.metrics_cid,
                claimed_score=int(row.claimed_score),
                submitted_at=int(row.block_timestamp),
                challenge_ends_at=int(row.challenge_ends_at),
                tx_hash=row.tx_hash,
            )
            for row in tables["results"]
        ],
        challenges=_challenge_rows(tables["challenges"], tables["resolutions"]),
        slashes=[
            SlashRow(
                row.provider,
                int(row.to_challenger),
                int(row.to_treasury),
                int(row.block_timestamp),
            )
            for row in tables["slashes"]
        ],
        credits=[_credit(row) for row in tables["credits"]],
    )


# ---------------------------------------------------------------- provider


def provider_profile(engine: Engine, address: str) -> ProviderProfile:
    """`address` as a provider: record, jobs, disputes, credits (zeros if it never bid)."""
    provider = address.lower()
    with engine.connect() as connection:
        reputation = _reputations(connection, [provider])[provider]
        accepted = select(_bids.c.job_id).where(
            _bids.c.provider == provider, _bids.c.kind == "accepted"
        )
        jobs = connection.execute(
            _states_with_titles()
            .where(_states.c.job_id.in_(accepted))
            .order_by(desc(_states.c.job_id))
            .limit(MAX_PROFILE_JOBS)
        ).all()
        bids_placed = int(
            connection.execute(
                select(func.count()).where(_bids.c.provider == provider, _bids.c.kind == "placed")
            ).scalar_one()
        )
        own_jobs = select(_states.c.job_id).where(_states.c.provider == provider)
        challenges = connection.execute(
            select(_challenges)
            .where(_challenges.c.job_id.in_(own_jobs))
            .order_by(_challenges.c.block_number, _challenges.c.log_index)
        ).all()
        resolutions = connection.execute(
            select(_resolutions)
            .where(_resolutions.c.job_id.in_(own_jobs))
            .order_by(_resolutions.c.block_number, _resolutions.c.log_index)
        ).all()
        credited: dict[str, int] = defaultdict(int)
        for asset, amount in connection.execute(
            select(_credits.c.asset, _credits.c.amount).where(_credits.c.account == provider)
        ):
            credited[asset] += int(amount)
        withdrawn: dict[str, int] = defaultdict(int)
        for asset, amount in connection.execute(
            select(_withdrawals.c.asset, _withdrawals.c.amount).where(
                _withdrawals.c.account == provider
            )
        ):
            withdrawn[asset] += int(amount)
    disputes: list[DisputeRow] = []
    for challenge in challenges:
        job_resolutions = [r for r in resolutions if r.job_id == challenge.job_id]
        (row,) = _challenge_rows([challenge], job_resolutions)
        disputes.append(
            DisputeRow(
                int(challenge.job_id), row.challenger, row.bond, row.challenged_at, row.resolution
            )
        )
    return ProviderProfile(
        address=provider,
        reputation=reputation,
        jobs=[_titled_summary(row) for row in jobs],
        bids_placed=bids_placed,
        disputes=disputes,
        credits=dict(credited),
        withdrawn=dict(withdrawn),
    )


# ------------------------------------------------------------------ models


def _model_summaries(connection: Connection, models: Sequence[Any]) -> list[ModelSummary]:
    job_ids = sorted({int(m.job_id) for m in models})
    last_result: dict[int, Any] = {}
    datasets: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for start in range(0, len(job_ids), _IN_CHUNK):
        chunk = job_ids[start : start + _IN_CHUNK]
        results = select(_results).where(_results.c.job_id.in_(chunk))
        for row in connection.execute(results.order_by(_results.c.block_number)):
            last_result[int(row.job_id)] = row  # the last submission is the model's
        rows = select(_datasets.c.job_id, _datasets.c.position, _datasets.c.dataset_id)
        for job_id, position, dataset_id in connection.execute(
            rows.where(_datasets.c.job_id.in_(chunk))
        ):
            datasets[int(job_id)].append((int(position), int(dataset_id)))
    found: list[ModelSummary] = []
    for model in models:
        job_id = int(model.job_id)
        result = last_result.get(job_id)
        found.append(
            ModelSummary(
                model_id=int(model.model_id),
                job_id=job_id,
                provider=model.provider,
                checkpoint_cid=result.checkpoint_cid if result is not None else None,
                metrics_cid=result.metrics_cid if result is not None else None,
                claimed_score=int(result.claimed_score) if result is not None else None,
                checkpoint_digest=model.checkpoint_digest,
                metrics_digest=model.metrics_digest,
                dataset_ids=[d for _, d in sorted(datasets[job_id])],
                purpose=model.purpose,
                recorded_at=int(model.block_timestamp),
                tx_hash=model.tx_hash,
            )
        )
    return found


def _trained_on(dataset_id: int | None) -> Any:
    if dataset_id is None:
        return true()
    return _models.c.job_id.in_(
        select(_datasets.c.job_id).where(_datasets.c.dataset_id == dataset_id)
    )


def list_models(
    engine: Engine, *, dataset_id: int | None = None, limit: int = MAX_MODELS
) -> list[ModelSummary]:
    """Models, newest first (those trained on `dataset_id` only, if given)."""
    statement = (
        select(_models)
        .where(_trained_on(dataset_id))
        .order_by(desc(_models.c.model_id))
        .limit(min(limit, MAX_MODELS))
    )
    with engine.connect() as connection:
        return _model_summaries(connection, connection.execute(statement).all())


@dataclass(frozen=True)
class ModelPage:
    rows: list[ModelSummary]
    total: int
    page: int  # the page shown: the one asked for, or the last one if the list got shorter
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def models_page(
    engine: Engine, *, dataset_id: int | None = None, page: int = 1, page_size: int = 20
) -> ModelPage:
    """One page of the models, newest first (trained on `dataset_id` only, if given).

    Cut in SQL (count, then LIMIT/OFFSET), so the list has no cap however many models exist.
    """
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    condition = _trained_on(dataset_id)
    with engine.connect() as connection:
        count = select(func.count()).select_from(_models).where(condition)
        total = int(connection.execute(count).scalar_one())
        page = max(1, min(page, -(-total // page_size)))
        statement = (
            select(_models)
            .where(condition)
            .order_by(desc(_models.c.model_id))
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
        rows = _model_summaries(connection, connection.execute(statement).all())
    return ModelPage(rows, total, page, page_size)


def _dataset_classes(
    connection: Connection, provider: str, purpose: str, dataset_ids: Sequence[int]
) -> dict[int, tuple[str, bool, bool]]:
    """Per dataset: the class of the tier the provider's latest pass for `purpose` was bought
    from, else the class the contributor declared (the terms the data was used under)."""
    classes: dict[int, tuple[str, bool, bool]] = {}
    d = table_of(LicenseDeclaration)
    declared = (
        select(d.c.dataset_id, d.c.use, d.c.attribution, d.c.share_alike)
        .where(d.c.dataset_id.in_(list(dataset_ids)))
        .order_by(d.c.block_number, d.c.log_index)
    )
    for dataset_id, use, attribution, share_alike in connection.execute(declared):
        classes[int(dataset_id)] = (use, bool(attribution), bool(share_alike))
    p, t = table_of(LicensePurchase), table_of(LicenseTierEvent)
    purchases = (
        select(p.c.dataset_id, p.c.tier_index, p.c.block_number)
        .where(
            p.c.holder == provider,
            p.c.purpose == purpose,
            p.c.dataset_id.in_(list(dataset_ids)),
        )
        .order_by(p.c.block_number, p.c.log_index)
    )
    for dataset_id, tier_index, bought_at in connection.execute(purchases):
        tier = connection.execute(
            select(t.c.use, t.c.attribution, t.c.share_alike)
            .where(
                t.c.dataset_id == dataset_id,
                t.c.tier_index == tier_index,
                t.c.kind == "set",
                t.c.block_number <= bought_at,
            )
            .order_by(desc(t.c.block_number), desc(t.c.log_index))
            .limit(1)
        ).first()
        if tier is not None:
            classes[int(dataset_id)] = (tier.use, bool(tier.attribution), bool(tier.share_alike))
    return classes


def most_restrictive(classes: Sequence[tuple[str, bool, bool]]) -> tuple[str, bool, bool]:
    """The class no looser than any of `classes`: the narrowest use, attribution and
    share-alike if any requires them (USES is ordered most permissive first)."""
    if not classes:
        return ("all", False, False)
    use = max((c[0] for c in classes), key=lambda u: USES.index(u) if u in USES else len(USES))
    return (use, any(c[1] for c in classes), any(c[2] for c in classes))


def model_detail(engine: Engine, model_id: int) -> ModelDetail | None:
    """A model with its job's CIDs, its datasets and their classes, and its license."""
    if not 0 < model_id < 2**63:
        return None
    with engine.connect() as connection:
        model = connection.execute(select(_models).where(_models.c.model_id == model_id)).first()
        if model is None:
            return None
        (summary,) = _model_summaries(connection, [model])
        names = {row.dataset_id: row.name for row in _dataset_rows(connection, summary.dataset_ids)}
        classes = _dataset_classes(
            connection, summary.provider, summary.purpose, summary.dataset_ids
        )
        spec = connection.execute(
            select(_postings.c.spec_cid).where(_postings.c.job_id == summary.job_id)
        ).scalar_one_or_none()
    rows = [
        ModelDatasetRow(
            d,
            names.get(d),
            classes[d][0] if d in classes else None,
            classes[d][1] if d in classes else None,
            classes[d][2] if d in classes else None,
        )
        for d in summary.dataset_ids
    ]
    use, attribution, share_alike = most_restrictive(list(classes.values()))
    known = all(d in classes for d in summary.dataset_ids)
    return ModelDetail(
        summary=summary,
        datasets=rows,
        license=ModelLicense(use, attribution, share_alike, known),
        spec_cid=spec,
    )


# --------------------------------------------------------------- preflight


def preflight_stats(
    engine: Engine,
    *,
    asset: str,
    purpose: str,
    minimum_stake: int,
    dataset_ids: Sequence[int] = (),
    min_jobs_completed: int = 0,
    max_jobs_failed: int | None = None,
) -> PreflightStats:
    """How many providers have the record and a stake (their largest bid's) of at least
    `minimum_stake`; what completed jobs in the same asset and purpose paid (those sharing
    a dataset with `dataset_ids` when given)."""
    asset = asset.lower()
    with engine.connect() as connection:
        stakes: dict[str, int] = defaultdict(int)
        placed = select(_bids.c.provider, _bids.c.stake).where(_bids.c.kind == "placed")
        for provider, stake in connection.execute(placed):
            stakes[provider] = max(stakes[provider], int(stake))
        reputations = _reputations(connection, sorted(stakes))
        similar_where = [
            _states.c.status == "completed",
            _states.c.asset == asset,
            _states.c.purpose == purpose,
        ]
        if dataset_ids:
            similar_where.append(
                _states.c.job_id.in_(
                    select(_datasets.c.job_id).where(_datasets.c.dataset_id.in_(list(dataset_ids)))
                )
            )
        similar_rows = connection.execute(
            select(_states.c.job_id, _states.c.bounty, _states.c.price, _states.c.status)
            .where(*similar_where)
            .order_by(desc(_states.c.job_id))
            .limit(SIMILAR_JOBS)
        ).all()
    qualified = [
        p
        for p, stake in stakes.items()
        if stake >= minimum_stake
        and reputations[p].jobs_completed >= min_jobs_completed
        and (max_jobs_failed is None or reputations[p].jobs_failed <= max_jobs_failed)
    ]
    similar = [
        SimilarJob(int(r.job_id), int(r.bounty), int(r.price or 0), r.status) for r in similar_rows
    ]
    prices = sorted(job.price for job in similar)
    median = prices[len(prices) // 2] if prices else None
    return PreflightStats(len(stakes), len(qualified), similar, median)


# ----------------------------------------------------------------- lineage


def jobs_of_datasets(engine: Engine, dataset_ids: Sequence[int]) -> list[LineageJob]:
    """The jobs that trained on any of `dataset_ids`, with all their datasets and model."""
    if not dataset_ids:
        return []
    with engine.connect() as connection:
        using = select(_datasets.c.job_id).where(_datasets.c.dataset_id.in_(list(dataset_ids)))
        rows = connection.execute(
            select(_states.c.job_id, _states.c.status, _states.c.dataset_ids, _states.c.model_id)
            .where(_states.c.job_id.in_(using))
            .order_by(_states.c.job_id)
            .limit(MAX_MODELS)
        ).all()
    return [
        LineageJob(
            int(row.job_id),
            row.status,
            [int(d) for d in json.loads(row.dataset_ids)],
            None if row.model_id is None else int(row.model_id),
        )
        for row in rows
    ]


# ----------------------------------------------------------------- arbiters


def arbiters(engine: Engine) -> list[str]:
    """Accounts holding JobBoard's ARBITER_ROLE now (the fold of its grants and
    revocations, in chain order), sorted."""
    return sorted(_role_holders(engine, "arbiter"))


def is_arbiter(engine: Engine, address: str) -> bool:
    """Whether `address` holds ARBITER_ROLE now, as far as the index has seen."""
    return address.lower() in _role_holders(engine, "arbiter", address.lower())


def _role_holders(engine: Engine, role: str, account: str | None = None) -> set[str]:
    statement = select(_roles.c.account, _roles.c.granted).where(_roles.c.role == role)
    if account is not None:
        statement = statement.where(_roles.c.account == account)
    holding: dict[str, bool] = {}
    with engine.connect() as connection:
        ordered = statement.order_by(_roles.c.block_number, _roles.c.log_index)
        for holder, granted in connection.execute(ordered):
            holding[str(holder)] = bool(granted)  # the latest event decides
    return {holder for holder, held in holding.items() if held}


# ---------------------------------------------------------------- treasury

LIVE_STATUSES = ("open", "in_progress", "in_review", "challenged")


def open_escrows_of(engine: Engine, poster: str) -> dict[str, int]:
    """Asset -> the bounties `poster`'s live jobs hold in escrow (open to challenged)."""
    held: dict[str, int] = defaultdict(int)
    statement = select(_states.c.asset, _states.c.bounty).where(
        _states.c.poster == poster.lower(), _states.c.status.in_(LIVE_STATUSES)
    )
    with engine.connect() as connection:
        for asset, bounty in connection.execute(statement):
            held[asset] += int(bounty)  # summed in Python: exact on SQLite
    return dict(held)

"""Read queries the pages need, over the indexer's tables. One function per question.

Every function takes an Engine and returns typed rows (frozen dataclasses);
nothing here talks to the chain. Addresses are lowercase in and out (inputs
are lowercased). uint256 amounts are Python ints, exact; sums of them are
added in Python, never with SQL SUM (SQLite's integers are 64-bit).

"Now" for proposal states is the timestamp of the last indexed block, so a
page shows what the chain said at the block the database is at.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Any

from sqlalchemy import BindParameter, Engine, Select, and_, bindparam, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from coop_dashboard.db.chain_tables import (
    DelegateStatementEvent,
    Delegation,
    GovernanceSettingChange,
    IndexedContract,
    IndexerCheckpoint,
    Proposal,
    ProposalAction,
    ProposalTally,
    ProposalTransition,
    TokenBalance,
    TokenTransfer,
    TreasuryMovement,
    Vote,
    VotingPowerChange,
    table_of,
)
from coop_dashboard.db.one_step import OneStep, mappings_in_one_step, rows_in_one_step
from coop_dashboard.db.proposal_state import (
    PROPOSAL_STATES,
    ProposalFacts,
    proposal_state,
    quorum_at,
)
from coop_dashboard.evm import ZERO_ADDRESS

ETH = "eth"
# Treasury history is daily; a chain whose clock jumped years is capped here.
MAX_TREASURY_DAYS = 3_660

_checkpoints = table_of(IndexerCheckpoint)
_contracts = table_of(IndexedContract)
_proposals = table_of(Proposal)
_actions = table_of(ProposalAction)
_transitions = table_of(ProposalTransition)
_tallies = table_of(ProposalTally)
_votes = table_of(Vote)
_settings = table_of(GovernanceSettingChange)
_transfers = table_of(TokenTransfer)
_balances = table_of(TokenBalance)
_delegations = table_of(Delegation)
_power = table_of(VotingPowerChange)
_statements = table_of(DelegateStatementEvent)
_treasury = table_of(TreasuryMovement)


# -- index status -----------------------------------------------------------------------


@dataclass(frozen=True)
class IndexStatus:
    chain_id: int
    block_number: int
    block_hash: str
    block_timestamp: int


def index_status(engine: Engine) -> IndexStatus | None:
    """Where the index is (None before the first batch): pages show it, writes wait for it."""
    with engine.connect() as connection:
        row = connection.execute(select(_checkpoints)).mappings().first()
    if row is None:
        return None
    return IndexStatus(
        row["chain_id"], row["block_number"], row["block_hash"], row["block_timestamp"]
    )


def indexed_block_number(engine: Engine) -> int | None:
    """The last block whose events are all in SQL; None before the indexer's first batch.

    Shaped for `services.index_progress.set_indexed_block_reader`: a progress
    probe, so a database the indexer has not set up yet also answers None.
    """
    try:
        status = index_status(engine)
    except DBAPIError:
        return None
    return status.block_number if status else None


_CONTRACT_ADDRESSES = OneStep(select(_contracts.c.name, _contracts.c.address))


def contract_addresses(engine: Engine) -> dict[str, str]:
    """Name -> lowercase address of the indexed deployment's contracts."""
    with engine.connect() as connection:
        return dict(_CONTRACT_ADDRESSES.rows(connection))


def _now(connection: Connection) -> int:
    now = connection.execute(select(_checkpoints.c.block_timestamp)).scalar()
    return int(now or 0)


def _address_of(connection: Connection, name: str) -> str | None:
    address = connection.execute(
        select(_contracts.c.address).where(_contracts.c.name == name)
    ).scalar()
    return str(address) if address is not None else None


# -- proposals ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalSummary:
    proposal_id: int
    title: str
    proposer: str
    state: str
    created_block: int
    created_at: int  # unix seconds
    vote_start: int
    deadline: int  # including any late-quorum extension
    eta: int | None  # when queued: earliest execution time
    for_votes: int
    against_votes: int
    abstain_votes: int
    vote_count: int
    quorum: int
    turnout: float  # votes cast / total supply at the snapshot (0..1)


@dataclass(frozen=True)
class ProposalActionRow:
    index: int
    target: str
    value: int
    signature: str
    calldata: str


@dataclass(frozen=True)
class ProposalTransitionRow:
    kind: str  # created | queued | executed | canceled | extended
    block_number: int
    tx_hash: str
    timestamp: int
    eta: int | None
    extended_deadline: int | None


@dataclass(frozen=True)
class ProposalDetail:
    summary: ProposalSummary
    description: str
    actions: list[ProposalActionRow]
    transitions: list[ProposalTransitionRow]
    # keccak256 of the description's exact bytes (0x-hex): how the Governor names the
    # proposal in queue / execute (`description` may have been sanitised for display).
    description_hash: str = ""


class _SupplyHistory:
    """Total supply of the votes token and quorum numerator as of any timestamp."""

    def __init__(self, connection: Connection) -> None:
        token = _address_of(connection, "CoopToken")
        self._mints: list[tuple[int, int]] = []
        if token is not None:
            rows = rows_in_one_step(
                connection,
                select(
                    _transfers.c.block_timestamp,
                    _transfers.c.from_address,
                    _transfers.c.value,
                )
                .where(
                    _transfers.c.token == token,
                    or_(
                        _transfers.c.from_address == ZERO_ADDRESS,
                        _transfers.c.to_address == ZERO_ADDRESS,
                    ),
                )
                .order_by(_transfers.c.block_number, _transfers.c.log_index),
            )
            for timestamp, sender, value in rows:
                self._mints.append((timestamp, value if sender == ZERO_ADDRESS else -value))
        # Prefix sums by timestamp: a whole feed's quorums cost a bisect each, not a scan.
        # Stable sort keeps block order within a timestamp; only the sums are read.
        self._mints.sort(key=lambda mint: mint[0])
        self._mint_times = [timestamp for timestamp, _ in self._mints]
        self._supply_totals = list(accumulate(delta for _, delta in self._mints))
        self._numerators = [
            (timestamp, int(value))
            for timestamp, value in rows_in_one_step(
                connection,
                select(_settings.c.block_timestamp, _settings.c.new_value)
                .where(_settings.c.setting == "quorum_numerator")
                .order_by(_settings.c.block_number, _settings.c.log_index),
            )
        ]

    def supply_at(self, timepoint: int) -> int:
        # ERC20Votes.getPastTotalSupply: checkpoints with key <= timepoint.
        at = bisect_right(self._mint_times, timepoint)
        return self._supply_totals[at - 1] if at else 0

    def numerator_at(self, timepoint: int) -> int:
        numerator = 0
        for timestamp, value in self._numerators:
            if timestamp > timepoint:
                break
            numerator = value
        return numerator


def proposal_summaries(connection: Connection, where: Any = None) -> list[ProposalSummary]:
    """Summaries (tally, state, quorum, turnout) of the proposals matching `where`."""
    statement = (
        select(
            _proposals,
            _tallies.c.for_votes,
            _tallies.c.against_votes,
            _tallies.c.abstain_votes,
            _tallies.c.vote_count,
        )
        .select_from(
            _proposals.outerjoin(_tallies, _tallies.c.proposal_id == _proposals.c.proposal_id)
        )
        .order_by(_proposals.c.block_number.desc(), _proposals.c.log_index.desc())
    )
    if where is not None:
        statement = statement.where(where)
    rows = mappings_in_one_step(connection, statement)
    if not rows:
        return []
    ids = [row["proposal_id"] for row in rows]
    transitions: dict[int, list[Any]] = defaultdict(list)
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        for transition in mappings_in_one_step(
            connection,
            select(_transitions)
            .where(_transitions.c.proposal_id.in_(chunk))
            .order_by(_transitions.c.block_number, _transitions.c.log_index),
        ):
            transitions[transition["proposal_id"]].append(transition)
    history = _SupplyHistory(connection)
    now = _now(connection)
    summaries = []
    for row in rows:
        kinds = {t["kind"] for t in transitions[row["proposal_id"]]}
        eta = next(
            (t["eta"] for t in reversed(transitions[row["proposal_id"]]) if t["kind"] == "queued"),
            None,
        )
        extended = [
            t["extended_deadline"]
            for t in transitions[row["proposal_id"]]
            if t["kind"] == "extended"
        ]
        deadline = max([row["vote_end"], *extended])
        supply = history.supply_at(row["vote_start"])
        quorum = quorum_at(supply, history.numerator_at(row["vote_start"]))
        for_votes = row["for_votes"] or 0
        against_votes = row["against_votes"] or 0
        abstain_votes = row["abstain_votes"] or 0
        facts = ProposalFacts(
            vote_start=row["vote_start"],
            deadline=deadline,
            for_votes=for_votes,
            against_votes=against_votes,
            abstain_votes=abstain_votes,
            quorum=quorum,
            queued="queued" in kinds,
            executed="executed" in kinds,
            canceled="canceled" in kinds,
        )
        cast = for_votes + against_votes + abstain_votes
        summaries.append(
            ProposalSummary(
                proposal_id=row["proposal_id"],
                title=row["title"],
                proposer=row["proposer"],
                state=proposal_state(facts, now),
                created_block=row["block_number"],
                created_at=row["block_timestamp"],
                vote_start=row["vote_start"],
                deadline=deadline,
                eta=eta,
                for_votes=for_votes,
                against_votes=against_votes,
                abstain_votes=abstain_votes,
                vote_count=row["vote_count"] or 0,
                quorum=quorum,
                turnout=cast / supply if supply else 0.0,
            )
        )
    return summaries


def list_proposals(
    engine: Engine, *, state: str | None = None, limit: int | None = None, offset: int = 0
) -> list[ProposalSummary]:
    """Proposals newest first, each with its current tally and state (optionally one state)."""
    if state is not None and state not in PROPOSAL_STATES:
        raise ValueError(f"unknown proposal state {state!r}")
    with engine.connect() as connection:
        summaries = proposal_summaries(connection)
    if state is not None:
        summaries = [s for s in summaries if s.state == state]
    end = None if limit is None else offset + limit
    return summaries[offset:end]


def proposal_counts_by_state(engine: Engine) -> dict[str, int]:
    """Number of proposals per state (every state present, zero included)."""
    counts = dict.fromkeys(PROPOSAL_STATES, 0)
    for summary in list_proposals(engine):
        counts[summary.state] += 1
    return counts


# One proposal's actions and life cycle, read per move to its page (db/one_step.py).
_ACTIONS_OF = OneStep(
    select(_actions)
    .where(_actions.c.proposal_id == bindparam("proposal_id"))
    .order_by(_actions.c.action_index)
)
_TRANSITIONS_OF = OneStep(
    select(_transitions)
    .where(_transitions.c.proposal_id == bindparam("proposal_id"))
    .order_by(_transitions.c.block_number, _transitions.c.log_index)
)


def get_proposal(
    engine: Engine, proposal_id: int, *, summary: ProposalSummary | None = None
) -> ProposalDetail | None:
    """One proposal with its description, actions and life cycle.

    `summary`: the proposal's summary when the caller already has it (the feed's
    snapshot of the indexed head computes every proposal's): `proposal_summaries`
    reads every mint and burn of the votes token for a quorum, so one proposal's
    summary costs about as much as the rest of this read.
    """
    if summary is not None and summary.proposal_id != proposal_id:
        raise ValueError(f"summary of proposal {summary.proposal_id}, not {proposal_id}")
    with engine.connect() as connection:
        if summary is None:
            summaries = proposal_summaries(connection, _proposals.c.proposal_id == proposal_id)
            if not summaries:
                return None
            summary = summaries[0]
        row = connection.execute(
            select(_proposals.c.description, _proposals.c.description_hash).where(
                _proposals.c.proposal_id == proposal_id
            )
        ).first()
        if row is None:
            return None  # a given summary of a proposal a rewind has since removed
        description, description_hash = row
        actions = [
            ProposalActionRow(
                row["action_index"], row["target"], row["value"], row["signature"], row["calldata"]
            )
            for row in _ACTIONS_OF.mappings(connection, proposal_id=proposal_id)
        ]
        transitions = [
            ProposalTransitionRow(
                row["kind"],
                row["block_number"],
                row["tx_hash"],
                row["block_timestamp"],
                row["eta"],
                row["extended_deadline"],
            )
            for row in _TRANSITIONS_OF.mappings(connection, proposal_id=proposal_id)
        ]
    return ProposalDetail(summary, description, actions, transitions, description_hash)


# -- votes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteRow:
    voter: str
    support: int  # 0 against, 1 for, 2 abstain
    weight: int
    reason: str
    block_number: int
    log_index: int
    tx_hash: str
    timestamp: int


_VOTE_ROW_COLUMNS = (
    _votes.c.voter,
    _votes.c.support,
    _votes.c.weight,
    _votes.c.reason,
    _votes.c.block_number,
    _votes.c.log_index,
    _votes.c.tx_hash,
    _votes.c.block_timestamp,
)


def proposal_votes(
    engine: Engine,
    proposal_id: int,
    *,
    order: str = "weight",
    limit: int | None = None,
    offset: int = 0,
) -> list[VoteRow]:
    """Votes on a proposal, heaviest first (`order="weight"`) or oldest first ("time")."""
    with engine.connect() as connection:
        if limit is None and offset == 0 and order in _ALL_VOTES:
            rows = _ALL_VOTES[order].rows(connection, proposal_id=proposal_id)
        else:
            statement = proposal_votes_statement(
                proposal_id, order=order, limit=limit, offset=offset
            )
            rows = rows_in_one_step(connection, statement)
        return [VoteRow(*row) for row in rows]


def proposal_votes_statement(
    proposal_id: int | BindParameter[Any],
    *,
    order: str = "weight",
    limit: int | None = None,
    offset: int = 0,
) -> Select[Any]:
    """The SELECT `proposal_votes` runs (benchmarks/one_step.py fetches it row by row)."""
    if order == "weight":
        ordering = [_votes.c.weight.desc(), _votes.c.block_number, _votes.c.log_index]
    elif order == "time":
        ordering = [_votes.c.block_number, _votes.c.log_index]
    else:
        raise ValueError(f"order must be 'weight' or 'time', not {order!r}")
    # VoteRow's columns in its field order, rows taken as tuples: a proposal page reads
    # all its votes per view, and mappings of every column cost ~35 % more per row.
    statement = (
        select(*_VOTE_ROW_COLUMNS)
        .where(_votes.c.proposal_id == proposal_id)
        .order_by(*ordering)
        .offset(offset)
    )
    return statement if limit is None else statement.limit(limit)


# A proposal page reads all its votes, per move: prepared once (db/one_step.py).
_ALL_VOTES = {
    order: OneStep(proposal_votes_statement(bindparam("proposal_id"), order=order))
    for order in ("weight", "time")
}


def iter_proposal_votes(
    engine: Engine, proposal_id: int, batch_rows: int
) -> Iterator[list[VoteRow]]:
    """Every vote on a proposal, oldest first, `batch_rows` at a time from one query.

    For exports: the rows are fetched as they are consumed (never all at once),
    so each batch is a short stretch of work. Closing the iterator early (a
    client that went away) returns the connection.
    """
    statement = (
        select(_votes)
        .where(_votes.c.proposal_id == proposal_id)
        .order_by(_votes.c.block_number, _votes.c.log_index)
    )
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True).execute(statement)
        for batch in result.mappings().partitions(batch_rows):
            yield [_vote_row(row) for row in batch]


def _vote_row(row: Any) -> VoteRow:
    return VoteRow(
        row["voter"],
        row["support"],
        row["weight"],
        row["reason"],
        row["block_number"],
        row["log_index"],
        row["tx_hash"],
        row["block_timestamp"],
    )


def _vote_rows(connection: Connection, statement: Any) -> list[VoteRow]:
    return [_vote_row(row) for row in connection.execute(statement).mappings()]


def votes_by_voter(engine: Engine, voter: str) -> list[VoteRow]:
    """A member's voting record, newest first."""
    statement = (
        select(_votes)
        .where(_votes.c.voter == voter.lower())
        .order_by(_votes.c.block_number.desc(), _votes.c.log_index.desc())
    )
    with engine.connect() as connection:
        return _vote_rows(connection, statement)


# -- delegates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DelegateStatement:
    delegate: str
    uri: str
    digest: str
    topics: list[str]
    seeking_delegation: bool
    version: int
    updated_at: int


@dataclass(frozen=True)
class PowerPoint:
    block_number: int
    timestamp: int
    votes: int


@dataclass(frozen=True)
class Delegator:
    address: str
    balance: int  # of the votes token, now
    since_block: int
    since: int  # unix seconds of the delegation


def latest_per(table: Any, key: Any) -> Any:
    """Subquery: the latest row (by block, log index) of `table` per `key` column."""
    rank = (
        func.row_number()
        .over(partition_by=key, order_by=[table.c.block_number.desc(), table.c.log_index.desc()])
        .label("rank")
    )
    return select(table, rank).subquery()


def current_delegations(connection: Connection) -> dict[str, Any]:
    """delegator -> its latest DelegateChanged row."""
    latest = latest_per(_delegations, _delegations.c.delegator)
    rows = connection.execute(select(latest).where(latest.c.rank == 1)).mappings()
    return {row["delegator"]: row for row in rows}


def _statements_now(rows: Iterable[Any]) -> dict[str, DelegateStatement]:
    """Replay DelegateRegistry events (oldest first) into each delegate's current statement."""
    current: dict[str, DelegateStatement] = {}
    for row in rows:
        delegate = row["delegate"]
        if row["kind"] == "published":
            current[delegate] = DelegateStatement(
                delegate,
                row["uri"],
                row["digest"],
                json.loads(row["topics"] or "[]"),
                bool(row["seeking_delegation"]),
                int(row["version"]),
                row["block_timestamp"],
            )
        elif row["kind"] == "cleared":
            current.pop(delegate, None)
        elif row["kind"] == "seeking_changed" and delegate in current:
            previous = current[delegate]
            current[delegate] = DelegateStatement(
                delegate,
                previous.uri,
                previous.digest,
                previous.topics,
                bool(row["seeking_delegation"]),
                previous.version,
                row["block_timestamp"],
            )
    return current


def _statement_rows(connection: Connection, delegate: str | None = None) -> Iterable[Any]:
    statement = select(_statements).order_by(_statements.c.block_number, _statements.c.log_index)
    if delegate is not None:
        statement = statement.where(_statements.c.delegate == delegate)
    return connection.execute(statement).mappings().all()


def current_statements(connection: Connection) -> dict[str, DelegateStatement]:
    """Every delegate's current statement, replayed from all registry events."""
    return _statements_now(_statement_rows(connection))


def voting_power(engine: Engine, delegate: str) -> int:
    """A delegate's voting power now (0 if it never had any)."""
    with engine.connect() as connection:
        votes = connection.execute(
            select(_power.c.new_votes)
            .where(_power.c.delegate == delegate.lower())
            .order_by(_power.c.block_number.desc(), _power.c.log_index.desc())
            .limit(1)
        ).scalar()
    return int(votes or 0)


def voting_power_history(engine: Engine, delegate: str) -> list[PowerPoint]:
    """Every change of a delegate's voting power, oldest first (a step chart)."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(_power.c.block_number, _power.c.block_timestamp, _power.c.new_votes)
            .where(_power.c.delegate == delegate.lower())
            .order_by(_power.c.block_number, _power.c.log_index)
        )
        return [PowerPoint(number, timestamp, votes) for number, timestamp, votes in rows]


def delegators_of(engine: Engine, delegate: str) -> list[Delegator]:
    """Accounts currently delegating to `delegate`, largest balance first."""
    delegate = delegate.lower()
    with engine.connect() as connection:
        delegations = [
            row
            for row in current_delegations(connection).values()
            if row["to_delegate"] == delegate
        ]
        token = _address_of(connection, "CoopToken")
        balances: dict[str, int] = {}
        accounts = [row["delegator"] for row in delegations]
        for start in range(0, len(accounts), 500):
            chunk = accounts[start : start + 500]
            balances.update(
                connection.execute(
                    select(_balances.c.account, _balances.c.balance).where(
                        and_(_balances.c.token == token, _balances.c.account.in_(chunk))
                    )
                ).all()
            )
    result = [
        Delegator(
            row["delegator"],
            balances.get(row["delegator"], 0),
            row["block_number"],
            row["block_timestamp"],
        )
        for row in delegations
    ]
    result.sort(key=lambda d: (-d.balance, d.address))
    return result


def delegate_statement(engine: Engine, delegate: str) -> DelegateStatement | None:
    """A delegate's current statement (None if never published or cleared)."""
    delegate = delegate.lower()
    with engine.connect() as connection:
        return _statements_now(_statement_rows(connection, delegate)).get(delegate)


# -- participation ------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipationStats:
    proposals_counted: int  # proposals whose vote is over (canceled ones excluded)
    average_turnout: float  # mean of votes cast / supply at snapshot, 0..1
    turnout_by_proposal: dict[int, float]  # every proposal whose vote has started


def participation_rate(engine: Engine) -> ParticipationStats:
    """How much of the supply votes: per proposal, and averaged over finished votes."""
    summaries = list_proposals(engine)
    started = {
        s.proposal_id: s.turnout for s in summaries if s.state not in ("pending", "canceled")
    }
    finished = [s.turnout for s in summaries if s.state not in ("pending", "active", "canceled")]
    average = sum(finished) / len(finished) if finished else 0.0
    return ParticipationStats(len(finished), average, started)


# -- tokens and members --------------------------------------------------------------------


def member_count(engine: Engine) -> int:
    """Holders of the governance token, the treasury excluded."""
    with engine.connect() as connection:
        token = _address_of(connection, "CoopToken")
        treasury = _address_of(connection, "CoopTimelock")
        if token is None:
            return 0
        count = connection.execute(
            select(func.count()).where(
                _balances.c.token == token,
                _balances.c.account != (treasury or ZERO_ADDRESS),
                _balances.c.balance > 0,
            )
        ).scalar()
    return int(count or 0)


@dataclass(frozen=True)
class Holding:
    account: str
    balance: int


def token_holders(engine: Engine, token: str, *, limit: int | None = None) -> list[Holding]:
    """Holders of `token` (an address), largest balance first."""
    statement = (
        select(_balances.c.account, _balances.c.balance)
        .where(_balances.c.token == token.lower(), _balances.c.balance > 0)
        .order_by(_balances.c.balance.desc(), _balances.c.account)
    )
    if limit is not None:
        statement = statement.limit(limit)
    with engine.connect() as connection:
        return [Holding(account, balance) for account, balance in connection.execute(statement)]


# -- treasury -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TreasuryDay:
    day: date  # UTC
    asset: str  # "eth" or a token address
    inflow: int
    outflow: int
    balance: int  # at the end of the day


@dataclass(frozen=True)
class TreasuryMovementRow:
    block_number: int
    log_index: int
    timestamp: int
    asset: str
    direction: str
    counterparty: str | None
    amount: int
    source: str
    tx_hash: str | None


def treasury_movements(
    engine: Engine, *, asset: str | None = None, limit: int | None = None
) -> list[TreasuryMovementRow]:
    """Treasury inflows and outflows, newest first."""
    statement = select(_treasury).order_by(
        _treasury.c.block_number.desc(), _treasury.c.log_index.desc()
    )
    if asset is not None:
        statement = statement.where(_treasury.c.asset == asset.lower())
    if limit is not None:
        statement = statement.limit(limit)
    with engine.connect() as connection:
        return [
            TreasuryMovementRow(
                row["block_number"],
                row["log_index"],
                row["block_timestamp"],
                row["asset"],
                row["direction"],
                row["counterparty"],
                row["amount"],
                row["source"],
                row["tx_hash"],
            )
            for row in connection.execute(statement).mappings()
        ]


def treasury_holdings(engine: Engine) -> dict[str, int]:
    """Current treasury balance per asset ("eth" or token address), from its movements."""
    holdings: dict[str, int] = defaultdict(int)
    with engine.connect() as connection:
        for asset, direction, amount in connection.execute(
            select(_treasury.c.asset, _treasury.c.direction, _treasury.c.amount)
        ):
            holdings[asset] += amount if direction == "in" else -amount
    return dict(holdings)


def _utc_day(timestamp: int) -> date:
    return datetime.fromtimestamp(timestamp, tz=UTC).date()


def treasury_balance_per_day(engine: Engine) -> list[TreasuryDay]:
    """End-of-day balance per asset, every day from its first movement to the index's day."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                _treasury.c.block_timestamp,
                _treasury.c.asset,
                _treasury.c.direction,
                _treasury.c.amount,
            ).order_by(_treasury.c.block_number, _treasury.c.log_index)
        ).all()
        now = _now(connection)
    flows: dict[str, dict[date, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for timestamp, asset, direction, amount in rows:
        flows[asset][_utc_day(timestamp)][0 if direction == "in" else 1] += amount
    last_day = _utc_day(now) if now else None
    days: list[TreasuryDay] = []
    for asset in sorted(flows):
        by_day = flows[asset]
        first = min(by_day)
        end = max(max(by_day), last_day or first)
        end = min(end, first + timedelta(days=MAX_TREASURY_DAYS))
        balance = 0
        day = first
        while day <= end:
            inflow, outflow = by_day.get(day, (0, 0))
            balance += inflow - outflow
            days.append(TreasuryDay(day, asset, inflow, outflow, balance))
            day += timedelta(days=1)
    return days


def current_setting(engine: Engine, setting: str) -> int | None:
    """The latest indexed value of a governance setting ("timelock_min_delay",
    "quorum_numerator", ...); None when no change of it was indexed."""
    with engine.connect() as connection:
        return latest_setting(connection, setting)


def latest_setting(connection: Connection, setting: str) -> int | None:
    """`current_setting` on a connection (inside another read of the index)."""
    value = connection.execute(
        select(_settings.c.new_value)
        .where(_settings.c.setting == setting)
        .order_by(_settings.c.block_number.desc(), _settings.c.log_index.desc())
        .limit(1)
    ).scalar()
    return None if value is None else int(value)

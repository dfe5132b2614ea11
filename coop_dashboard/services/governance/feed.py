"""The proposal feed: filter, search, sort and paginate proposals in SQL.

`db.queries.list_proposals` computes every proposal's state in Python and then
filters; fine for a page of the overview, too slow for a feed over thousands
of proposals. Here the filters that SQL can answer exactly (text, phase of the
vote, transitions, "has this voter voted", voting power at the snapshot) run
in SQL with LIMIT/OFFSET, and only the page's rows get the full tally + state
treatment. Only "succeeded" and "defeated" depend on quorum arithmetic over
uint256 values, so for those the ended proposals are narrowed in SQL and the
final test runs in Python.

"Now" is the timestamp of the last indexed block (the chain's clock), as in
`db.queries`.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from sqlalchemy import Engine, and_, case, exists, func, literal, not_, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement, Select

from coop_dashboard.chain.proposal_text import PROPOSER_SUFFIX_CHARS, PROPOSER_SUFFIX_PREFIX
from coop_dashboard.db.chain_tables import (
    GovernanceSettingChange,
    IndexedContract,
    IndexerCheckpoint,
    Proposal,
    ProposalTally,
    ProposalTransition,
    TokenTransfer,
    Vote,
    VotingPowerChange,
    table_of,
)
from coop_dashboard.db.proposal_state import (
    PROPOSAL_STATES,
    ProposalFacts,
    proposal_state,
    quorum_at,
)
from coop_dashboard.db.queries import ProposalSummary, proposal_summaries
from coop_dashboard.db.uint256 import Uint256
from coop_dashboard.evm import ZERO_ADDRESS

SORTS = ("newest", "ending_soon", "most_votes")
MAX_PAGE_SIZE = 100
# Search terms beyond this are ignored: each one is a LIKE over the descriptions.
MAX_SEARCH_TERMS = 6

_proposals = table_of(Proposal)
_tallies = table_of(ProposalTally)
_transitions = table_of(ProposalTransition)
_votes = table_of(Vote)
_power = table_of(VotingPowerChange)
_checkpoints = table_of(IndexerCheckpoint)
_contracts = table_of(IndexedContract)
_transfers = table_of(TokenTransfer)
_settings = table_of(GovernanceSettingChange)


@dataclass(frozen=True)
class FeedQuery:
    """What the feed page asks for. `needs_vote_of` = an address: only what it should vote on."""

    state: str | None = None
    search: str = ""
    sort: str = "newest"
    needs_vote_of: str | None = None
    page: int = 1
    page_size: int = 20


@dataclass(frozen=True)
class FeedPage:
    items: list[ProposalSummary] = field(default_factory=list)
    total: int = 0
    page: int = 1
    page_size: int = 20
    now: int = 0  # the chain clock the states were computed at

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _transition(kind: str) -> ColumnElement[bool]:
    return exists().where(
        _transitions.c.proposal_id == _proposals.c.proposal_id, _transitions.c.kind == kind
    )


def _voting_open_at(now: int) -> ColumnElement[bool]:
    # The deadline may have been pushed back by a late-quorum extension.
    extended = exists().where(
        _transitions.c.proposal_id == _proposals.c.proposal_id,
        _transitions.c.kind == "extended",
        _transitions.c.extended_deadline >= now,
    )
    return and_(_proposals.c.vote_start < now, or_(_proposals.c.vote_end >= now, extended))


def _state_condition(state: str, now: int) -> ColumnElement[bool]:
    """Exact for every state but succeeded/defeated, where it is a superset (ended, not queued)."""
    final = or_(_transition("executed"), _transition("canceled"))
    if state == "executed":
        return _transition("executed")
    if state == "canceled":
        return and_(_transition("canceled"), not_(_transition("executed")))
    if state == "pending":
        return and_(not_(final), _proposals.c.vote_start >= now)
    if state == "active":
        return and_(not_(final), _voting_open_at(now))
    ended = and_(not_(final), _proposals.c.vote_start < now, not_(_voting_open_at(now)))
    if state == "queued":
        return and_(ended, _transition("queued"))
    if state == "expired":
        # The indexed state model never yields "expired" (OZ's timelock governor doesn't).
        return and_(ended, _proposals.c.proposal_id.is_(None))
    return and_(ended, not_(_transition("queued")))  # succeeded / defeated: decided in Python


def _needs_vote(voter: str, now: int) -> ColumnElement[bool]:
    """Voting open, `voter` has not voted, and had voting power at the snapshot."""
    voted = exists().where(
        _votes.c.proposal_id == _proposals.c.proposal_id, _votes.c.voter == voter
    )
    # ERC20Votes.getPastVotes(voter, snapshot): the last checkpoint at or before the snapshot.
    power_at_snapshot = (
        select(_power.c.new_votes)
        .where(_power.c.delegate == voter, _power.c.block_timestamp <= _proposals.c.vote_start)
        .order_by(_power.c.block_number.desc(), _power.c.log_index.desc())
        .limit(1)
        .correlate(_proposals)
        .scalar_subquery()
    )
    return and_(
        not_(or_(_transition("executed"), _transition("canceled"))),
        _voting_open_at(now),
        not_(voted),
        power_at_snapshot > 0,
    )


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_terms(text: str) -> list[str]:
    """Whitespace-separated, lowercase, de-duplicated terms (every term must match)."""
    seen: list[str] = []
    for term in text.lower().split():
        if term not in seen:
            seen.append(term)
    return seen[:MAX_SEARCH_TERMS]


def _searchable_description() -> ColumnElement[str]:
    """The description without its `#proposer=0x...` binding, which is not text (the
    same rule as chain.proposal_text.strip_proposer_suffix, in SQL on both engines)."""
    description = _proposals.c.description
    length = func.length(description)
    suffix_start = length - (PROPOSER_SUFFIX_CHARS - 1)
    has_suffix = and_(
        length >= PROPOSER_SUFFIX_CHARS,
        func.lower(func.substr(description, suffix_start, len(PROPOSER_SUFFIX_PREFIX)))
        == PROPOSER_SUFFIX_PREFIX,
    )
    return case(
        (has_suffix, func.substr(description, 1, length - PROPOSER_SUFFIX_CHARS)),
        else_=description,
    )


def _search_condition(terms: list[str]) -> ColumnElement[bool]:
    conditions = []
    description = func.lower(_searchable_description())
    for term in terms:
        pattern = f"%{_escape_like(term)}%"
        conditions.append(
            or_(
                func.lower(_proposals.c.title).like(pattern, escape="\\"),
                description.like(pattern, escape="\\"),
            )
        )
    return and_(*conditions)


def _ordering(sort: str, now: int) -> list[Any]:
    newest = [_proposals.c.block_number.desc(), _proposals.c.log_index.desc()]
    if sort == "newest":
        return newest
    if sort == "most_votes":
        # The voting power cast (what the Governor's proposalVotes adds up to), not the
        # number of ballots. A typed zero for proposals without votes: on SQLite the
        # column is zero-padded text, and a bare 0 would sort as a number, apart from it.
        cast = func.coalesce(_tallies.c.total_weight, literal(0, Uint256()))
        return [cast.desc(), *newest]
    if sort == "ending_soon":
        # Open votes first, the nearest deadline first; then the most recently ended.
        is_open = and_(_proposals.c.vote_end >= now, not_(_transition("canceled")))
        still_open = case((is_open, 0), else_=1)
        soonest = case((is_open, _proposals.c.vote_end), else_=None)
        return [still_open, soonest.asc(), _proposals.c.vote_end.desc(), *newest]
    raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")


def _chain_now(connection: Connection) -> int:
    return int(connection.execute(select(_checkpoints.c.block_timestamp)).scalar() or 0)


def _filtered_ids(query: FeedQuery, now: int) -> Select[Any]:
    statement = select(_proposals.c.proposal_id).select_from(
        _proposals.outerjoin(_tallies, _tallies.c.proposal_id == _proposals.c.proposal_id)
    )
    if query.state is not None:
        statement = statement.where(_state_condition(query.state, now))
    terms = search_terms(query.search)
    if terms:
        statement = statement.where(_search_condition(terms))
    if query.needs_vote_of:
        statement = statement.where(_needs_vote(query.needs_vote_of.lower(), now))
    return statement.order_by(*_ordering(query.sort, now))


class _QuorumClock:
    """quorum(timepoint) for many proposals at once: prefix sums + bisect, not a scan each.

    Same rules as `db.queries` (supply = mints - burns of the vote token with
    timestamp <= timepoint; numerator = last quorum change at or before it).
    """

    def __init__(self, connection: Connection) -> None:
        token = connection.execute(
            select(_contracts.c.address).where(_contracts.c.name == "CoopToken")
        ).scalar()
        deltas: list[tuple[int, int]] = []
        if token is not None:
            for timestamp, sender, value in connection.execute(
                select(_transfers.c.block_timestamp, _transfers.c.from_address, _transfers.c.value)
                .where(
                    _transfers.c.token == token,
                    or_(
                        _transfers.c.from_address == ZERO_ADDRESS,
                        _transfers.c.to_address == ZERO_ADDRESS,
                    ),
                )
                .order_by(_transfers.c.block_number, _transfers.c.log_index)
            ):
                deltas.append((timestamp, value if sender == ZERO_ADDRESS else -value))
        deltas.sort(key=lambda item: item[0])  # stable: block order within a timestamp
        self._supply_times = [t for t, _ in deltas]
        self._supply = list(accumulate(d for _, d in deltas))
        numerators = [
            (int(t), int(v))
            for t, v in connection.execute(
                select(_settings.c.block_timestamp, _settings.c.new_value)
                .where(_settings.c.setting == "quorum_numerator")
                .order_by(_settings.c.block_number, _settings.c.log_index)
            )
        ]
        self._numerator_times = [t for t, _ in numerators]
        self._numerators = [v for _, v in numerators]

    def quorum(self, timepoint: int) -> int:
        at = bisect_right(self._supply_times, timepoint)
        supply = self._supply[at - 1] if at else 0
        n = bisect_right(self._numerator_times, timepoint)
        return quorum_at(supply, self._numerators[n - 1] if n else 0)


def _decided_ids(connection: Connection, statement: Select[Any], state: str, now: int) -> list[int]:
    """Ended, unqueued proposals that are `state` (succeeded / defeated), in feed order."""
    rows = connection.execute(
        statement.with_only_columns(
            _proposals.c.proposal_id,
            _proposals.c.vote_start,
            _tallies.c.for_votes,
            _tallies.c.against_votes,
            _tallies.c.abstain_votes,
        )
    ).all()
    clock = _QuorumClock(connection)
    matching = []
    for proposal_id, vote_start, for_votes, against, abstain in rows:
        facts = ProposalFacts(
            vote_start=vote_start,
            deadline=now - 1,  # ended: only quorum and majority matter now
            for_votes=for_votes or 0,
            against_votes=against or 0,
            abstain_votes=abstain or 0,
            quorum=clock.quorum(vote_start),
            queued=False,
            executed=False,
            canceled=False,
        )
        if proposal_state(facts, now) == state:
            matching.append(proposal_id)
    return matching


def _summaries_in_order(connection: Connection, ids: list[int]) -> list[ProposalSummary]:
    if not ids:
        return []
    by_id = {
        s.proposal_id: s for s in proposal_summaries(connection, _proposals.c.proposal_id.in_(ids))
    }
    return [by_id[i] for i in ids if i in by_id]


def validate_query(query: FeedQuery) -> None:
    if query.state is not None and query.state not in PROPOSAL_STATES:
        raise ValueError(f"unknown proposal state {query.state!r}")
    if query.sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {query.sort!r}")
    if query.page < 1 or not 1 <= query.page_size <= MAX_PAGE_SIZE:
        raise ValueError("page must be >= 1 and page_size between 1 and 100")


def proposal_feed(engine: Engine, query: FeedQuery) -> FeedPage:
    """One page of the feed, with the total number of matching proposals."""
    validate_query(query)
    offset = (query.page - 1) * query.page_size
    with engine.connect() as connection:
        now = _chain_now(connection)
        statement = _filtered_ids(query, now)
        if query.state in ("succeeded", "defeated"):
            # Quorum and majority are uint256 arithmetic: decided in Python over the ended
            # candidates' tallies only; full summaries are built for the page alone.
            ids = _decided_ids(connection, statement, query.state, now)
            items = _summaries_in_order(connection, ids[offset : offset + query.page_size])
            total = len(ids)
        else:
            total = int(
                connection.execute(
                    select(func.count()).select_from(statement.order_by(None).subquery())
                ).scalar_one()
            )
            page_ids = list(
                connection.execute(statement.limit(query.page_size).offset(offset)).scalars()
            )
            items = _summaries_in_order(connection, page_ids)
    return FeedPage(items, total, query.page, query.page_size, now)


def vote_of(engine: Engine, proposal_id: int, voter: str) -> int | None:
    """The support (0 against, 1 for, 2 abstain) `voter` cast on the proposal, or None."""
    with engine.connect() as connection:
        support = connection.execute(
            select(_votes.c.support)
            .where(_votes.c.proposal_id == proposal_id, _votes.c.voter == voter.lower())
            .limit(1)
        ).scalar()
    return None if support is None else int(support)

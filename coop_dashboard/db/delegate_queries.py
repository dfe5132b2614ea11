"""Queries of the delegate pages: the directory (one indexed query per page) and a profile.

Every directory figure is read from `delegate_directory`, which the indexer keeps
(indexer/handlers/delegate_directory.py); nothing here replays history except
one delegate's own rows on its profile.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Engine, Float, and_, case, cast, func, select, update
from sqlalchemy.engine import Connection

from coop_dashboard.db.bulk_insert import bulk_upsert
from coop_dashboard.db.chain_tables import (
    DelegateStatementEvent,
    TokenBalance,
    Vote,
    VotingPowerChange,
    table_of,
)
from coop_dashboard.db.delegate_history import PowerHistory, search_text
from coop_dashboard.db.delegate_tables import (
    CHANGE_OFFSET,
    NAME_LENGTH,
    DelegateCurrentDelegation,
    DelegateDirectoryClock,
    DelegateDirectoryRow,
    DelegateDocument,
    DelegateTopic,
)
from coop_dashboard.db.queries import _address_of, proposal_summaries

_rows = table_of(DelegateDirectoryRow)
_topics = table_of(DelegateTopic)
_current = table_of(DelegateCurrentDelegation)
_clock = table_of(DelegateDirectoryClock)
_documents = table_of(DelegateDocument)
_statements = table_of(DelegateStatementEvent)
_power = table_of(VotingPowerChange)
_votes = table_of(Vote)
_balances = table_of(TokenBalance)

DirectorySort = Literal["random", "power", "delegators", "participation", "change", "latest_vote"]
DIRECTORY_SORTS: tuple[str, ...] = (
    "random",
    "power",
    "delegators",
    "participation",
    "change",
    "latest_vote",
)
_SORT_COLUMNS = {
    "power": _rows.c.voting_power,
    "delegators": _rows.c.delegator_count,
    "participation": _rows.c.participation_bp,
    "change": _rows.c.power_change_key,
    "latest_vote": _rows.c.last_vote_at,
}
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class DirectoryQuery:
    """One page of the directory: filters, sort and window (validated by the service)."""

    search: str = ""
    topic: str = ""
    seeking_only: bool = False
    with_statement: bool = False
    only: tuple[str, ...] | None = None  # restrict to these addresses ("my delegate")
    sort: str = "random"
    seed: int = 0  # the weighted-random order's seed (kept per tab)
    offset: int = 0
    limit: int = 20


@dataclass(frozen=True)
class DelegateCard:
    """What the directory shows of one delegate."""

    address: str
    name: str
    voting_power: int
    share_of_supply: float  # 0..1
    delegator_count: int
    votes_cast: int
    eligible_proposals: int
    participation_bp: int  # -1: nothing to vote on yet
    last_vote_at: int  # 0: never
    power_change_7d: int
    topics: list[str]
    seeking_delegation: bool
    has_statement: bool
    statement_version: int
    statement_uri: str | None
    statement_digest: str | None
    statement_updated_at: int | None


@dataclass(frozen=True)
class DirectoryPage:
    cards: list[DelegateCard]
    total: int
    as_of: int
    total_supply: int


def _pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matching(query: DirectoryQuery) -> tuple[Any, list[Any]]:
    """The FROM clause and WHERE conditions of the query's filters."""
    source: Any = _rows
    conditions: list[Any] = []
    if query.topic:
        # Driven by the topic's index entries: a topic has few delegates.
        source = _topics.join(_rows, _topics.c.address == _rows.c.address)
        conditions.append(_topics.c.topic == query.topic.lower())
    elif not (query.seeking_only or query.with_statement):
        # A statement means listed: those filters go by their own index.
        conditions.append(_rows.c.listed.is_(True))
    if query.search:
        conditions.append(_rows.c.search_text.like(_pattern(query.search), escape="\\"))
    if query.seeking_only:
        conditions.append(_rows.c.seeking_delegation.is_(True))
    if query.with_statement:
        conditions.append(_rows.c.has_statement.is_(True))
    if query.only is not None:
        conditions.append(_rows.c.address.in_([a.lower() for a in query.only]))
    return source, conditions


# A prime just below 2**RANDOM_BITS: u = (draw * a + b) mod P is a universal hash of the
# address's draw, so for a random (a, b) any two addresses' u are independent and uniform.
_PRIME = 2**31 - 1
_LAST = 1e300  # powerless rows: after everyone, by address


def seed_rotation(seed: int) -> tuple[int, int]:
    """The session's hash parameters (a, b) from its seed."""
    digest = hashlib.blake2b(str(seed).encode(), digest_size=16).digest()
    multiplier = int.from_bytes(digest[:8], "big") % (_PRIME - 1) + 1
    return multiplier, int.from_bytes(digest[8:], "big") % _PRIME


def random_key(draw: int, rotation: tuple[int, int], weight: float) -> float:
    """Efraimidis-Spirakis key of the weighted random order: smaller comes first.

    u = the address's draw hashed with the session's (a, b), uniform in (0, 1);
    with -ln(u) / weight the chance of coming first is proportional to weight.
    The same formula runs in SQL (`_random_key_sql`); this one is for tests.
    """
    if weight <= 0:
        return _LAST
    multiplier, offset = rotation
    uniform = (((draw * multiplier + offset) % _PRIME) + 0.5) / _PRIME
    return -math.log(uniform) / weight


def _random_key_sql(rotation: tuple[int, int]) -> Any:
    multiplier, offset = rotation
    hashed = (_rows.c.random_draw * multiplier + offset) % _PRIME
    uniform = (cast(hashed, Float) + 0.5) / float(_PRIME)
    return case((_rows.c.power_tokens > 0, -func.ln(uniform) / _rows.c.power_tokens), else_=_LAST)


def _card(row: Any, supply: int) -> DelegateCard:
    power = int(row["voting_power"])
    try:
        topics = [str(t) for t in json.loads(row["topics"] or "[]")]
    except ValueError:
        topics = []
    return DelegateCard(
        address=row["address"],
        name=row["name"],
        voting_power=power,
        share_of_supply=power / supply if supply else 0.0,
        delegator_count=int(row["delegator_count"]),
        votes_cast=int(row["votes_cast"]),
        eligible_proposals=int(row["eligible_proposals"]),
        participation_bp=int(row["participation_bp"]),
        last_vote_at=int(row["last_vote_at"]),
        power_change_7d=int(row["power_change_key"]) - CHANGE_OFFSET,
        topics=topics,
        seeking_delegation=bool(row["seeking_delegation"]),
        has_statement=bool(row["has_statement"]),
        statement_version=int(row["statement_version"]),
        statement_uri=row["statement_uri"],
        statement_digest=row["statement_digest"],
        statement_updated_at=row["statement_updated_at"],
    )


def _clock_row(connection: Connection) -> tuple[int, int]:
    row = connection.execute(select(_clock.c.as_of, _clock.c.total_supply)).first()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def directory_page(engine: Engine, query: DirectoryQuery) -> DirectoryPage:
    """One page of the directory: filtered, sorted, windowed, with the total count."""
    limit = max(1, min(query.limit, MAX_PAGE_SIZE))
    offset = max(0, query.offset)
    source, conditions = _matching(query)
    with engine.connect() as connection:
        as_of, supply = _clock_row(connection)
        counted = select(func.count()).select_from(source).where(*conditions)
        total = int(connection.execute(counted).scalar() or 0)
        if query.sort == "random" or query.sort not in _SORT_COLUMNS:
            # One pass in SQL over the matching rows' (draw, power): no row leaves the
            # database but the page's.
            order: list[Any] = [_random_key_sql(seed_rotation(query.seed)), _rows.c.address]
        else:
            # Ties by address, descending too: one backward walk of the index.
            order = [_SORT_COLUMNS[query.sort].desc(), _rows.c.address.desc()]
        # The page's addresses first (read from an index where one covers the order),
        # then its rows: the wide rows of the other matches are never read.
        page = [
            address
            for (address,) in connection.execute(
                select(_rows.c.address)
                .select_from(source)
                .where(*conditions)
                .order_by(*order)
                .offset(offset)
                .limit(limit)
            )
        ]
        found = {
            row["address"]: row
            for row in connection.execute(select(_rows).where(_rows.c.address.in_(page))).mappings()
        }
        rows = [found[address] for address in page if address in found]
    return DirectoryPage([_card(row, supply) for row in rows], total, as_of, supply)


def delegate_card(engine: Engine, address: str) -> DelegateCard | None:
    """The directory's figures of one address (None: never had power nor a statement)."""
    with engine.connect() as connection:
        _, supply = _clock_row(connection)
        row = (
            connection.execute(select(_rows).where(_rows.c.address == address.lower()))
            .mappings()
            .first()
        )
    return _card(row, supply) if row is not None else None


def delegates_with_power_count(engine: Engine) -> int:
    """How many addresses carry voting power now (the overview's "delegates" figure),
    from the indexer-kept directory rather than a scan of every power change."""
    with engine.connect() as connection:
        count = connection.execute(
            select(func.count()).select_from(_rows).where(_rows.c.voting_power > 0)
        ).scalar_one()
    return int(count)


def directory_topics(engine: Engine) -> list[tuple[str, int]]:
    """Topics of current statements with how many delegates list each, most used first."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(_topics.c.topic, func.count()).group_by(_topics.c.topic)
        ).all()
    return sorted(((str(t), int(n)) for t, n in rows), key=lambda item: (-item[1], item[0]))


def total_supply(engine: Engine) -> int:
    with engine.connect() as connection:
        return _clock_row(connection)[1]


# -- a profile ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementVersion:
    """A StatementPublished (or StatementCleared: kind "cleared") of one delegate."""

    kind: str
    version: int
    uri: str
    digest: str
    topics: list[str]
    seeking_delegation: bool
    block_number: int
    timestamp: int
    tx_hash: str


def statement_versions(engine: Engine, address: str) -> list[StatementVersion]:
    """Every statement event of `address` (published and cleared), oldest first."""
    s = _statements
    with engine.connect() as connection:
        rows = connection.execute(
            select(s)
            .where(s.c.delegate == address.lower(), s.c.kind.in_(("published", "cleared")))
            .order_by(s.c.block_number, s.c.log_index)
        ).mappings()
        versions = []
        for row in rows:
            try:
                topics = [str(t) for t in json.loads(row["topics"] or "[]")]
            except ValueError:
                topics = []
            versions.append(
                StatementVersion(
                    kind=row["kind"],
                    version=int(row["version"] or 0),
                    uri=str(row["uri"] or ""),
                    digest=str(row["digest"] or ""),
                    topics=topics,
                    seeking_delegation=bool(row["seeking_delegation"]),
                    block_number=int(row["block_number"]),
                    timestamp=int(row["block_timestamp"]),
                    tx_hash=row["tx_hash"],
                )
            )
    return versions


@dataclass(frozen=True)
class PowerStep:
    timestamp: int
    votes: int


def power_history(engine: Engine, address: str) -> list[PowerStep]:
    """Every change of `address`'s voting power, oldest first (a step chart)."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(_power.c.block_timestamp, _power.c.new_votes)
            .where(_power.c.delegate == address.lower())
            .order_by(_power.c.block_number, _power.c.log_index)
        )
        return [PowerStep(int(stamp), int(votes)) for stamp, votes in rows]


@dataclass(frozen=True)
class RecordRow:
    """A proposal the delegate could vote on (or voted on), and what it did."""

    proposal_id: int
    title: str
    state: str
    vote_start: int
    deadline: int
    power_at_snapshot: int
    support: int | None  # None: did not vote
    weight: int
    reason: str
    voted_at: int | None


def voting_record(engine: Engine, address: str) -> list[RecordRow]:
    """Proposals whose snapshot fell while `address` had power, or it voted on; newest first."""
    address = address.lower()
    with engine.connect() as connection:
        as_of, _ = _clock_row(connection)
        steps = connection.execute(
            select(_power.c.block_timestamp, _power.c.new_votes)
            .where(_power.c.delegate == address)
            .order_by(_power.c.block_number, _power.c.log_index)
        ).all()
        history = PowerHistory([int(s) for s, _ in steps], [int(v) for _, v in steps])
        votes = {
            int(row["proposal_id"]): row
            for row in connection.execute(
                select(_votes).where(_votes.c.voter == address)
            ).mappings()
        }
        summaries = proposal_summaries(connection)
    record: list[RecordRow] = []
    for summary in summaries:
        vote = votes.get(summary.proposal_id)
        power = history.at(summary.vote_start)
        could_vote = summary.vote_start <= as_of and power > 0
        if vote is None and not could_vote:
            continue
        record.append(
            RecordRow(
                proposal_id=summary.proposal_id,
                title=summary.title,
                state=summary.state,
                vote_start=summary.vote_start,
                deadline=summary.deadline,
                power_at_snapshot=power,
                support=int(vote["support"]) if vote is not None else None,
                weight=int(vote["weight"]) if vote is not None else 0,
                reason=str(vote["reason"]) if vote is not None else "",
                voted_at=int(vote["block_timestamp"]) if vote is not None else None,
            )
        )
    record.sort(key=lambda r: (-r.vote_start, -r.proposal_id))
    return record


@dataclass(frozen=True)
class DelegatorRow:
    address: str
    balance: int  # of the votes token, now: what it lends
    since: int  # unix seconds of its delegation


def delegators(engine: Engine, address: str, limit: int = 200) -> list[DelegatorRow]:
    """Accounts whose current delegate is `address`, largest balance first."""
    address = address.lower()
    with engine.connect() as connection:
        token = _address_of(connection, "CoopToken")
        rows = connection.execute(
            select(_current.c.delegator, _current.c.since_timestamp, _balances.c.balance)
            .select_from(
                _current.outerjoin(
                    _balances,
                    and_(
                        _balances.c.account == _current.c.delegator,
                        _balances.c.token == (token or ""),
                    ),
                )
            )
            .where(_current.c.delegate == address)
        ).all()
    result = [DelegatorRow(d, int(b or 0), int(s)) for d, s, b in rows]
    result.sort(key=lambda r: (-r.balance, r.address))
    return result[:limit]


@dataclass(frozen=True)
class CurrentDelegation:
    delegate: str
    since: int


def delegation_of(engine: Engine, account: str) -> CurrentDelegation | None:
    """Whom `account` delegates to now (None: nobody)."""
    with engine.connect() as connection:
        row = connection.execute(
            select(_current.c.delegate, _current.c.since_timestamp).where(
                _current.c.delegator == account.lower()
            )
        ).first()
    return CurrentDelegation(row[0], int(row[1])) if row else None


def token_balance(engine: Engine, account: str) -> int:
    with engine.connect() as connection:
        token = _address_of(connection, "CoopToken")
        value = connection.execute(
            select(_balances.c.balance).where(
                _balances.c.token == (token or ""), _balances.c.account == account.lower()
            )
        ).scalar()
    return int(value or 0)


# -- statement document facts ---------------------------------------------------------------


@dataclass(frozen=True)
class DocumentFacts:
    digest: str
    name: str
    fetched_at: int = field(default_factory=lambda: int(time.time()))


def documents_missing(engine: Engine, limit: int = 20) -> list[tuple[str, str]]:
    """(uri, digest) of current statements whose document facts were never saved."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(_rows.c.statement_uri, _rows.c.statement_digest)
            .where(
                _rows.c.has_statement.is_(True),
                ~_rows.c.statement_digest.in_(select(_documents.c.digest)),
            )
            .limit(limit)
        ).all()
    return [(str(uri), str(digest)) for uri, digest in rows]


def save_document_facts(engine: Engine, facts: DocumentFacts) -> None:
    """Save a verified document's name and copy it into the directory rows that show it."""
    name = facts.name.replace("\x00", "\ufffd")[:NAME_LENGTH]
    with engine.begin() as connection:
        bulk_upsert(
            connection,
            _documents,
            [{"digest": facts.digest, "name": name, "fetched_at": facts.fetched_at}],
            ["digest"],
        )
        rows = connection.execute(
            select(_rows.c.address, _rows.c.topics).where(_rows.c.statement_digest == facts.digest)
        ).all()
        for address, topics in rows:
            try:
                tags = [str(t) for t in json.loads(topics or "[]")]
            except ValueError:
                tags = []
            connection.execute(
                update(_rows)
                .where(_rows.c.address == address)
                .values(name=name, search_text=search_text(address, name, tags))
            )

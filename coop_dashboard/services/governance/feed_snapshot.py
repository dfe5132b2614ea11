"""The proposal feed in memory: every proposal read once per indexed head, pages cut in Python.

A feed page read in SQL (`feed.proposal_feed`) costs 30-80 ms (filters, count,
the page's summaries with their quorums). Users click filters, sorts, searches
and pages far more often than blocks arrive, and almost every click asks for a
combination nobody asked for since the last block: per click, that read was the
app's whole cost (issue 10: 300 users clicking once a second need ~240 pages/s).
Here one read per indexed head (`FeedSnapshot`: every proposal's summary, its
lowercased search text and its sort keys) serves every filter / search / sort /
page combination in well under a millisecond each.

The rules are `feed.proposal_feed`'s, applied to the same rows (tests compare
the two page by page):
- a state filter keeps the proposals whose computed state is that state (what
  the card shows; the SQL conditions are the same rules);
- every search term must be in the lowercased title or the description
  without its `#proposer=` binding;
- newest = block, then log index, descending; most votes = voting power cast
  (`gov_proposal_tally.total_weight`) then newest; ending soon = open votes
  (raw `vote_end` not passed, not canceled) by nearest `vote_end`, then the
  others by latest `vote_end`, then newest.
"Needs my vote" depends on the voter's own votes and power: those pages stay
SQL reads (`proposal_feed`), one per voter and head.

The snapshot is keyed by the indexer's checkpoint rows, which the indexer
commits with every batch (and every rewind): a read that finds other rows
builds a new snapshot, so a tab never sees data older than the index it asked.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from coop_dashboard.chain.proposal_text import PROPOSER_SUFFIX_CHARS, PROPOSER_SUFFIX_PREFIX
from coop_dashboard.db.chain_tables import (
    IndexerCheckpoint,
    Proposal,
    ProposalTally,
    ProposalTransition,
    table_of,
)
from coop_dashboard.db.one_step import OneStep, rows_in_one_step
from coop_dashboard.db.queries import (
    ProposalDetail,
    ProposalSummary,
    get_proposal,
    latest_setting,
    proposal_summaries,
)
from coop_dashboard.services.governance.feed import (
    FeedPage,
    FeedQuery,
    proposal_feed,
    search_terms,
    validate_query,
)

_proposals = table_of(Proposal)
_tallies = table_of(ProposalTally)
_transitions = table_of(ProposalTransition)
_checkpoints = table_of(IndexerCheckpoint)

# Search texts of proposals seen before in the same database (a proposal id fixes its
# description's hash, so its text never changes): a new head reads only new ones.
_TEXTS_KEPT = 100_000


@dataclass(frozen=True)
class FeedRow:
    """One proposal as the feed filters and sorts it."""

    summary: ProposalSummary
    text: str  # lowercased "title\ndescription without the proposer binding"
    newest: int  # position in newest-first order (0 = newest)
    vote_end: int  # before any extension, as the SQL ordering uses it
    total_weight: int  # voting power cast
    canceled: bool  # has a canceled transition


@dataclass(frozen=True)
class FeedSnapshot:
    """Every proposal at one indexed head (`head`: the checkpoint rows it was read at)."""

    head: tuple[Any, ...]
    now: int
    rows: tuple[FeedRow, ...]  # newest first
    # The timelock's delay at this head (what a proposal page's queue / execute offer
    # depends on): read with the rows, not once per page view.
    timelock_min_delay: int | None = None
    # (state filter, sort) -> rows in that order, cut once per snapshot (see _rows_for).
    _ordered: dict[tuple[str | None, str], tuple[FeedRow, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @cached_property
    def _by_id(self) -> dict[int, ProposalSummary]:
        return {row.summary.proposal_id: row.summary for row in self.rows}

    def summary_of(self, proposal_id: int) -> ProposalSummary | None:
        """One proposal's summary at this head (its page's chart needs no second read)."""
        return self._by_id.get(proposal_id)


def searchable_text(title: str, description: str) -> str:
    """What a search term is looked for in (the rule of `feed._searchable_description`)."""
    if (
        len(description) >= PROPOSER_SUFFIX_CHARS
        and description[-PROPOSER_SUFFIX_CHARS:][: len(PROPOSER_SUFFIX_PREFIX)].lower()
        == PROPOSER_SUFFIX_PREFIX
    ):
        description = description[:-PROPOSER_SUFFIX_CHARS]
    return f"{title.lower()}\n{description.lower()}"


_HEAD = OneStep(
    select(
        _checkpoints.c.stream,
        _checkpoints.c.block_number,
        _checkpoints.c.block_hash,
        _checkpoints.c.block_timestamp,
        _checkpoints.c.updated_at,
    ).order_by(_checkpoints.c.stream)
)


def indexed_head(connection: Connection) -> tuple[Any, ...]:
    """The checkpoint rows: they change with every committed batch and rewind."""
    return tuple(_HEAD.rows(connection))


class _Texts:
    """proposal id -> search text, shared by the snapshots of one database."""

    def __init__(self) -> None:
        self._texts: dict[int, str] = {}
        self._lock = threading.Lock()

    def for_ids(self, connection: Connection, titles: dict[int, str]) -> dict[int, str]:
        with self._lock:
            known = {pid: self._texts[pid] for pid in titles if pid in self._texts}
        missing = [pid for pid in titles if pid not in known]
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            for pid, description in rows_in_one_step(
                connection,
                select(_proposals.c.proposal_id, _proposals.c.description).where(
                    _proposals.c.proposal_id.in_(chunk)
                ),
            ):
                known[pid] = searchable_text(titles[pid], description)
        with self._lock:
            if len(self._texts) + len(missing) > _TEXTS_KEPT:
                self._texts.clear()
            self._texts.update((pid, known[pid]) for pid in missing if pid in known)
        return known


def read_snapshot(
    connection: Connection, head: tuple[Any, ...], texts: _Texts | None = None
) -> FeedSnapshot:
    """Every proposal's summary and sort keys (one consistent read of the index)."""
    summaries = proposal_summaries(connection)  # newest first
    extra = {
        pid: (vote_end, total_weight or 0)
        for pid, vote_end, total_weight in rows_in_one_step(
            connection,
            select(
                _proposals.c.proposal_id, _proposals.c.vote_end, _tallies.c.total_weight
            ).select_from(
                _proposals.outerjoin(_tallies, _tallies.c.proposal_id == _proposals.c.proposal_id)
            ),
        )
    }
    canceled = {
        pid
        for (pid,) in rows_in_one_step(
            connection,
            select(_transitions.c.proposal_id).where(_transitions.c.kind == "canceled"),
        )
    }
    texts_by_id = (texts or _Texts()).for_ids(
        connection, {summary.proposal_id: summary.title or "" for summary in summaries}
    )
    now = int(connection.execute(select(_checkpoints.c.block_timestamp)).scalar() or 0)
    rows = tuple(
        FeedRow(
            summary=summary,
            text=texts_by_id.get(summary.proposal_id, ""),
            newest=position,
            vote_end=extra[summary.proposal_id][0],
            total_weight=extra[summary.proposal_id][1],
            canceled=summary.proposal_id in canceled,
        )
        for position, summary in enumerate(summaries)
        if summary.proposal_id in extra
    )
    return FeedSnapshot(head, now, rows, latest_setting(connection, "timelock_min_delay"))


def _sort_key(sort: str, now: int) -> Any:
    if sort == "most_votes":
        return lambda row: (-row.total_weight, row.newest)
    if sort == "ending_soon":

        def ending_soon(row: FeedRow) -> tuple[int, int, int, int]:
            if row.vote_end >= now and not row.canceled:
                return (0, row.vote_end, -row.vote_end, row.newest)
            return (1, 0, -row.vote_end, row.newest)

        return ending_soon
    return None  # newest: the snapshot's own order


def _rows_for(snapshot: FeedSnapshot, state: str | None, sort: str) -> tuple[FeedRow, ...]:
    """The snapshot's rows of one state in one order (filtering and sorting 1,000 rows is
    the costly part of a page; there are at most 27 such lists per head)."""
    rows = snapshot._ordered.get((state, sort))
    if rows is None:
        kept = [row for row in snapshot.rows if state is None or row.summary.state == state]
        key = _sort_key(sort, snapshot.now)
        rows = tuple(kept if key is None else sorted(kept, key=key))
        snapshot._ordered[(state, sort)] = rows  # racing threads store equal tuples
    return rows


def snapshot_page(snapshot: FeedSnapshot, query: FeedQuery) -> FeedPage:
    """One page of the feed from the snapshot (not for `needs_vote_of` queries)."""
    validate_query(query)
    if query.needs_vote_of:
        raise ValueError("'needs my vote' pages are read in SQL (proposal_feed)")
    rows: list[FeedRow] | tuple[FeedRow, ...] = _rows_for(snapshot, query.state, query.sort)
    terms = search_terms(query.search)
    if terms:
        rows = [row for row in rows if all(term in row.text for term in terms)]
    offset = (query.page - 1) * query.page_size
    items = [row.summary for row in rows[offset : offset + query.page_size]]
    return FeedPage(items, len(rows), query.page, query.page_size, snapshot.now)


class SnapshotCache:
    """The latest snapshot of one database; rebuilt once when the indexed head moved."""

    def __init__(self) -> None:
        self._snapshot: FeedSnapshot | None = None
        self._lock = threading.Lock()  # one build at a time; readers of a new head wait
        self._texts = _Texts()
        self.builds = 0  # snapshots read (tests and benchmarks count them)

    def current(self, engine: Engine) -> FeedSnapshot:
        with engine.connect() as connection:
            head = indexed_head(connection)
            snapshot = self._snapshot
            if snapshot is not None and snapshot.head == head:
                return snapshot
        with self._lock:
            snapshot = self._snapshot
            if snapshot is not None and snapshot.head == head:
                return snapshot  # built by another thread meanwhile
            with engine.connect() as connection, connection.begin():
                # The head and the rows in one transaction: a batch committed between
                # them would label new rows with the old head (rebuilt next time anyway).
                snapshot = read_snapshot(connection, indexed_head(connection), self._texts)
            self._snapshot = snapshot
            self.builds += 1
            return snapshot


_caches: dict[str, SnapshotCache] = {}
_caches_lock = threading.Lock()


def snapshot_cache(engine: Engine) -> SnapshotCache:
    """The process's cache for this database."""
    key = engine.url.render_as_string(hide_password=False)
    with _caches_lock:
        cache = _caches.get(key)
        if cache is None:
            cache = _caches[key] = SnapshotCache()
        return cache


def feed_page(engine: Engine, query: FeedQuery) -> FeedPage:
    """One page of the feed: from the head's snapshot, or in SQL for "needs my vote"."""
    if query.needs_vote_of:
        return proposal_feed(engine, query)
    validate_query(query)
    return snapshot_page(snapshot_cache(engine).current(engine), query)


def proposal_detail(
    engine: Engine, proposal_id: int, snapshot: FeedSnapshot | None = None
) -> ProposalDetail | None:
    """One proposal's detail with its summary (tally, state, quorum, turnout) from the
    indexed head's snapshot: what the proposal page and its treasury impact read.

    `proposal_summaries` for one proposal still reads every mint and burn of the votes
    token (its quorum); the snapshot computed the same summary, from the same rows,
    for every proposal once per head (issue 10: a page view computed it twice, the
    larger part of the page's reads). A proposal the snapshot does not know (indexed
    by a batch committed after the snapshot was read) has its summary computed here.
    """
    snapshot = snapshot if snapshot is not None else snapshot_cache(engine).current(engine)
    key = (engine.url.render_as_string(hide_password=False), proposal_id, snapshot.head)
    return _details.read(
        key, lambda: get_proposal(engine, proposal_id, summary=snapshot.summary_of(proposal_id))
    )


class _DetailsAtHead:
    """The last few proposal details read, per (database, proposal, indexed head).

    A move to a proposal's page reads its detail twice at once, for the page and for
    its treasury impact (two views, two reader threads): the second waits for the
    first's read and takes it (one flight per key) instead of running the same three
    queries. Keyed by the head, a new batch or a rewind reads again. Few are kept: a
    detail holds its description, up to the ~1.8 MB a block's gas lets anyone post.
    """

    def __init__(self, kept: int) -> None:
        self._kept = kept
        self._values: OrderedDict[Hashable, ProposalDetail | None] = OrderedDict()
        self._flights: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()
        self.reads = 0  # tests count them

    def read(
        self, key: Hashable, read: Callable[[], ProposalDetail | None]
    ) -> ProposalDetail | None:
        while True:
            with self._lock:
                if key in self._values:
                    self._values.move_to_end(key)
                    return self._values[key]
                flight = self._flights.get(key)
                if flight is None:
                    mine = self._flights[key] = threading.Event()
                    self.reads += 1
                    break
            flight.wait()  # then from the cache, or read here if that read failed
        try:
            value = read()
            with self._lock:
                self._values[key] = value
                while len(self._values) > self._kept:
                    self._values.popitem(last=False)
            return value
        finally:
            with self._lock:
                del self._flights[key]
            mine.set()


_details = _DetailsAtHead(kept=16)

"""The in-memory feed (one read per indexed head) cuts the same pages as the SQL feed.

Every filter x sort x search x page of `feed_snapshot.snapshot_page` is compared
with `feed.proposal_feed` on the feed tests' rows (both engines) and on the
benchmark's generated cooperative (hundreds of proposals in every phase, votes,
mints and a quorum): same proposals, same order, same totals.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, update

from benchmarks.proposal_feed import fill
from coop_dashboard.db.chain_tables import IndexerCheckpoint, ProposalTransition, table_of
from coop_dashboard.db.engine import create_tables, make_engine
from coop_dashboard.db.proposal_state import PROPOSAL_STATES
from coop_dashboard.db.queries import proposal_summaries
from coop_dashboard.services.governance.feed import SORTS, FeedQuery, proposal_feed
from coop_dashboard.services.governance.feed_snapshot import (
    SnapshotCache,
    feed_page,
    searchable_text,
    snapshot_page,
)
from tests.unit.governance_ui.feed_rows import NOW, add_proposal
from tests.unit.governance_ui.test_feed import ME, engine  # noqa: F401 - the feed's fixture

DAY = 86_400
STATES = (None, *PROPOSAL_STATES)


def _same_pages(db: Engine, searches: list[str], pages: int, page_size: int) -> int:
    """Compare every combination; returns how many pages were compared."""
    snapshot = SnapshotCache().current(db)
    compared = 0
    for state in STATES:
        for sort in SORTS:
            for search in searches:
                for page in range(1, pages + 1):
                    query = FeedQuery(
                        state=state, search=search, sort=sort, page=page, page_size=page_size
                    )
                    expected = proposal_feed(db, query)
                    got = snapshot_page(snapshot, query)
                    assert [s.proposal_id for s in got.items] == [
                        s.proposal_id for s in expected.items
                    ], query
                    assert got.items == expected.items, query
                    assert (got.total, got.now, got.page_count) == (
                        expected.total,
                        expected.now,
                        expected.page_count,
                    ), query
                    compared += 1
    return compared


def test_every_page_matches_the_sql_feed(engine: Engine) -> None:  # noqa: F811
    searches = ["", "budget", "ACTIVE", "gpus", "job done", "nothing-like-this", "50%"]
    assert _same_pages(engine, searches, pages=3, page_size=2) == len(STATES) * 3 * 7 * 3


def test_every_page_matches_on_a_generated_cooperative(tmp_path: Path) -> None:
    db = make_engine(f"sqlite:///{tmp_path / 'coop.db'}")
    create_tables(db)
    fill(db, 300, 6_000, 80, seed=11)
    _drop_impossible_queues(db)
    searches = ["", "gpu", "budget audit", "dataset", "model eval", "#1"]
    assert _same_pages(db, searches, pages=3, page_size=10) > 0
    db.dispose()


def _drop_impossible_queues(db: Engine) -> None:
    """The generator queues some proposals that lost their vote, which a Governor never
    does; the SQL "queued" filter would list them while their cards say Defeated."""
    with db.connect() as connection:
        lost = [s.proposal_id for s in proposal_summaries(connection) if s.state == "defeated"]
    transitions = table_of(ProposalTransition)
    with db.begin() as connection:
        connection.execute(
            delete(transitions).where(
                transitions.c.proposal_id.in_(lost), transitions.c.kind == "queued"
            )
        )


def test_search_skips_the_proposer_binding() -> None:
    binding = "#proposer=0x" + "Ab" * 20
    assert searchable_text("Title", f"Body text\n\n{binding}") == "title\nbody text\n\n"
    assert searchable_text("T", "short") == "t\nshort"


def test_one_snapshot_per_indexed_head(engine: Engine) -> None:  # noqa: F811
    cache = SnapshotCache()
    first = cache.current(engine)
    assert cache.current(engine) is first and cache.builds == 1
    # The indexer commits rows with its checkpoint: the next read sees both.
    add_proposal(
        engine, 42, block=900, title="Late idea", vote_start=NOW + DAY, vote_end=NOW + 2 * DAY
    )
    with engine.begin() as connection:
        connection.execute(
            update(table_of(IndexerCheckpoint)).values(block_number=10_001, updated_at=NOW + 12)
        )
    second = cache.current(engine)
    assert cache.builds == 2 and second is not first
    assert second.rows[0].summary.proposal_id == 42


def test_needs_my_vote_is_read_in_sql(engine: Engine) -> None:  # noqa: F811
    query = FeedQuery(needs_vote_of=ME, page_size=5)
    assert feed_page(engine, query) == proposal_feed(engine, query)
    with pytest.raises(ValueError):
        snapshot_page(SnapshotCache().current(engine), query)

"""The proposal feed's SQL filters, search, sort and pagination on a real SQLite engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

from coop_dashboard.chain.proposal_text import with_proposer_suffix
from coop_dashboard.db.chain_tables import (
    GovernanceSettingChange,
    IndexedContract,
    TokenTransfer,
    table_of,
)
from coop_dashboard.db.engine import create_tables, make_engine
from coop_dashboard.db.queries import list_proposals
from coop_dashboard.services.governance.feed import FeedQuery, proposal_feed, search_terms
from tests.support.databases import database_url_of
from tests.unit.governance_ui.feed_rows import NOW, add_power, add_proposal, add_vote, set_now

DAY = 86_400
ME = "0x" + "aa" * 20
OTHER = "0x" + "bb" * 20


# Both engines: uint256 columns are padded text on SQLite and NUMERIC on PostgreSQL,
# and the feed compares them in SQL ("has power at the snapshot").
@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with database_url_of(request.param, tmp_path, "feed") as url:
        engine = make_engine(url)
        create_tables(engine)
        set_now(engine)
        # 1 pending, 2 active (one ends sooner), 1 succeeded, 1 defeated, 1 queued,
        # 1 executed, 1 canceled.
        add_proposal(
            engine, 1, block=10, title="Pending grant", vote_start=NOW + DAY, vote_end=NOW + 3 * DAY
        )
        add_proposal(
            engine,
            2,
            block=20,
            title="Active dataset license",
            vote_start=NOW - DAY,
            vote_end=NOW + 2 * DAY,
            tally=(5, 1, 0, 2),
            description="# Active dataset license\nBuy 50% more GPUs",
        )
        add_proposal(
            engine,
            3,
            block=30,
            title="Active treasury move",
            vote_start=NOW - DAY,
            vote_end=NOW + DAY,
            tally=(1, 0, 0, 9),
        )
        add_proposal(
            engine,
            4,
            block=40,
            title="Passed budget",
            vote_start=NOW - 5 * DAY,
            vote_end=NOW - 2 * DAY,
            tally=(10, 1, 0, 3),
        )
        add_proposal(
            engine,
            5,
            block=50,
            title="Rejected budget",
            vote_start=NOW - 5 * DAY,
            vote_end=NOW - 2 * DAY,
            tally=(1, 10, 0, 4),
        )
        add_proposal(
            engine,
            6,
            block=60,
            title="Queued job",
            vote_start=NOW - 5 * DAY,
            vote_end=NOW - 2 * DAY,
            tally=(10, 0, 0, 1),
            transitions=("queued",),
        )
        add_proposal(
            engine,
            7,
            block=70,
            title="Done job",
            vote_start=NOW - 9 * DAY,
            vote_end=NOW - 7 * DAY,
            tally=(10, 0, 0, 1),
            transitions=("queued", "executed"),
        )
        add_proposal(
            engine,
            8,
            block=80,
            title="Withdrawn idea",
            vote_start=NOW + DAY,
            vote_end=NOW + 2 * DAY,
            transitions=("canceled",),
        )
        yield engine
        engine.dispose()


def ids(engine: Engine, **query: object) -> list[int]:
    return [s.proposal_id for s in proposal_feed(engine, FeedQuery(**query)).items]  # type: ignore[arg-type]


def test_newest_first_by_default(engine: Engine) -> None:
    assert ids(engine) == [8, 7, 6, 5, 4, 3, 2, 1]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("pending", [1]),
        ("active", [3, 2]),
        ("succeeded", [4]),
        ("defeated", [5]),
        ("queued", [6]),
        ("executed", [7]),
        ("canceled", [8]),
        ("expired", []),
    ],
)
def test_filter_by_state_matches_the_governor_rules(
    engine: Engine, state: str, expected: list[int]
) -> None:
    page = proposal_feed(engine, FeedQuery(state=state))
    assert [s.proposal_id for s in page.items] == expected
    assert all(s.state == state for s in page.items)
    assert page.total == len(expected)


def test_search_is_case_insensitive_over_title_and_description(engine: Engine) -> None:
    assert ids(engine, search="BUDGET") == [5, 4]
    assert ids(engine, search="gpus") == [2]
    assert ids(engine, search="active move") == [3]  # every term must match
    assert ids(engine, search="50%") == [2]  # LIKE wildcards are taken literally
    assert ids(engine, search="5_%") == []


def test_search_skips_the_proposer_binding(engine: Engine) -> None:
    """The builder's `#proposer=0x...` suffix is metadata: searching it finds nothing."""
    bound = with_proposer_suffix("# Bound grant\n\nPay the annotators.\n", ME)
    add_proposal(
        engine,
        9,
        block=90,
        title="Bound grant",
        vote_start=NOW + DAY,
        vote_end=NOW + 2 * DAY,
        description=bound,
    )
    assert ids(engine, search="annotators") == [9]
    assert ids(engine, search="proposer") == []
    assert ids(engine, search=ME[2:12]) == []
    # Text that only looks like the binding (not at the very end) is the author's text.
    add_proposal(
        engine,
        10,
        block=100,
        title="Quoted",
        vote_start=NOW + DAY,
        vote_end=NOW + 2 * DAY,
        description=f"# Quoted\n\nWe add #proposer=0x{'ab' * 20} to our descriptions.",
    )
    assert ids(engine, search="#proposer=") == [10]


def test_sorts(engine: Engine) -> None:
    # Voting power cast (ties: newest first); proposals without votes come last.
    assert ids(engine, sort="most_votes") == [5, 4, 7, 6, 2, 3, 8, 1]
    # Open votes first (nearest deadline first), then the most recently ended.
    assert ids(engine, sort="ending_soon")[:4] == [3, 2, 1, 8]


def test_most_votes_means_most_voting_power_not_most_ballots(engine: Engine) -> None:
    coop = 10**18  # 18 decimals: real weights are far past 64 bits
    add_proposal(
        engine,
        10,
        block=100,
        title="Two whales",
        vote_start=NOW - DAY,
        vote_end=NOW + DAY,
        tally=(1_000_000 * coop, 0, 500_000 * coop, 2),
    )
    add_proposal(
        engine,
        11,
        block=110,
        title="A thousand minnows",
        vote_start=NOW - DAY,
        vote_end=NOW + DAY,
        # 999,000 COOP: one digit fewer than 1,500,000 COOP (text order would be wrong).
        tally=(600_000 * coop, 300_000 * coop, 99_000 * coop, 1_000),
    )
    assert ids(engine, sort="most_votes")[:2] == [10, 11]
    second = proposal_feed(engine, FeedQuery(sort="most_votes", page=2, page_size=1))
    assert [s.proposal_id for s in second.items] == [11] and second.total == 10


def test_pagination_counts_every_match(engine: Engine) -> None:
    first = proposal_feed(engine, FeedQuery(page=1, page_size=3))
    third = proposal_feed(engine, FeedQuery(page=3, page_size=3))
    assert [s.proposal_id for s in first.items] == [8, 7, 6]
    assert [s.proposal_id for s in third.items] == [2, 1]
    assert first.total == 8 and first.page_count == 3


def test_needs_my_vote_needs_power_at_snapshot_and_no_vote(engine: Engine) -> None:
    assert ids(engine, needs_vote_of=ME) == []  # no voting power at all
    add_power(engine, ME, block=5, timestamp=NOW - 2 * DAY, votes=100)
    assert ids(engine, needs_vote_of=ME.upper().replace("0X", "0x")) == [3, 2]
    add_vote(engine, 3, ME, block=9_000, weight=100)
    assert ids(engine, needs_vote_of=ME) == [2]
    # Power that arrived after the snapshot does not count.
    add_power(engine, OTHER, block=6, timestamp=NOW - DAY + 1, votes=100)
    assert ids(engine, needs_vote_of=OTHER) == []


def test_tally_and_state_come_with_each_item(engine: Engine) -> None:
    (item,) = proposal_feed(engine, FeedQuery(search="passed")).items
    assert (item.for_votes, item.against_votes, item.vote_count) == (10, 1, 3)
    assert item.state == "succeeded"


def test_bad_queries_are_refused(engine: Engine) -> None:
    for query in (FeedQuery(state="nope"), FeedQuery(sort="x"), FeedQuery(page=0)):
        with pytest.raises(ValueError):
            proposal_feed(engine, query)


def test_search_terms() -> None:
    assert search_terms("  Budget  budget GPU ") == ["budget", "gpu"]


def _with_quorum(engine: Engine) -> None:
    """100 COOP minted, quorum 10%: 10 COOP of for + abstain needed."""
    token = "0x" + "70" * 20
    with engine.begin() as connection:
        connection.execute(
            insert(table_of(IndexedContract)).values(name="CoopToken", address=token)
        )
        connection.execute(
            insert(table_of(TokenTransfer)).values(
                block_number=1,
                log_index=0,
                token=token,
                from_address="0x" + "00" * 20,
                to_address=ME,
                value=100,
                tx_hash="0x" + "ab" * 32,
                block_timestamp=NOW - 30 * DAY,
            )
        )
        connection.execute(
            insert(table_of(GovernanceSettingChange)).values(
                block_number=1,
                log_index=1,
                contract="0x" + "11" * 20,
                setting="quorum_numerator",
                old_value=0,
                new_value=10,
                tx_hash="0x" + "ab" * 32,
                block_timestamp=NOW - 30 * DAY,
            )
        )


def test_state_filters_agree_with_the_reference_states_under_quorum(engine: Engine) -> None:
    _with_quorum(engine)
    # Majority for, but 5 + 0 < 10: defeated for lack of quorum.
    add_proposal(
        engine,
        9,
        block=90,
        title="Quiet vote",
        vote_start=NOW - 5 * DAY,
        vote_end=NOW - 2 * DAY,
        tally=(5, 1, 0, 2),
    )
    reference = list_proposals(engine)
    for state in ("succeeded", "defeated", "active", "queued", "executed"):
        expected = [s.proposal_id for s in reference if s.state == state]
        assert ids(engine, state=state) == expected, state
    assert ids(engine, state="defeated") == [9, 5]
    page = proposal_feed(engine, FeedQuery(state="defeated", page=2, page_size=1))
    assert [s.proposal_id for s in page.items] == [5] and page.total == 2

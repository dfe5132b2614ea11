"""A proposal page's reads from the head's feed snapshot give what the direct reads gave.

The page (`proposal_live.read_proposal_page`) and its treasury impact take the
proposal's summary from the feed snapshot instead of computing it again
(`proposal_summaries` for one proposal still reads every mint and burn of the
votes token), and the page reads the votes once (time order, the chart's) and
cuts the heaviest for its list in Python. Compared here, on both engines, with
the direct reads on the benchmark's generated cooperative (over VOTES_SHOWN
votes per proposal, tied weights, mints, a quorum, queued and executed ones).
"""

from __future__ import annotations

import dataclasses
import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, insert, select, update

from benchmarks.proposal_feed import fill
from coop_dashboard.config import load_settings
from coop_dashboard.db import queries
from coop_dashboard.db.chain_tables import (
    GovernanceSettingChange,
    IndexerCheckpoint,
    Proposal,
    table_of,
)
from coop_dashboard.db.engine import create_tables, get_engine
from coop_dashboard.db.queries import (
    current_setting,
    get_proposal,
    index_status,
    iter_proposal_votes,
    proposal_votes,
)
from coop_dashboard.services.governance import feed_snapshot, proposal_live
from coop_dashboard.services.governance.charts import (
    VotePoint,
    VotesChart,
    cumulative_votes_json,
)
from coop_dashboard.services.governance.feed_snapshot import (
    FeedSnapshot,
    proposal_detail,
    snapshot_cache,
)
from coop_dashboard.services.governance.proposal_view import (
    VOTES_SHOWN,
    ProposalView,
    heaviest_votes,
    read_proposal_view,
)
from coop_dashboard.services.treasury.impact_view import read_proposal_impact
from tests.support.databases import database_url_of
from tests.unit.governance_ui.feed_rows import add_proposal

PROPOSALS = 24
VOTES = 6_000  # ~260 per proposal that has votes: more than the page lists


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    with database_url_of(request.param, tmp_path, "page_reads") as url:
        engine = get_engine(url)  # the engine the page's own reads use
        create_tables(engine)
        fill(engine, PROPOSALS, VOTES, 80, seed=12)
        _timelock_delays(engine, 2 * 86_400, 86_400)
        monkeypatch.setenv("DATABASE_URL", url)
        yield engine
        engine.dispose()


def _timelock_delays(engine: Engine, *delays: int) -> None:
    """The timelock's delay changes (the constructor's, then governance's)."""
    with engine.begin() as connection:
        for block, (old, new) in enumerate(zip((0, *delays), delays, strict=False), start=5):
            connection.execute(
                insert(table_of(GovernanceSettingChange)).values(
                    block_number=block,
                    log_index=0,
                    contract="0x" + "44" * 20,
                    setting="timelock_min_delay",
                    old_value=str(old),
                    new_value=str(new),
                    tx_hash="0x" + "00" * 32,
                    block_timestamp=block,
                )
            )


def _ids(engine: Engine) -> list[int]:
    with engine.connect() as connection:
        rows = connection.execute(select(table_of(Proposal).c.proposal_id)).scalars()
        return [int(pid) for pid in rows]


def _direct_view(engine: Engine, proposal_id: int, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The view as read before the snapshot served it: summary by `proposal_summaries`
    for this one proposal, the listed votes by SQL's own ordering, the clock and the
    timelock delay read on their own."""
    with monkeypatch.context() as patch:
        patch.setattr(FeedSnapshot, "summary_of", lambda self, pid: None)
        view = read_proposal_view(engine, load_settings(), proposal_id, decode=False)
    assert view is not None
    status = index_status(engine)
    assert status is not None
    return dataclasses.replace(
        view,
        now=status.block_timestamp,
        timelock_delay=current_setting(engine, "timelock_min_delay"),
    )


def test_the_snapshot_summary_is_the_direct_one(engine: Engine) -> None:
    ids = _ids(engine)
    states = set()
    for proposal_id in ids:
        detail = proposal_detail(engine, proposal_id)
        assert detail is not None
        assert detail == get_proposal(engine, proposal_id)
        states.add(detail.summary.state)
    # The generated cooperative has every phase a page shows differently.
    assert {"active", "pending", "executed"} <= states


def test_the_page_equals_the_direct_reads(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = _ids(engine)
    longest = 0
    for proposal_id in ids:
        expected = _direct_view(engine, proposal_id, monkeypatch)
        assert isinstance(expected, ProposalView)
        # Actions already decoded (here: their raw lines) are reused, as in a worker.
        monkeypatch.setitem(proposal_live._decoded, proposal_id, list(expected.actions))
        page = proposal_live.read_proposal_page(proposal_id)
        assert page.view == dataclasses.replace(expected, actions_decoded=True)
        assert page.view.timelock_delay == 86_400 and page.view.now > 0
        # The chart as read from its own summary and votes.
        detail = get_proposal(engine, proposal_id)
        assert detail is not None
        votes = proposal_votes(engine, proposal_id, order="time")
        assert page.figure == cumulative_votes_json(
            VotesChart(
                [VotePoint(v.timestamp, v.support, v.weight) for v in votes],
                start=detail.summary.vote_start,
                end=detail.summary.deadline,
                now=expected.now,
                quorum=detail.summary.quorum,
            )
        )
        longest = max(longest, len(votes))
    assert longest > VOTES_SHOWN  # the list was cut, not just copied


def test_the_impact_equals_the_direct_read(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    for proposal_id in _ids(engine):
        got = read_proposal_impact(proposal_id, engine)
        with monkeypatch.context() as patch:
            patch.setattr(FeedSnapshot, "summary_of", lambda self, pid: None)
            assert got == read_proposal_impact(proposal_id, engine)


def test_heaviest_votes_follow_the_sql_order(engine: Engine) -> None:
    rng = random.Random(4)
    ties = 0
    for proposal_id in _ids(engine):
        votes = proposal_votes(engine, proposal_id, order="time")
        # The rows as the CSV export reads them (every column, by name).
        assert votes == [v for batch in iter_proposal_votes(engine, proposal_id, 64) for v in batch]
        ties += len(votes) - len({v.weight for v in votes})
        shuffled = list(votes)
        rng.shuffle(shuffled)  # the rule, not the input's order, breaks ties
        for limit in (VOTES_SHOWN, 5):
            assert heaviest_votes(shuffled, limit) == proposal_votes(
                engine, proposal_id, order="weight", limit=limit
            )
    assert ties > 0  # equal weights were ordered by block and log index


def test_the_page_computes_no_summary_and_reads_votes_once(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    proposal_id = _ids(engine)[0]
    snapshot_cache(engine).current(engine)  # the feed's read of this head
    calls: dict[str, int] = {"summaries": 0, "votes": 0, "details": 0}

    def counting(name: str, read: Any) -> Any:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return read(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(
        queries, "proposal_summaries", counting("summaries", queries.proposal_summaries)
    )
    monkeypatch.setattr(
        proposal_live, "proposal_votes", counting("votes", proposal_live.proposal_votes)
    )
    monkeypatch.setattr(
        feed_snapshot, "get_proposal", counting("details", feed_snapshot.get_proposal)
    )
    monkeypatch.setitem(proposal_live._decoded, proposal_id, [])
    assert proposal_live.read_proposal_page(proposal_id).view is not None
    read_proposal_impact(proposal_id, engine)
    # The page and its treasury impact share one read of the proposal's detail.
    assert calls == {"summaries": 0, "votes": 1, "details": 1}
    # A new indexed head reads it again.
    with engine.begin() as connection:
        connection.execute(update(table_of(IndexerCheckpoint)).values(updated_at=12_345))
    read_proposal_impact(proposal_id, engine)
    assert calls["details"] == 2


def test_a_proposal_the_snapshot_does_not_know(engine: Engine) -> None:
    known, other = _ids(engine)[:2]
    snapshot = snapshot_cache(engine).current(engine)
    # Indexed after the snapshot was read (same head rows: the snapshot stays).
    add_proposal(engine, 77, block=10**7, title="Late", vote_start=1, vote_end=2)
    assert snapshot.summary_of(77) is None
    detail = proposal_detail(engine, 77, snapshot)
    assert detail is not None and detail == get_proposal(engine, 77)
    # A summary of a proposal a rewind removed since: no page.
    with engine.begin() as connection:
        connection.execute(
            delete(table_of(Proposal)).where(table_of(Proposal).c.proposal_id == known)
        )
    assert snapshot.summary_of(known) is not None
    assert proposal_detail(engine, known, snapshot) is None
    with pytest.raises(ValueError):
        get_proposal(engine, 77, summary=snapshot.summary_of(other))


def test_one_flight_per_detail_key() -> None:
    """Concurrent reads of one key wait for the first; a failed read leaves the key to
    the next reader; the oldest keys are dropped past the kept count."""
    details = feed_snapshot._DetailsAtHead(kept=2)
    calls: list[str] = []
    started, release = threading.Event(), threading.Event()
    outcomes: list[Any] = []

    def slow(name: str, fail: bool = False) -> Any:
        def read() -> None:
            calls.append(name)
            started.set()
            assert release.wait(10)
            if fail:
                raise RuntimeError("read failed")

        return read

    def reader(read: Any) -> None:
        try:
            outcomes.append(details.read("key", read))
        except RuntimeError as exc:
            outcomes.append(exc)

    for first_fails in (False, True):
        for reset in (calls.clear, outcomes.clear, started.clear, release.clear):
            reset()
        key_first = threading.Thread(target=reader, args=(slow("first", first_fails),))
        key_first.start()
        assert started.wait(10)
        second = threading.Thread(target=reader, args=(slow("second"),))
        second.start()
        second.join(0.2)  # it waits on the first's flight
        assert calls == ["first"]
        release.set()
        key_first.join(10)
        second.join(10)
        if first_fails:
            # The waiter found no value and read it itself.
            assert calls == ["first", "second"]
            assert any(isinstance(o, RuntimeError) for o in outcomes) and None in outcomes
        else:
            assert calls == ["first"] and outcomes == [None, None]
        details = feed_snapshot._DetailsAtHead(kept=2)

    release.set()
    for key in ("a", "b", "c", "a"):
        details.read(key, lambda key=key: calls.append(key))  # type: ignore[func-returns-value]
    assert calls[-4:] == ["a", "b", "c", "a"]  # "a" was dropped when "c" came
    assert details.read("c", lambda: calls.append("again")) is None  # type: ignore[func-returns-value]
    assert calls[-1] == "a"

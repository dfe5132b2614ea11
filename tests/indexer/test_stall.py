"""A handler that raises never ends the indexer: it backs off, says where and why on the
overview ("indexer stalled at block N: reason"), and recovers once the fault is gone.

Real anvil, real contracts, the real follower loop (`follow`) in a thread, on
SQLite and PostgreSQL; the fault is a handler registered next to the real ones.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from coop_dashboard.chain.contracts import Deployment, write_manifest
from coop_dashboard.chain.transact import Sender
from coop_dashboard.db import queries
from coop_dashboard.db.chain_tables import Vote
from coop_dashboard.indexer.decoders import DecodedLog
from coop_dashboard.indexer.handlers.registry import RowSink
from coop_dashboard.services.overview import read_overview
from coop_dashboard.services.overview_view import overview_view
from tests.indexer.conftest import engine_for, indexer_settings
from tests.indexer.faults import FAST_RETRIES, Fault, following, raise_key_error, registry_with
from tests.indexer.hostile_activity import give_votes, open_voting, propose_raw, vote_raw
from tests.support.chains import Chain

# "...; attempt 3, retrying in 0.2 s": the wait an attempt announces.
_RETRY_IN = re.compile(r"retrying in ([0-9.]+) s")

CONFIG = FAST_RETRIES
WAIT_S = 60.0


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _duplicate_vote_row(_log: DecodedLog, sink: RowSink) -> None:
    # The vote handler already added this row: the database refuses the copy
    # (PostgreSQL through COPY, i.e. a psycopg2 error, not SQLAlchemy's).
    sink.add(Vote, dict(sink.of(Vote)[-1]))


@pytest.mark.parametrize(
    ("make_error", "reason"),
    [(raise_key_error, "keyerror: 'missing_argument'"), (_duplicate_vote_row, "unique")],
    ids=["handler-raises", "database-refuses"],
)
def test_a_failing_handler_stalls_the_indexer_visibly_until_it_is_fixed(
    chain: Chain,
    deployment: Deployment,
    database_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    make_error: Callable[[DecodedLog, RowSink], None],
    reason: str,
) -> None:
    w3 = chain.w3
    voter = Sender.unlocked(w3, w3.eth.accounts[3])
    give_votes(w3, deployment, voter, 600_000)
    proposal = propose_raw(w3, deployment, voter, b"# Fund the GPU cluster\n")
    open_voting(w3, deployment)
    vote_block = vote_raw(w3, deployment, voter, proposal.proposal_id, 1, b"yes")
    head = w3.eth.block_number

    manifest = tmp_path / "deployment.json"
    write_manifest(deployment, manifest)
    settings = dataclasses.replace(
        indexer_settings(chain.rpc_url, manifest, database_url), chain_id=chain.chain_id
    )
    fault = Fault(make_error)
    registry = registry_with(fault)
    engine = engine_for(database_url)
    expected = f"indexer stalled at block {vote_block}: "

    caplog.set_level(logging.WARNING, logger="coop.indexer")
    with following(settings, registry) as thread:
        # Stalled exactly at the vote's block: everything before it is indexed.
        _wait_for(
            lambda: (
                read_overview(settings).indexer_stall.startswith(expected)
                and queries.indexed_block_number(engine) == vote_block - 1
            ),
            "the stall at the vote's block",
        )
        stall = read_overview(settings).indexer_stall
        assert reason in stall.lower(), stall
        assert overview_view(read_overview(settings)).indexer_stall == stall  # what the page binds

        # It keeps retrying, further and further apart (the log says when), and stays alive.
        def attempts() -> list[logging.LogRecord]:
            # Failed ticks since the range narrowed to the vote's block (a step that
            # commits the blocks before it counts as progress: backoff starts over).
            mark = f"indexer stalled at block {vote_block} (log index"
            return [r for r in caplog.records if mark in r.getMessage()]

        _wait_for(lambda: len(attempts()) >= 6, "six attempts")
        records = attempts()[:6]
        logged = [r.getMessage() for r in records]
        # The schedule each attempt announces grows to the maximum...
        waits = [float(m.group(1)) for m in map(_RETRY_IN.search, logged) if m is not None]
        assert len(waits) == len(records), logged
        assert waits == sorted(waits), logged
        assert waits[-1] >= 0.8 * CONFIG.backoff_max_s, logged
        assert waits[0] < 0.5 * waits[-1], logged
        # ...and is kept, not a tight loop: the attempts span at least half the waits
        # announced between them (a lower bound: a pushed head may wake a wait early,
        # and on a loaded machine an attempt may come late).
        elapsed = records[-1].created - records[0].created
        assert elapsed >= 0.5 * sum(waits[:-1]), (elapsed, logged)
        assert thread.is_alive()
        assert queries.indexed_block_number(engine) == vote_block - 1

        fault.active = False
        _wait_for(
            lambda: (
                read_overview(settings).indexer_stall == ""
                and (queries.indexed_block_number(engine) or 0) >= head
            ),
            "the recovery",
        )
    summary = next(
        p for p in queries.list_proposals(engine) if p.proposal_id == proposal.proposal_id
    )
    assert (summary.for_votes, summary.vote_count) == (600_000 * 10**18, 1)

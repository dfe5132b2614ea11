"""Rows for the feed tests, inserted straight into the indexer's tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

from coop_dashboard.db.chain_tables import (
    IndexerCheckpoint,
    Proposal,
    ProposalTally,
    ProposalTransition,
    Vote,
    VotingPowerChange,
    table_of,
)
from coop_dashboard.db.engine import create_tables, make_engine

NOW = 1_800_000_000
HASH = "0x" + "ab" * 32
GOVERNOR = "0x" + "11" * 20


@contextmanager
def app_index(path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """An empty SQLite index at `path`, its clock at NOW, that the app reads (DATABASE_URL)."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    create_tables(engine)
    set_now(engine)
    monkeypatch.setenv("DATABASE_URL", url)
    try:
        yield engine
    finally:
        engine.dispose()


def set_now(engine: Engine, now: int = NOW) -> None:
    with engine.begin() as connection:
        connection.execute(table_of(IndexerCheckpoint).delete())
        connection.execute(
            insert(table_of(IndexerCheckpoint)).values(
                stream="governance",
                deployment_key="k",
                chain_id=31337,
                block_number=10_000,
                block_hash=HASH,
                block_timestamp=now,
                updated_at=now,
            )
        )


def add_proposal(
    engine: Engine,
    proposal_id: int,
    *,
    block: int,
    title: str,
    vote_start: int,
    vote_end: int,
    description: str = "",
    proposer: str = "0x" + "22" * 20,
    tally: tuple[int, int, int, int] | None = None,
    transitions: tuple[str, ...] = (),
) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(table_of(Proposal)).values(
                proposal_id=proposal_id,
                governor=GOVERNOR,
                proposer=proposer,
                title=title,
                description=description or f"# {title}\n",
                description_hash=HASH,
                vote_start=vote_start,
                vote_end=vote_end,
                action_count=1,
                block_number=block,
                log_index=0,
                tx_hash=HASH,
                block_timestamp=vote_start - 10,
            )
        )
        if tally is not None:
            for_votes, against, abstain, count = tally
            connection.execute(
                insert(table_of(ProposalTally)).values(
                    proposal_id=proposal_id,
                    for_votes=for_votes,
                    against_votes=against,
                    abstain_votes=abstain,
                    total_weight=for_votes + against + abstain,
                    vote_count=count,
                )
            )
        for offset, kind in enumerate(transitions, start=1):
            connection.execute(
                insert(table_of(ProposalTransition)).values(
                    block_number=block + offset,
                    log_index=0,
                    proposal_id=proposal_id,
                    kind=kind,
                    eta=NOW + 100 if kind == "queued" else None,
                    tx_hash=HASH,
                    block_timestamp=vote_end + offset,
                )
            )


def add_vote(engine: Engine, proposal_id: int, voter: str, *, block: int, weight: int) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(table_of(Vote)).values(
                block_number=block,
                log_index=0,
                proposal_id=proposal_id,
                voter=voter,
                support=1,
                weight=weight,
                reason="",
                tx_hash=HASH,
                block_timestamp=NOW - 5,
            )
        )


def add_power(engine: Engine, delegate: str, *, block: int, timestamp: int, votes: int) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(table_of(VotingPowerChange)).values(
                block_number=block,
                log_index=0,
                delegate=delegate,
                previous_votes=0,
                new_votes=votes,
                tx_hash=HASH,
                block_timestamp=timestamp,
            )
        )

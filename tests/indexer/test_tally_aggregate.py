"""gov_proposal_tally follows the votes through batches and rewinds, on both engines."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select

from coop_dashboard.db.chain_tables import ProposalTally, Vote, table_of
from coop_dashboard.db.engine import create_tables, get_engine
from coop_dashboard.indexer.handlers.aggregates import ProposalTallies
from coop_dashboard.indexer.handlers.registry import RowSink

COOP = 10**18
BIG_ID = 2**255 + 7  # proposal ids are keccak hashes: full uint256 range


def _vote(block: int, proposal_id: int, support: int, weight: int) -> dict[str, Any]:
    return {
        "block_number": block,
        "log_index": 0,
        "proposal_id": proposal_id,
        "voter": "0x" + f"{block:040x}",
        "support": support,
        "weight": weight,
        "reason": "",
        "params": None,
        "tx_hash": "0x" + "ab" * 32,
        "block_timestamp": 1_800_000_000 + block,
    }


def _tallies(database_url: str) -> dict[int, tuple[int, int, int, int, int]]:
    t = table_of(ProposalTally)
    with get_engine(database_url).connect() as connection:
        rows = connection.execute(
            select(
                t.c.proposal_id,
                t.c.for_votes,
                t.c.against_votes,
                t.c.abstain_votes,
                t.c.total_weight,
                t.c.vote_count,
            )
        )
        return {row[0]: tuple(row[1:]) for row in rows}


def test_total_weight_follows_batches_and_rewinds(database_url: str) -> None:
    engine = get_engine(database_url)
    create_tables(engine)
    tallies = ProposalTallies()
    votes = table_of(Vote)
    batches = [
        [_vote(10, BIG_ID, 1, 400_000 * COOP), _vote(11, 7, 0, 2 * COOP)],
        [_vote(20, BIG_ID, 0, 100_000 * COOP), _vote(21, BIG_ID, 2, 5 * COOP)],
        [_vote(30, 7, 1, 900_000 * COOP)],
    ]
    for batch in batches:
        sink = RowSink()
        for row in batch:
            sink.add(Vote, row)
        with engine.begin() as connection:
            connection.execute(insert(votes), batch)
            tallies.apply(connection, sink)
    # (for, against, abstain, total weight, votes), as the Governor's proposalVotes adds up.
    assert _tallies(database_url) == {
        BIG_ID: (400_000 * COOP, 100_000 * COOP, 5 * COOP, 500_005 * COOP, 3),
        7: (900_000 * COOP, 2 * COOP, 0, 900_002 * COOP, 2),
    }

    # A reorg back to block 15: the later votes are subtracted, then deleted.
    with engine.begin() as connection:
        tallies.revert(connection, 15)
        connection.execute(delete(votes).where(votes.c.block_number > 15))
    assert _tallies(database_url) == {
        BIG_ID: (400_000 * COOP, 0, 0, 400_000 * COOP, 1),
        7: (0, 2 * COOP, 0, 2 * COOP, 1),
    }
    with engine.begin() as connection:
        tallies.revert(connection, 0)
        connection.execute(delete(votes))
    assert _tallies(database_url) == {}  # back to zero: no rows left, as if never voted

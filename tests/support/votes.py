"""A proposal with many votes, inserted straight into the indexer's tables (CSV export load)."""

from __future__ import annotations

from sqlalchemy import Engine

from coop_dashboard.db.bulk_insert import bulk_insert
from coop_dashboard.db.chain_tables import Proposal, Vote, table_of

HASH = "0x" + "ab" * 32
START = 1_800_000_000
# Reasons a spreadsheet would evaluate, and plain ones.
REASONS = ('=HYPERLINK("http://evil.example")', "+1 for open data", "", "Agreed.")


def add_proposal_with_votes(engine: Engine, proposal_id: int, votes: int) -> None:
    """Proposal `proposal_id` with `votes` votes from distinct voters, oldest first."""
    proposal = {
        "proposal_id": proposal_id,
        "governor": "0x" + "11" * 20,
        "proposer": "0x" + "22" * 20,
        "title": "Many votes",
        "description": "# Many votes\n",
        "description_hash": HASH,
        "vote_start": START,
        "vote_end": START + 86_400,
        "action_count": 1,
        "block_number": 1_000,
        "log_index": 0,
        "tx_hash": HASH,
        "block_timestamp": START - 60,
    }
    rows = [
        {
            "block_number": 1_001 + n // 400,
            "log_index": n % 400,
            "proposal_id": proposal_id,
            "voter": "0x" + f"{n + 100:040x}",
            "support": n % 3,
            "weight": (n + 1) * 10**18,
            "reason": REASONS[n % len(REASONS)],
            "params": None,
            "tx_hash": HASH,
            "block_timestamp": START + 60 + n,
        }
        for n in range(votes)
    ]
    with engine.begin() as connection:
        bulk_insert(connection, table_of(Proposal), [proposal])
        for start in range(0, len(rows), 20_000):
            bulk_insert(connection, table_of(Vote), rows[start : start + 20_000])

"""Proposal feed benchmark: first page of the feed over 1,000 proposals and 100,000 votes.

    .venv/bin/python benchmarks/proposal_feed.py [--proposals 1000] [--votes 100000]
        [--database-url postgresql://...]  (an empty database; default: a fresh SQLite file)

Fills a fresh SQLite file through the indexer's tables (bulk inserts, as the
indexer writes them): proposals in every phase, their tallies and
transitions, votes spread over them, voting-power checkpoints and mints. Then
times, server side, `services.governance.feed.proposal_feed` for the feed's
first page (default view, an active-only filter, a text search, "ending soon"
and "needs my vote"), median and p95 over repeated calls, against a naive
baseline in the same run: load every proposal (`db.queries.list_proposals`)
and every vote, then filter, search, sort and slice in Python.
Target (issue 5): first page < 100 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text

from coop_dashboard.db.bulk_insert import bulk_insert
from coop_dashboard.db.chain_tables import (
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
from coop_dashboard.db.engine import create_tables, make_engine
from coop_dashboard.db.queries import ProposalSummary, list_proposals
from coop_dashboard.services.governance.feed import FeedQuery, proposal_feed

NOW = 1_800_000_000
DAY = 86_400
HASH = "0x" + "ab" * 32
TOKEN = "0x" + "70" * 20
ZERO = "0x" + "00" * 20
PAGE_SIZE = 10
TARGET_MS = 100.0
WORDS = [
    "dataset",
    "license",
    "gpu",
    "cluster",
    "budget",
    "treasury",
    "grant",
    "curator",
    "audit",
    "quorum",
    "model",
    "eval",
]


def _address(index: int) -> str:
    return "0x" + f"{index:040x}"


def fill(engine: Engine, proposals: int, votes: int, voters: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    proposal_rows, tallies, transitions = [], [], []
    vote_rows: list[dict[str, Any]] = []
    block = 1_000
    # Mostly ended, some active and pending (no votes yet), like a long-lived DAO.
    starts = []
    for _ in range(proposals):
        phase = rng.random()
        start = NOW - rng.randint(3, 900) * DAY if phase < 0.9 else NOW - DAY
        starts.append(NOW + DAY if phase > 0.97 else start)
    voting = sum(1 for start in starts if start < NOW) or 1
    votes_per, extra = divmod(votes, voting)
    seen_voting = 0
    for index, start in enumerate(starts):
        pid = rng.getrandbits(256)
        end = start + 3 * DAY
        quota = 0
        if start < NOW:
            quota = votes_per + (1 if seen_voting < extra else 0)
            seen_voting += 1
        title = " ".join(rng.sample(WORDS, 3)).capitalize() + f" #{index}"
        block += 10
        proposal_rows.append(
            {
                "proposal_id": pid,
                "governor": _address(1),
                "proposer": _address(rng.randrange(voters) + 100),
                "title": title,
                "description": f"# {title}\n\n" + " ".join(rng.choices(WORDS, k=80)),
                "description_hash": HASH,
                "vote_start": start,
                "vote_end": end,
                "action_count": 1,
                "block_number": block,
                "log_index": 0,
                "tx_hash": HASH,
                "block_timestamp": start - 60,
            }
        )
        counts = Counter[int]()
        sums = Counter[int]()
        for n in range(quota):
            support = rng.choice((0, 1, 1, 2))
            weight = rng.randint(1, 10_000) * 10**18
            counts[support] += 1
            sums[support] += weight
            vote_rows.append(
                {
                    "block_number": block + 1 + n // 400,
                    "log_index": n,
                    "proposal_id": pid,
                    "voter": _address(100 + (index + n) % voters),
                    "support": support,
                    "weight": weight,
                    "reason": "",
                    "params": None,
                    "tx_hash": HASH,
                    "block_timestamp": start + 60,
                }
            )
        tallies.append(
            {
                "proposal_id": pid,
                "for_votes": sums[1],
                "against_votes": sums[0],
                "abstain_votes": sums[2],
                "total_weight": sum(sums.values()),
                "vote_count": sum(counts.values()),
            }
        )
        if end < NOW and rng.random() < 0.5:
            for offset, kind in enumerate(("queued", "executed")[: rng.randint(1, 2)], start=5):
                transitions.append(
                    {
                        "block_number": block + offset,
                        "log_index": 0,
                        "proposal_id": pid,
                        "kind": kind,
                        "eta": end + DAY if kind == "queued" else None,
                        "extended_deadline": None,
                        "tx_hash": HASH,
                        "block_timestamp": end + offset,
                    }
                )
    power = [
        {
            "block_number": 10 + i,
            "log_index": 0,
            "delegate": _address(100 + i),
            "previous_votes": 0,
            "new_votes": 10_000 * 10**18,
            "tx_hash": HASH,
            "block_timestamp": NOW - 1_000 * DAY,
        }
        for i in range(voters)
    ]
    mints = [
        {
            "block_number": 10 + i,
            "log_index": 1,
            "token": TOKEN,
            "from_address": ZERO,
            "to_address": _address(100 + i),
            "value": 10_000 * 10**18,
            "tx_hash": HASH,
            "block_timestamp": NOW - 1_000 * DAY,
        }
        for i in range(voters)
    ]
    with engine.begin() as connection:
        bulk_insert(
            connection, table_of(IndexedContract), [{"name": "CoopToken", "address": TOKEN}]
        )
        bulk_insert(
            connection,
            table_of(IndexerCheckpoint),
            [
                {
                    "stream": "governance",
                    "deployment_key": "bench",
                    "chain_id": 31337,
                    "block_number": block + 100,
                    "block_hash": HASH,
                    "block_timestamp": NOW,
                    "updated_at": NOW,
                }
            ],
        )
        bulk_insert(connection, table_of(Proposal), proposal_rows)
        bulk_insert(connection, table_of(ProposalTally), tallies)
        bulk_insert(connection, table_of(ProposalTransition), transitions)
        bulk_insert(connection, table_of(VotingPowerChange), power)
        bulk_insert(connection, table_of(TokenTransfer), mints)
        for start in range(0, len(vote_rows), 20_000):
            bulk_insert(connection, table_of(Vote), vote_rows[start : start + 20_000])


def naive_first_page(engine: Engine, query: FeedQuery) -> list[ProposalSummary]:
    """What a feed without the SQL service would do: everything into Python, then filter."""
    summaries = list_proposals(engine)
    votes = table_of(Vote)
    with engine.connect() as connection:
        voted = {
            (row.proposal_id, row.voter)
            for row in connection.execute(select(votes.c.proposal_id, votes.c.voter))
        }
    descriptions = {}
    with engine.connect() as connection:
        proposals = table_of(Proposal)
        for pid, description in connection.execute(
            select(proposals.c.proposal_id, proposals.c.description)
        ):
            descriptions[pid] = description.lower()
    items = summaries
    if query.state:
        items = [s for s in items if s.state == query.state]
    for term in query.search.lower().split():
        items = [s for s in items if term in s.title.lower() or term in descriptions[s.proposal_id]]
    if query.needs_vote_of:
        items = [
            s
            for s in items
            if s.state == "active" and (s.proposal_id, query.needs_vote_of) not in voted
        ]
    if query.sort == "most_votes":
        items = sorted(items, key=lambda s: -(s.for_votes + s.against_votes + s.abstain_votes))
    elif query.sort == "ending_soon":
        items = sorted(items, key=lambda s: (s.deadline < NOW, s.deadline))
    return items[: query.page_size]


def timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    call()  # warm caches (SQLite pages, SQLAlchemy statement cache)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--proposals", type=int, default=1_000)
    parser.add_argument("--votes", type=int, default=100_000)
    parser.add_argument("--voters", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--baseline-repeat", type=int, default=5)
    parser.add_argument(
        "--database-url",
        help="an empty database to fill (the scaled configuration's PostgreSQL, say)",
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'feed.db'}"
        engine = make_engine(url)
        create_tables(engine)
        started = time.perf_counter()
        fill(engine, args.proposals, args.votes, args.voters)
        if engine.dialect.name == "postgresql":
            # A live database has planner statistics (autovacuum); a freshly bulk-filled
            # one has none yet, and the "defeated" plan is then ~15x slower.
            with engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        with engine.connect() as connection:
            vote_count = connection.execute(
                select(table_of(Vote).c.block_number).order_by(None)
            ).all()
        kind = "SQLite file" if engine.dialect.name == "sqlite" else engine.dialect.name
        print(
            f"filled {args.proposals:,} proposals, {len(vote_count):,} votes in "
            f"{time.perf_counter() - started:.1f} s ({kind})"
        )
        cases = {
            "newest (default view)": FeedQuery(page_size=PAGE_SIZE),
            "state = active": FeedQuery(state="active", page_size=PAGE_SIZE),
            "state = defeated": FeedQuery(state="defeated", page_size=PAGE_SIZE),
            "search 'gpu budget'": FeedQuery(search="gpu budget", page_size=PAGE_SIZE),
            "ending soon": FeedQuery(sort="ending_soon", page_size=PAGE_SIZE),
            "most votes": FeedQuery(sort="most_votes", page_size=PAGE_SIZE),
            "needs my vote": FeedQuery(needs_vote_of=_address(150), page_size=PAGE_SIZE),
        }
        print(f"first page ({PAGE_SIZE} rows), milliseconds, median / p95:")
        print(f"{'query':<24}{'feed service':>20}{'naive baseline':>22}{'speed-up':>10}")
        worst = 0.0
        for name, query in cases.items():
            median, p95 = timed(lambda q=query: proposal_feed(engine, q), args.repeat)
            base_median, base_p95 = timed(
                lambda q=query: naive_first_page(engine, q), args.baseline_repeat
            )
            worst = max(worst, p95)
            print(
                f"{name:<24}{median:>10.1f} / {p95:>6.1f}{base_median:>12.1f} / {base_p95:>6.1f}"
                f"{base_median / median:>9.1f}x"
            )
        verdict = "met" if worst < TARGET_MS else "MISSED"
        print(f"worst p95 {worst:.1f} ms: target < {TARGET_MS:.0f} ms {verdict}")
        engine.dispose()
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())

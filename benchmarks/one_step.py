"""Reading a proposal's votes from SQLite beside a busy thread: row by row vs one step.

    .venv/bin/python benchmarks/one_step.py [--proposals 200]

A server's reads run in threads while its event loop works; Python's sqlite3 hands the
interpreter lock away for every row it fetches, and each time the reading thread
waits for the busy thread to give it back (after the switch interval the app sets,
loop_latency.SWITCH_INTERVAL_S). db/one_step.py packs the rows into one JSON value in
SQLite, fetched in one step. This prints, for `proposal_votes` of each voted proposal
(benchmarks/proposal_feed.py's data: 1,000 proposals, 100,000 votes), the median and
p95 read time alone and beside a thread that only counts, for both ways, at the app's
switch interval. No target of its own: it explains issue 10's proposal-page figures.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from sqlalchemy import Engine, text  # noqa: E402

from benchmarks.proposal_feed import fill  # noqa: E402
from coop_dashboard.db import queries  # noqa: E402
from coop_dashboard.db.engine import make_engine  # noqa: E402
from coop_dashboard.db.migrations import upgrade_database  # noqa: E402
from coop_dashboard.loop_latency import SWITCH_INTERVAL_S  # noqa: E402


def row_by_row(engine: Engine, proposal_id: int) -> list[queries.VoteRow]:
    """The baseline: proposal_votes' statement, fetched as the driver steps."""
    statement = queries.proposal_votes_statement(proposal_id, order="time")
    with engine.connect() as connection:
        return [queries.VoteRow(*row) for row in connection.execute(statement)]


def one_step(engine: Engine, proposal_id: int) -> list[queries.VoteRow]:
    return queries.proposal_votes(engine, proposal_id, order="time")


def timed(read: Callable[[Engine, int], object], engine: Engine, ids: list[int]) -> str:
    times = []
    for proposal_id in ids:
        started = time.perf_counter()
        read(engine, proposal_id)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return f"{statistics.median(times):7.2f} / {times[int(0.95 * (len(times) - 1))]:7.2f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--proposals", type=int, default=200, help="voted proposals read")
    args = parser.parse_args(argv)
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    with tempfile.TemporaryDirectory(prefix="coop-one-step-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'votes.db'}"
        upgrade_database(url)
        engine = make_engine(url)
        fill(engine, 1_000, 100_000, 500)
        with engine.connect() as connection:
            ids = [
                int(row[0])
                for row in connection.execute(
                    text(
                        "SELECT proposal_id FROM gov_vote GROUP BY proposal_id"
                        " ORDER BY proposal_id LIMIT :n"
                    ),
                    {"n": args.proposals},
                )
            ]
        votes = len(one_step(engine, ids[0]))
        assert one_step(engine, ids[0]) == row_by_row(engine, ids[0])
        print(
            f"{len(ids)} proposals (~{votes} votes each), median / p95 per read, "
            f"switch interval {SWITCH_INTERVAL_S * 1000:g} ms:"
        )
        print(f"  alone, row by row (baseline)   {timed(row_by_row, engine, ids)}")
        print(f"  alone, one step                {timed(one_step, engine, ids)}")
        busy = threading.Event()

        def count() -> None:
            spins = 0
            while not busy.is_set():
                spins += 1

        spinner = threading.Thread(target=count)
        spinner.start()
        try:
            print(f"  busy thread, row by row        {timed(row_by_row, engine, ids)}")
            print(f"  busy thread, one step          {timed(one_step, engine, ids)}")
        finally:
            busy.set()
            spinner.join()
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

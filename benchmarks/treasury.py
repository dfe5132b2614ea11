"""Treasury page speed over two years of daily history (SQLite file, or --database-url).

Fills treasury_movement with 730 days of movements (ETH and cUSD: a daily licence-
style inflow, weekly payments, monthly grants; several categories), then times,
median / p95 over repeated runs:
- the page's data (`read_treasury_view`: every query and aggregate) and each figure
  (balance, flows) for day / week / month over "all";
- baseline in the same run: `db.queries.treasury_balance_per_day` (the generic
  per-day balance walk the indexer tests use) over the same rows.
Targets: every figure < 200 ms, the page's data < 100 ms.
"""

from __future__ import annotations

import argparse
import functools
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert

from coop_dashboard.db.chain_tables import (
    IndexedContract,
    IndexerCheckpoint,
    TreasuryMovement,
    table_of,
)
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.migrations import upgrade_database
from coop_dashboard.db.queries import treasury_balance_per_day
from coop_dashboard.db.treasury_categories import Category
from coop_dashboard.db.treasury_queries import all_movements
from coop_dashboard.services.treasury import view as treasury_view
from coop_dashboard.services.treasury.assets import Asset, recognised_assets
from coop_dashboard.services.treasury.charts import balance_figure, flows_figure
from coop_dashboard.services.treasury.ledger import balance_series, flows_by_category
from coop_dashboard.services.treasury.periods import Period, Window
from coop_dashboard.services.treasury.view import TreasuryKey, read_treasury_view

DAY = 86_400
START = 1_700_000_000
STABLE = "0x" + "5c" * 20
TOKEN = "0x" + "c0" * 20


def fill(database_url: str, days: int = 730) -> int:
    upgrade_database(database_url)
    engine = get_engine(database_url)
    rng = random.Random(7)
    rows = []
    block = 1
    for day in range(days):
        t = START + day * DAY
        todays = [
            ("eth", "in", Category.OTHER, rng.randint(1, 5) * 10**17),
            (STABLE, "in", Category.OTHER, rng.randint(100, 900) * 10**6),
        ]
        if day % 7 == 0:
            todays.append((STABLE, "out", Category.PROPOSAL_TRANSFER, 1_500 * 10**6))
        if day % 30 == 0:
            todays.append(("eth", "out", Category.PROPOSAL_TRANSFER, 2 * 10**18))
        if day % 97 == 0:
            todays.append(("eth", "in", Category.BOND_SLASHED, 10**17))
        for index, (asset, direction, category, amount) in enumerate(todays):
            rows.append(
                {
                    "block_number": block,
                    "log_index": index,
                    "asset": asset,
                    "direction": direction,
                    "counterparty": "0x" + "77" * 20,
                    "amount": amount,
                    "source": "erc20_transfer" if asset != "eth" else "eth_tx",
                    "tx_hash": "0x" + f"{block:064x}",
                    "block_timestamp": t + index,
                    "category": category.value,
                    "proposal_id": None,
                }
            )
        block += 1
    with engine.begin() as connection:
        connection.execute(insert(table_of(TreasuryMovement)), rows)
        connection.execute(
            insert(table_of(IndexedContract)),
            [
                {"name": "MockStablecoin", "address": STABLE},
                {"name": "CoopToken", "address": TOKEN},
            ],
        )
        connection.execute(
            insert(table_of(IndexerCheckpoint)).values(
                stream="main",
                deployment_key="bench",
                chain_id=31337,
                block_number=block,
                block_hash="0x" + "00" * 32,
                block_timestamp=START + days * DAY,
                updated_at=0,
            )
        )
    return len(rows)


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    samples = []
    fn()  # warm
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'treasury.db'}"
        count = fill(url)
        engine = get_engine(url)
        print(f"{count} movements over 730 days in {url.split(':')[0]}")
        movements = all_movements(engine)
        assets = recognised_assets({"MockStablecoin": STABLE, "CoopToken": TOKEN})
        now = START + 730 * DAY
        results: list[tuple[str, float, float]] = []
        for period in Period:
            for asset in (assets[0], assets[2]):

                def balance(period: Period = period, asset: Asset = asset) -> object:
                    series = balance_series(movements, asset.key, period, Window.ALL, now)
                    return balance_figure(series, asset)

                def flows(period: Period = period, asset: Asset = asset) -> object:
                    buckets, found = flows_by_category(
                        movements, asset.key, period, Window.ALL, now
                    )
                    return flows_figure(buckets, found, asset)

                symbol = asset.symbol
                results.append((f"balance figure {symbol} {period}", *timed(balance, args.runs)))
                results.append((f"flows figure {symbol} {period}", *timed(flows, args.runs)))
        for period in Period:
            key = TreasuryKey(asset="ETH", period=period.value, window="all")
            read = functools.partial(read_treasury_view, key, engine)

            def first_at_head(read: Callable[[], object] = read) -> object:
                treasury_view._MOVEMENTS_CACHE.clear()  # as after a new indexed head
                return read()

            results.append(
                (f"page data, first key at a head, {period}", *timed(first_at_head, args.runs))
            )
            results.append((f"page data, another key same head, {period}", *timed(read, args.runs)))
        results.append(
            (
                "baseline: queries.treasury_balance_per_day",
                *timed(lambda: treasury_balance_per_day(engine), args.runs),
            )
        )
        print(f"{'what':<48} {'median ms':>10} {'p95 ms':>10}")
        for name, median, p95 in results:
            print(f"{name:<48} {median:>10.1f} {p95:>10.1f}")


if __name__ == "__main__":
    main()

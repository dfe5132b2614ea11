"""Holdings, balances over time and flows by category, from the indexed movements (pure).

Everything here sums exact ints over `Movement` rows (oldest first); floats
appear only in the chart figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from coop_dashboard.db.treasury_categories import Category
from coop_dashboard.db.treasury_queries import Movement
from coop_dashboard.services.treasury.assets import Asset
from coop_dashboard.services.treasury.periods import (
    Period,
    Window,
    bucket_start,
    buckets,
    day_of,
    window_start,
)


@dataclass(frozen=True)
class Holding:
    asset: Asset
    amount: int
    supply: int | None  # the token's indexed supply (None for ETH)


@dataclass(frozen=True)
class Unrecognised:
    token: str
    received: int  # base units, as the token's own Transfer logs claim
    sent: int
    movements: int


def balances(movements: Iterable[Movement]) -> dict[str, int]:
    """Balance per asset key after every movement given."""
    found: dict[str, int] = defaultdict(int)
    for item in movements:
        found[item.asset] += item.signed
    return dict(found)


def holdings(
    movements: Sequence[Movement], assets: Sequence[Asset], supplies: dict[str, int]
) -> tuple[list[Holding], list[Unrecognised]]:
    """The recognised assets' balances (zero included), and the other tokens apart."""
    by_asset = balances(movements)
    known = {asset.key for asset in assets}
    held = [Holding(asset, by_asset.get(asset.key, 0), supplies.get(asset.key)) for asset in assets]
    received: dict[str, int] = defaultdict(int)
    sent: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    for item in movements:
        if item.asset in known:
            continue
        counts[item.asset] += 1
        if item.direction == "in":
            received[item.asset] += item.amount
        else:
            sent[item.asset] += item.amount
    others = [
        Unrecognised(token, received[token], sent[token], counts[token]) for token in sorted(counts)
    ]
    return held, others


@dataclass(frozen=True)
class BalancePoint:
    bucket: date  # the bucket's first day (UTC)
    balance: int  # at the end of the bucket


def balance_series(
    movements: Sequence[Movement], asset: str, period: Period, window: Window, now: int
) -> list[BalancePoint]:
    """End-of-bucket balances of `asset` over the window ending at the index's clock `now`."""
    start = window_start(now, window)
    opening = 0
    change: dict[date, int] = defaultdict(int)
    first_day: date | None = None
    for item in movements:
        if item.asset != asset:
            continue
        if start is not None and item.timestamp < start:
            opening += item.signed
            continue
        day = day_of(item.timestamp)
        first_day = first_day or day
        change[bucket_start(day, period)] += item.signed
    if start is not None:
        first = day_of(start)
    elif first_day is not None:
        first = first_day
    else:
        return []
    points: list[BalancePoint] = []
    balance = opening
    for bucket in buckets(first, day_of(now), period):
        balance += change.get(bucket, 0)
        points.append(BalancePoint(bucket, balance))
    return points


@dataclass(frozen=True)
class CategoryFlows:
    category: Category
    inflow: dict[date, int]  # bucket -> amount
    outflow: dict[date, int]

    @property
    def total_in(self) -> int:
        return sum(self.inflow.values())

    @property
    def total_out(self) -> int:
        return sum(self.outflow.values())


def flows_by_category(
    movements: Sequence[Movement], asset: str, period: Period, window: Window, now: int
) -> tuple[list[date], list[CategoryFlows]]:
    """The window's buckets and, for every category (zero ones included), in/out per bucket."""
    start = window_start(now, window)
    inflow: dict[Category, dict[date, int]] = {c: defaultdict(int) for c in Category}
    outflow: dict[Category, dict[date, int]] = {c: defaultdict(int) for c in Category}
    first_day: date | None = None
    for item in movements:
        if item.asset != asset or (start is not None and item.timestamp < start):
            continue
        day = day_of(item.timestamp)
        first_day = first_day or day
        target = inflow if item.direction == "in" else outflow
        target[Category(item.category)][bucket_start(day, period)] += item.amount
    first = day_of(start) if start is not None else first_day
    periods = [] if first is None else buckets(first, day_of(now), period)
    return periods, [CategoryFlows(c, dict(inflow[c]), dict(outflow[c])) for c in Category]


def in_bucket(
    movements: Iterable[Movement],
    *,
    asset: str | None,
    category: str | None,
    bucket: date | None,
    period: Period,
) -> list[Movement]:
    """The movements a clicked bar stands for (None: no filter on that field)."""
    return [
        item
        for item in movements
        if (asset is None or item.asset == asset)
        and (category is None or item.category == category)
        and (bucket is None or bucket_start(day_of(item.timestamp), period) == bucket)
    ]

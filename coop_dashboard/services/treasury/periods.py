"""Calendar buckets (UTC day / ISO week / month) and look-back windows on the chain's clock."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class Window(StrEnum):
    DAYS_30 = "30d"
    YEAR = "1y"
    ALL = "all"


WINDOW_DAYS: dict[Window, int | None] = {Window.DAYS_30: 30, Window.YEAR: 365, Window.ALL: None}
DAY_S = 86_400


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def day_of(timestamp: int) -> date:
    """The UTC day of a unix timestamp (integer arithmetic: 3x faster than datetime,
    and the pages call it for every movement)."""
    return date.fromordinal(_EPOCH_ORDINAL + timestamp // DAY_S)


def bucket_start(day: date, period: Period) -> date:
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())  # Monday
    if period is Period.MONTH:
        return day.replace(day=1)
    return day


def next_bucket(start: date, period: Period) -> date:
    if period is Period.DAY:
        return start + timedelta(days=1)
    if period is Period.WEEK:
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def window_start(now: int, window: Window) -> int | None:
    """The first timestamp inside the window ending at `now` (None: since the beginning)."""
    days = WINDOW_DAYS[window]
    return None if days is None else now - days * DAY_S


def buckets(first: date, last: date, period: Period) -> list[date]:
    """Every bucket start from the one holding `first` to the one holding `last`."""
    found: list[date] = []
    current = bucket_start(first, period)
    while current <= last:
        found.append(current)
        current = next_bucket(current, period)
    return found


def parse_period(text: str) -> Period:
    try:
        return Period(text)
    except ValueError:
        return Period.MONTH


def parse_window(text: str) -> Window:
    try:
        return Window(text)
    except ValueError:
        return Window.YEAR

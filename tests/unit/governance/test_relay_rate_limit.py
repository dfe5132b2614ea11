"""The gasless relayer's rate limit, counted in the database every backend worker shares.

Each test runs on a SQLite file and on PostgreSQL; two limiters built on two
engines of the same database stand for two backend workers.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from coop_dashboard.db.chain_tables import table_of
from coop_dashboard.db.engine import create_tables, make_engine
from coop_dashboard.db.relay_tables import RelayEvent
from coop_dashboard.services.governance.relay_policy import RateLimited, RelayRateLimiter
from tests.support.databases import database_url_of

VOTER = "0x" + "aa" * 20
OTHER = "0x" + "bb" * 20


class FakeClock:
    """Wall-clock seconds that only move when a test says so."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url_of(request.param, tmp_path, "relay") as url:
        engine = make_engine(url)
        create_tables(engine)
        engine.dispose()
        yield url


@pytest.fixture
def workers(database_url: str) -> Iterator[tuple[Engine, Engine]]:
    """Two engines on one database: what two backend processes have."""
    first, second = make_engine(database_url), make_engine(database_url)
    yield first, second
    first.dispose()
    second.dispose()


def _rows(engine: Engine, voter: str = VOTER) -> int:
    events = table_of(RelayEvent)
    with engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(events).where(events.c.voter == voter)
            ).scalar_one()
        )


def test_the_limit_refuses_with_the_wait_until_a_slot_frees(
    workers: tuple[Engine, Engine],
) -> None:
    engine, _ = workers
    clock = FakeClock()
    limiter = RelayRateLimiter(engine, max_per_window=2, window_s=60, clock=clock)
    limiter.try_acquire(VOTER)
    clock.now += 10
    limiter.try_acquire(VOTER.upper().replace("0X", "0x"))  # addresses in any case: one voter
    with pytest.raises(RateLimited) as caught:
        limiter.try_acquire(VOTER)
    assert caught.value.retry_after_s == 50.0  # the first relay leaves the window in 50 s
    assert _rows(engine) == 2  # the refused attempt left nothing behind
    limiter.try_acquire(OTHER)  # other voters are unaffected
    clock.now += 50
    limiter.try_acquire(VOTER)  # the first one has expired
    with pytest.raises(RateLimited) as caught:
        limiter.try_acquire(VOTER)
    assert caught.value.retry_after_s == 10.0


def test_two_workers_share_one_count(workers: tuple[Engine, Engine]) -> None:
    clock = FakeClock()
    first, second = (
        RelayRateLimiter(engine, max_per_window=3, window_s=3_600, clock=clock)
        for engine in workers
    )
    first.try_acquire(VOTER)
    second.try_acquire(VOTER)
    first.try_acquire(VOTER)
    for limiter in (first, second):
        with pytest.raises(RateLimited):
            limiter.try_acquire(VOTER)


def test_release_gives_the_slot_back(workers: tuple[Engine, Engine]) -> None:
    clock = FakeClock()
    first, second = (
        RelayRateLimiter(engine, max_per_window=1, window_s=3_600, clock=clock)
        for engine in workers
    )
    slot = first.try_acquire(VOTER)
    with pytest.raises(RateLimited):
        second.try_acquire(VOTER)
    first.release(slot)  # e.g. the simulation refused the ballot: no gas spent
    second.try_acquire(VOTER)
    assert _rows(workers[0]) == 1


def test_expired_events_are_pruned(workers: tuple[Engine, Engine]) -> None:
    engine, _ = workers
    clock = FakeClock()
    limiter = RelayRateLimiter(engine, max_per_window=5, window_s=60, clock=clock)
    for _ in range(3):
        limiter.try_acquire(VOTER)
    clock.now += 61
    limiter.try_acquire(OTHER)  # the first relay after a window prunes what expired
    assert (_rows(engine, VOTER), _rows(engine, OTHER)) == (0, 1)


def _race(
    limiters: list[RelayRateLimiter], voter: str, threads_per_limiter: int
) -> tuple[list[int], list[float]]:
    """Every thread calls try_acquire at once; the slots admitted and the waits refused."""
    start = threading.Barrier(len(limiters) * threads_per_limiter)
    admitted: list[int] = []
    refused: list[float] = []
    lock = threading.Lock()

    def attempt(limiter: RelayRateLimiter) -> None:
        start.wait()
        try:
            slot = limiter.try_acquire(voter)
        except RateLimited as limited:
            with lock:
                refused.append(limited.retry_after_s)
        else:
            with lock:
                admitted.append(slot)

    threads = [
        threading.Thread(target=attempt, args=(limiter,))
        for limiter in limiters
        for _ in range(threads_per_limiter)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return admitted, refused


@pytest.mark.parametrize("limit", [1, 3])
def test_racing_workers_never_admit_more_than_the_limit(
    workers: tuple[Engine, Engine], database_url: str, limit: int
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("the race matters where workers write concurrently: PostgreSQL")
    clock = FakeClock()
    limiters = [
        RelayRateLimiter(engine, max_per_window=limit, window_s=3_600, clock=clock)
        for engine in workers
    ]
    threads_per_worker = 6
    for round_number in range(8):
        voter = "0x" + f"{round_number + 1:040x}"
        admitted, refused = _race(limiters, voter, threads_per_worker)
        assert len(admitted) + len(refused) == 2 * threads_per_worker
        assert len(admitted) <= limit, f"round {round_number}: {len(admitted)} admitted"
        # Refused attempts withdrew their rows: the database holds exactly the admitted.
        assert _rows(workers[0], voter) == len(admitted)
        assert all(wait > 0 for wait in refused)

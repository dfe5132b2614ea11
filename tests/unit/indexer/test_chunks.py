"""The adaptive eth_getLogs range."""

from __future__ import annotations

from coop_dashboard.indexer.chunks import ChunkSizer


def test_grows_over_empty_history_at_most_two_fold() -> None:
    sizer = ChunkSizer(size=10, target_logs=1_000)
    sizer.succeeded(blocks=10, logs=0, seconds=0.01)
    assert sizer.size == 20
    sizer.succeeded(blocks=20, logs=0, seconds=0.01)
    assert sizer.size == 40


def test_aims_at_the_target_number_of_logs() -> None:
    sizer = ChunkSizer(size=100, target_logs=1_000)
    sizer.succeeded(blocks=100, logs=2_000, seconds=0.1)
    assert sizer.size == 50


def test_shrinks_when_a_range_is_slow() -> None:
    sizer = ChunkSizer(size=100, target_logs=1_000, target_seconds=1.0)
    sizer.succeeded(blocks=100, logs=100, seconds=4.0)
    assert sizer.size == 25


def test_a_short_range_at_the_head_keeps_the_size() -> None:
    sizer = ChunkSizer(size=100, target_logs=1_000)
    sizer.succeeded(blocks=1, logs=0, seconds=0.01)
    assert sizer.size == 100


def test_failures_halve_down_to_the_minimum() -> None:
    sizer = ChunkSizer(size=5, min_size=1, target_logs=1_000)
    assert sizer.failed() and sizer.size == 2
    assert sizer.failed() and sizer.size == 1
    assert not sizer.failed()
    assert sizer.size == 1


def test_bounds_are_respected() -> None:
    sizer = ChunkSizer(size=10**9, max_size=1_000)
    assert sizer.size == 1_000
    sizer.succeeded(blocks=1_000, logs=0, seconds=0.01)
    assert sizer.size == 1_000

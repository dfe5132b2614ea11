"""Busy flags are held by one run, cleared by it whatever happens, and by a page load.

`busy_while` only needs what a Reflex background task's state offers: attributes
and `async with state` around writes; the stand-in below is exactly that.
"""

from __future__ import annotations

import asyncio

import pytest

from coop_dashboard.state.busy import busy_while, clear_busy, run_latest


class TabState:
    """A tab's state as a background event sees it: attributes, locked while written."""

    def __init__(self) -> None:
        self.checking = False
        self._busy_runs: dict[str, str] = {}
        self._busy_again: dict[str, bool] = {}
        self.form = "draft"  # what a check reads
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> TabState:
        await self._lock.acquire()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._lock.release()


def test_the_flag_is_held_for_the_run_and_cleared_after() -> None:
    async def run() -> None:
        state = TabState()
        async with busy_while(state, "checking") as started:
            assert started and state.checking
        assert not state.checking and state._busy_runs == {}

    asyncio.run(run())


def test_an_unexpected_exception_clears_the_flag() -> None:
    async def run() -> None:
        state = TabState()
        with pytest.raises(KeyError):
            async with busy_while(state, "checking"):
                raise KeyError("a bug, not a CoopError")
        assert not state.checking
        async with busy_while(state, "checking") as started:
            assert started  # the button works again

    asyncio.run(run())


def test_a_second_click_does_nothing_and_does_not_clear_the_first_run() -> None:
    async def run() -> None:
        state = TabState()
        async with busy_while(state, "checking") as first:
            async with busy_while(state, "checking") as second:
                assert first and not second
            assert state.checking  # still the first run's
        assert not state.checking

    asyncio.run(run())


def test_a_reload_clears_the_flag_and_an_orphaned_run_leaves_the_next_one_alone() -> None:
    async def run() -> None:
        state = TabState()
        orphan_may_finish = asyncio.Event()

        async def orphaned_run() -> None:
            async with busy_while(state, "checking"):
                await orphan_may_finish.wait()

        orphan = asyncio.create_task(orphaned_run())
        await asyncio.sleep(0)
        assert state.checking
        async with state:
            clear_busy(state, "checking")  # the page was reloaded
        assert not state.checking
        async with busy_while(state, "checking") as started:
            assert started
            orphan_may_finish.set()
            await orphan  # the old run ends while the new one is under way
            assert state.checking
        assert not state.checking

    asyncio.run(run())


def test_a_request_during_a_run_is_served_by_one_more_run_with_the_latest_form() -> None:
    """A click on Check while a check runs (the form edited meanwhile) is not lost."""

    async def run() -> None:
        state = TabState()
        checked: list[str] = []
        first_started, first_may_end = asyncio.Event(), asyncio.Event()

        async def check() -> None:
            form = state.form
            if not checked and not first_started.is_set():
                first_started.set()
                await first_may_end.wait()
            checked.append(form)

        first = asyncio.create_task(run_latest(state, "checking", check))
        await first_started.wait()
        state.form = "edited once"
        await run_latest(state, "checking", check)  # returns at once: remembered
        state.form = "edited twice"
        await run_latest(state, "checking", check)  # one more run serves both
        assert checked == [] and state.checking
        first_may_end.set()
        await first
        assert checked == ["draft", "edited twice"]
        assert not state.checking and state._busy_runs == {} and state._busy_again == {}

    asyncio.run(run())


def test_run_latest_clears_its_flag_and_request_when_the_run_raises() -> None:
    async def run() -> None:
        state = TabState()

        async def broken() -> None:
            raise KeyError("a bug")

        with pytest.raises(KeyError):
            await run_latest(state, "checking", broken)
        assert not state.checking and state._busy_runs == {} and state._busy_again == {}

    asyncio.run(run())


def test_a_reload_during_run_latest_leaves_the_new_run_its_flag() -> None:
    async def run() -> None:
        state = TabState()
        may_end = asyncio.Event()

        async def slow() -> None:
            await may_end.wait()

        orphan = asyncio.create_task(run_latest(state, "checking", slow))
        await asyncio.sleep(0)
        async with state:
            clear_busy(state, "checking")  # the page was reloaded
        async with busy_while(state, "checking") as started:
            assert started
            may_end.set()
            await orphan
            assert state.checking  # the orphan did not clear the new run's flag
        assert not state.checking

    asyncio.run(run())

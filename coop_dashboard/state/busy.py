"""Busy flags ("Checking…", "Adding…") that never stick.

A state is kept per tab and outlives the page, so a flag left set by a task that
raised, or that a reload orphaned, would grey out its button for good. Every
flag goes through `busy_while`: set for exactly one run, cleared by that run
whatever happens (try/finally), and cleared by `clear_busy` when the page loads
again. A run orphaned by a reload never clears the flag of the run after it:
each run holds a token and only the current token's run clears the flag.

The state declares `_busy_runs: dict[str, str] = {}` next to its flags.

Where a click must never be lost (a check of a form edited while the last check
ran), `run_latest` serves it instead: a request during a run is remembered and
the run goes once more when it ends, so the last request is always answered.
Such a state also declares `_busy_again: dict[str, bool] = {}`.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any


@asynccontextmanager
async def busy_while(state: Any, flag: str) -> AsyncIterator[bool]:
    """Hold `state.<flag>` for the block: yields False (do nothing) when a run already holds it.

    Call from a background event, outside `async with state` (it takes the lock itself).
    """
    token = uuid.uuid4().hex
    async with state:
        held = bool(getattr(state, flag))
        if not held:
            setattr(state, flag, True)
            state._busy_runs = {**state._busy_runs, flag: token}
    if held:
        yield False
        return
    try:
        yield True
    finally:
        async with state:
            if state._busy_runs.get(flag) == token:
                _release(state, flag)


async def run_latest(state: Any, flag: str, run: Callable[[], Awaitable[None]]) -> None:
    """Run `run()` holding `state.<flag>`; asked again meanwhile, run once more after.

    However many requests come during a run, one more run follows it, and it reads
    the state as it is then: the latest request wins, none is dropped. Deciding to
    stop and clearing the flag happen under one lock, so a request cannot slip in
    between. Call from a background event, outside `async with state`.
    """
    token = uuid.uuid4().hex
    async with state:
        if getattr(state, flag):
            state._busy_again = {**state._busy_again, flag: True}
            return
        setattr(state, flag, True)
        state._busy_runs = {**state._busy_runs, flag: token}
    try:
        while True:
            await run()
            async with state:
                if state._busy_runs.get(flag) != token:
                    return  # a reload cleared the flag: a newer run owns it now
                if not state._busy_again.get(flag):
                    _release(state, flag)
                    return
                state._busy_again = _without(state._busy_again, flag)
    except BaseException:
        async with state:
            if state._busy_runs.get(flag) == token:
                _release(state, flag)
        raise


def _release(state: Any, flag: str) -> None:
    setattr(state, flag, False)
    state._busy_runs = _without(state._busy_runs, flag)
    if hasattr(state, "_busy_again"):
        state._busy_again = _without(state._busy_again, flag)


def _without(flags: dict[str, Any], flag: str) -> dict[str, Any]:
    return {k: v for k, v in flags.items() if k != flag}


def clear_busy(state: Any, *flags: str) -> None:
    """The page was (re)loaded: nothing it showed is running any more. Inside the lock."""
    for flag in flags:
        _release(state, flag)

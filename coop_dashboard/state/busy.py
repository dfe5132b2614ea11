"""Busy flags ("Checking…", "Adding…") that never stick.

A state is kept per tab and outlives the page, so a flag left set by a task that
raised, or that a reload orphaned, would grey out its button for good. Every
flag goes through `busy_while`: set for exactly one run, cleared by that run
whatever happens (try/finally), and cleared by `clear_busy` when the page loads
again. A run orphaned by a reload never clears the flag of the run after it:
each run holds a token and only the current token's run clears the flag.

The state declares `_busy_runs: dict[str, str] = {}` next to its flags.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
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
                setattr(state, flag, False)
                state._busy_runs = {k: v for k, v in state._busy_runs.items() if k != flag}


def clear_busy(state: Any, *flags: str) -> None:
    """The page was (re)loaded: nothing it showed is running any more. Inside the lock."""
    for flag in flags:
        setattr(state, flag, False)
    state._busy_runs = {k: v for k, v in state._busy_runs.items() if k not in flags}

"""`coop serve`'s disk state manager writes a tab's changed states in one thread hop.

Reflex writes each changed substate with its own trip to a thread; the patch
(reflex_runner.write_state_tree_at_once) names and writes them together. The files
must be the same, byte for byte, and a tab must come back from them the same.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import reflex as rx
from reflex.istate.manager import disk
from reflex.istate.manager.disk import StateManagerDisk
from reflex.istate.manager.token import BaseStateToken

from coop_dashboard import reflex_runner
from coop_dashboard.state.proposals import ProposalFeedState
from coop_dashboard.state.shell import ShellState

ORIGINAL = StateManagerDisk.set_state_for_substate


async def _write_a_tab(directory: Path, hops: list[int]) -> dict[str, bytes]:
    """A tab whose shell and feed changed, written by the manager as it is now (its
    folder: REFLEX_STATES_WORKDIR)."""
    manager = StateManagerDisk(token_expiration=3600)
    assert manager.states_directory == directory.absolute()
    token = BaseStateToken(ident="tab-1", cls=rx.State)
    root = rx.State(_reflex_internal_init=True)  # type: ignore[call-arg]
    shell = await root.get_state(ShellState)
    feed = await root.get_state(ProposalFeedState)
    shell._armed_socket = "socket-1"
    feed.search = "grants \x00 \u2603"
    root._was_touched = shell._was_touched = feed._was_touched = True
    await manager.set_state_for_substate(token, root)
    assert hops  # counted through reflex.utils.misc.run_in_thread
    written = {path.name: path.read_bytes() for path in directory.iterdir()}
    # Nothing changed since: nothing more is written.
    before = len(hops)
    await manager.set_state_for_substate(token, root)
    assert len(hops) == before
    # A tab comes back from the files as it was.
    loaded = await StateManagerDisk(token_expiration=3600).get_state(token)
    assert (await loaded.get_state(ShellState))._armed_socket == "socket-1"
    assert (await loaded.get_state(ProposalFeedState)).search == "grants \x00 \u2603"
    return written


def test_the_same_files_in_one_thread_hop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(StateManagerDisk, "set_state_for_substate", ORIGINAL)
    hops: list[int] = []
    original_hop = disk.run_in_thread

    async def counted(func: Any) -> Any:
        hops.append(1)
        return await original_hop(func)

    monkeypatch.setattr(disk, "run_in_thread", counted)
    monkeypatch.setattr(reflex_runner, "run_in_thread", counted)

    reflex_theirs, ours = tmp_path / "reflex", tmp_path / "ours"
    monkeypatch.setenv("REFLEX_STATES_WORKDIR", str(reflex_theirs))
    theirs = asyncio.run(_write_a_tab(reflex_theirs, hops))
    reflex_hops, hops[:] = len(hops), []

    reflex_runner.write_state_tree_at_once()
    reflex_runner.write_state_tree_at_once()  # idempotent: not wrapped twice
    assert StateManagerDisk.set_state_for_substate is not ORIGINAL
    monkeypatch.setenv("REFLEX_STATES_WORKDIR", str(ours))
    mine = asyncio.run(_write_a_tab(ours, hops))

    assert mine == theirs and len(mine) >= 3  # the root, the shell, the feed
    assert reflex_hops == len(theirs) and len(hops) == 1

"""`python -m coop_dashboard.reflex_runner run --env prod ...`: the Reflex CLI, except that
the production web server (granian) starts a new worker when one dies, and the tabs of a
dead worker keep their state when they reconnect (tab_handover.py).

Reflex 0.10.1 builds granian's server without `respawn_failed_workers`, and granian's
default is to shut the whole server down when any worker exits: with `--workers 4` one
crashed or OOM-killed worker would take the other three (and every open tab) down
with it. With the flag, granian replaces the dead worker within a second or two and the
tabs that were on it reconnect; their state is in Redis, so nothing is lost. (Granian
still stops if a worker crashes again within 5.5 s of its respawn: a crash loop.)
Outgoing Socket.IO events are not scanned for binary parts (`skip_binary_scan`), and the
disk state manager sweeps its folder for expired files once a minute, not every 2 s
(`throttle_state_purge`), and writes a tab's changed states in one trip to a thread
(`write_state_tree_at_once`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import granian.server
import socketio.packet
from reflex.istate.manager.disk import StateManagerDisk
from reflex.istate.manager.token import BaseStateToken, StateToken
from reflex.state import BaseState
from reflex.utils.misc import run_in_thread

from coop_dashboard import tab_handover


class RespawningServer(granian.server.Server):  # type: ignore[misc,valid-type]
    """granian's server with respawn_failed_workers on unless the caller says otherwise."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("respawn_failed_workers", True)
        super().__init__(*args, **kwargs)


def skip_binary_scan() -> None:
    """Socket.IO packets from this app never carry binary attachments: skip the scan.

    python-socketio walks every node of every outgoing event's data looking for bytes
    (`Packet.data_is_binary`, building a list per dict and list on the way); Reflex's
    deltas are JSON (its serializers turn everything into JSON values), and its
    frontend does not read binary events. Profiled with 300 users clicking, that walk
    was 17 % of the event loop, more than encoding the JSON itself.
    """
    socketio.packet.Packet.uses_binary_events = False


# Expired state files (untouched for the token expiration, an hour by default) are
# removed at most this often.
STATE_PURGE_EVERY_S = 60.0


def throttle_state_purge(every_s: float = STATE_PURGE_EVERY_S) -> None:
    """Reflex's disk state manager sweeps its states folder at most once per `every_s`.

    Reflex runs `_purge_expired_states` after every pass of its write queue, i.e.
    every 2 s even with nobody clicking: it lists the folder and stats every file
    in it, one file per tab and touched substate (28 substates per tab now). With
    400 idle tabs that sweep was more than half of the server's idle CPU, growing
    with every tab seen in the last hour and every page added. Files expire after
    an hour, so removing them up to a minute late changes nothing else.
    """
    original = StateManagerDisk._purge_expired_states
    if getattr(original, "coop_throttled", False):
        return
    last_sweep: dict[int, float] = {}  # per manager (id), monotonic

    def purge_at_most_every(self: StateManagerDisk) -> None:
        now = time.monotonic()
        last = last_sweep.get(id(self))
        if last is not None and now - last < every_s:
            return
        last_sweep[id(self)] = now
        original(self)

    purge_at_most_every.coop_throttled = True  # type: ignore[attr-defined]
    StateManagerDisk._purge_expired_states = purge_at_most_every  # type: ignore[method-assign]


def write_state_tree_at_once() -> None:
    """Reflex's disk state manager writes a tab's changed substates in one thread hop.

    Reflex 0.10.1 writes each changed substate of a tab on its own: a file name (an md5
    and an absolute path) on the event loop, then an await on a thread for that one
    file. A move to a proposal page changes five or so substates, so each write of a
    tab cost five trips to a thread and back, each waiting for the busy loop to run
    it again. Profiled with users moving between proposal pages, the disk manager was
    13 % of the loop's time, a third of it these hops. Now the changed substates are
    pickled on the loop as before (they must not change while pickled), and named and
    written together in one thread: the same files with the same bytes.
    """
    if getattr(StateManagerDisk.set_state_for_substate, "coop_at_once", False):
        return

    async def set_state_for_substate(
        self: StateManagerDisk, token: StateToken[Any], substate: Any
    ) -> None:
        changed: list[tuple[StateToken[Any], bytes]] = []
        _pickle_changed(token, substate, changed)
        if changed:
            await run_in_thread(lambda: _write_states(self, changed))

    set_state_for_substate.coop_at_once = True  # type: ignore[attr-defined]
    StateManagerDisk.set_state_for_substate = set_state_for_substate  # type: ignore[method-assign]


def _pickle_changed(
    token: StateToken[Any], substate: Any, changed: list[tuple[StateToken[Any], bytes]]
) -> None:
    """Reflex's walk: each touched state of the tree, pickled (untouched ones are on disk)."""
    if token.get_and_reset_touched_state(substate):
        pickled = token.serialize(substate)
        if pickled:
            changed.append((token.with_cls(type(substate)), pickled))
    if isinstance(token, BaseStateToken) and isinstance(substate, BaseState):
        for child in substate.substates.values():
            _pickle_changed(token, child, changed)


def _write_states(manager: StateManagerDisk, changed: list[tuple[StateToken[Any], bytes]]) -> None:
    directory: Path = manager.states_directory
    directory.mkdir(parents=True, exist_ok=True)
    for token, pickled in changed:
        manager.token_path(token).write_bytes(pickled)


def main() -> None:
    # Reflex imports `granian.server.Server` when it starts the backend, so replacing
    # the module attribute before the CLI runs is enough.
    granian.server.Server = RespawningServer
    skip_binary_scan()
    throttle_state_purge()
    write_state_tree_at_once()
    # Workers are forked from this process: they inherit the patch.
    tab_handover.install()
    from reflex.reflex import cli

    cli()


if __name__ == "__main__":
    main()

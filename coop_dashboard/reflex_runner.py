"""`python -m coop_dashboard.reflex_runner run --env prod ...`: the Reflex CLI, except that
the production web server (granian) starts a new worker when one dies, and the tabs of a
dead worker keep their state when they reconnect (tab_handover.py).

Reflex 0.10.1 builds granian's server without `respawn_failed_workers`, and granian's
default is to shut the whole server down when any worker exits: with `--workers 4` one
crashed or OOM-killed worker would take the other three (and every open tab) down
with it. With the flag, granian replaces the dead worker within a second or two and the
tabs that were on it reconnect; their state is in Redis, so nothing is lost. (Granian
still stops if a worker crashes again within 5.5 s of its respawn: a crash loop.)
Outgoing Socket.IO events are not scanned for binary parts (`skip_binary_scan`).
"""

from __future__ import annotations

from typing import Any

import granian.server
import socketio.packet

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


def main() -> None:
    # Reflex imports `granian.server.Server` when it starts the backend, so replacing
    # the module attribute before the CLI runs is enough.
    granian.server.Server = RespawningServer
    skip_binary_scan()
    # Workers are forked from this process: they inherit the patch.
    tab_handover.install()
    from reflex.reflex import cli

    cli()


if __name__ == "__main__":
    main()

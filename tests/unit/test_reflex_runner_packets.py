"""`coop serve` sends Reflex's deltas as plain Socket.IO events, never scanned for bytes."""

from __future__ import annotations

import pytest
import socketio.packet

from coop_dashboard.reflex_runner import skip_binary_scan


def test_deltas_are_plain_events_without_the_binary_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socketio.packet.Packet, "uses_binary_events", True)
    scanned: list[object] = []
    original = socketio.packet.Packet.data_is_binary.__func__  # type: ignore[attr-defined]

    def counting(cls: type, data: object) -> bool:
        scanned.append(data)
        return bool(original(cls, data))

    monkeypatch.setattr(socketio.packet.Packet, "data_is_binary", classmethod(counting))
    delta = ["event", {"state": {"cards": [{"title": "x"}] * 10, "figure": {"data": []}}}]
    socketio.packet.Packet(socketio.packet.EVENT, data=delta)
    assert scanned  # what python-socketio does by default: walk every node

    scanned.clear()
    skip_binary_scan()
    packet = socketio.packet.Packet(socketio.packet.EVENT, data=delta)
    assert scanned == [] and packet.packet_type == socketio.packet.EVENT
    assert packet.encode().startswith('2["event",{"state":{"cards":[{"title":"x"}')

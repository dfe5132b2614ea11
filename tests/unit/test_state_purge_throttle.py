"""`coop serve`'s disk state manager sweeps its folder once a minute, not after every 2 s pass.

The sweep lists and stats every tab's state file: run after every write-queue
pass it was most of an idle server's CPU (issue 10's idle-tab figures).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from reflex.istate.manager.disk import StateManagerDisk
from reflex.utils import path_ops

from coop_dashboard import reflex_runner


def test_the_states_folder_is_swept_at_most_once_a_minute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        StateManagerDisk, "_purge_expired_states", StateManagerDisk._purge_expired_states
    )
    monkeypatch.setenv("REFLEX_STATES_WORKDIR", str(tmp_path))
    expired = tmp_path / "expired.pkl"
    expired.write_bytes(b"x")
    hour_ago = time.time() - 7200
    os.utime(expired, (hour_ago, hour_ago))
    listings: list[Path] = []
    original_ls = path_ops.ls

    def counting_ls(path: Path) -> list[Path]:
        listings.append(path)
        return list(original_ls(path))

    monkeypatch.setattr(path_ops, "ls", counting_ls)
    reflex_runner.throttle_state_purge(every_s=60.0)
    reflex_runner.throttle_state_purge(every_s=60.0)  # idempotent: not wrapped twice

    manager = StateManagerDisk(token_expiration=3600)  # sweeps once when created
    assert listings == [tmp_path] and not expired.exists()
    for _ in range(30):  # a minute of write-queue passes
        manager._purge_expired_states()
    assert len(listings) == 1

    clock = time.monotonic() + 61
    monkeypatch.setattr(reflex_runner.time, "monotonic", lambda: clock)
    manager._purge_expired_states()
    assert len(listings) == 2

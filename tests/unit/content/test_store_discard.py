"""store.discard: one abandoned upload removed, only once its grace period is over."""

from __future__ import annotations

import time
from pathlib import Path

from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.content.unixfs import CHUNK_SIZE
from tests.unit.content.ipfs_reference import deterministic_bytes


def test_discard_waits_for_the_grace_period_and_removes_every_file(tmp_path: Path) -> None:
    store = LocalContentStore(tmp_path / "store")
    small = store.put(b"a card never registered")
    large = store.put(deterministic_bytes(3 * CHUNK_SIZE))  # data + nodes files
    kept = store.put(b"someone else's statement")
    now = time.time()
    assert not store.discard(small, grace_seconds=3600, now=now)  # stored just now
    assert store.has(small)
    later = now + 7200
    assert store.discard(small, grace_seconds=3600, now=later)
    assert store.discard(large, grace_seconds=3600, now=later)
    assert not store.has(small) and not store.has(large) and store.has(kept)
    assert not list((store.root / large[:10]).glob(f"{large}*"))
    assert not store.discard(small, grace_seconds=3600, now=later)  # already gone

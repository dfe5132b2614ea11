"""Files of any size: streamed in, read back verified, by range, and orphans collected."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from coop_dashboard.content.cid import cid_for_bytes
from coop_dashboard.content.store import LocalContentStore, _kernel_copy
from coop_dashboard.content.unixfs import CHUNK_SIZE
from coop_dashboard.errors import ContentError
from tests.unit.content.ipfs_reference import deterministic_bytes

SIZE = 5 * CHUNK_SIZE + 12_345  # six leaves under one node


@pytest.fixture
def store(tmp_path: Path) -> LocalContentStore:
    return LocalContentStore(tmp_path / "store")


def _files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_large_file_round_trip_with_its_facts(store: LocalContentStore) -> None:
    data = deterministic_bytes(SIZE)
    stored = store.put_file(io.BytesIO(data))
    assert stored.cid.startswith("bafybei")
    assert (stored.size, stored.sha256) == (SIZE, hashlib.sha256(data).digest())
    assert store.has(stored.cid) and store.size(stored.cid) == SIZE
    assert store.get(stored.cid) == data
    pieces = list(store.iter_content(stored.cid))
    assert b"".join(pieces) == data and max(map(len, pieces)) <= CHUNK_SIZE
    assert store.put(data) == stored.cid  # the in-memory API gives the same CID
    assert not list((store.root / ".tmp").iterdir())  # no temp file left behind


def test_writes_of_any_shape_give_the_same_cid(store: LocalContentStore) -> None:
    data = deterministic_bytes(SIZE)
    expected = store.put_file(io.BytesIO(data)).cid
    for piece in (1, 1000, CHUNK_SIZE - 1, CHUNK_SIZE + 1, 3 * CHUNK_SIZE):
        with store.writer() as writer:
            for start in range(0, SIZE, piece):
                writer.write(data[start : start + piece])
            assert writer.commit().cid == expected


@pytest.mark.parametrize(
    ("offset", "length"),
    [
        (0, None),
        (0, 0),
        (0, 1),
        (CHUNK_SIZE - 1, 2),  # across a leaf boundary
        (CHUNK_SIZE, CHUNK_SIZE),  # exactly one leaf
        (100, 3 * CHUNK_SIZE),  # partial first and last leaves
        (SIZE - 10, None),
        (SIZE - 10, 1000),  # past the end: clamped
        (SIZE, None),  # empty tail
    ],
)
def test_ranges(store: LocalContentStore, offset: int, length: int | None) -> None:
    data = deterministic_bytes(SIZE)
    cid = store.put(data)
    end = SIZE if length is None else offset + length
    assert b"".join(store.iter_content(cid, offset, length)) == data[offset:end]


def test_ranges_of_a_small_raw_file(store: LocalContentStore) -> None:
    cid = store.put(b"0123456789")
    assert cid == cid_for_bytes(b"0123456789")
    assert b"".join(store.iter_content(cid, 3, 4)) == b"3456"
    assert b"".join(store.iter_content(cid, 10)) == b""


@pytest.mark.parametrize(("offset", "length"), [(-1, None), (0, -1), (SIZE + 1, None)])
def test_bad_ranges_are_refused_before_reading(
    store: LocalContentStore, offset: int, length: int | None
) -> None:
    cid = store.put(deterministic_bytes(SIZE))
    with pytest.raises(ContentError, match="outside"):
        store.iter_content(cid, offset, length)


def test_a_tampered_leaf_is_never_served(store: LocalContentStore) -> None:
    data = deterministic_bytes(SIZE)
    cid = store.put(data)
    path = store.root / cid[:10] / cid
    with path.open("r+b") as handle:  # flip one byte in the fourth leaf
        handle.seek(3 * CHUNK_SIZE + 77)
        handle.write(bytes([data[3 * CHUNK_SIZE + 77] ^ 0xFF]))
    pieces = store.iter_content(cid)
    served = [next(pieces) for _ in range(3)]
    assert b"".join(served) == data[: 3 * CHUNK_SIZE]  # the leaves before it are good
    with pytest.raises(ContentError, match="does not match its CID"):
        next(pieces)
    assert b"".join(store.iter_content(cid, 0, CHUNK_SIZE)) == data[:CHUNK_SIZE]
    with pytest.raises(ContentError, match="does not match its CID"):
        b"".join(store.iter_content(cid, 3 * CHUNK_SIZE + 100, 10))
    with pytest.raises(ContentError, match="does not match its CID"):
        store.get(cid)


def test_a_truncated_file_is_refused(store: LocalContentStore) -> None:
    cid = store.put(deterministic_bytes(SIZE))
    os.truncate(store.root / cid[:10] / cid, SIZE - 1)
    with pytest.raises(ContentError, match="cut short"):
        store.get(cid)


def test_a_tampered_node_is_refused(store: LocalContentStore) -> None:
    cid = store.put(deterministic_bytes(SIZE))
    nodes = store.root / cid[:10] / f"{cid}.nodes"
    block = bytearray(nodes.read_bytes())
    block[-5] ^= 0x01
    nodes.write_bytes(bytes(block))
    with pytest.raises(ContentError, match="does not match its CID"):
        store.size(cid)
    nodes.unlink()
    assert not store.has(cid)
    with pytest.raises(ContentError, match="not in the local store"):
        store.iter_content(cid)


def test_over_the_limit_leaves_nothing(store: LocalContentStore) -> None:
    with pytest.raises(ContentError, match="larger than the 1,000,000 bytes allowed"):
        store.put_file(io.BytesIO(bytes(1_000_001)), max_bytes=1_000_000)
    assert _files(store.root) == []
    with pytest.raises(RuntimeError), store.writer() as writer:
        writer.write(b"half an upload")
        raise RuntimeError("the client went away")
    assert _files(store.root) == []


def test_collect_orphans_keeps_referenced_and_recent(store: LocalContentStore) -> None:
    referenced = store.put(deterministic_bytes(SIZE, seed=1))
    orphan_large = store.put(deterministic_bytes(SIZE, seed=2))
    orphan_small = store.put(b"a rejected registration's card")
    recent = store.put(b"uploaded a moment ago")
    abandoned = store.root / ".tmp" / "data-abandoned"
    abandoned.write_bytes(b"partial upload")
    now = 1_000_000_000.0
    for path in _files(store.root):
        os.utime(path, (now - 7200, now - 7200))
    os.utime(store.root / recent[:10] / recent, (now - 60, now - 60))

    removed = store.collect_orphans({referenced}, grace_seconds=3600, now=now)

    assert removed == sorted([orphan_large, orphan_small])
    assert store.has(referenced) and store.has(recent)
    assert not store.has(orphan_large) and not store.has(orphan_small)
    assert not (store.root / orphan_large[:10] / f"{orphan_large}.nodes").exists()
    assert not abandoned.exists()
    assert store.get(referenced) == deterministic_bytes(SIZE, seed=1)


def test_storing_again_restarts_the_grace_period(store: LocalContentStore) -> None:
    data = deterministic_bytes(SIZE)
    cid = store.put(data)
    for path in _files(store.root):
        os.utime(path, (1.0, 1.0))
    assert store.put(data) == cid  # the registration retries with the same file
    assert store.collect_orphans(set(), grace_seconds=3600) == []
    assert store.has(cid)


def test_move_takes_a_finished_upload_over(store: LocalContentStore, tmp_path: Path) -> None:
    data = deterministic_bytes(SIZE)
    upload = tmp_path / "upload.part"
    upload.write_bytes(data)
    stored = store.put_path(upload, move=True)
    assert stored.cid == store.put(data) and stored.size == SIZE
    assert not upload.exists()  # renamed into the store, not copied
    assert store.get(stored.cid) == data
    upload.write_bytes(data)
    assert store.put_path(upload, move=True).cid == stored.cid  # already stored: consumed
    assert not upload.exists()


def test_a_refused_move_leaves_the_file_alone(store: LocalContentStore, tmp_path: Path) -> None:
    upload = tmp_path / "upload.part"
    upload.write_bytes(deterministic_bytes(SIZE))
    with pytest.raises(ContentError, match="larger than"):
        store.put_path(upload, max_bytes=SIZE - 1, move=True)
    assert upload.read_bytes() == deterministic_bytes(SIZE)
    assert _files(store.root) == []


def test_move_from_another_filesystem_copies(store: LocalContentStore, tmp_path: Path) -> None:
    other = Path("/dev/shm")
    store.root.mkdir(parents=True)
    if not other.is_dir() or other.stat().st_dev == store.root.stat().st_dev:
        pytest.skip("no second filesystem to move from")
    data = deterministic_bytes(SIZE)
    upload = other / f"coop-content-test-{os.getpid()}.part"
    upload.write_bytes(data)
    try:
        copied = store.put_path(upload)  # the kernel cannot copy across: written by us
        assert upload.exists() and store.get(copied.cid) == data
        assert store.collect_orphans(set(), grace_seconds=-1) == [copied.cid]
        stored = store.put_path(upload, move=True)
    finally:
        moved = not upload.exists()
        upload.unlink(missing_ok=True)
    assert moved and store.get(stored.cid) == data
    assert not list((store.root / ".tmp").iterdir())


def test_collect_orphans_needs_every_file_of_a_cid_old(store: LocalContentStore) -> None:
    cid = store.put(deterministic_bytes(SIZE))
    (store.root / "unrelated.txt").write_bytes(b"not the store's")
    (store.root / cid[:10] / "notes.txt").write_bytes(b"not a CID")
    now = 1_000_000_000.0
    for path in _files(store.root):
        os.utime(path, (now - 7200, now - 7200))
    os.utime(store.root / cid[:10] / f"{cid}.nodes", (now, now))  # one file still young
    assert store.collect_orphans(set(), grace_seconds=3600, now=now) == []
    assert store.has(cid)
    assert store.collect_orphans(set(), grace_seconds=3600, now=now + 7200) == [cid]
    assert not store.has(cid) and not (store.root / cid[:10] / f"{cid}.nodes").exists()
    assert (store.root / "unrelated.txt").exists() and (
        store.root / cid[:10] / "notes.txt"
    ).exists()


def test_a_source_shorter_than_what_was_read_is_written_by_hand(tmp_path: Path) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    source.write_bytes(b"0123456789")
    target.write_bytes(b"")
    with source.open("rb") as src, target.open("r+b") as dst:
        assert _kernel_copy(src.fileno(), dst.fileno(), 4, 20) == 6
    assert target.read_bytes() == bytes(4) + b"456789"

"""CIDs equal what the reference IPFS importer computes for the same bytes (npm, tests/js)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coop_dashboard.content.cid import RAW_CODEC, block_cid, cid_from_bytes
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.content.unixfs import CHUNK_SIZE, MAX_LINKS, DagBuilder
from tests.unit.content.ipfs_reference import deterministic_bytes, reference_cids

KIB = 1024
MIB = 1024 * KIB


@pytest.mark.parametrize(
    "size",
    [
        0,
        1,
        256 * KIB,  # the largest file that stays one raw block (bafkrei...)
        256 * KIB + 1,  # the smallest dag-pb root (bafybei...)
        10 * MIB,
        MAX_LINKS * CHUNK_SIZE + 1,  # 175 chunks: two levels of nodes (45 MiB + 1 B)
    ],
    ids=["empty", "1B", "256KiB", "256KiB+1", "10MiB", "175chunks"],
)
def test_cid_matches_the_reference_importer(size: int, tmp_path: Path) -> None:
    source = tmp_path / "file.bin"
    source.write_bytes(deterministic_bytes(size))
    stored = LocalContentStore(tmp_path / "store").put_path(source)
    assert reference_cids(source) == {stored.cid}
    assert stored.cid.startswith("bafkrei" if size <= CHUNK_SIZE else "bafybei")
    assert stored.size == size


def test_repeated_chunks_match_the_reference(tmp_path: Path) -> None:
    # A run of zeros: every leaf (and every full node) is the same block, stored once.
    source = tmp_path / "zeros.bin"
    source.write_bytes(bytes(MAX_LINKS * CHUNK_SIZE + 3 * CHUNK_SIZE))
    store = LocalContentStore(tmp_path / "store")
    stored = store.put_path(source)
    assert reference_cids(source) == {stored.cid}
    assert b"".join(store.iter_content(stored.cid)) == source.read_bytes()


def _small_layout_cid(data: bytes, chunk_size: int, max_links: int) -> str:
    builder = DagBuilder(lambda cid, block: None, max_links=max_links)
    for start in range(0, max(len(data), 1), chunk_size):
        chunk = data[start : start + chunk_size]
        builder.add_leaf(block_cid(RAW_CODEC, chunk), len(chunk))
    return cid_from_bytes(builder.finish().cid)


# 1 KiB chunks and 3 links a node reach 4 levels of nodes in 81+ KiB: every way a
# partial group closes (one leaf over a full tree, a lone node under a full level,
# exactly full levels) is compared with the reference layout.
@pytest.mark.parametrize("chunks", [1, 2, 3, 4, 9, 10, 12, 27, 28, 30, 31, 81, 82, 85])
def test_balanced_layout_matches_the_reference_at_every_depth(chunks: int, tmp_path: Path) -> None:
    data = deterministic_bytes(chunks * KIB - (chunks % 2) * 7)
    source = tmp_path / "file.bin"
    source.write_bytes(data)
    assert reference_cids(source, chunk_size=KIB, max_links=3) == {_small_layout_cid(data, KIB, 3)}

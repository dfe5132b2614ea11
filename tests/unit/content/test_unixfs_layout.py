"""The streaming DAG builder gives the tree the reference builds in batches, for every count."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coop_dashboard.content.cid import DAG_PB_CODEC, RAW_CODEC, block_cid
from coop_dashboard.content.dagpb import Link, decode_file_node, encode_file_node
from coop_dashboard.content.protobuf import decode_varint, encode_varint
from coop_dashboard.content.unixfs import DagBuilder
from coop_dashboard.errors import ContentError


def _leaf(index: int) -> Link:
    data = index.to_bytes(4, "big")
    return Link(cid=block_cid(RAW_CODEC, data), tsize=len(data), file_size=len(data))


def _batch_reference(leaves: list[Link], max_links: int) -> Link:
    """ipfs-unixfs-importer's balanced layout: group by max_links, level by level."""
    if len(leaves) == 1:
        return leaves[0]
    level = leaves
    while True:
        parents = []
        for start in range(0, len(level), max_links):
            group = level[start : start + max_links]
            block = encode_file_node(group)
            parents.append(
                Link(
                    cid=block_cid(DAG_PB_CODEC, block),
                    tsize=len(block) + sum(link.tsize for link in group),
                    file_size=sum(link.file_size for link in group),
                )
            )
        if len(parents) == 1:
            return parents[0]
        level = parents


@pytest.mark.parametrize("max_links", [2, 3, 5, 174])
def test_streaming_equals_batches(max_links: int) -> None:
    counts = sorted({*range(1, 130), max_links**2, max_links**2 + 1, max_links**3 + 1})
    for count in counts:
        if count > 40_000:
            continue
        leaves = [_leaf(index) for index in range(count)]
        nodes: dict[bytes, bytes] = {}
        builder = DagBuilder(nodes.__setitem__, max_links=max_links)
        for leaf in leaves:
            builder.add_leaf(leaf.cid, leaf.file_size)
        root = builder.finish()
        assert root == _batch_reference(leaves, max_links), count
        if root.cid[1] == DAG_PB_CODEC:  # every node it announced decodes and adds up
            assert decode_file_node(nodes[root.cid]).file_size == 4 * count
            assert all(len(decode_file_node(b).links) <= max_links for b in nodes.values())


def test_a_builder_needs_a_leaf_and_room_for_two_links() -> None:
    with pytest.raises(ValueError, match="at least one"):
        DagBuilder(lambda cid, block: None).finish()
    with pytest.raises(ValueError, match="two links"):
        DagBuilder(lambda cid, block: None, max_links=1)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_decode_to_a_node_or_a_content_error(block: bytes) -> None:
    try:
        node = decode_file_node(block)
    except ContentError:
        return
    assert node.file_size == sum(link.file_size for link in node.links)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_varints_round_trip(value: int) -> None:
    encoded = encode_varint(value)
    assert decode_varint(encoded, 0) == (value, len(encoded))
    with pytest.raises(ContentError, match="truncated"):
        decode_varint(encoded[:-1], 0)

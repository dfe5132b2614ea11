"""The UnixFS file layout of `ipfs add --cid-version=1 --raw-leaves`, streamed.

The file is cut into 256 KiB chunks, each a raw leaf; leaves are grouped 174
to a dag-pb node, those nodes 174 to a node above, and so on up to one root (the
"balanced" layout). A file of one chunk is just its raw leaf. The builder holds
at most 174 links per level while the bytes stream through, so a file of any
size is addressed in constant memory; the walkers go back down a stored DAG to
find the leaves under a byte range, or every block for a CAR.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from coop_dashboard.content.cid import DAG_PB_CODEC, RAW_CODEC, block_cid
from coop_dashboard.content.dagpb import Link, decode_file_node, encode_file_node
from coop_dashboard.errors import ContentError

CHUNK_SIZE = 256 * 1024
MAX_LINKS = 174

NodeSink = Callable[[bytes, bytes], None]
# Given a node's binary CID, its block, verified against that CID.
NodeLoader = Callable[[bytes], bytes]


class DagBuilder:
    """Builds the balanced DAG bottom-up as leaves arrive; `on_node(cid, block)` gets each node."""

    def __init__(self, on_node: NodeSink, max_links: int = MAX_LINKS) -> None:
        if max_links < 2:
            raise ValueError("a node needs room for at least two links")
        self._on_node = on_node
        self._max_links = max_links
        self._levels: list[list[Link]] = [[]]
        self._leaves = 0

    def add_leaf(self, cid: bytes, size: int) -> None:
        self._leaves += 1
        self._push(0, Link(cid=cid, tsize=size, file_size=size))

    def finish(self) -> Link:
        """The root: the only leaf of a one-chunk file, else the top dag-pb node."""
        if self._leaves == 0:
            raise ValueError("a file has at least one (possibly empty) leaf")
        level = 0
        while True:
            links = self._levels[level]
            higher = any(self._levels[level + 1 :])
            if len(links) == 1 and not higher:
                return links[0]
            if links:
                self._levels[level] = []
                self._push(level + 1, self._node(links))
            level += 1

    def _push(self, level: int, link: Link) -> None:
        if level == len(self._levels):
            self._levels.append([])
        links = self._levels[level]
        links.append(link)
        # A full group is final whatever follows: it becomes one node of the level above.
        if len(links) == self._max_links:
            self._levels[level] = []
            self._push(level + 1, self._node(links))

    def _node(self, links: list[Link]) -> Link:
        block = encode_file_node(links)
        cid = block_cid(DAG_PB_CODEC, block)
        self._on_node(cid, block)
        return Link(
            cid=cid,
            tsize=len(block) + sum(link.tsize for link in links),
            file_size=sum(link.file_size for link in links),
        )


@dataclass(frozen=True, slots=True)
class Leaf:
    """A raw leaf of a stored file: its binary CID and where its bytes sit in the file."""

    cid: bytes
    offset: int
    size: int


@dataclass(frozen=True, slots=True)
class NodeBlock:
    """A dag-pb node of a stored file, as stored (already verified)."""

    cid: bytes
    block: bytes


def leaves_in_range(root: bytes, start: int, end: int, load: NodeLoader) -> Iterator[Leaf]:
    """The leaves under dag-pb `root` holding bytes [start, end), in file order."""
    return _leaves(root, 0, start, end, load, depth=0)


def _leaves(
    cid: bytes, base: int, start: int, end: int, load: NodeLoader, depth: int
) -> Iterator[Leaf]:
    position = base
    for link in _links(load(cid), depth):
        if position >= end:
            return
        child_end = position + link.file_size
        if child_end > start:
            if link.cid[1] == RAW_CODEC:
                yield Leaf(cid=link.cid, offset=position, size=link.file_size)
            else:
                yield from _leaves(link.cid, position, start, end, load, depth + 1)
        position = child_end


def dag_blocks(root: bytes, load: NodeLoader) -> Iterator[NodeBlock | Leaf]:
    """Every block under dag-pb `root` once, depth first (the order a CAR lists them)."""
    seen: set[bytes] = set()

    def visit(cid: bytes, base: int, depth: int) -> Iterator[NodeBlock | Leaf]:
        block = load(cid)
        yield NodeBlock(cid=cid, block=block)
        position = base
        for link in _links(block, depth):
            if link.cid not in seen:
                seen.add(link.cid)
                if link.cid[1] == RAW_CODEC:
                    yield Leaf(cid=link.cid, offset=position, size=link.file_size)
                else:
                    yield from visit(link.cid, position, depth + 1)
            position += link.file_size

    seen.add(root)
    return visit(root, 0, 0)


_CODECS = (RAW_CODEC, DAG_PB_CODEC)
_SHA2_256 = b"\x12\x20"  # multihash sha2-256, 32 bytes: what every block here is checked with
# Far beyond any real file (174**8 chunks); a deeper chain means a malformed DAG.
_MAX_DEPTH = 8


def _links(block: bytes, depth: int) -> tuple[Link, ...]:
    if depth > _MAX_DEPTH:
        raise ContentError("A stored DAG is deeper than any file could need.")
    links = decode_file_node(block).links
    for link in links:
        cid = link.cid
        if len(cid) != 36 or cid[0] != 1 or cid[1] not in _CODECS or cid[2:4] != _SHA2_256:
            raise ContentError("A stored dag-pb node links to an unsupported CID.")
    return links

"""dag-pb nodes holding UnixFS file data: encoded byte for byte as IPFS does.

A node is the protobuf PBNode {Data = 1, Links = 2} written links first (the
canonical dag-pb order); a link is PBLink {Hash = 1, Name = 2, Tsize = 3} with
the empty name file chunks have. Data is UnixFS `Data` {Type = 1, Data = 2,
filesize = 3, blocksizes = 4 (unpacked)}; our nodes are Type File without
inline data (the bytes live in raw leaves). Any change here changes every CID
above 256 KiB: tests/unit/content compares them with the reference importer.
"""

from __future__ import annotations

from dataclasses import dataclass

from coop_dashboard.content.protobuf import bytes_field, read_fields, varint_field
from coop_dashboard.errors import ContentError

_UNIXFS_FILE = 2


@dataclass(frozen=True, slots=True)
class Link:
    """A child of a file node: its binary CID, its DAG size (Tsize) and its file bytes."""

    cid: bytes
    tsize: int
    file_size: int


@dataclass(frozen=True, slots=True)
class FileNode:
    """A decoded UnixFS file node: its children in order and the bytes they hold."""

    links: tuple[Link, ...]
    file_size: int


def encode_file_node(links: list[Link]) -> bytes:
    """The dag-pb block of a UnixFS file node over `links` (raw leaves or file nodes)."""
    encoded_links = b"".join(
        bytes_field(2, bytes_field(1, link.cid) + bytes_field(2, b"") + varint_field(3, link.tsize))
        for link in links
    )
    unixfs = varint_field(1, _UNIXFS_FILE) + varint_field(3, sum(link.file_size for link in links))
    unixfs += b"".join(varint_field(4, link.file_size) for link in links)
    return encoded_links + bytes_field(1, unixfs)


def decode_file_node(block: bytes | memoryview) -> FileNode:
    """Read a dag-pb UnixFS file node; ContentError for anything else or anything inconsistent."""
    hashes_and_sizes: list[tuple[bytes, int]] = []
    unixfs: bytes | None = None
    for number, value in read_fields(block):
        if number == 2 and isinstance(value, bytes):
            hashes_and_sizes.append(_decode_link(value))
        elif number == 1 and isinstance(value, bytes):
            unixfs = value
        else:
            raise ContentError("A stored dag-pb node has an unknown field.")
    if unixfs is None:
        raise ContentError("A stored dag-pb node has no UnixFS data.")
    kind, inline, file_size, block_sizes = _decode_unixfs(unixfs)
    if kind != _UNIXFS_FILE or inline:
        raise ContentError("A stored dag-pb node is not a file node without inline data.")
    if len(block_sizes) != len(hashes_and_sizes) or sum(block_sizes) != file_size:
        raise ContentError("A stored dag-pb node's sizes do not add up.")
    links = tuple(
        Link(cid=cid, tsize=tsize, file_size=size)
        for (cid, tsize), size in zip(hashes_and_sizes, block_sizes, strict=True)
    )
    return FileNode(links=links, file_size=file_size)


def _decode_link(encoded: bytes) -> tuple[bytes, int]:
    cid = b""
    tsize = 0
    for number, value in read_fields(encoded):
        if number == 1 and isinstance(value, bytes):
            cid = value
        elif number == 3 and isinstance(value, int):
            tsize = value
        elif number != 2:
            raise ContentError("A stored dag-pb link has an unknown field.")
    if not cid:
        raise ContentError("A stored dag-pb link has no CID.")
    return cid, tsize


def _decode_unixfs(encoded: bytes) -> tuple[int, bytes, int, list[int]]:
    kind = -1
    inline = b""
    file_size = 0
    block_sizes: list[int] = []
    for number, value in read_fields(encoded):
        if number == 1 and isinstance(value, int):
            kind = value
        elif number == 2 and isinstance(value, bytes):
            inline = value
        elif number == 3 and isinstance(value, int):
            file_size = value
        elif number == 4 and isinstance(value, int):
            block_sizes.append(value)
        # hashType, fanout, mode, mtime: nothing a file's bytes depend on
    return kind, inline, file_size, block_sizes

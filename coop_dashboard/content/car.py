"""CARv1 ("Download as CAR"): a stored file and every block of it, in one stream.

Layout (ipld.io CARv1): varint(header length) + the DAG-CBOR header
{"roots": [root CID], "version": 1}, then per block varint(CID + block length)
+ binary CID + block. Any IPFS node or pinning service imports it as is
(`ipfs dag import`), and the CID it gets back is the one the dashboard shows.
Blocks come from the store verified; a corrupt block ends the stream with a
ContentError before it is sent, and the length announced up front lets the
client see the cut.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from coop_dashboard.content.cid import cid_to_bytes
from coop_dashboard.content.protobuf import encode_varint
from coop_dashboard.content.store import LocalContentStore

CAR_MEDIA_TYPE = "application/vnd.ipld.car"
_CBOR_MAP_2 = b"\xa2"
_CBOR_ROOTS = b"\x65roots"
_CBOR_ARRAY_1 = b"\x81"
_CBOR_TAG_CID = b"\xd8\x2a"  # tag 42: a CID, as a byte string with a 0x00 multibase prefix
_CBOR_VERSION_1 = b"\x67version\x01"


def car_header(root_cid: str) -> bytes:
    """The length-prefixed CARv1 header naming `root_cid` (keys in DAG-CBOR's canonical order)."""
    cid = b"\x00" + cid_to_bytes(root_cid)
    cid_bytes = b"\x58" + bytes([len(cid)]) + cid  # byte string, one-byte length
    header = _CBOR_MAP_2 + _CBOR_ROOTS + _CBOR_ARRAY_1 + _CBOR_TAG_CID + cid_bytes + _CBOR_VERSION_1
    return encode_varint(len(header)) + header


def car_stream(store: LocalContentStore, cid: str) -> Iterator[bytes]:
    """The CAR of a stored file, in pieces of at most one block (never the whole file)."""
    header = car_header(cid)
    blocks = store.iter_blocks(cid)  # checks the CID and presence now, before any byte
    return _sections(header, blocks)


def _sections(header: bytes, blocks: Iterator[tuple[bytes, bytes]]) -> Iterator[bytes]:
    yield header
    for block_cid, block in blocks:
        yield encode_varint(len(block_cid) + len(block)) + block_cid + block


def car_size(store: LocalContentStore, cid: str) -> int:
    """The exact length of `car_stream(store, cid)`, from the DAG's nodes alone."""
    total = len(car_header(cid))
    for block_cid, size in store.block_sizes(cid):
        section = len(block_cid) + size
        total += len(encode_varint(section)) + section
    return total


@dataclass(frozen=True, slots=True)
class CarDownload:
    """What an HTTP route needs to send a CAR: headers and a lazily verified body."""

    headers: dict[str, str]
    body: Iterator[bytes]
    media_type: str = CAR_MEDIA_TYPE


def car_download(store: LocalContentStore, cid: str, filename: str | None = None) -> CarDownload:
    """A CAR download of a stored file (ContentError now if the CID is bad or not stored).

    The route wraps it as `StreamingResponse(d.body, media_type=d.media_type,
    headers=d.headers)`; the body is a plain iterator (run it off the event loop,
    as Starlette does with sync iterators).
    """
    size = car_size(store, cid)
    stem = (filename or cid).removesuffix(".car")
    safe_name = "".join(c for c in stem if c.isascii() and (c.isalnum() or c in "-_."))[:120] or cid
    headers = {
        "Content-Length": str(size),
        "Content-Disposition": f'attachment; filename="{safe_name}.car"',
        "X-Content-Type-Options": "nosniff",
        "X-Ipfs-Roots": cid,
    }
    return CarDownload(headers=headers, body=car_stream(store, cid))

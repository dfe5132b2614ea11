"""CIDv1: multibase base32 (lower, no padding), raw or dag-pb codec, sha2-256.

A file that fits in one block (256 KiB) gets the raw CID of its bytes: what
`ipfs add --cid-version=1 --raw-leaves` gives it, so the same document has the
same address locally and on IPFS. Larger files get a dag-pb UnixFS root
(content.unixfs builds it); both kinds parse here.
"""

from __future__ import annotations

import base64
import hashlib
import re

from coop_dashboard.errors import ContentError

_CID_VERSION_1 = 0x01
RAW_CODEC = 0x55
DAG_PB_CODEC = 0x70
_CODECS = (RAW_CODEC, DAG_PB_CODEC)
_SHA2_256 = 0x12
_SHA2_256_LENGTH = 0x20
_PREFIX = bytes([_CID_VERSION_1, RAW_CODEC, _SHA2_256, _SHA2_256_LENGTH])
# Matched with fullmatch: `$` alone also accepts a trailing newline ("b...\n").
_CID_PATTERN = re.compile(r"b[a-z2-7]{58}")


def sha256_digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def cid_from_digest(digest: bytes) -> str:
    if len(digest) != _SHA2_256_LENGTH:
        raise ContentError(f"A sha2-256 digest has 32 bytes, got {len(digest)}.")
    return cid_from_bytes(_PREFIX + digest)


def cid_for_bytes(data: bytes) -> str:
    """The CIDv1 (raw, sha2-256, base32) of `data`."""
    return cid_from_digest(sha256_digest(data))


def cid_to_bytes(cid: str) -> bytes:
    """The 36-byte binary CID (raw or dag-pb, sha2-256), or ContentError if it is not one."""
    if not isinstance(cid, str) or not _CID_PATTERN.fullmatch(cid):
        raise ContentError(f"Not a CIDv1 (sha2-256, base32): {str(cid)[:80]!r}")
    body = cid[1:].upper()
    raw = base64.b32decode(body + "=" * (-len(body) % 8))
    if raw[0] != _CID_VERSION_1 or raw[1] not in _CODECS or raw[2:4] != _PREFIX[2:]:
        raise ContentError(f"Unsupported CID (not raw or dag-pb, sha2-256): {cid}")
    if cid_from_bytes(raw) != cid:  # the last 2 bits of the text are padding: one spelling only
        raise ContentError(f"Not a canonical CIDv1 spelling: {cid}")
    return raw


def cid_from_bytes(raw: bytes) -> str:
    """The base32 text of a binary CID."""
    return "b" + base64.b32encode(raw).decode("ascii").lower().rstrip("=")


def block_cid(codec: int, block: bytes | bytearray | memoryview) -> bytes:
    """The binary CIDv1 (sha2-256) of one block of the given codec."""
    return (
        bytes([_CID_VERSION_1, codec, _SHA2_256, _SHA2_256_LENGTH]) + hashlib.sha256(block).digest()
    )


def digest_from_cid(cid: str) -> bytes:
    """The sha2-256 digest inside a raw CIDv1, or ContentError if it is not one."""
    raw = cid_to_bytes(cid)
    if raw[1] != RAW_CODEC:
        raise ContentError(f"Unsupported CID (not raw sha2-256): {cid}")
    return raw[4:]


def is_cid(text: object) -> bool:
    if not isinstance(text, str):
        return False
    try:
        cid_to_bytes(text)
    except ContentError:
        return False
    return True

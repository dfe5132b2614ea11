"""CIDv1 for raw bytes: multibase base32 (lower, no padding), raw codec, sha2-256.

This is the CID `ipfs add --cid-version=1 --raw-leaves` gives a file that fits
in one block, so the same document has the same address locally and on IPFS.
"""

from __future__ import annotations

import base64
import hashlib
import re

from coop_dashboard.errors import ContentError

_CID_VERSION_1 = 0x01
_RAW_CODEC = 0x55
_SHA2_256 = 0x12
_SHA2_256_LENGTH = 0x20
_PREFIX = bytes([_CID_VERSION_1, _RAW_CODEC, _SHA2_256, _SHA2_256_LENGTH])
_CID_PATTERN = re.compile(r"^b[a-z2-7]{58}$")


def sha256_digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def cid_from_digest(digest: bytes) -> str:
    if len(digest) != _SHA2_256_LENGTH:
        raise ContentError(f"A sha2-256 digest has 32 bytes, got {len(digest)}.")
    encoded = base64.b32encode(_PREFIX + digest).decode("ascii").lower().rstrip("=")
    return "b" + encoded


def cid_for_bytes(data: bytes) -> str:
    """The CIDv1 (raw, sha2-256, base32) of `data`."""
    return cid_from_digest(sha256_digest(data))


def digest_from_cid(cid: str) -> bytes:
    """The sha2-256 digest inside a raw CIDv1, or ContentError if it is not one."""
    if not _CID_PATTERN.match(cid):
        raise ContentError(f"Not a CIDv1 (raw, sha2-256, base32): {cid[:80]!r}")
    body = cid[1:].upper()
    raw = base64.b32decode(body + "=" * (-len(body) % 8))
    if raw[:4] != _PREFIX:
        raise ContentError(f"Unsupported CID (not raw sha2-256): {cid}")
    return raw[4:]


def is_cid(text: str) -> bool:
    try:
        digest_from_cid(text)
    except ContentError:
        return False
    return True

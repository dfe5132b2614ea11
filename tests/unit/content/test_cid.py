"""CIDv1 (raw, sha2-256, base32) computed locally, and the verified local store."""

from __future__ import annotations

from pathlib import Path

import pytest

from coop_dashboard.content.cid import (
    DAG_PB_CODEC,
    cid_for_bytes,
    cid_from_bytes,
    cid_to_bytes,
    digest_from_cid,
    is_cid,
    sha256_digest,
)
from coop_dashboard.content.store import MAX_BLOB_BYTES, LocalContentStore
from coop_dashboard.errors import ContentError


def test_known_vector() -> None:
    # `ipfs add --cid-version=1 --raw-leaves` of the 11 bytes "hello world"
    assert cid_for_bytes(b"hello world") == (
        "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
    )


def test_digest_round_trip() -> None:
    data = b"statement"
    assert digest_from_cid(cid_for_bytes(data)) == sha256_digest(data)
    assert is_cid(cid_for_bytes(data))
    assert not is_cid("../../etc/passwd")
    assert not is_cid("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG")  # CIDv0


def test_store_round_trip_and_corruption(tmp_path: Path) -> None:
    store = LocalContentStore(tmp_path)
    cid = store.put(b"# Statement\n")
    assert store.put(b"# Statement\n") == cid  # idempotent
    assert store.get(cid) == b"# Statement\n"
    path = next(tmp_path.rglob(cid))
    path.write_bytes(b"tampered")
    with pytest.raises(ContentError, match="does not match its CID"):
        store.get(cid)


def test_store_refuses_bad_names_and_oversized_blobs(tmp_path: Path) -> None:
    store = LocalContentStore(tmp_path)
    with pytest.raises(ContentError, match="Not a CIDv1"):
        store.get("../secret")
    with pytest.raises(ContentError, match="is not in the local store"):
        store.get(cid_for_bytes(b"never stored"))
    with pytest.raises(ContentError, match="at most"):
        store.put(b"\0" * (MAX_BLOB_BYTES + 1))


def test_dag_pb_roots_parse_and_only_one_spelling_is_accepted() -> None:
    root = "bafybeidbbs6ocod3v27jtr4uhvc6n55y3gbrtur3bvjsnraudtbxkozi2y"  # 256 KiB + 1 B
    raw = cid_to_bytes(root)
    assert raw[:4] == bytes([0x01, DAG_PB_CODEC, 0x12, 0x20]) and cid_from_bytes(raw) == root
    assert is_cid(root)
    with pytest.raises(ContentError, match="not raw sha2-256"):
        digest_from_cid(root)  # the statement digest rule stays raw-only
    # The last base32 letter carries 2 padding bits: "y" -> "z" names the same bytes.
    assert not is_cid(root[:-1] + "z")
    assert not is_cid(root.upper()) and not is_cid(root + "\n")
    # CIDv1 with another codec (dag-cbor, 0x71) or another hash is not served here
    assert not is_cid(cid_from_bytes(bytes([0x01, 0x71, 0x12, 0x20]) + raw[4:]))
    assert not is_cid(cid_from_bytes(bytes([0x01, 0x55, 0x13, 0x20]) + raw[4:]))

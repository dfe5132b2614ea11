"""CIDv1 (raw, sha2-256, base32) computed locally, and the verified local store."""

from __future__ import annotations

from pathlib import Path

import pytest

from coop_dashboard.content.cid import cid_for_bytes, digest_from_cid, is_cid, sha256_digest
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

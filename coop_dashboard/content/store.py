"""The local content store: blobs on disk named by their CID, verified on read."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from coop_dashboard.content.cid import cid_for_bytes, digest_from_cid, sha256_digest
from coop_dashboard.errors import ContentError

# A blob larger than this is refused: it would not fit the UI's use of the store
# (statements, data cards, descriptions); datasets themselves are referenced.
MAX_BLOB_BYTES = 16 * 1024 * 1024


class LocalContentStore:
    """Content-addressed files under one directory (write once, verify on read)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, cid: str) -> Path:
        digest_from_cid(cid)  # validates the name before it touches the filesystem
        return self.root / cid[:10] / cid

    def put(self, data: bytes) -> str:
        """Store `data`; returns its CID. Idempotent."""
        if len(data) > MAX_BLOB_BYTES:
            raise ContentError(
                f"The content is {len(data):,} bytes; the store accepts at most {MAX_BLOB_BYTES:,}."
            )
        cid = cid_for_bytes(data)
        path = self._path(cid)
        if path.exists():
            return cid
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".put-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
        return cid

    def has(self, cid: str) -> bool:
        return self._path(cid).exists()

    def get(self, cid: str) -> bytes:
        """The bytes named by `cid`, verified against it."""
        path = self._path(cid)
        if not path.exists():
            raise ContentError(f"Content {cid} is not in the local store.")
        data = path.read_bytes()
        if sha256_digest(data) != digest_from_cid(cid):
            raise ContentError(f"Content {cid} on disk does not match its CID (corrupted).")
        return data

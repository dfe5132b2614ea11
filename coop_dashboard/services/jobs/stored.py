"""Small documents of a job read from the content store: spec, metrics, evidence, reasons.

Their CIDs come from the chain (anyone's choice), so each read is bounded in
size, verified against its CID by the store, and answered with a sentence
instead of an exception when the content is missing, too large or not a CID.
"""

from __future__ import annotations

from dataclasses import dataclass

from coop_dashboard.content.cid import is_cid
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.errors import CoopError


@dataclass(frozen=True)
class StoredBlob:
    data: bytes | None
    problem: str = ""  # why `data` is None


def read_blob(store: LocalContentStore, cid: str, limit: int) -> StoredBlob:
    cid = cid.strip().removeprefix("ipfs://")
    if not cid or len(cid) > 128 or not is_cid(cid):
        return StoredBlob(None, "Not a content identifier.")
    try:
        if not store.has(cid):
            return StoredBlob(None, "Not in this dashboard's content store.")
        size = store.size(cid)
        if size > limit:
            return StoredBlob(None, f"Too large to show here ({size:,} bytes).")
        return StoredBlob(store.get(cid))
    except (CoopError, OSError):
        return StoredBlob(None, "Could not be read or does not match its CID.")


def read_text(store: LocalContentStore, cid: str, limit: int) -> str:
    """The stored text (UTF-8, control characters but newlines and tabs dropped), or why not."""
    blob = read_blob(store, cid, limit)
    if blob.data is None:
        return f"({blob.problem})"
    text = blob.data.decode("utf-8", errors="replace")
    return "".join(c for c in text if c in "\n\t" or c.isprintable())

"""Statement documents: which URIs are fetched, fetching and checking against the digest,
the name a statement gives its author, and the diff between two versions.

Anyone publishes any URI and any digest. Only `ipfs://<cidv1>` (the local content
store) and `https://` (bounded in size and time) are fetched or linked; anything
else is shown as text. Fetched bytes are compared with the on-chain sha-256: a
document that does not match is never shown as the statement (Mismatch). All
I/O here is blocking: call from a worker thread.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx

from coop_dashboard.content.cid import is_cid
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.errors import ContentError

# One limit for a statement document (the editor refuses more, fetches stop there).
STATEMENT_MAX_BYTES = 20_000
HTTPS_TIMEOUT_S = 5.0
NAME_MAX_CHARS = 80

UriKind = Literal["ipfs", "https", "other"]
Status = Literal["verified", "mismatch", "unavailable"]


@dataclass(frozen=True)
class StatementUri:
    kind: UriKind
    uri: str
    href: str  # "" for kind "other": shown as text, never a link
    cid: str = ""


def classify_uri(uri: str) -> StatementUri:
    """Which URIs are fetched and linked: ipfs://<cidv1> and https://host/...; nothing else."""
    if uri.startswith("ipfs://"):
        cid = uri[len("ipfs://") :]
        if is_cid(cid):
            return StatementUri("ipfs", uri, f"/ipfs/{cid}", cid)
        return StatementUri("other", uri, "")
    if uri.startswith("https://") and _plain_https(uri):
        return StatementUri("https", uri, uri)
    return StatementUri("other", uri, "")


_HTTPS = re.compile(r"^https://[A-Za-z0-9.-]+(:\d{1,5})?(/[^\s\"'<>\\]*)?$")


def _plain_https(uri: str) -> bool:
    return bool(_HTTPS.match(uri))


@dataclass(frozen=True)
class StatementCheck:
    status: Status
    text: str  # the document (only when verified), else ""
    note: str  # why it is not verified


def check_document(data: bytes | None, digest_hex: str) -> StatementCheck:
    """Verified when `data` hashes to the on-chain digest; never hands back other bytes."""
    if data is None:
        return StatementCheck("unavailable", "", "The document could not be fetched.")
    if "0x" + hashlib.sha256(data).hexdigest() != digest_hex.lower():
        return StatementCheck(
            "mismatch", "", "The fetched document does not match the digest on chain."
        )
    return StatementCheck("verified", data.decode("utf-8", "replace"), "")


class AlteredContent(Exception):
    """The local store holds the CID, but its bytes no longer hash to it."""


def fetch_document(uri: StatementUri, store: LocalContentStore) -> bytes | None:
    """The document's bytes (at most STATEMENT_MAX_BYTES), or None if unreachable.

    Raises AlteredContent when the stored blob was changed on disk (the store
    verifies every read against the CID and refuses to hand back other bytes).
    """
    if uri.kind == "ipfs":
        try:
            if not store.has(uri.cid) or store.size(uri.cid) > STATEMENT_MAX_BYTES:
                return None
        except (ContentError, OSError, ValueError):
            return None
        try:
            return store.get(uri.cid)
        except ContentError as error:
            raise AlteredContent(str(error)) from error
        except (OSError, ValueError):
            return None
    if uri.kind == "https":
        return _fetch_https(uri.uri)
    return None


def _fetch_https(url: str) -> bytes | None:
    try:
        with (
            httpx.Client(timeout=HTTPS_TIMEOUT_S, follow_redirects=False) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                return None
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > STATEMENT_MAX_BYTES:
                    return None
            return bytes(body)
    except (httpx.HTTPError, OSError, ValueError):
        return None


def load_statement(uri: str, digest_hex: str, content_dir: Path) -> StatementCheck:
    """Fetch (when the URI allows it) and check a statement document."""
    kind = classify_uri(uri)
    if kind.kind == "other":
        return StatementCheck(
            "unavailable", "", "This URI is not fetched (only ipfs:// and https://)."
        )
    try:
        data = fetch_document(kind, LocalContentStore(content_dir))
    except AlteredContent:
        return StatementCheck(
            "mismatch", "", "The stored document does not match the digest on chain (altered)."
        )
    return check_document(data, digest_hex)


_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_NAME_LINE = re.compile(r"^name:\s*(.+?)\s*$", re.MULTILINE)
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def statement_name(document: str) -> str:
    """A `name:` front-matter field, else the first heading, else ""; plain text, short."""
    front = _FRONT_MATTER.match(document)
    match = _NAME_LINE.search(front.group(1)) if front else None
    if match is None:
        match = _HEADING.search(document)
    if match is None:
        return ""
    name = re.sub(r"[*_`\[\]<>]", "", match.group(1)).replace("\x00", "").strip().strip("\"'")
    return name[:NAME_MAX_CHARS]


def statement_diff(older: str, newer: str, older_label: str, newer_label: str) -> list[str]:
    """Unified diff lines between two versions (each line shown as text)."""
    return list(
        difflib.unified_diff(
            older.splitlines(),
            newer.splitlines(),
            fromfile=older_label,
            tofile=newer_label,
            lineterm="",
        )
    )

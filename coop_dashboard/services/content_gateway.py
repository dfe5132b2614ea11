"""What the `/ipfs/<cid>` gateway answers: blobs from the local content store, never HTML.

Proposal descriptions and statements link to `ipfs://<cid>`; the markdown
renderer points those links and images at this gateway, on the app's own
origin. Whatever a stranger stored, it must not run there: the answer is
`text/plain` for text, an image type only for the raster formats a browser
decodes as images (PNG, JPEG, GIF, WebP; never SVG), and a download
(`attachment`) for anything else, always with `nosniff` and a sandboxing CSP.
Blocking I/O: call `gateway_answer` from a worker thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from coop_dashboard.content.cid import is_cid
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.errors import ContentError
from coop_dashboard.services.byte_ranges import RangeNotSatisfiable, requested_range

GATEWAY_PREFIX = "/ipfs/"
# The content type is decided from this many leading bytes.
SNIFF_BYTES = 4096
# Answers up to this size are read whole (one verified read); larger ones stream.
INLINE_MAX_BYTES = 1 << 20
# Headers on every answer, errors included.
SAFETY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Referrer-Policy": "no-referrer",
}
# Raster images by their magic bytes; everything else is text or a download.
_IMAGE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


@dataclass(frozen=True)
class GatewayAnswer:
    """Status, headers and the body: bytes, or verified pieces to stream (large files)."""

    status: int
    body: bytes | Iterator[bytes]
    headers: dict[str, str] = field(default_factory=dict)


def _refusal(status: int, message: str) -> GatewayAnswer:
    return GatewayAnswer(
        status,
        message.encode(),
        {
            **SAFETY_HEADERS,
            "Content-Type": "text/plain; charset=utf-8",
            "Cache-Control": "no-store",
        },
    )


def content_type_of(data: bytes, *, complete: bool = True) -> tuple[str, bool]:
    """(Content-Type, as a download?) for a file starting with `data` (the whole file when
    `complete`): never a type a browser renders as a page."""
    for signature, mime in _IMAGE_SIGNATURES:
        if data.startswith(signature):
            return mime, False
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        # A prefix may end inside a multi-byte character: only an error before the
        # last 3 bytes of a cut prefix says "not text".
        if complete or error.start < len(data) - 3:
            return "application/octet-stream", True
    # HTML, SVG or markdown alike: shown as text, the bytes exactly as stored.
    return "text/plain; charset=utf-8", False


def verified_body(
    store: LocalContentStore, cid: str, offset: int, length: int
) -> bytes | Iterator[bytes]:
    """Bytes [offset, offset + length) of `cid`: read whole up to INLINE_MAX_BYTES (verified
    now, or ContentError before any header is sent), else verified piece by piece as they
    stream."""
    if length <= INLINE_MAX_BYTES:
        return b"".join(store.iter_content(cid, offset, length))
    return store.iter_content(cid, offset, length)


def gateway_answer(content_dir: Path, cid: str, range_header: str | None = None) -> GatewayAnswer:
    """The answer to `GET /ipfs/<cid>`: 400 malformed, 404 unknown, 200 the verified bytes
    (streamed piece by piece for files of any size), 206 one requested byte range,
    416 a range past the end."""
    if not is_cid(cid):
        return _refusal(400, "Not a CID this gateway serves (CIDv1, sha2-256, base32).")
    store = LocalContentStore(content_dir)
    try:
        if not store.has(cid):
            return _refusal(404, f"{cid} is not in this cooperative's content store.")
        size = store.size(cid)
        # The type is decided by the file's first bytes, whatever range is asked for.
        head = b"".join(store.iter_content(cid, 0, SNIFF_BYTES))
        try:
            wanted = requested_range(range_header, size)
        except RangeNotSatisfiable as unsatisfiable:
            refusal = _refusal(416, str(unsatisfiable))
            refusal.headers["Content-Range"] = unsatisfiable.content_range
            return refusal
        offset, length = (0, size) if wanted is None else (wanted.offset, wanted.length)
        body = verified_body(store, cid, offset, length)
    except ContentError as exc:
        return _refusal(502, f"{cid} cannot be served: {exc}")
    mime, download = content_type_of(head, complete=size <= SNIFF_BYTES)
    headers = {
        **SAFETY_HEADERS,
        "Content-Type": mime,
        "Content-Length": str(length),
        "Accept-Ranges": "bytes",
        # Content-addressed: these bytes never change under this name.
        "Cache-Control": "public, max-age=31536000, immutable",
        "ETag": f'"{cid}"',
    }
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{cid}"'
    if wanted is None:
        return GatewayAnswer(200, body, headers)
    headers["Content-Range"] = wanted.content_range
    return GatewayAnswer(206, body, headers)

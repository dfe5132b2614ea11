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

from dataclasses import dataclass, field
from pathlib import Path

from coop_dashboard.content.cid import is_cid
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.errors import ContentError

GATEWAY_PREFIX = "/ipfs/"
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
    status: int
    body: bytes
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


def content_type_of(data: bytes) -> tuple[str, bool]:
    """(Content-Type, as a download?) for `data`: never a type a browser renders as a page."""
    for signature, mime in _IMAGE_SIGNATURES:
        if data.startswith(signature):
            return mime, False
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream", True
    # HTML, SVG or markdown alike: shown as text, the bytes exactly as stored.
    return "text/plain; charset=utf-8", False


def gateway_answer(content_dir: Path, cid: str) -> GatewayAnswer:
    """The answer to `GET /ipfs/<cid>`: 400 malformed, 404 unknown, 200 verified bytes."""
    if not is_cid(cid):
        return _refusal(400, "Not a CID this gateway serves (CIDv1, sha2-256, base32).")
    store = LocalContentStore(content_dir)
    try:
        if not store.has(cid):
            return _refusal(404, f"{cid} is not in this cooperative's content store.")
        data = store.get(cid)  # verified against the CID, or ContentError
    except ContentError as exc:
        return _refusal(502, f"{cid} cannot be served: {exc}")
    mime, download = content_type_of(data)
    headers = {
        **SAFETY_HEADERS,
        "Content-Type": mime,
        # Content-addressed: these bytes never change under this name.
        "Cache-Control": "public, max-age=31536000, immutable",
        "ETag": f'"{cid}"',
    }
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{cid}"'
    return GatewayAnswer(200, data, headers)

"""The build's hashed assets (`/assets/<name>`) answered from memory, marked immutable.

Reflex's production server serves them with Starlette's StaticFiles, which per
request stats the file in a thread, stats each compressed sidecar, then streams the
body from disk in 64 KB reads, each another hop to a thread. A cold `/proposals`
asks for 17 modules and a stylesheet over the browser's 6 connections, all queued
on the one event loop: the last module arrived ~140 ms after navigation, and the
page's scripts run only once all are in. A build does not change while it is served
and each asset's name carries its content's hash, so each (asset, encoding) is read
once, off the loop, then answered in one write; and a returning browser is told it
never needs to ask again (`immutable`).

Measured on a cold `/proposals` (7 loads each): the last module arrived at 124
instead of 144 ms; alternate loads against the code before (11 per page) moved
DOMContentLoaded 243 -> 200 ms on `/` and 214 -> 193 ms on `/proposals`, and data
visible by -69, -15 and -36 ms (paired means, `/`, `/proposals`, a proposal page).

Anything else (a name that is not a plain file name, a file the build lacks) goes
on to StaticFiles, which answers 404 as before. Misses are not cached, so a worker
holds at most every variant of the build's assets: the whole folder, 7.0 MB today,
in practice the one encoding browsers ask for (brotli: 1.1 MB).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from mimetypes import guess_type
from pathlib import Path

from reflex.config import get_config
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from coop_dashboard.api.served_build import ServedBuild

ASSETS_DIR = "assets"
# Vite's asset names: one path segment, no leading dot (so no `..`, no hidden file).
_ASSET_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")
# Reflex's compression format names (rxconfig's frontend_compression_formats) as
# (Content-Encoding, the sidecar file's suffix).
ENCODINGS = {"brotli": ("br", ".br"), "gzip": ("gzip", ".gz"), "zstd": ("zstd", ".zst")}
CACHE_CONTROL = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Asset:
    """One variant of an asset, as it is sent."""

    body: bytes
    media_type: str
    content_encoding: str | None


@dataclass(frozen=True)
class AcceptedEncodings:
    """An Accept-Encoding header, read: each content coding named and its quality."""

    qualities: dict[str, float]

    @classmethod
    def parse(cls, header: str | None) -> AcceptedEncodings:
        qualities: dict[str, float] = {}
        for entry in (header or "").split(","):
            token, *params = (part.strip() for part in entry.split(";"))
            quality = 1.0
            for param in params:
                key, _, value = param.partition("=")
                if key.strip().lower() == "q":
                    try:
                        quality = float(value)
                    except ValueError:
                        quality = 0.0
            if token:
                qualities[token.lower()] = quality
        return cls(qualities)

    def accepts(self, coding: str) -> bool:
        """Named with a quality above 0, or unnamed and `*` accepted (RFC 9110, 12.5.3)."""
        quality = self.qualities.get(coding, self.qualities.get("*", 0.0))
        return quality > 0


def media_type(name: str) -> str:
    # As Reflex's server says it: browsers refuse a module served as anything else.
    if name.endswith((".js", ".mjs")):
        return "text/javascript; charset=utf-8"
    guessed = guess_type(name)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


def read_asset(assets: Path, name: str, codings: tuple[tuple[str, str], ...]) -> Asset | None:
    """The first of `codings` ((Content-Encoding, suffix), in preference order) the build
    has for `name`, else the file itself; None when the build has no such file."""
    plain = assets / name
    if not plain.is_file():
        return None
    for content_encoding, suffix in codings:
        sidecar = assets / (name + suffix)
        if sidecar.is_file():
            return Asset(sidecar.read_bytes(), media_type(name), content_encoding)
    return Asset(plain.read_bytes(), media_type(name), None)


class BuildAssets:
    """Answers `<prefix>/assets/<name>` from memory; everything else goes on."""

    def __init__(
        self,
        app: ASGIApp,
        build: ServedBuild | None = None,
        formats: list[str] | None = None,
    ) -> None:
        self.app = app
        self._build = build or ServedBuild()
        self._formats = formats
        self._assets: dict[tuple[str, tuple[tuple[str, str], ...]], Asset] = {}

    def _codings(self, scope: Scope) -> tuple[tuple[str, str], ...]:
        """The build's compressed variants this request accepts, in the build's order."""
        if self._formats is None:  # Reflex's config, read once (fixed while served)
            self._formats = list(get_config().frontend_compression_formats)
        accepted = AcceptedEncodings.parse(Headers(scope=scope).get("accept-encoding"))
        return tuple(
            ENCODINGS[name]
            for name in self._formats
            if name in ENCODINGS and accepted.accepts(ENCODINGS[name][0])
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Every request passes here (and lifespan scopes, which have no path): cheap
        # tests first.
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            head, _, name = scope["path"].rpartition("/")
            static_dir, prefix = self._build.location()
            if head == f"{prefix}/{ASSETS_DIR}" and _ASSET_NAME.fullmatch(name):
                asset = await self._asset(static_dir / ASSETS_DIR, name, self._codings(scope))
                if asset is not None:
                    await self._answer(asset, scope, send)
                    return
        await self.app(scope, receive, send)

    async def _asset(
        self, assets: Path, name: str, codings: tuple[tuple[str, str], ...]
    ) -> Asset | None:
        key = (name, codings)
        asset = self._assets.get(key)
        if asset is None:
            asset = await asyncio.to_thread(read_asset, assets, name, codings)
            if asset is not None:
                self._assets[key] = asset
        return asset

    @staticmethod
    async def _answer(asset: Asset, scope: Scope, send: Send) -> None:
        headers = [
            (b"content-type", asset.media_type.encode()),
            (b"content-length", str(len(asset.body)).encode()),
            (b"cache-control", CACHE_CONTROL.encode()),
            (b"vary", b"Accept-Encoding"),
        ]
        if asset.content_encoding is not None:
            headers.append((b"content-encoding", asset.content_encoding.encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        body = b"" if scope["method"] == "HEAD" else asset.body
        await send({"type": "http.response.body", "body": body})

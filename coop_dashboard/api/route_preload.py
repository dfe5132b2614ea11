"""A page at a dynamic address (a proposal's, a dataset's...) preloads its own modules.

Such pages are not prerendered: Reflex's production server answers them with React
Router's SPA fallback, whose HTML preloads the root route's modules only. React
Router imports the page's route module, and with it the shared registry chunk and
its icons, once the fallback has hydrated: on a cold proposal page those requests
left ~530 ms after navigation, after the page's data had arrived. Here the fallback
served for an address that matches a dynamic route names that route's modules as
`<link rel="modulepreload">`, so the browser fetches and compiles them with the rest
(a proposal page: data visible 455 vs 491 ms, first paint 568 vs 632 ms).

The routes and their modules come from the build's React Router manifest, read once
on the first request (a build is fixed while it is served).
"""

from __future__ import annotations

import asyncio
import gzip
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from coop_dashboard.api.served_build import ServedBuild
from coop_dashboard.frontend.routes import address_pattern, react_router_parameter

# What Reflex serves for an address with no file of its own (a copy of React Router's
# __spa-fallback.html).
FALLBACK_HTML = "404.html"
_MANIFEST_IMPORT = re.compile(r'import "([^"]*/assets/manifest-[^"/]+\.js)"')
_MODULEPRELOAD = re.compile(r'<link rel="modulepreload" href="([^"]+)"/?>')
_MANIFEST_PREFIX = "window.__reactRouterManifest="


@dataclass(frozen=True)
class PreloadedPage:
    """The fallback HTML for one dynamic route, naming its modules."""

    pattern: re.Pattern[str]
    body: bytes
    gzipped: bytes


def _route_path(routes: dict[str, dict[str, object]], route_id: str) -> str:
    """A route's full path: its parents' paths joined with its own."""
    parts: list[str] = []
    current: str | None = route_id
    while current is not None:
        route = routes[current]
        path = str(route.get("path") or "").strip("/")
        if path:
            parts.append(path)
        parent = route.get("parentId")
        current = str(parent) if parent is not None else None
    return "/".join(reversed(parts))


def _pattern(path: str, prefix: str) -> re.Pattern[str] | None:
    """The addresses a dynamic route path (`proposals/:proposal_id`) matches, or None
    for a path without parameters or with a catch-all (left to React Router)."""
    segments = path.split("/")
    if not any(map(react_router_parameter, segments)) or "*" in segments:
        return None
    return address_pattern(segments, react_router_parameter, prefix)


def preloaded_pages(static_dir: Path, prefix: str = "") -> list[PreloadedPage]:
    """One fallback page per dynamic route of the build in `static_dir` (none without
    a build: in dev mode the frontend is served by its own server)."""
    fallback_path = static_dir / FALLBACK_HTML
    if not fallback_path.is_file():
        return []
    fallback = fallback_path.read_text()
    found = _MANIFEST_IMPORT.search(fallback)
    if found is None or "</head>" not in fallback:
        return []
    manifest_url = found.group(1).removeprefix(prefix)
    manifest_text = (static_dir / manifest_url.lstrip("/")).read_text().strip()
    manifest = json.loads(manifest_text.removeprefix(_MANIFEST_PREFIX).rstrip(";"))
    routes: dict[str, dict[str, object]] = manifest["routes"]
    preloaded = set(_MODULEPRELOAD.findall(fallback))
    pages: list[PreloadedPage] = []
    for route_id, route in routes.items():
        pattern = _pattern(_route_path(routes, route_id), prefix)
        if pattern is None:
            continue
        imports = route.get("imports")
        wanted = [route["module"], *(imports if isinstance(imports, list) else [])]
        modules = [url for url in wanted if url not in preloaded]
        links = "".join(
            f'<link rel="modulepreload" href="{html.escape(str(url))}"/>'
            for url in dict.fromkeys(modules)
        )
        body = fallback.replace("</head>", links + "</head>", 1).encode()
        pages.append(PreloadedPage(pattern, body, gzip.compress(body, mtime=0)))
    return pages


class RoutePreload:
    """Answers a dynamic route's address with the fallback naming its modules."""

    def __init__(self, app: ASGIApp, build: ServedBuild | None = None) -> None:
        self.app = app
        self._build = build or ServedBuild()
        # Read once, off the loop, on the first request: a build is fixed while it is served.
        self._pages: list[PreloadedPage] | None = None

    async def _preloaded(self) -> list[PreloadedPage]:
        if self._pages is None:
            self._pages = await asyncio.to_thread(preloaded_pages, *self._build.location())
        return self._pages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            path = scope["path"]
            if not await self._build.has_page(path):
                for page in await self._preloaded():
                    if page.pattern.fullmatch(path):
                        await self._answer(page, scope, receive, send)
                        return
        await self.app(scope, receive, send)

    @staticmethod
    async def _answer(page: PreloadedPage, scope: Scope, receive: Receive, send: Send) -> None:
        gzipped = "gzip" in Headers(scope=scope).get("accept-encoding", "")
        headers = {"Vary": "Accept-Encoding", "Cache-Control": "no-cache"}
        if gzipped:
            headers["Content-Encoding"] = "gzip"
        body = page.gzipped if gzipped else page.body
        response = Response(
            b"" if scope["method"] == "HEAD" else body,
            200,
            headers,
            media_type="text/html; charset=utf-8",
        )
        if scope["method"] == "HEAD":
            response.headers["Content-Length"] = str(len(body))
        await response(scope, receive, send)

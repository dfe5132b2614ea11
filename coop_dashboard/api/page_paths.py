"""`GET /proposals` answers with the prerendered page instead of a redirect to `/proposals/`.

Reflex's production server serves the frontend with Starlette's StaticFiles, which
answers a page's address without its trailing slash (how the app's links and
people write it) with a 307 to the address with one: a cold load by URL paid a
round trip before the HTML. Here such a request is served the page directly, as
`/proposals/` is; React Router treats both addresses as the same route.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from reflex.config import get_config
from reflex.constants import Dirs
from reflex.utils.prerequisites import get_web_dir
from starlette.types import ASGIApp, Receive, Scope, Send


def prerendered_pages(static_dir: Path, prefix: str = "") -> frozenset[str]:
    """The addresses (`/proposals`, `/proposals/new`) with an index.html in the build,
    under `prefix` (Reflex's frontend_path, e.g. `/app`)."""
    if not static_dir.is_dir():
        return frozenset()  # dev mode: the frontend is served by its own server
    return frozenset(
        f"{prefix}/{index.parent.relative_to(static_dir).as_posix()}"
        for index in static_dir.rglob("index.html")
        if index.parent != static_dir
    )


def frontend_prefix() -> str:
    """Reflex's frontend_path as an address prefix (`/app`, or empty)."""
    path = get_config().frontend_path.strip("/")
    return f"/{path}" if path else ""


def frontend_static_dir() -> Path:
    """Where Reflex's production server serves the built frontend from."""
    return get_web_dir() / Dirs.STATIC / frontend_prefix().lstrip("/")


def served_build(static_dir: Path | None, prefix: str) -> tuple[Path, str]:
    """The build folder and address prefix a middleware reads: the ones it was given
    (tests), else Reflex's."""
    if static_dir is None:
        return frontend_static_dir(), frontend_prefix()
    return static_dir, prefix


class PrerenderedPagePaths:
    """Rewrites a page's address without its slash to the one StaticFiles serves."""

    def __init__(self, app: ASGIApp, static_dir: Path | None = None, prefix: str = "") -> None:
        self.app = app
        self._static_dir = static_dir
        self._prefix = prefix
        # Read once, off the loop, on the first request: a build is fixed while it is served.
        self._pages: frozenset[str] | None = None

    async def _known_pages(self) -> frozenset[str]:
        if self._pages is None:
            static_dir, prefix = served_build(self._static_dir, self._prefix)
            self._pages = await asyncio.to_thread(prerendered_pages, static_dir, prefix)
        return self._pages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in ("GET", "HEAD")
            and scope["path"] in await self._known_pages()
        ):
            path = scope["path"] + "/"
            scope = {**scope, "path": path, "raw_path": path.encode()}
        await self.app(scope, receive, send)

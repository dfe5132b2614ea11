"""The built frontend Reflex's production server serves, as the page middlewares read it.

api/page_paths.py and api/route_preload.py both need to know which addresses are
prerendered pages; one `ServedBuild` reads that once for both, off the event loop,
on the first request (a build is fixed while it is served).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from reflex.config import get_config
from reflex.constants import Dirs
from reflex.utils.prerequisites import get_web_dir


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


class ServedBuild:
    """One build folder and its address prefix: the given ones (tests), else Reflex's."""

    def __init__(self, static_dir: Path | None = None, prefix: str = "") -> None:
        self._static_dir = static_dir
        self._prefix = prefix
        self._pages: frozenset[str] | None = None

    def location(self) -> tuple[Path, str]:
        """The build folder and the prefix of the addresses it serves (asked on every
        request: Reflex's config is read once, ~20 us a time otherwise)."""
        if self._static_dir is None:
            self._static_dir, self._prefix = frontend_static_dir(), frontend_prefix()
        return self._static_dir, self._prefix

    async def prerendered(self) -> frozenset[str]:
        """The addresses of the build's prerendered pages (read once)."""
        if self._pages is None:
            self._pages = await asyncio.to_thread(prerendered_pages, *self.location())
        return self._pages

    async def has_page(self, path: str) -> bool:
        """Whether the build has a prerendered page at `path`: such a page
        (`/proposals/new`) is its own route, never a dynamic route's parameter."""
        return path.rstrip("/") in await self.prerendered()

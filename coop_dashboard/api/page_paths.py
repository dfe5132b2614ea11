"""`GET /proposals` answers with the prerendered page instead of a redirect to `/proposals/`.

Reflex's production server serves the frontend with Starlette's StaticFiles, which
answers a page's address without its trailing slash (how the app's links and
people write it) with a 307 to the address with one: a cold load by URL paid a
round trip before the HTML. Here such a request is served the page directly, as
`/proposals/` is; React Router treats both addresses as the same route.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from coop_dashboard.api.served_build import ServedBuild


class PrerenderedPagePaths:
    """Rewrites a page's address without its slash to the one StaticFiles serves."""

    def __init__(self, app: ASGIApp, build: ServedBuild | None = None) -> None:
        self.app = app
        self._build = build or ServedBuild()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in ("GET", "HEAD")
            and scope["path"] in await self._build.prerendered()
        ):
            path = scope["path"] + "/"
            scope = {**scope, "path": path, "raw_path": path.encode()}
        await self.app(scope, receive, send)

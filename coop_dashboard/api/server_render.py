"""Pages answered with their first data in their HTML, rendered per request.

Reflex serves each page as HTML prerendered at build time with every state at its
default, so a cold load shows the page's data only once the browser has loaded and
run the JavaScript, React has hydrated the page, the websocket has opened and the
hydrate has been answered: 600-800 ms on this 2-core machine for `/`, `/proposals`
and a proposal page, and ~450 ms even for a trivial page, most of it CPU the browser
and the server share. Here a page registered with `server_render=True` is answered
with HTML React renders at request time with the state its on_load shows a visitor
(state/server_render.py), so its data is in the first paint.

- The HTML comes from a renderer process per backend worker
  (frontend/server_render_server.js run by bun, over the build's server bundle),
  asked over a Unix socket. The page's state goes into the HTML too, as JSON, so
  the browser's store starts from it and React hydrates without a mismatch
  (frontend/server_render.js); the tab's hydrate then replaces it with the tab's own.
- A render is kept by (address, state): while a page's data does not change, its
  visitors get the same HTML without another render.
- Anything that fails (no server bundle in dev mode, no bun, the renderer busy,
  slow, crashed or answering an error, a view that cannot be read or written as
  JSON) answers the prerendered page, as before: a render is an improvement of the
  first paint, never a condition of serving the page. A crashed renderer is
  started again. A request with `X-Coop-Page: prerendered` gets the page as built.
- Strings read from the chain reach the HTML only through React (which escapes
  text) and the JSON, whose `<`, `>`, `&` and line separators are escaped so no
  value can end the script element that holds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import logging
import shutil
import tempfile
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from reflex.config import get_config
from reflex.utils.prerequisites import get_web_dir
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from coop_dashboard.api.build_assets import AcceptedEncodings
from coop_dashboard.api.served_build import ServedBuild
from coop_dashboard.frontend.server_render import RENDERER_JS, STATE_ELEMENT_ID
from coop_dashboard.pages.registry import ServerRenderedRoute, server_rendered_routes
from coop_dashboard.state.server_render import NotRenderable, first_view, view_json

logger = logging.getLogger(__name__)

SERVER_BUNDLE = Path("build") / "server" / "index.js"
START_TIMEOUT_S = 30.0
# A page whose render takes longer is answered prerendered (the render is abandoned).
RENDER_TIMEOUT_S = 1.5
# Renders run one at a time in the renderer: past this many waiting, answer prerendered
# at once rather than make a page wait behind others (a burst of cold loads).
MAX_WAITING_RENDERS = 4
RESTART_AFTER_S = 10.0
# What a page's HTML may carry as its state (a feed page is ~20 KB).
MAX_STATE_CHARS = 2_000_000
# A request with this header gets the page as built (benchmarks/page_speed.py's baseline).
AS_BUILT_HEADER = "x-coop-page"
AS_BUILT = "prerendered"
# Rendered pages kept per worker (~70 KB each, plus the gzipped copy).
RENDERED_PAGES_KEPT = 64

# JSON inside <script>: these cannot end the element or open a comment there when escaped
# (each is only ever inside a JSON string, where the escape means the same character).
_SCRIPT_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def state_script(view: str) -> str:
    """The script element carrying a page's state (JSON, never executed)."""
    return (
        f'<script type="application/json" id="{STATE_ELEMENT_ID}">'
        f"{view.translate(_SCRIPT_ESCAPES)}</script>"
    )


def with_state(html: str, view: str) -> str:
    """The rendered page with its state before `</head>` (read before the app's modules run)."""
    head_end = html.find("</head>")
    if head_end < 0:
        raise NotRenderable("the rendered page has no </head>")
    return html[:head_end] + state_script(view) + html[head_end:]


class PageRenderer:
    """One renderer process (bun running the web folder's coop_server_render.js)."""

    def __init__(self, web_dir: Path, bun: str) -> None:
        self.web_dir = web_dir
        self.bun = bun
        self._process: asyncio.subprocess.Process | None = None
        self._client: httpx.AsyncClient | None = None
        self._socket_dir: Path | None = None
        self._waiting = 0

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def start(self) -> None:
        self._socket_dir = Path(tempfile.mkdtemp(prefix="coop-render-"))
        socket_path = self._socket_dir / "render.sock"
        self._process = await asyncio.create_subprocess_exec(
            self.bun,
            RENDERER_JS,
            str(socket_path),
            cwd=self.web_dir,
            stdin=asyncio.subprocess.PIPE,  # closed (by us or our exit): it exits
            stdout=asyncio.subprocess.PIPE,
            stderr=None,  # into the worker's log
        )
        assert self._process.stdout is not None
        try:
            line = await asyncio.wait_for(self._process.stdout.readline(), START_TIMEOUT_S)
        except BaseException:
            await self.stop()  # no renderer left behind half-started
            raise
        if line.strip() != b"ready":
            await self.stop()
            raise RuntimeError(f"the page renderer did not start: {line[:200]!r}")
        self._client = httpx.AsyncClient(
            transport=httpx.AsyncHTTPTransport(uds=str(socket_path)),
            base_url="http://renderer",
            timeout=RENDER_TIMEOUT_S,
        )

    async def render(self, path: str, view: str) -> str | None:
        """The page at `path` rendered with `view` (a JSON delta), or None (busy, slow,
        crashed or refused: the caller answers the prerendered page)."""
        client = self._client
        if client is None or not self.running or self._waiting >= MAX_WAITING_RENDERS:
            return None
        self._waiting += 1
        try:
            response = await client.post(
                "/",
                content=f'{{"path":{json.dumps(path)},"states":{view}}}',
                headers={"content-type": "application/json"},
            )
        except httpx.HTTPError as exc:
            logger.warning("page render of %s failed: %s", path, exc)
            return None
        finally:
            self._waiting -= 1
        if response.status_code != 200:
            logger.warning("page render of %s answered %s", path, response.status_code)
            return None
        return response.text

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            if process.stdin is not None:
                process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), 5)
            except TimeoutError:
                process.kill()
                await process.wait()
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._socket_dir = None


def _bun() -> str | None:
    configured = get_config().bun_path
    if configured and Path(configured).is_file():
        return str(configured)
    return shutil.which("bun")


class RendererSupervisor:
    """This worker's renderer: started with the app, started again if it dies."""

    def __init__(self) -> None:
        self.renderer: PageRenderer | None = None
        self._failed_at = 0.0
        self._starting: asyncio.Task[None] | None = None

    def available(self) -> PageRenderer | None:
        renderer = self.renderer
        if renderer is not None and renderer.running:
            return renderer
        # It died: start another in the background, not more often than every
        # RESTART_AFTER_S; meanwhile pages are answered prerendered.
        if (
            renderer is not None
            and self._starting is None
            and time.monotonic() - self._failed_at > RESTART_AFTER_S
        ):
            self._failed_at = time.monotonic()
            self._starting = asyncio.create_task(self._restart(renderer))
        return None

    async def _restart(self, dead: PageRenderer) -> None:
        try:
            await dead.stop()
            fresh = PageRenderer(dead.web_dir, dead.bun)
            await fresh.start()
            self.renderer = fresh
        except Exception:
            logger.exception("the page renderer could not be started again")
        finally:
            self._starting = None

    @contextlib.asynccontextmanager
    async def running(self, web_dir: Path | None = None) -> AsyncIterator[None]:
        """Start the renderer if the build has a server bundle and bun is there."""
        web = web_dir or get_web_dir()
        bun = _bun()
        if not (web / SERVER_BUNDLE).is_file() or not (web / RENDERER_JS).is_file():
            logger.info("pages are served prerendered: the build has no server bundle")
        elif bun is None:
            logger.warning("pages are served prerendered: bun was not found")
        else:
            renderer = PageRenderer(web, bun)
            try:
                await renderer.start()
                self.renderer = renderer
            except Exception:
                logger.exception("pages are served prerendered: the renderer did not start")
        try:
            yield
        finally:
            if self._starting is not None:
                self._starting.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await self._starting
            if self.renderer is not None:
                await self.renderer.stop()
                self.renderer = None


supervisor = RendererSupervisor()


@contextlib.asynccontextmanager
async def page_renderer_lifespan() -> AsyncIterator[None]:
    """A lifespan task: the worker's page renderer runs while the app does."""
    async with supervisor.running():
        yield


@dataclass(frozen=True)
class RenderedPage:
    """A page as sent: its HTML with its state, and that gzipped (made once)."""

    body: bytes
    gzipped: bytes

    @classmethod
    def of(cls, html: str) -> RenderedPage:
        body = html.encode()
        return cls(body, gzip.compress(body, compresslevel=6, mtime=0))


class RenderedPages:
    """The last pages rendered, by (address, state JSON).

    A render is a function of the address and the state alone (the build is fixed
    while it is served), so between two changes of a page's data every visitor gets
    the same HTML: it is rendered once per change, as the hub reads a view once per
    change, not once per visitor.
    """

    def __init__(self, size: int = RENDERED_PAGES_KEPT) -> None:
        self._size = size
        self._pages: OrderedDict[tuple[str, str], RenderedPage] = OrderedDict()

    def get(self, address: str, view: str) -> RenderedPage | None:
        page = self._pages.get((address, view))
        if page is not None:
            self._pages.move_to_end((address, view))
        return page

    def keep(self, address: str, view: str, page: RenderedPage) -> None:
        self._pages[(address, view)] = page
        while len(self._pages) > self._size:
            self._pages.popitem(last=False)


class ServerRenderedPages:
    """Answers a server-rendered page's address with its HTML rendered now."""

    def __init__(
        self,
        app: ASGIApp,
        build: ServedBuild | None = None,
        routes: Callable[[], Sequence[ServerRenderedRoute]] = server_rendered_routes,
        renderers: RendererSupervisor = supervisor,
    ) -> None:
        self.app = app
        self._build = build or ServedBuild()
        self._routes_of = routes
        self._routes: Sequence[ServerRenderedRoute] | None = None
        self._renderers = renderers
        self._rendered = RenderedPages()

    async def _route(self, path: str) -> ServerRenderedRoute | None:
        if self._routes is None:
            self._routes = self._routes_of()
        _, prefix = self._build.location()
        if prefix and not path.startswith(prefix):
            return None
        address = path.removeprefix(prefix) or "/"
        for route in self._routes:
            if route.pattern.fullmatch(address):
                if route.dynamic and await self._build.has_page(path):
                    return None
                return route
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and Headers(scope=scope).get(AS_BUILT_HEADER) != AS_BUILT
        ):
            renderer = self._renderers.available()
            route = await self._route(scope["path"]) if renderer is not None else None
            if renderer is not None and route is not None:
                page = await self._render(renderer, route, scope)
                if page is not None:
                    await _answer(page, scope, receive, send)
                    return
        await self.app(scope, receive, send)

    async def _render(
        self, renderer: PageRenderer, route: ServerRenderedRoute, scope: Scope
    ) -> RenderedPage | None:
        path = scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        address = path + (f"?{query}" if query else "")
        try:
            view = view_json(await first_view(route.on_load, f"http://localhost{address}"))
            if len(view) > MAX_STATE_CHARS:
                raise NotRenderable(f"its state is {len(view):,} characters")
            page = self._rendered.get(address, view)
            if page is None:
                html = await renderer.render(address, view)
                if html is None:
                    return None
                # Compressing ~70 KB takes a few ms: not on the event loop.
                page = await asyncio.to_thread(RenderedPage.of, with_state(html, view))
                self._rendered.keep(address, view, page)
            return page
        except NotRenderable as exc:
            logger.warning("%s is served prerendered: %s", path, exc)
        except Exception:
            # A page's on_load failing for a visitor here fails the same way in the tab,
            # which shows its own notice; the prerendered page is still the right answer.
            logger.exception("%s is served prerendered: its first view failed", path)
        return None


async def _answer(page: RenderedPage, scope: Scope, receive: Receive, send: Send) -> None:
    # Per request and per visitor: never stored, always asked again.
    headers = {"Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    body = page.body
    if AcceptedEncodings.parse(Headers(scope=scope).get("accept-encoding")).accepts("gzip"):
        body = page.gzipped
        headers["Content-Encoding"] = "gzip"
    response = Response(body, 200, headers, media_type="text/html; charset=utf-8")
    await response(scope, receive, send)

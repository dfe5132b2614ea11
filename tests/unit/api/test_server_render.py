"""Server-rendered pages (api/server_render.py): which addresses, what the HTML carries,
and the prerendered page whenever a render is not there. The renderer process itself
runs in tests/e2e/test_server_render.py, over a real build."""

from __future__ import annotations

import asyncio
import gzip
import json
import math
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from coop_dashboard.api.served_build import ServedBuild
from coop_dashboard.api.server_render import (
    PageRenderer,
    RenderedPage,
    RenderedPages,
    RendererSupervisor,
    ServerRenderedPages,
    _bun,
    state_script,
    with_state,
)
from coop_dashboard.frontend.server_render import RENDERER_JS, STATE_ELEMENT_ID
from coop_dashboard.pages.registry import ServerRenderedRoute, route_pattern
from coop_dashboard.state.server_render import NotRenderable, view_json

HOSTILE = "</script><script>window.pwned=1</script><!-- \u2028\u2029 & \x00 \ufffd"
PAGE = "<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>"


def test_the_state_script_cannot_be_ended_by_what_it_carries() -> None:
    view = json.dumps({"feed": {"title": HOSTILE}})
    script = state_script(view)
    inner = script[script.index(">") + 1 : -len("</script>")]
    assert "<" not in inner and ">" not in inner and "&" not in inner
    assert "\u2028" not in inner and "\u2029" not in inner
    assert json.loads(inner) == {"feed": {"title": HOSTILE}}
    assert script.startswith(f'<script type="application/json" id="{STATE_ELEMENT_ID}">')


def test_the_state_goes_into_the_head() -> None:
    html = with_state(PAGE.format(body="x"), '{"a": {}}')
    assert html.index(STATE_ELEMENT_ID) < html.index("</head>")
    with pytest.raises(NotRenderable):
        with_state("<html><body>no head end</body></html>", "{}")


def test_a_view_json_cannot_write_is_refused() -> None:
    assert json.loads(view_json({"s": {"v": 1.5, "t": HOSTILE}})) == {"s": {"v": 1.5, "t": HOSTILE}}
    for value in (math.nan, math.inf, -math.inf):
        with pytest.raises(NotRenderable):
            view_json({"s": {"v": value}})


@pytest.mark.parametrize(
    ("route", "matches", "misses"),
    [
        ("/", ["/"], ["/proposals", ""]),
        ("/proposals", ["/proposals", "/proposals/", "/Proposals"], ["/proposals/1", "/p"]),
        (
            "/proposals/[proposal_id]",
            ["/proposals/12", "/proposals/12/"],
            ["/proposals", "/proposals/1/2"],
        ),
    ],
)
def test_route_patterns(route: str, matches: list[str], misses: list[str]) -> None:
    pattern = route_pattern(route)
    assert all(pattern.fullmatch(path) for path in matches)
    assert not any(pattern.fullmatch(path) for path in misses)


class CannedRenderer(PageRenderer):
    """Answers every render with a fixed page, or None (as a busy or dead renderer does)."""

    def __init__(self, answer: str | None) -> None:
        super().__init__(Path("."), "bun")
        self.answer = answer
        self.asked: list[tuple[str, dict[str, Any]]] = []

    @property
    def running(self) -> bool:
        return True

    async def render(self, path: str, view: str) -> str | None:
        self.asked.append((path, json.loads(view)))
        return self.answer


class Supervising(RendererSupervisor):
    def __init__(self, renderer: PageRenderer | None) -> None:
        super().__init__()
        self.renderer = renderer


async def _feed_load(_state: Any) -> None:
    return None


def _client(
    tmp_path: Path, renderer: PageRenderer | None, routes: list[ServerRenderedRoute]
) -> TestClient:
    (tmp_path / "proposals" / "new").mkdir(parents=True)
    (tmp_path / "proposals" / "new" / "index.html").write_text("new")
    prerendered = Route(
        "/{path:path}", lambda r: PlainTextResponse("prerendered"), methods=["GET", "POST"]
    )
    app = Starlette(routes=[prerendered])
    app.add_middleware(
        ServerRenderedPages,
        build=ServedBuild(tmp_path),
        routes=lambda: routes,
        renderers=Supervising(renderer),
    )
    return TestClient(app)


def _routes() -> list[ServerRenderedRoute]:
    return [
        ServerRenderedRoute("/proposals", route_pattern("/proposals"), ()),
        ServerRenderedRoute(
            "/proposals/[proposal_id]", route_pattern("/proposals/[proposal_id]"), ()
        ),
    ]


def test_a_server_rendered_address_is_answered_rendered_with_its_state(tmp_path: Path) -> None:
    renderer = CannedRenderer(PAGE.format(body="cards"))
    client = _client(tmp_path, renderer, _routes())
    response = client.get("/proposals/7?x=1", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["cache-control"] == "no-cache"
    assert "cards" in response.text and STATE_ELEMENT_ID in response.text
    # The renderer is asked for the address with its query, and the state (no on_load
    # here: an empty delta) travels as JSON.
    assert renderer.asked == [("/proposals/7?x=1", {})]
    plain = client.get("/proposals", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert gzip.decompress(gzip.compress(plain.content)) == plain.content


def test_other_addresses_and_methods_go_on_to_the_prerendered_pages(tmp_path: Path) -> None:
    renderer = CannedRenderer(PAGE.format(body="cards"))
    client = _client(tmp_path, renderer, _routes())
    # /proposals/new is its own prerendered page, not a proposal's address.
    for path in ("/proposals/new", "/treasury", "/assets/app.js", "/proposals/1/2"):
        assert client.get(path).text == "prerendered"
    assert client.head("/proposals").status_code == 200
    asked_as_built = client.get("/proposals", headers={"X-Coop-Page": "prerendered"})
    assert asked_as_built.text == "prerendered"
    assert client.post("/proposals").text == "prerendered"
    assert renderer.asked == []


def test_without_a_render_the_prerendered_page_is_served(tmp_path: Path) -> None:
    # No renderer (dev mode, no bun, not started yet or dead) and a renderer that
    # answers None (busy, slow, crashed mid-render) both leave the page as it was.
    assert _client(tmp_path / "a", None, _routes()).get("/proposals").text == "prerendered"
    refused = CannedRenderer(None)
    assert _client(tmp_path / "b", refused, _routes()).get("/proposals").text == "prerendered"
    assert len(refused.asked) == 1
    # A render without a </head> cannot carry its state: the prerendered page instead.
    headless = CannedRenderer("<html><body>cards</body></html>")
    assert _client(tmp_path / "c", headless, _routes()).get("/proposals").text == "prerendered"


def test_a_first_view_that_fails_serves_the_prerendered_page(tmp_path: Path) -> None:
    class Broken:
        state = object  # not a state class: get_state refuses it

        @staticmethod
        async def fn(_state: Any) -> None:
            raise AssertionError("not reached")

    routes = [ServerRenderedRoute("/proposals", route_pattern("/proposals"), (Broken(),))]
    renderer = CannedRenderer(PAGE.format(body="cards"))
    assert _client(tmp_path, renderer, routes).get("/proposals").text == "prerendered"
    assert renderer.asked == []


def test_a_page_is_rendered_once_while_its_state_is_the_same(tmp_path: Path) -> None:
    renderer = CannedRenderer(PAGE.format(body="cards"))
    client = _client(tmp_path, renderer, _routes())
    first = client.get("/proposals").text
    assert client.get("/proposals").text == first
    client.get("/proposals/7")
    assert [path for path, _ in renderer.asked] == ["/proposals", "/proposals/7"]


def test_the_kept_renders_are_the_latest_ones() -> None:
    kept = RenderedPages(size=2)
    pages = {name: RenderedPage.of(PAGE.format(body=name)) for name in ("a", "b", "c")}
    kept.keep("/p", "{1}", pages["a"])
    kept.keep("/p", "{2}", pages["b"])
    assert kept.get("/p", "{1}") is pages["a"]  # used: now the latest
    kept.keep("/p", "{3}", pages["c"])
    assert kept.get("/p", "{2}") is None
    assert kept.get("/p", "{1}") is pages["a"] and kept.get("/p", "{3}") is pages["c"]
    # A changed state is another page: the old render is not served for it.
    assert kept.get("/p", "{4}") is None
    assert gzip.decompress(pages["a"].gzipped) == pages["a"].body


def _renderer_script(tmp_path: Path, source: str) -> PageRenderer:
    bun = _bun()
    assert bun is not None, "bun is not installed: run `make install`"
    (tmp_path / RENDERER_JS).write_text(source)
    return PageRenderer(tmp_path, bun)


def test_a_renderer_that_does_not_say_ready_is_stopped(tmp_path: Path) -> None:
    renderer = _renderer_script(tmp_path, 'console.log("oops"); setInterval(() => {}, 1000);')
    with pytest.raises(RuntimeError, match="did not start"):
        asyncio.run(renderer.start())
    assert not renderer.running


def test_a_renderer_that_dies_answers_nothing(tmp_path: Path) -> None:
    source = (
        'Bun.serve({unix: process.argv[2], fetch() { process.exit(3); }});\nconsole.log("ready");'
    )
    renderer = _renderer_script(tmp_path, source)

    async def render_once() -> str | None:
        await renderer.start()
        try:
            return await renderer.render("/proposals", "{}")
        finally:
            await renderer.stop()

    assert asyncio.run(render_once()) is None

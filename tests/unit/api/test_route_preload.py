"""A dynamic route's address is answered with the SPA fallback naming its modules
(api/route_preload.py)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from coop_dashboard.api.route_preload import RoutePreload, preloaded_pages
from coop_dashboard.api.served_build import ServedBuild

MANIFEST = {
    "entry": {"module": "/assets/entry.js", "imports": []},
    "routes": {
        "root": {
            "id": "root",
            "path": "",
            "module": "/assets/root.js",
            "imports": ["/assets/shared.js"],
        },
        "routes/[proposals]._index": {
            "id": "routes/[proposals]._index",
            "parentId": "root",
            "path": "proposals",
            "index": True,
            "module": "/assets/feed.js",
            "imports": [],
        },
        "routes/[proposals].[new]._index": {
            "id": "routes/[proposals].[new]._index",
            "parentId": "root",
            "path": "proposals/new",
            "module": "/assets/new.js",
            "imports": [],
        },
        "routes/[proposals].$[proposal_id]._index": {
            "id": "routes/[proposals].$[proposal_id]._index",
            "parentId": "root",
            "path": "proposals/:proposal_id",
            "index": True,
            "module": "/assets/proposal.js",
            "imports": ["/assets/shared.js", "/assets/registry.js", "/assets/registry.js"],
        },
        "routes/docs": {
            "id": "routes/docs",
            "parentId": "root",
            "path": "docs/*",
            "module": "/assets/docs.js",
            "imports": [],
        },
    },
}
FALLBACK = (
    '<html><head><link rel="modulepreload" href="/assets/shared.js"/></head><body>'
    '<script type="module">import "/assets/manifest-abc.js";</script></body></html>'
)


@pytest.fixture
def static_dir(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "manifest-abc.js").write_text(
        f"window.__reactRouterManifest={json.dumps(MANIFEST)};"
    )
    (tmp_path / "404.html").write_text(FALLBACK)
    (tmp_path / "proposals" / "new").mkdir(parents=True)
    (tmp_path / "proposals" / "new" / "index.html").write_text("new")
    return tmp_path


def _client(static_dir: Path) -> TestClient:
    # Whatever is not answered by the middleware reaches this app, named in its answer.
    async def rest(request):  # type: ignore[no-untyped-def]
        return PlainTextResponse(f"app {request.url.path}")

    app = Starlette(routes=[Route("/{path:path}", rest, methods=["GET", "HEAD", "POST"])])
    app.add_middleware(RoutePreload, build=ServedBuild(static_dir))
    return TestClient(app)


def test_each_dynamic_route_gets_its_own_modules(static_dir: Path) -> None:
    pages = preloaded_pages(static_dir)
    assert [page.pattern.pattern for page in pages] == [r"/proposals/[^/]+/?"]
    body = pages[0].body.decode()
    head = body[: body.index("</head>")]
    # The route's module and its imports, once each; what the fallback preloads, not again.
    assert head.count('href="/assets/proposal.js"') == 1
    assert head.count('href="/assets/registry.js"') == 1
    assert head.count('href="/assets/shared.js"') == 1
    assert gzip.decompress(pages[0].gzipped) == pages[0].body


def test_a_proposal_address_is_answered_with_its_preloads(static_dir: Path) -> None:
    client = _client(static_dir)
    for path in ("/proposals/42", "/proposals/42/", "/Proposals/0xAbC"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].startswith("text/html")
        assert 'rel="modulepreload" href="/assets/proposal.js"' in answer.text, path
    plain = client.get("/proposals/42", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert "/assets/registry.js" in plain.text
    head = client.head("/proposals/42", headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200
    assert int(head.headers["content-length"]) == len(plain.content)


def test_other_addresses_go_on_to_the_app(static_dir: Path) -> None:
    client = _client(static_dir)
    for path in ("/proposals", "/proposals/new", "/proposals/1/2", "/docs/a", "/assets/root.js"):
        assert client.get(path).text == f"app {path}", path
    assert client.post("/proposals/42").text == "app /proposals/42"


def test_under_a_frontend_path_the_addresses_carry_it(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "manifest-abc.js").write_text(
        f"window.__reactRouterManifest={json.dumps(MANIFEST)};"
    )
    (tmp_path / "404.html").write_text(
        FALLBACK.replace('"/assets/manifest', '"/app/assets/manifest')
    )
    pages = preloaded_pages(tmp_path, "/app")
    assert [page.pattern.pattern for page in pages] == [r"/app/proposals/[^/]+/?"]


def test_without_a_build_nothing_is_answered(tmp_path: Path) -> None:
    assert preloaded_pages(tmp_path / "missing") == []
    assert _client(tmp_path / "missing").get("/proposals/42").text == "app /proposals/42"

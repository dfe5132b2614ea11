"""How the served app answers page addresses: without their slash (api/page_paths.py),
a dynamic route's with its modules preloaded (api/route_preload.py), and the build's
assets from memory, immutable (api/build_assets.py)."""

from __future__ import annotations

import re

import httpx
import pytest

from coop_dashboard.api.build_assets import CACHE_CONTROL
from tests.e2e.app_server import AppServer
from tests.support.chains import SeededChain

pytestmark = pytest.mark.e2e


def test_pages_are_served_at_once_with_or_without_their_slash(seeded_app: AppServer) -> None:
    with httpx.Client(base_url=seeded_app.url, follow_redirects=False, timeout=10) as client:
        for path in ("/proposals", "/proposals/", "/delegates", "/proposals/new", "/"):
            answer = client.get(path)
            assert answer.status_code == 200, path
            assert "window.__reactRouterContext" in answer.text, path
        assert client.get("/proposals").text == client.get("/proposals/").text
        # Assets and unknown addresses are the static server's, as before.
        assert client.get("/favicon.ico").status_code == 200
        assert client.get("/no-such-page").status_code == 404


def test_a_proposals_address_preloads_its_pages_modules(
    seeded_app: AppServer, seeded_chain: SeededChain
) -> None:
    proposal_id = seeded_chain.report.proposals["active"]
    with httpx.Client(base_url=seeded_app.url, timeout=10) as client:
        page = client.get(f"/proposals/{proposal_id}").text
        feed = client.get("/proposals").text
    head = page[: page.index("</head>")]
    preloads = re.findall(r'<link rel="modulepreload" href="([^"]+)"', head)
    # The proposal page's own route module, fetched with the rest instead of after hydration.
    assert any(re.search(r"/_proposals_\.__proposal_id_\._index-[^/]+\.js$", u) for u in preloads)
    assert len(preloads) == len(set(preloads))
    # A prerendered page is served as built.
    assert not re.search(r"__proposal_id_", feed)


def test_a_pages_assets_are_served_immutable_in_the_accepted_encoding(
    seeded_app: AppServer,
) -> None:
    with httpx.Client(base_url=seeded_app.url, timeout=10) as client:
        page = client.get("/proposals").text
        assets = sorted(set(re.findall(r'"(/assets/[^"]+\.(?:js|css))"', page)))
        assert len(assets) > 5
        compressed = []
        for url in assets:
            gzipped = client.get(url, headers={"Accept-Encoding": "gzip"})
            plain = client.get(url, headers={"Accept-Encoding": "identity"})
            assert gzipped.headers["cache-control"] == CACHE_CONTROL, url
            assert "content-encoding" not in plain.headers, url
            assert gzipped.content == plain.content and plain.content, url
            if gzipped.headers.get("content-encoding") == "gzip":
                compressed.append(url)
        # The build compresses all but its smallest files (a few hundred bytes).
        assert any("/entry.client-" in url for url in compressed)
        assert any(url.endswith(".css") for url in compressed)
        # What is not a hashed asset is the static server's, revalidated as before.
        assert "immutable" not in client.get("/favicon.ico").headers.get("cache-control", "")

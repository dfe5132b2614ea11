"""The served app answers a page's address without its slash with the page (api/page_paths.py)."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.app_server import AppServer

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

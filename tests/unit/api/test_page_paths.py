"""A page's address without its slash is served the page, not a redirect (api/page_paths.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

from coop_dashboard.api.page_paths import PrerenderedPagePaths
from coop_dashboard.api.served_build import ServedBuild, prerendered_pages


@pytest.fixture
def static_dir(tmp_path: Path) -> Path:
    for page in ("", "proposals", "proposals/new"):
        (tmp_path / page).mkdir(parents=True, exist_ok=True)
        (tmp_path / page / "index.html").write_text(f"<p>page {page or 'index'}</p>")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "app.js").write_text("js")
    (tmp_path / "proposals.html").write_text("<p>duplicate</p>")
    return tmp_path


def _client(static_dir: Path) -> TestClient:
    # As Reflex serves the build: StaticFiles(html=True) mounted at the root.
    app = Starlette(routes=[Mount("/", app=StaticFiles(directory=static_dir, html=True))])
    app.add_middleware(PrerenderedPagePaths, build=ServedBuild(static_dir))
    return TestClient(app, follow_redirects=False)


def test_the_build_pages_are_known(static_dir: Path) -> None:
    assert prerendered_pages(static_dir) == {"/proposals", "/proposals/new"}
    assert prerendered_pages(static_dir, "/app") == {"/app/proposals", "/app/proposals/new"}
    assert prerendered_pages(static_dir / "missing") == frozenset()


def test_a_page_without_its_slash_is_served_at_once(static_dir: Path) -> None:
    client = _client(static_dir)
    for path, text in [
        ("/proposals", "page proposals"),
        ("/proposals/", "page proposals"),
        ("/proposals/new", "page proposals/new"),
        ("/proposals?state=active", "page proposals"),
        ("/", "page index"),
    ]:
        answer = client.get(path)
        assert (answer.status_code, answer.text) == (200, f"<p>{text}</p>"), path
    assert client.head("/proposals").status_code == 200


def test_everything_else_is_left_to_the_static_server(static_dir: Path) -> None:
    client = _client(static_dir)
    assert client.get("/assets/app.js").text == "js"
    assert client.get("/nowhere").status_code == 404
    assert client.get("/proposals/new/x").status_code == 404
    # Not a read: StaticFiles refuses it as before.
    assert client.post("/proposals").status_code == 405
    assert client.get("/assets").status_code == 404

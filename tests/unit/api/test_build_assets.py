"""The build's hashed assets are answered from memory, in the encoding the browser
accepts, marked immutable; anything else goes on to the static server
(api/build_assets.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from coop_dashboard.api.build_assets import CACHE_CONTROL, AcceptedEncodings, BuildAssets
from coop_dashboard.api.served_build import ServedBuild

MODULE = b"export const answer = 42;\n"
BROTLI = b"brotli bytes"
GZIP = b"gzip bytes"


@pytest.fixture
def static_dir(tmp_path: Path) -> Path:
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "entry-abc.js").write_bytes(MODULE)
    (assets / "entry-abc.js.br").write_bytes(BROTLI)
    (assets / "entry-abc.js.gz").write_bytes(GZIP)
    (assets / "styles-abc.css").write_text("body{}")
    (assets / "styles-abc.css.gz").write_bytes(GZIP)
    (assets / ".hidden").write_text("secret")
    (assets / "sub").mkdir()
    (assets / "sub" / "x.js").write_text("nested")
    (tmp_path / "secret.txt").write_text("outside")
    return tmp_path


# The sidecars here are not really compressed: tests read them raw (iter_raw) or
# ask for no encoding, as the test client would otherwise try to decode them.
def _client(static_dir: Path, prefix: str = "") -> TestClient:
    # Whatever the middleware does not answer reaches this app, which says so.
    async def rest(request):  # type: ignore[no-untyped-def]
        return PlainTextResponse("static server", status_code=404)

    app = Starlette(routes=[Route("/{path:path}", rest, methods=["GET", "HEAD", "POST"])])
    app.add_middleware(
        BuildAssets, build=ServedBuild(static_dir, prefix), formats=["brotli", "gzip"]
    )
    return TestClient(app)


def test_the_best_accepted_variant_is_sent_whole_and_marked_immutable(static_dir: Path) -> None:
    client = _client(static_dir)
    with client.stream(
        "GET", "/assets/entry-abc.js", headers={"Accept-Encoding": "gzip, deflate, br"}
    ) as answer:
        body = b"".join(answer.iter_raw())
        headers = answer.headers
    assert body == BROTLI
    assert headers["content-encoding"] == "br"
    assert headers["content-type"] == "text/javascript; charset=utf-8"
    assert headers["content-length"] == str(len(BROTLI))
    assert headers["cache-control"] == CACHE_CONTROL
    assert headers["vary"] == "Accept-Encoding"
    with client.stream(
        "GET", "/assets/entry-abc.js", headers={"Accept-Encoding": "gzip, br;q=0"}
    ) as answer:
        assert b"".join(answer.iter_raw()) == GZIP
        assert answer.headers["content-encoding"] == "gzip"
    with client.stream(
        "GET", "/assets/entry-abc.js", headers={"Accept-Encoding": "identity"}
    ) as answer:
        assert b"".join(answer.iter_raw()) == MODULE
        assert "content-encoding" not in answer.headers
    # A file with no sidecar for what is accepted is sent as it is.
    with client.stream(
        "GET", "/assets/styles-abc.css", headers={"Accept-Encoding": "br"}
    ) as answer:
        assert b"".join(answer.iter_raw()) == b"body{}"
        assert answer.headers["content-type"] == "text/css; charset=utf-8"


def test_head_sends_the_length_without_the_body(static_dir: Path) -> None:
    answer = _client(static_dir).head("/assets/entry-abc.js", headers={"Accept-Encoding": "br"})
    assert answer.status_code == 200
    assert answer.headers["content-length"] == str(len(BROTLI))
    assert answer.content == b""


def test_each_variant_is_read_once_then_answered_from_memory(static_dir: Path) -> None:
    client = _client(static_dir)
    first = client.get("/assets/entry-abc.js", headers={"Accept-Encoding": "identity"})
    assert first.content == MODULE
    (static_dir / "assets" / "entry-abc.js").write_bytes(b"changed on disk")
    again = client.get("/assets/entry-abc.js", headers={"Accept-Encoding": "identity"})
    assert again.content == MODULE


@pytest.mark.parametrize(
    "path",
    [
        "/assets/missing-abc.js",
        "/assets/.hidden",
        "/assets/sub/x.js",
        "/assets/..%2fsecret.txt",
        "/assets/",
        "/secret.txt",
        "/other/entry-abc.js",
    ],
)
def test_anything_else_goes_on_to_the_static_server(static_dir: Path, path: str) -> None:
    answer = _client(static_dir).get(path)
    assert (answer.status_code, answer.text) == (404, "static server")


def test_a_miss_is_not_remembered(static_dir: Path) -> None:
    client = _client(static_dir)
    assert client.get("/assets/late-abc.js").text == "static server"
    (static_dir / "assets" / "late-abc.js").write_text("built late")
    assert client.get("/assets/late-abc.js").text == "built late"


def test_assets_are_answered_under_the_frontend_prefix_only(static_dir: Path) -> None:
    client = _client(static_dir, "/app")
    plain = {"Accept-Encoding": "identity"}
    assert client.get("/app/assets/entry-abc.js", headers=plain).content == MODULE
    assert client.get("/assets/entry-abc.js").text == "static server"


def test_writes_go_on(static_dir: Path) -> None:
    assert _client(static_dir).post("/assets/entry-abc.js").text == "static server"


def test_the_apps_start_and_stop_pass_through(static_dir: Path) -> None:
    # Entering the client runs the ASGI lifespan (a scope without a path).
    with _client(static_dir) as client:
        assert client.get("/assets/entry-abc.js", headers={"Accept-Encoding": "identity"}).content


CODINGS = ("br", "gzip", "zstd", "identity")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip, deflate, br, zstd", {"gzip", "br", "zstd"}),
        ("br;q=0, GZIP;q=0.5", {"gzip"}),
        ("br;q=nonsense, gzip", {"gzip"}),
        ("", set()),
        (None, set()),
        (" , ;q=1", set()),
        # `*`: any coding the header does not name; a named one keeps its own quality.
        ("*", {"br", "gzip", "zstd", "identity"}),
        ("br;q=0, *;q=0.1", {"gzip", "zstd", "identity"}),
        ("gzip, *;q=0", {"gzip"}),
    ],
)
def test_accept_encoding_is_read_with_its_qualities(header: str | None, expected: set[str]) -> None:
    accepted = AcceptedEncodings.parse(header)
    assert {coding for coding in CODINGS if accepted.accepts(coding)} == expected


@pytest.mark.parametrize(
    ("header", "encoding", "body"), [("*", "br", BROTLI), ("br;q=0, *", "gzip", GZIP)]
)
def test_a_wildcard_accept_encoding_gets_the_best_variant_it_allows(
    static_dir: Path, header: str, encoding: str, body: bytes
) -> None:
    with _client(static_dir).stream(
        "GET", "/assets/entry-abc.js", headers={"Accept-Encoding": header}
    ) as answer:
        assert answer.headers["content-encoding"] == encoding
        assert b"".join(answer.iter_raw()) == body

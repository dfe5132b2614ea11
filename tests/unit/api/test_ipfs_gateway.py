"""`/ipfs/<cid>` over HTTP (Starlette test client on the app's API routes, a real store)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from coop_dashboard.api.app import build_api
from coop_dashboard.content.cid import cid_for_bytes
from coop_dashboard.content.store import LocalContentStore

HTML = b"<!doctype html><script>fetch('/api/steal?c='+document.cookie)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
BINARY = b"\xff\xfe\x00\x01 not utf-8 \x80"


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("CONTENT_DIR", str(tmp_path / "content"))
    with TestClient(build_api()) as test_client:
        yield test_client


@pytest.fixture
def store(tmp_path: Path) -> LocalContentStore:
    return LocalContentStore(tmp_path / "content")


def test_serves_the_exact_bytes_as_plain_text_with_nosniff(
    client: TestClient, store: LocalContentStore
) -> None:
    cid = store.put(b"# My statement\n\nI vote for open data.\n")
    response = client.get(f"/ipfs/{cid}")
    assert response.status_code == 200
    assert response.content == b"# My statement\n\nI vote for open data.\n"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]
    assert response.headers["etag"] == f'"{cid}"'
    head = client.head(f"/ipfs/{cid}")
    assert head.status_code == 200 and head.content == b""


@pytest.mark.parametrize("blob", [HTML, SVG], ids=["html", "svg"])
def test_html_and_svg_are_never_rendered(
    client: TestClient, store: LocalContentStore, blob: bytes
) -> None:
    response = client.get(f"/ipfs/{store.put(blob)}")
    assert response.status_code == 200 and response.content == blob
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_images_keep_an_image_type_and_binary_is_a_download(
    client: TestClient, store: LocalContentStore
) -> None:
    image = client.get(f"/ipfs/{store.put(PNG)}")
    assert image.headers["content-type"] == "image/png" and image.content == PNG
    cid = store.put(BINARY)
    download = client.get(f"/ipfs/{cid}")
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"] == f'attachment; filename="{cid}"'
    assert download.content == BINARY


def test_unknown_cid_is_404(client: TestClient) -> None:
    response = client.get(f"/ipfs/{cid_for_bytes(b'never stored')}")
    assert response.status_code == 404
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "/ipfs/not-a-cid",
        "/ipfs/..%2F..%2Fetc%2Fpasswd",
        "/ipfs/%2E%2E/secret",
        "/ipfs/QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG",
        f"/ipfs/{cid_for_bytes(b'x')}%0A",  # a trailing newline passed re.match + $
        f"/ipfs/{cid_for_bytes(b'x')}/readme.md",
        f"/ipfs/{cid_for_bytes(b'x')[:-1]}",
        f"/ipfs/{cid_for_bytes(b'x').upper()}",
    ],
)
def test_malformed_or_traversing_names_are_400(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400, response.text
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_corrupted_blob_is_not_served(client: TestClient, store: LocalContentStore) -> None:
    cid = store.put(b"original")
    next(path for path in store.root.rglob(cid) if path.is_file()).write_bytes(b"tampered")
    response = client.get(f"/ipfs/{cid}")
    assert response.status_code == 502
    assert b"tampered" not in response.content


def _large_file(store: LocalContentStore, size: int) -> tuple[str, bytes]:
    """A dag-pb file over the 16 MiB single-read limit (deterministic bytes)."""
    data = bytes((index * 7 + index // 251) % 256 for index in range(size))
    with store.writer() as writer:
        writer.write(data)
        stored = writer.commit()
    return stored.cid, data


def test_a_file_over_the_single_read_limit_streams_whole_and_verified(
    client: TestClient, store: LocalContentStore
) -> None:
    cid, data = _large_file(store, 17 * 1024 * 1024 + 123)
    assert cid.startswith("bafybei")
    response = client.get(f"/ipfs/{cid}")
    assert response.status_code == 200
    assert response.headers["content-length"] == str(len(data))
    assert response.headers["accept-ranges"] == "bytes"
    assert response.content == data
    head = client.head(f"/ipfs/{cid}")
    assert head.status_code == 200 and head.headers["content-length"] == str(len(data))


def test_one_byte_range_is_answered_206_with_the_exact_bytes(
    client: TestClient, store: LocalContentStore
) -> None:
    cid, data = _large_file(store, 3 * 256 * 1024 + 5)
    # Across a leaf boundary (256 KiB), a suffix, and an open end.
    for header, start, stop in (
        ("bytes=262100-262200", 262100, 262201),
        ("bytes=-10", len(data) - 10, len(data)),
        (f"bytes={len(data) - 3}-", len(data) - 3, len(data)),
        ("bytes=0-99999999", 0, len(data)),
    ):
        response = client.get(f"/ipfs/{cid}", headers={"Range": header})
        assert response.status_code == 206, header
        assert response.content == data[start:stop], header
        assert response.headers["content-range"] == f"bytes {start}-{stop - 1}/{len(data)}"
        assert response.headers["content-length"] == str(stop - start)


def test_a_range_past_the_end_is_416_and_odd_ranges_get_the_whole_file(
    client: TestClient, store: LocalContentStore
) -> None:
    cid = store.put(b"0123456789")
    past = client.get(f"/ipfs/{cid}", headers={"Range": "bytes=10-20"})
    assert past.status_code == 416
    assert past.headers["content-range"] == "bytes */10"
    assert past.headers["x-content-type-options"] == "nosniff"
    for ignored in ("bytes=0-1,4-5", "bytes=5-2", "items=0-1", "bytes=abc"):
        whole = client.get(f"/ipfs/{cid}", headers={"Range": ignored})
        assert whole.status_code == 200 and whole.content == b"0123456789", ignored


def test_the_type_of_a_large_text_file_is_decided_from_its_start(
    client: TestClient, store: LocalContentStore
) -> None:
    # A 4 KiB prefix ending inside a multi-byte character is still text.
    text = ("é" * 3000).encode()
    cid = store.put(text)
    response = client.get(f"/ipfs/{cid}")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.content == text

"""`/ipfs/<cid>` on the served app (production server, one port): the bytes of the
content store, verified, never rendered as HTML; refusals for everything else."""

from __future__ import annotations

import httpx

from coop_dashboard.content.cid import cid_for_bytes
from coop_dashboard.content.store import LocalContentStore
from tests.e2e.app_server import AppServer
from tests.support.chains import SeededChain

HTML = b"<!doctype html><script>document.title='owned'</script><h1>hi</h1>"


def test_the_served_app_answers_ipfs_paths_itself(
    seeded_app: AppServer, seeded_chain: SeededChain
) -> None:
    store = LocalContentStore(seeded_chain.content_dir)
    statement_cid = store.put(b"# A delegate statement\n")
    html_cid = store.put(HTML)

    statement = httpx.get(f"{seeded_app.url}/ipfs/{statement_cid}", timeout=10)
    assert statement.status_code == 200
    assert statement.content == b"# A delegate statement\n"
    assert statement.headers["x-content-type-options"] == "nosniff"

    html = httpx.get(f"{seeded_app.url}/ipfs/{html_cid}", timeout=10)
    assert html.status_code == 200 and html.content == HTML
    assert html.headers["content-type"] == "text/plain; charset=utf-8"

    unknown = httpx.get(f"{seeded_app.url}/ipfs/{cid_for_bytes(b'unknown')}", timeout=10)
    assert unknown.status_code == 404
    for bad in ("not-a-cid", "..%2F..%2Fping", f"{statement_cid}%0A", f"{statement_cid}/x"):
        refused = httpx.get(f"{seeded_app.url}/ipfs/{bad}", timeout=10)
        assert refused.status_code == 400, bad
        assert refused.headers["x-content-type-options"] == "nosniff"
    # The rest of the app is still Reflex's.
    assert httpx.get(f"{seeded_app.url}/ping", timeout=10).status_code == 200

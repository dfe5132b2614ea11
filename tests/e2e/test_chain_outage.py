"""When the chain goes away the page says so, keeps serving, and recovers by itself."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.app_server import AppServer, StartApp, chain_settings
from tests.support.chains import SeededChain
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.e2e

# The page re-reads every 5 s and a dead RPC fails within RPC_TIMEOUT (+ web3 retries).
NOTICE_TIMEOUT_MS = 30_000
FACTS_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def doomed_chain(start_seeded_chain: Callable[[], SeededChain]) -> SeededChain:
    """A seeded chain of this module's own: the tests cut it off and finally stop it."""
    return start_seeded_chain()


@pytest.fixture(scope="module")
def proxy(doomed_chain: SeededChain) -> Iterator[TcpProxy]:
    target = urlparse(doomed_chain.rpc_url)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 8545)
    proxy.start()
    yield proxy
    proxy.stop()


@pytest.fixture(scope="module")
def outage_app(start_app: StartApp, doomed_chain: SeededChain, proxy: TcpProxy) -> AppServer:
    # The app reaches the chain through the proxy, which the tests can cut and restore.
    return start_app("outage", **chain_settings(doomed_chain, rpc_url=proxy.url))


def test_outage_is_shown_and_the_page_recovers(
    outage_app: AppServer, proxy: TcpProxy, page: Page
) -> None:
    page.goto(outage_app.url)
    block = page.locator("#fact-block-number")
    expect(block).to_be_visible(timeout=FACTS_TIMEOUT_MS)

    proxy.stop()
    error = page.locator("#chain-error")
    expect(error).to_be_visible(timeout=NOTICE_TIMEOUT_MS)
    expect(error).to_contain_text(f"The chain at {proxy.url} is unreachable")
    # The last figures stay on screen (marked stale) instead of vanishing.
    expect(block).to_be_visible()

    proxy.start()
    expect(error).to_have_count(0, timeout=NOTICE_TIMEOUT_MS)
    expect(block).to_be_visible()


def test_stopped_node_is_explained_after_reload(
    outage_app: AppServer, doomed_chain: SeededChain, proxy: TcpProxy, page: Page, browser: Browser
) -> None:
    page.goto(outage_app.url)
    expect(page.locator("#fact-block-number")).to_be_visible(timeout=FACTS_TIMEOUT_MS)

    doomed_chain.stop()
    response = page.reload()
    assert response is not None and response.status == 200
    error = page.locator("#chain-error")
    expect(error).to_be_visible(timeout=NOTICE_TIMEOUT_MS)
    expect(error).to_contain_text(f"The chain at {proxy.url} is unreachable")
    expect(page.locator("#main-nav")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Traceback")

    # The server itself is fine: a brand-new visitor gets the page and the same notice.
    fresh = browser.new_page()
    try:
        response = fresh.goto(outage_app.url)
        assert response is not None and response.status == 200
        expect(fresh.locator("#chain-error")).to_contain_text(
            "unreachable", timeout=NOTICE_TIMEOUT_MS
        )
    finally:
        fresh.close()

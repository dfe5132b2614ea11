"""The app shell without any chain: it serves, navigates, and explains what is missing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from coop_dashboard.pages.registry import nav_items
from tests.e2e.app_server import AppServer, StartApp, free_port

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def app_without_chain(start_app: StartApp, tmp_path_factory: pytest.TempPathFactory) -> AppServer:
    """The app configured for a chain that is not there and a manifest that does not exist."""
    missing_manifest = tmp_path_factory.mktemp("no-chain") / "deployment.json"
    return start_app(
        "no-chain",
        RPC_URL=f"http://127.0.0.1:{free_port()}",
        CHAIN_ID="31337",
        DEPLOYMENT=str(missing_manifest),
    )


def test_missing_deployment_is_explained(app_without_chain: AppServer, page: Page) -> None:
    response = page.goto(app_without_chain.url)
    assert response is not None and response.status == 200
    banner = page.locator("#chain-error")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Configuration problem")
    expect(banner).to_contain_text("No deployment manifest")
    expect(page.locator("body")).not_to_contain_text("Traceback")
    # No figures are invented when nothing could be read.
    expect(page.locator("#fact-block-number")).to_have_count(0)


def test_navigation_lists_only_pages_that_exist(app_without_chain: AppServer, page: Page) -> None:
    page.goto(app_without_chain.url)
    links = page.locator("#main-nav a")
    # Pages under another one (a proposal, the builder) have no entry of their own.
    expected = [(entry.title, entry.route) for entry in nav_items()]
    expect(links).to_have_count(len(expected))
    shown = [(link.inner_text().strip(), link.get_attribute("href")) for link in links.all()]
    assert shown == expected
    expect(page.locator("#main-nav a[aria-current='page']")).to_have_text("Overview")
    for _, route in expected:
        response = page.goto(app_without_chain.url + route)
        assert response is not None and response.status == 200, route

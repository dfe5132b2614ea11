"""Pages rendered per request with their first data (api/server_render.py), in Chromium.

A chain and app of its own: it adds a proposal whose title is markup meant to end
the page's state script and run its own.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
from collections.abc import Callable

import httpx
import pytest
import reflex as rx
from playwright.sync_api import Page, expect
from web3 import Web3

from coop_dashboard.chain.transact import Sender
from coop_dashboard.frontend.server_render import RENDERER_JS, STATE_ELEMENT_ID
from coop_dashboard.state.dataset_page import DatasetPageState
from coop_dashboard.state.datasets import DatasetCatalogState
from coop_dashboard.state.jobs import JobBoardState
from coop_dashboard.state.jobs_page import JobPageState
from coop_dashboard.state.models import ModelPageState, ModelsState
from coop_dashboard.state.overview import OverviewState
from coop_dashboard.state.proposals import PAGE_SIZE, ProposalFeedState
from tests.e2e.app_server import AppServer, StartApp, chain_settings
from tests.e2e.flows import STEP_TIMEOUT_MS
from tests.e2e.wallet import anvil_key
from tests.support.chains import SeededChain

pytestmark = pytest.mark.e2e

HOSTILE_TITLE = "</script><script>window.__pwned=1</script><!-- Fund the audit"
HOSTILE_DESCRIPTION = f"# {HOSTILE_TITLE}\n\nA title written to break out of the page.\n"
FEED_STATE = "coop_dashboard___state___proposals____proposal_feed_state"
OVERVIEW_STATE = "coop_dashboard___state___overview____overview_state"
PAGE_STATE = "coop_dashboard___state___proposal_page____proposal_page_state"
TREASURY_STATE = "coop_dashboard___state___proposal_treasury____proposal_treasury_state"
_STATE_SCRIPT = re.compile(
    rf'<script type="application/json" id="{STATE_ELEMENT_ID}">(.*?)</script>', re.DOTALL
)


@pytest.fixture(scope="module")
def render_chain(start_seeded_chain: Callable[..., SeededChain]) -> SeededChain:
    return start_seeded_chain(whole_demo=True)  # the dataset, job and model pages too


@pytest.fixture(scope="module")
def hostile_proposal(render_chain: SeededChain) -> int:
    governor = render_chain.deployment.contract(render_chain.w3, "CoopGovernor").functions
    args = ([Web3.to_checksum_address("0x" + "5e" * 20)], [0], [b""])
    proposer = Sender.unlocked(render_chain.w3, str(anvil_key(5).address))
    proposer.call(governor.propose(*args, HOSTILE_DESCRIPTION), what="propose")
    return int(governor.hashProposal(*args, Web3.keccak(text=HOSTILE_DESCRIPTION)).call())


@pytest.fixture(scope="module")
def render_app(start_app: StartApp, render_chain: SeededChain, hostile_proposal: int) -> AppServer:
    app = start_app("server-render", **chain_settings(render_chain))
    # The app indexes the chain once it is up: wait until the feed's first card is it.
    _wait_for(lambda: HOSTILE_TITLE in str(_state(app, "/proposals")), "the indexed proposal")
    return app


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


def _html(app: AppServer, path: str) -> str:
    response = httpx.get(app.url + path, timeout=10)
    assert response.status_code == 200
    return response.text


def _state(app: AppServer, path: str) -> dict[str, dict[str, object]] | None:
    found = _STATE_SCRIPT.search(_html(app, path))
    if found is None:
        return None
    states: dict[str, dict[str, object]] = json.loads(found.group(1))
    return {name.rsplit(".", 1)[-1]: value for name, value in states.items()}


def _proposal_count(chain: SeededChain) -> int:
    """Every proposal on the chain: the whole demo's (its datasets and jobs propose
    too) and ours."""
    governor = chain.deployment.contract(chain.w3, "CoopGovernor")
    return len(governor.events.ProposalCreated.get_logs(from_block=0))


def _feed_cards(chain: SeededChain) -> int:
    """The cards on the feed's first page."""
    return min(_proposal_count(chain), PAGE_SIZE)


def test_a_pages_first_data_is_in_its_html(
    render_app: AppServer, render_chain: SeededChain, hostile_proposal: int
) -> None:
    feed = _html(render_app, "/proposals")
    states = _state(render_app, "/proposals")
    assert states is not None
    cards = states[FEED_STATE]["cards_rx_state_"]
    assert isinstance(cards, list) and len(cards) == _feed_cards(render_chain)
    assert states[FEED_STATE]["loaded_rx_state_"] is True
    # The title is in the page as text, escaped by React; nowhere as markup.
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;" in feed
    assert "<script>window.__pwned" not in feed
    # The state script is not ended early by the title: the first </script> after it
    # is its own, and what it holds is the whole JSON.
    assert feed.count(f'id="{STATE_ELEMENT_ID}"') == 1

    overview = _state(render_app, "/")
    assert overview is not None
    view = overview[OVERVIEW_STATE]["view_rx_state_"]
    assert isinstance(view, dict) and view["proposal_count"]["display"] == str(
        _proposal_count(render_chain)
    )

    # A query string does not make React Router take the address for another page.
    with_query = _html(render_app, f"/proposals/{hostile_proposal}?from=feed")
    assert 'id="proposal-title"' in with_query
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned=1" in with_query

    page = _state(render_app, f"/proposals/{hostile_proposal}")
    assert page is not None
    proposal = page[PAGE_STATE]["view_rx_state_"]
    assert isinstance(proposal, dict) and proposal["card"]["title"] == HOSTILE_TITLE
    # A visitor's state only: nothing of a session or a wallet.
    assert set(page) <= {PAGE_STATE, TREASURY_STATE}

    # A prerendered page that is not rendered per request stays as built.
    assert STATE_ELEMENT_ID not in _html(render_app, "/proposals/new")
    assert STATE_ELEMENT_ID not in _html(render_app, "/treasury")


def test_the_data_is_on_screen_before_any_script_runs(
    render_app: AppServer, render_chain: SeededChain, page: Page
) -> None:
    page.route(re.compile(r"\.js(\?.*)?$"), lambda route: route.abort())
    page.goto(render_app.url + "/proposals")
    expect(page.locator("#feed-list .state-badge")).to_have_count(_feed_cards(render_chain))
    expect(page.locator("#feed-list")).to_contain_text(HOSTILE_TITLE)
    assert page.evaluate("window.__pwned") is None


def test_react_hydrates_the_rendered_page_and_the_tab_takes_over(
    render_app: AppServer, render_chain: SeededChain, hostile_proposal: int, page: Page
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    # Mark the server's nodes as the parser makes them: React keeps them when it hydrates
    # and would replace them if what it rendered did not match the HTML.
    page.add_init_script(
        """document.addEventListener("DOMContentLoaded", () => {
             const list = document.querySelector("#feed-list");
             if (list) list.dataset.fromServer = "1";
           });"""
    )
    # Whatever the tab's deltas bring, the rendered cards are updated in place: none is
    # removed, and no delta empties the list (a hydrate that sent the tab's fresh state
    # whole, before its on_load ran, did: the page emptied and was drawn again).
    page.add_init_script(
        """window.__removedBadges = 0;
           new MutationObserver((records) => {
             for (const record of records) for (const node of record.removedNodes) {
               if (node.nodeType === 1 && (node.matches(".state-badge")
                   || node.querySelector(".state-badge"))) window.__removedBadges++;
             }
           }).observe(document, { childList: true, subtree: true });"""
    )
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
    page.goto(render_app.url + "/proposals")
    status = page.locator("#feed-state")
    expect(status).to_be_enabled(timeout=STEP_TIMEOUT_MS)  # hydrated and loaded
    expect(page.locator("#feed-list")).to_have_attribute("data-from-server", "1")
    badges = page.locator("#feed-list .state-badge")
    expect(badges).to_have_count(_feed_cards(render_chain))
    page.wait_for_timeout(1_000)  # the on_load's delta and the follower's start
    assert any("cards_rx_state_" in frame for frame in frames), "no delta reached the tab"
    emptied = [f for f in frames if re.search(r'"cards_rx_state_":\s*\[\]', f)]
    assert emptied == []
    assert page.evaluate("window.__removedBadges") == 0

    # The tab's own state now drives the page: a filter shows the matching cards.
    status.select_option("executed")
    governor = render_chain.deployment.contract(render_chain.w3, "CoopGovernor")
    executed = len(governor.events.ProposalExecuted.get_logs(from_block=0))
    expect(badges).to_have_count(min(executed, PAGE_SIZE), timeout=STEP_TIMEOUT_MS)
    for badge in badges.all():
        expect(badge).to_have_text("Executed")

    page.goto(f"{render_app.url}/proposals/{hostile_proposal}")
    expect(page.locator("#proposal-tally")).to_have_attribute(
        "data-for", re.compile(r".+"), timeout=STEP_TIMEOUT_MS
    )
    expect(page.locator("#proposal-title")).to_have_text(HOSTILE_TITLE)
    assert page.evaluate("window.__pwned") is None
    assert errors == []


# The server-rendered pages, each with an element showing its data and the state it
# shows: its HTML carries that state whole (the on_load's send_whole). A detail page's
# address is its seeded record's (`_address`).
RENDERED_PAGES: dict[str, tuple[str, type[rx.State]]] = {
    "/": ("#fact-proposal-count", OverviewState),
    "/proposals": ("#feed-list", ProposalFeedState),
    "/datasets": ("main h1", DatasetCatalogState),
    "/jobs": ("#job-tabs", JobBoardState),
    "/models": ("main h1, main h2", ModelsState),
    "a dataset's page": ("#dataset-title", DatasetPageState),
    "a job's page": ("#job-title", JobPageState),
    "a model's page": ("#model-title", ModelPageState),
}


def _address(name: str, chain: SeededChain) -> str:
    jobs = chain.report.jobs
    assert jobs is not None and jobs.models, "the seed made no jobs or models"
    if name == "a dataset's page":
        return f"/datasets/{min(chain.report.datasets.values())}"
    if name == "a job's page":
        return f"/jobs/{min(jobs.jobs.values())}"
    if name == "a model's page":
        return f"/models/{jobs.models[0]}"
    return name


@pytest.mark.parametrize("name", list(RENDERED_PAGES))
def test_every_server_rendered_page_hydrates_as_it_was_rendered(
    render_app: AppServer, render_chain: SeededChain, page: Page, name: str
) -> None:
    """React keeps the server's nodes (it would replace them after a mismatch), and
    neither React nor the page reports an error."""
    path = _address(name, render_chain)
    selector, shown = RENDERED_PAGES[name]
    rendered = _state(render_app, path)
    assert rendered, f"{path} came without its state"
    state = rendered[shown.get_name()]
    assert set(state) >= {f"{var}_rx_state_" for var in shown.base_vars}
    if path != name:  # a detail page: its record, found
        view = state["view_rx_state_"]
        assert isinstance(view, dict) and view["loaded"] and view["found"], path
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.add_init_script(
        """document.addEventListener("DOMContentLoaded", () => {
             document.querySelector("main").dataset.fromServer = "1";
           });"""
    )
    page.goto(render_app.url + path)
    expect(page.locator(selector).first).to_be_visible()
    # Hydrated: the tab's state has arrived (the root state's is_hydrated drives this).
    page.wait_for_function("() => window.__reactRouterRouteModules !== undefined")
    page.wait_for_timeout(1_500)
    expect(page.locator("main")).to_have_attribute("data-from-server", "1")
    assert errors == []


def _renderers_of(app: AppServer) -> list[int]:
    """The page renderer processes of `app` (in its process group)."""
    found: list[int] = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read()
            if RENDERER_JS.encode() in command and os.getpgid(int(entry)) == app.process.pid:
                found.append(int(entry))
        except (OSError, ProcessLookupError):
            continue
    return found


def test_a_dead_renderer_leaves_pages_prerendered_until_another_starts(
    render_app: AppServer,
) -> None:
    (renderer,) = _renderers_of(render_app)
    os.kill(renderer, signal.SIGKILL)
    _wait_for(lambda: renderer not in _renderers_of(render_app), "the renderer to exit")
    # Served at once, as built (the state defaults, no state script)...
    assert _state(render_app, "/proposals") is None
    assert "Proposals · Coop Dashboard" in _html(render_app, "/proposals")
    # ...and rendered again once the worker has started another renderer.
    _wait_for(lambda: _state(render_app, "/proposals") is not None, "a new renderer", 30)
    assert len(_renderers_of(render_app)) == 1

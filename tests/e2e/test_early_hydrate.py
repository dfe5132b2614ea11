"""A page asks for its data when its websocket opens, before React has mounted it.

React's entry module (entry.client-*.js, imported after the page's own modules) is
held back here: until it loads, React cannot hydrate the page, while Reflex's client
(loaded with the page's modules) opens the websocket. Without the early hydrate
(coop_dashboard/frontend/early_hydrate.py) nothing asks for data before React mounts,
so the data frame never arrives while React is held and these tests fail.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Page, Route, WebSocket, expect

from coop_dashboard.api.server_render import AS_BUILT, AS_BUILT_HEADER
from tests.e2e.app_server import AppServer
from tests.e2e.flows import STEP_TIMEOUT_MS
from tests.support.chains import SeededChain

pytestmark = pytest.mark.e2e

REACT_ENTRY = re.compile(r"/assets/entry\.client-[^/]+\.js$")
# Socket.IO's CONNECT packet on Reflex's namespace: it carries the hydrate.
CONNECT_PREFIX = "40/_event,"


@dataclass
class Frames:
    sent: list[str] = field(default_factory=list)
    received: list[str] = field(default_factory=list)

    def watch(self, socket: WebSocket) -> None:
        socket.on("framesent", lambda payload: self.sent.append(str(payload)))
        socket.on("framereceived", lambda payload: self.received.append(str(payload)))

    def connect_auth(self) -> dict[str, object]:
        connects = [frame for frame in self.sent if frame.startswith(CONNECT_PREFIX)]
        assert len(connects) == 1, f"one hydrate expected, got {len(connects)}"
        auth: dict[str, object] = json.loads(connects[0].removeprefix(CONNECT_PREFIX))
        return auth


def _hold_react(page: Page) -> list[Route]:
    # The page as Reflex built it: a server-rendered page (api/server_render.py) has its
    # data in its HTML already, and these tests follow the data that comes over the socket.
    page.set_extra_http_headers({AS_BUILT_HEADER: AS_BUILT})
    held: list[Route] = []
    page.route(REACT_ENTRY, lambda route: held.append(route))
    return held


def _wait_until(page: Page, condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + STEP_TIMEOUT_MS / 1000
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        page.wait_for_timeout(50)


def _release(held: list[Route]) -> None:
    for route in held:
        route.continue_()


def test_the_feed_asks_for_its_cards_before_react_mounts(
    seeded_app: AppServer, seeded_chain: SeededChain, page: Page
) -> None:
    held = _hold_react(page)
    frames = Frames()
    page.on("websocket", frames.watch)
    page.goto(seeded_app.url + "/proposals", wait_until="commit")

    _wait_until(page, lambda: any("cards_rx_state_" in f for f in frames.received), "the cards")
    # React was still waiting for its entry module: the page had not mounted.
    assert held, "React's entry module was not requested"
    assert page.evaluate("typeof window.__reactRouterRouteModules") == "object"
    event = frames.connect_auth()["event"]
    assert isinstance(event, dict)
    assert event["name"].endswith(".hydrate_and_load")
    assert event["router_data"]["pathname"] == "/proposals"
    expect(page.locator(".proposal-card")).to_have_count(0)

    _release(held)
    # The cards that came early are shown once React mounts, and the page works on.
    cards = page.locator(".proposal-card")
    expect(cards).to_have_count(len(seeded_chain.report.proposals), timeout=STEP_TIMEOUT_MS)
    page.locator("#feed-search").fill("no proposal says this")
    expect(cards).to_have_count(0, timeout=STEP_TIMEOUT_MS)
    frames.connect_auth()  # still the one hydrate: the mounted app did not send another


def test_a_proposal_page_sends_its_id_with_the_early_hydrate(
    seeded_app: AppServer, seeded_chain: SeededChain, page: Page
) -> None:
    proposal_id = str(seeded_chain.report.proposals["active"])
    held = _hold_react(page)
    frames = Frames()
    page.on("websocket", frames.watch)
    page.goto(f"{seeded_app.url}/proposals/{proposal_id}", wait_until="commit")

    _wait_until(page, lambda: any(proposal_id in f for f in frames.received), "the proposal")
    assert held
    event = frames.connect_auth()["event"]
    assert isinstance(event, dict)
    assert event["router_data"]["query"] == {"proposal_id": proposal_id}

    _release(held)
    expect(page.locator("#proposal-tally")).to_have_attribute(
        "data-for", re.compile(r"^\d+$"), timeout=STEP_TIMEOUT_MS
    )
    expect(page.locator("#proposal-description")).to_be_visible()
    frames.connect_auth()


def test_a_path_no_route_matches_hydrates_once_mounted(seeded_app: AppServer, page: Page) -> None:
    held = _hold_react(page)
    frames = Frames()
    page.on("websocket", frames.watch)
    page.goto(seeded_app.url + "/no-such-page", wait_until="commit")
    _wait_until(page, lambda: bool(held), "React's entry module to be requested")
    page.wait_for_timeout(1_000)
    # The socket may be open, but nothing was asked: React Router decides this page.
    assert not any(frame.startswith(CONNECT_PREFIX) for frame in frames.sent)

    _release(held)
    _wait_until(page, lambda: any(f.startswith(CONNECT_PREFIX) for f in frames.sent), "the hydrate")
    frames.connect_auth()

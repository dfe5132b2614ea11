"""Live data without timers: a vote mined elsewhere shows in the tabs that watch it.

One tab shows the feed, another the proposal's page; the vote is mined by
someone else (sent straight to the node). Both tabs follow it through the
live-data hub, and neither sends a single event to the server meanwhile: no
timer, no polling, the new data is pushed.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, WebSocket, expect

from coop_dashboard.chain.transact import Sender
from tests.e2e.app_server import AppServer, StartApp, chain_settings
from tests.e2e.flows import STEP_TIMEOUT_MS
from tests.e2e.wallet import anvil_key
from tests.support.chains import SeededChain

pytestmark = pytest.mark.e2e

AMARA = 1  # a self-delegated delegate who has not voted on the seeded active proposal
FOR = 1
SETTLE_MS = 2_000


@pytest.fixture(scope="module")
def live_chain(start_seeded_chain: Callable[[], SeededChain]) -> SeededChain:
    """A chain of this module's own: the vote below must not disturb other tests."""
    return start_seeded_chain()


@pytest.fixture(scope="module")
def live_app(start_app: StartApp, live_chain: SeededChain) -> AppServer:
    return start_app("live", **chain_settings(live_chain))


def _governor(chain: SeededChain):  # type: ignore[no-untyped-def]
    return chain.deployment.contract(chain.w3, "CoopGovernor").functions


class SentEvents:
    """Counts the Socket.IO events ("42[...]" frames) a tab sends to the backend."""

    def __init__(self, page: Page) -> None:
        self.count = 0
        self.recording = False
        page.on("websocket", self._watch)

    def _watch(self, socket: WebSocket) -> None:
        socket.on("framesent", self._sent)

    def _sent(self, payload: str | bytes) -> None:
        text = payload.decode(errors="replace") if isinstance(payload, bytes) else payload
        if self.recording and text.startswith("42"):
            self.count += 1


def test_a_vote_mined_elsewhere_is_pushed_to_the_feed_and_the_proposal_page(
    live_app: AppServer, live_chain: SeededChain, page: Page
) -> None:
    chain = live_chain
    proposal_id = chain.report.proposals["active"]
    voter = str(anvil_key(AMARA).address)
    assert not _governor(chain).hasVoted(proposal_id, voter).call()
    for_before = _governor(chain).proposalVotes(proposal_id).call()[1]

    feed = page
    feed_events = SentEvents(feed)
    feed.goto(f"{live_app.url}/proposals")
    card_for = feed.locator(f'.proposal-card[data-proposal-id="{proposal_id}"] .votes-for')
    expect(card_for).to_have_attribute("data-value", str(for_before), timeout=STEP_TIMEOUT_MS)

    proposal = page.context.new_page()
    proposal_events = SentEvents(proposal)
    proposal.goto(f"{live_app.url}/proposals/{proposal_id}")
    tally = proposal.locator("#proposal-tally")
    expect(tally).to_have_attribute("data-for", str(for_before), timeout=STEP_TIMEOUT_MS)
    # The votes table renders in the frame after the tally (on_screen.after_paint):
    # wait for as many rows as the page says it has votes ("No votes", "3 votes").
    counted = proposal.locator("#proposal-vote-count").inner_text().split()[0]
    rows_before = 0 if counted == "No" else int(counted.replace(",", ""))
    expect(proposal.locator(".vote-row")).to_have_count(rows_before, timeout=STEP_TIMEOUT_MS)

    # Both pages are loaded; from here on they only listen.
    proposal.wait_for_timeout(SETTLE_MS)
    feed_events.recording = proposal_events.recording = True

    Sender.unlocked(chain.w3, voter).call(
        _governor(chain).castVote(proposal_id, FOR), what="a vote from elsewhere"
    )
    for_after = _governor(chain).proposalVotes(proposal_id).call()[1]
    assert for_after > for_before

    expect(tally).to_have_attribute("data-for", str(for_after), timeout=STEP_TIMEOUT_MS)
    expect(proposal.locator(f'.vote-row[data-voter="{voter.lower()}"]')).to_have_count(1)
    assert proposal.locator(".vote-row").count() == rows_before + 1
    expect(card_for).to_have_attribute("data-value", str(for_after), timeout=STEP_TIMEOUT_MS)

    # Pushed, not polled: neither tab asked the server for anything.
    assert feed_events.count == 0
    assert proposal_events.count == 0
    proposal.close()

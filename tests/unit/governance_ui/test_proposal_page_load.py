"""A proposal page's load: what the page shows arrives in one event.

On a real SQLite index, ProposalPageState.load shows the proposal and its
treasury impact section in its own delta (the section used to ask for itself
from the browser once mounted: one more round trip per page), chains the
followers of both, and shows whether gasless voting is paused inline when the
hub has it at hand (its follower reads it otherwise, and follows it), as it shows a
visitor's vote panel (a background check of the session only for a member).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from reflex.istate.data import ReflexURL, URLData
from reflex.state import State

from coop_dashboard.services.governance.gasless import GaslessPanel
from coop_dashboard.services.governance.proposal_live import GASLESS_KEY
from coop_dashboard.services.live_data import LiveView, live_hub
from coop_dashboard.state import proposal_page
from coop_dashboard.state.proposal_page import VISITOR_READINESS, ProposalPageState
from coop_dashboard.state.proposal_treasury import ProposalTreasuryState
from coop_dashboard.state.session import SessionState
from tests.unit.governance_ui.feed_rows import NOW, add_proposal, app_index

DAY = 86_400
PAUSED = GaslessPanel(paused=True, reason="The relayer is out of gas money.")


@pytest.fixture
def page_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Gasless voting's pause without a relayer on a chain: a view the test controls.
    monkeypatch.setattr(proposal_page, "GASLESS", LiveView("gasless_test", read=lambda _: PAUSED))
    with app_index(tmp_path / "page.db", monkeypatch) as engine:
        for number in (7, 8):
            add_proposal(
                engine,
                number,
                block=10 * number,
                title=f"Proposal {number}",
                vote_start=NOW - DAY,
                vote_end=NOW + DAY,
                tally=(1, 0, 0, 1),
            )
        yield


def _names(events: list[Any]) -> list[str]:
    return [event.fn.__qualname__ for event in events]


async def _load(root: State, path: str) -> tuple[ProposalPageState, list[str]]:
    root.rx_router_url = URLData.from_url(ReflexURL(f"http://localhost{path}"))
    page = await root.get_state(ProposalPageState)
    page._clean()
    events = await ProposalPageState.load.fn(page)  # type: ignore[attr-defined]
    return page, _names(events)


@pytest.mark.usefixtures("page_database")
def test_the_page_and_its_treasury_section_arrive_in_the_load_event() -> None:
    async def scenario() -> None:
        root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
        hub = live_hub()
        try:
            page, events = await _load(root, "/proposals/7")
            treasury = await root.get_state(ProposalTreasuryState)
            assert page.found and page.view.card.proposal_id == "7"
            assert page.view.card.title == "Proposal 7"
            assert treasury._key == "7"
            assert {"view", "loaded"} <= page.dirty_vars
            follow = ProposalPageState.follow.fn.__qualname__  # type: ignore[attr-defined]
            treasury_follow = ProposalTreasuryState.follow.fn.__qualname__  # type: ignore[attr-defined]
            assert follow in events and treasury_follow in events
            # A visitor (no session): the vote panel's sentence comes with the page, no
            # background event asks who is signed in.
            refresh_readiness = ProposalPageState.refresh_readiness.fn.__qualname__  # type: ignore[attr-defined]
            assert refresh_readiness not in events
            assert page.readiness == VISITOR_READINESS.messages and not page.can_vote
            # Nobody read the gasless pause yet: its follower reads it, apart from the
            # page's data (it moves with the relayer's balance: followed on every view).
            follow_gasless = ProposalPageState.follow_gasless.fn.__qualname__  # type: ignore[attr-defined]
            assert follow_gasless in events and not page.gasless_paused
            await hub.current(proposal_page.GASLESS, GASLESS_KEY)

            # The next proposal: the pause is at hand, shown in the same delta.
            page, events = await _load(root, "/proposals/8")
            assert page.view.card.proposal_id == "8" and treasury._key == "8"
            assert follow_gasless in events
            assert page.gasless_paused and page.gasless_pause_reason == PAUSED.reason
            assert {"view", "gasless_paused"} <= page.dirty_vars

            # The panel's own check (mounted with the page, and at sign-in / sign-out) is a
            # normal event: for a visitor it answers itself.
            assert await ProposalPageState.check_readiness.fn(page) == []  # type: ignore[attr-defined]

            # A member's session (its token's hash): the chain is asked, in the background.
            session = await root.get_state(SessionState)
            session._token_sha256 = "ab" * 32
            page, events = await _load(root, "/proposals/7")
            assert refresh_readiness in events
            checked = await ProposalPageState.check_readiness.fn(page)  # type: ignore[attr-defined]
            assert _names(checked) == [refresh_readiness]

            # An address that names no proposal: nothing shown, nothing followed.
            page, events = await _load(root, "/proposals/not-a-number")
            assert not page.found and treasury._key == ""
        finally:
            hub.stop()

    asyncio.run(scenario())

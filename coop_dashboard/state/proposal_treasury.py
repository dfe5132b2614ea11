"""ProposalTreasuryState: the treasury impact section of a proposal's page (live)."""

from __future__ import annotations

import contextlib

import reflex as rx

from coop_dashboard.services.live_data import LiveReadError
from coop_dashboard.services.treasury.impact_view import PROPOSAL_IMPACT, ImpactView
from coop_dashboard.state.defaults import shared_default
from coop_dashboard.state.live import ShowSuperseded, follow_live, show_live

_MAX_ID_DIGITS = 78


def _proposal_key(path: str) -> str | None:
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return last if last.isdecimal() and last.isascii() and len(last) <= _MAX_ID_DIGITS else None


class ProposalTreasuryState(rx.State):
    impact: ImpactView = shared_default(ImpactView())
    _key: str = ""

    def _apply(self, value: ImpactView) -> None:
        self.impact = value

    async def show_for_page(self) -> None:
        """The impact of the proposal in the page's address, shown in the caller's delta
        (ProposalPageState.load, which holds the lock and chains `follow`)."""
        key = _proposal_key(self.router.url.path)
        if key is None:
            self.impact, self._key = ImpactView(), ""
            return
        self._key = key
        with contextlib.suppress(LiveReadError, ShowSuperseded):
            self._apply(await show_live(self, PROPOSAL_IMPACT, key))

    @rx.event(background=True)
    async def follow(self) -> None:
        await follow_live(
            self, PROPOSAL_IMPACT, lambda s: s._key or None, ProposalTreasuryState._apply
        )

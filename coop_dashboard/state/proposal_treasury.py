"""ProposalTreasuryState: the treasury impact section of a proposal's page (live)."""

from __future__ import annotations

import contextlib
from typing import Any

import reflex as rx

from coop_dashboard.services.live_data import LiveReadError
from coop_dashboard.services.treasury.impact_view import PROPOSAL_IMPACT, ImpactView
from coop_dashboard.state.live import ShowSuperseded, follow_live, show_live

_MAX_ID_DIGITS = 78


def _proposal_key(path: str) -> str | None:
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return last if last.isdecimal() and last.isascii() and len(last) <= _MAX_ID_DIGITS else None


class ProposalTreasuryState(rx.State):
    impact: ImpactView = ImpactView()
    _key: str = ""

    def _apply(self, value: ImpactView) -> None:
        self.impact = value

    @rx.event
    async def load(self) -> Any:
        """Mounted with the section: the proposal in the page's address, then follow it."""
        key = _proposal_key(self.router.url.path)
        if key is None:
            self.impact = ImpactView()
            return None
        self._key = key
        with contextlib.suppress(LiveReadError, ShowSuperseded):
            self._apply(await show_live(self, PROPOSAL_IMPACT, key))
        return ProposalTreasuryState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        await follow_live(self, PROPOSAL_IMPACT, lambda s: s._key, ProposalTreasuryState._apply)

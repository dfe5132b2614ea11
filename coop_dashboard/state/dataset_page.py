"""DatasetPageState: one dataset (/datasets/[dataset_id]): card, facts, graph, attestations.

The page's data is a live view (services/datasets/live.DATASET_PAGE): a new
attestation, a version or a delisting shows without a reload. Graph clicks
name a trace and a point; the link comes from the view the server built.
Curators attest through the one write path (state/tx.py); the service refuses
a non-curator, a bad score or note before the wallet opens.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

import reflex as rx
from reflex.event import EventHandler

from coop_dashboard.config import Settings, load_settings
from coop_dashboard.services.datasets.attest import prepare_attestation
from coop_dashboard.services.datasets.curator_panel import curator_panel
from coop_dashboard.services.datasets.lineage_graph import click_target
from coop_dashboard.services.datasets.live import DATASET_PAGE
from coop_dashboard.services.datasets.page_view import DatasetPageView
from coop_dashboard.services.live_data import LiveReadError
from coop_dashboard.services.transactions import PreparedWrite
from coop_dashboard.state.defaults import shared_default
from coop_dashboard.state.live import ShowSuperseded, follow_live, show_live, stop_live
from coop_dashboard.state.server_render import send_whole
from coop_dashboard.state.session import authenticated_address_now
from coop_dashboard.state.tx import start_write

UNREADABLE = "The dataset index cannot be read right now. Retrying shortly."
_MAX_ID_DIGITS = 18


def dataset_id_from_path(path: str) -> int | None:
    last = path.rstrip("/").rsplit("/", 1)[-1]
    if last.isascii() and last.isdecimal() and len(last) <= _MAX_ID_DIGITS and int(last) > 0:
        return int(last)
    return None


# Shared empty views. A default declared as `DatasetPageView()` is deep-copied per
# tab, and hydrate reads every substate's vars on every tab (this page open or not):
# when its graph was a go.Figure that cost ~100 KB per tab (benchmarks/session_memory.py);
# it is Plotly JSON now, and sharing still spares the copy. Views are replaced whole,
# never changed in place: the live hub already hands every tab the same view object.
_EMPTY_VIEW = DatasetPageView()
_NOT_FOUND_VIEW = DatasetPageView(loaded=True, found=False)


class DatasetPageState(rx.State):
    view: DatasetPageView = shared_default(_EMPTY_VIEW)
    notice: str = ""
    is_curator: bool = False
    has_attested: bool = False
    score: str = ""
    note: str = ""

    def _id(self) -> int | None:
        return dataset_id_from_path(self.router.url.path)

    def _apply(self, value: DatasetPageView) -> None:
        self.view = value
        self.notice = ""

    async def _show(self) -> None:
        dataset_id = self._id()
        if dataset_id is None:
            stop_live(self, DATASET_PAGE)
            self.view = _NOT_FOUND_VIEW
            return
        try:
            self._apply(await show_live(self, DATASET_PAGE, dataset_id))
        except ShowSuperseded:
            pass
        except LiveReadError:
            self.notice = UNREADABLE

    @rx.event
    async def load(self) -> Any:
        if self.view.dataset_id != self._id():
            self.view = _EMPTY_VIEW
            self.is_curator = self.has_attested = False
            self.score = self.note = ""
        await self._show()
        send_whole(self)
        return [DatasetPageState.follow, DatasetPageState.refresh_curator]

    @rx.event(background=True)
    async def follow(self) -> None:
        await follow_live(self, DATASET_PAGE, DatasetPageState._id, DatasetPageState._apply)

    @rx.event
    async def refresh(self) -> Any:
        await self._show()
        return DatasetPageState.refresh_curator

    @rx.event(background=True)
    async def refresh_curator(self) -> None:
        """Whether the signed-in account may attest here, and whether it already did."""
        async with self:
            dataset_id = self._id()
        account = await authenticated_address_now(self)
        panel = await asyncio.to_thread(curator_panel, load_settings(), account, dataset_id)
        async with self:
            self.is_curator, self.has_attested = panel.is_curator, panel.has_attested

    @rx.event
    def open_node(self, points: Any) -> Any:
        """A click on a graph node opens that node's page (links come from the view)."""
        link = click_target(self.view.graph_targets, points)
        return rx.redirect(link) if link else None

    @rx.event
    def set_score(self, value: Any) -> None:
        self.score = value[:8] if isinstance(value, str) else ""

    @rx.event
    def set_note(self, value: Any) -> None:
        self.note = value[:10_000] if isinstance(value, str) else ""

    # A plain event, then background work: it reads what was typed only after the
    # edits sent before the click (state/__init__.py says why).
    @rx.event
    def attest(self) -> Any:
        """attest / updateAttestation from the curator's wallet (checked on the server)."""
        return DatasetPageState.run_attest

    @rx.event(background=True)
    async def run_attest(self) -> Any:
        async with self:
            dataset_id, score, note = self._id(), self.score, self.note
            update = self.has_attested
        if dataset_id is None:
            return

        def prepare(settings: Settings, signer: str) -> PreparedWrite:
            return prepare_attestation(settings, signer, dataset_id, score, note)

        event = await start_write(
            self,
            summary=(
                f"Update your attestation of dataset #{dataset_id}"
                if update
                else f"Attest dataset #{dataset_id}"
            ),
            prepare=prepare,
            refresh=[cast(EventHandler, DatasetPageState.after_attest)],
        )
        if event is not None:
            yield event

    @rx.event
    def after_attest(self) -> Any:
        self.note = ""
        return DatasetPageState.refresh

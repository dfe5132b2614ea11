"""JobPageState: one job (/jobs/[job_id]): spec, datasets, bids, timeline, result, payouts.

The page's data is a live view keyed by job id (services/jobs/live.JOB_PAGE):
a bid, a submission or a payout shows in every tab at the next indexed head.
What the signed-in account may do here (poster, provider, bidder, arbiter,
credits to withdraw) is read per tab from the chain in a background event.
Every action goes through one handler: `act(name, form)`; the name is looked
up in a closed list and the form's fields are checked on the server
(services/jobs/writes) before the wallet opens.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

import reflex as rx
from reflex.event import EventHandler

from coop_dashboard.config import Settings, load_settings
from coop_dashboard.errors import CoopError
from coop_dashboard.services.jobs.inputs import JobActionRefused, job_id_value
from coop_dashboard.services.jobs.job_view import JobPageView
from coop_dashboard.services.jobs.live import JOB_PAGE
from coop_dashboard.services.jobs.page_actions import form_of, job_action
from coop_dashboard.services.jobs.viewer import JobViewer, read_job_viewer
from coop_dashboard.services.jobs.writes import prepare_withdraw
from coop_dashboard.services.live_data import LiveReadError
from coop_dashboard.services.transactions import PreparedWrite
from coop_dashboard.state.defaults import shared_default
from coop_dashboard.state.live import ShowSuperseded, follow_live, show_live, stop_live
from coop_dashboard.state.server_render import send_whole
from coop_dashboard.state.session import authenticated_address_now
from coop_dashboard.state.tx import start_write

UNREADABLE = "The job index cannot be read right now. Retrying shortly."


def job_id_from_path(path: str) -> int | None:
    try:
        return job_id_value(path.rstrip("/").rsplit("/", 1)[-1])
    except JobActionRefused:
        return None


class JobPageState(rx.State):
    view: JobPageView = shared_default(JobPageView())
    viewer: JobViewer = JobViewer()
    notice: str = ""
    action_notice: str = ""

    def _id(self) -> int | None:
        return job_id_from_path(self.router.url.path)

    def _apply(self, value: JobPageView) -> None:
        self.view = value
        self.notice = ""

    async def _show(self) -> None:
        job_id = self._id()
        if job_id is None:
            stop_live(self, JOB_PAGE)
            self.view = JobPageView(loaded=True, found=False)
            return
        try:
            self._apply(await show_live(self, JOB_PAGE, job_id))
        except ShowSuperseded:
            pass
        except LiveReadError:
            self.notice = UNREADABLE

    @rx.event
    async def load(self) -> Any:
        if self.view.job_id != self._id():
            self.view = JobPageView()
            self.viewer = JobViewer()
        self.action_notice = ""
        await self._show()
        send_whole(self)
        return [JobPageState.follow, JobPageState.refresh_viewer]

    @rx.event(background=True)
    async def follow(self) -> None:
        await follow_live(self, JOB_PAGE, JobPageState._id, JobPageState._apply)

    @rx.event
    async def refresh(self) -> Any:
        await self._show()
        return JobPageState.refresh_viewer

    @rx.event(background=True)
    async def refresh_viewer(self) -> None:
        """The signed-in account's part in this job, from the chain (per tab)."""
        async with self:
            job_id = self._id()
        account = await authenticated_address_now(self)
        if job_id is None:
            return
        try:
            viewer = await asyncio.to_thread(read_job_viewer, load_settings(), account, job_id)
        except CoopError:
            viewer = JobViewer()
        async with self:
            if self._id() == job_id:
                self.viewer = viewer

    @rx.event(background=True)
    async def act(self, name: Any, form_data: Any) -> Any:
        """Run the job action `name` with the form's fields (both as the browser sent them)."""
        async with self:
            job_id = self._id()
            self.action_notice = ""
        try:
            action = job_action(name)
        except JobActionRefused as exc:
            async with self:
                self.action_notice = str(exc)
            return
        if job_id is None:
            return
        form = form_of(form_data)

        def prepare(settings: Settings, signer: str) -> PreparedWrite:
            return action.prepare(settings, signer, job_id, form)

        event = await start_write(
            self,
            summary=f"{action.summary} (job #{job_id})",
            prepare=prepare,
            refresh=[cast(EventHandler, JobPageState.refresh)],
        )
        if event is not None:
            yield event

    @rx.event(background=True)
    async def withdraw(self, asset: Any) -> Any:
        """Withdraw what the job board credited the signed-in account in `asset` (an
        address as the browser sent it: the server reads the credit from the chain)."""

        def prepare(settings: Settings, signer: str) -> PreparedWrite:
            return prepare_withdraw(settings, signer, asset)

        event = await start_write(
            self,
            summary="Withdraw from the job board",
            prepare=prepare,
            refresh=[cast(EventHandler, JobPageState.refresh)],
        )
        if event is not None:
            yield event

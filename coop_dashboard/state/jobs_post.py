"""JobPostState: /jobs/new, the post form with its escrow and pre-flight beside it.

The form is submitted whole (the browser's fields as they are, not debounced
copies); the server builds the spec and the terms and refuses what the contract
would refuse before the wallet opens (services/jobs/writes). A cUSD bounty
takes two transactions: the first click approves the board, the next posts.
The preview re-reads only what the asset, bounty, purpose and datasets change.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, cast

import reflex as rx
from reflex.event import EventHandler

from coop_dashboard.config import Settings, load_settings
from coop_dashboard.errors import CoopError
from coop_dashboard.services.display import utc_datetime
from coop_dashboard.services.jobs import writes
from coop_dashboard.services.jobs.page_actions import form_of
from coop_dashboard.services.jobs.post_view import (
    DEFAULT_BIDDING_S,
    DEFAULT_DELIVERY_S,
    PostDraft,
    PostPreview,
    read_post_preview,
)
from coop_dashboard.services.transactions import PreparedWrite
from coop_dashboard.state.defaults import shared_default
from coop_dashboard.state.session import authenticated_address_now
from coop_dashboard.state.tx import start_write

_FIELDS = tuple(writes.PostForm.__dataclass_fields__)


def _local_input(timestamp: int) -> str:
    return utc_datetime(timestamp).strftime("%Y-%m-%dT%H:%M")


def _short(value: Any, limit: int = 200) -> str:
    return value[:limit] if isinstance(value, str) else ""


class JobPostState(rx.State):
    asset: str = "ETH"
    bounty: str = ""
    purpose: str = "research"
    datasets: str = ""
    minimum_stake: str = ""
    bidding_default: str = ""
    delivery_default: str = ""
    preview: PostPreview = shared_default(PostPreview())
    notice: str = ""
    posted: bool = False

    def _draft(self) -> PostDraft:
        return PostDraft(self.asset, self.bounty, self.purpose, self.datasets, self.minimum_stake)

    @rx.event
    def load(self) -> Any:
        now = int(time.time())
        self.bidding_default = _local_input(now + DEFAULT_BIDDING_S)
        self.delivery_default = _local_input(now + DEFAULT_DELIVERY_S)
        self.notice, self.posted = "", False
        return JobPostState.refresh_preview

    @rx.event
    def set_asset(self, value: Any) -> Any:
        self.asset = value if value in ("ETH", "cUSD") else "ETH"
        return JobPostState.refresh_preview

    @rx.event
    def set_bounty(self, value: Any) -> Any:
        self.bounty = _short(value, 100)
        return JobPostState.refresh_preview

    @rx.event
    def set_purpose(self, value: Any) -> Any:
        self.purpose = _short(value, 40)
        return JobPostState.refresh_preview

    @rx.event
    def set_datasets(self, value: Any) -> Any:
        self.datasets = _short(value, 200)
        return JobPostState.refresh_preview

    @rx.event
    def set_minimum_stake(self, value: Any) -> Any:
        self.minimum_stake = _short(value, 100)
        return JobPostState.refresh_preview

    @rx.event(background=True)
    async def refresh_preview(self) -> None:
        async with self:
            draft = self._draft()
        viewer = await authenticated_address_now(self) or ""
        try:
            preview = await asyncio.to_thread(read_post_preview, load_settings(), draft, viewer)
        except CoopError as exc:
            async with self:
                self.notice = str(exc)
            return
        async with self:
            if self._draft() == draft:  # a newer change has its own refresh on the way
                self.preview = preview

    @rx.event(background=True)
    async def post(self, form_data: Any) -> Any:
        """Approve (cUSD, when the board may not take the bounty yet) or post the job."""
        data = form_of(form_data)
        form = writes.PostForm(**{name: data.get(name, "") for name in _FIELDS})
        async with self:
            self.notice = ""
        settings = load_settings()
        signer = await authenticated_address_now(self)
        approve = False
        if signer is not None and form.asset == "cUSD":
            try:
                approve = bool(
                    await asyncio.to_thread(writes.needs_approval, settings, signer, form)
                )
            except CoopError as exc:
                async with self:
                    self.notice = str(exc)
                return

        def prepare(settings: Settings, signer: str) -> PreparedWrite:
            if approve:
                return writes.prepare_approve(settings, signer, form)
            return writes.prepare_post(settings, signer, form)

        event = await start_write(
            self,
            summary="Approve the bounty" if approve else "Post the job",
            prepare=prepare,
            refresh=[
                cast(
                    EventHandler,
                    JobPostState.after_approve if approve else JobPostState.after_post,
                )
            ],
        )
        if event is not None:
            yield event

    @rx.event
    def after_approve(self) -> None:
        self.notice = "The job board may now take the bounty: click Post the job to post it."

    @rx.event
    def after_post(self) -> Any:
        self.posted = True
        return rx.redirect("/jobs")

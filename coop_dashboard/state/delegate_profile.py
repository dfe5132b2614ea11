"""DelegateProfileState: one delegate (/delegates/[address]): statement, versions and their
diff, power chart, voting record, delegators; the member's statement editor and delegation.

Live through the hub: the profile is pushed once per indexed batch. Writes go
through state/tx.py's one wallet path; every input is checked by
services/delegates/writes.py on the server.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

import reflex as rx
from reflex.event import EventHandler

from coop_dashboard.config import Settings, load_settings
from coop_dashboard.errors import CoopError
from coop_dashboard.services.delegates.gasless import (
    delegation_request,
    follow_relayed,
    relay_delegation,
)
from coop_dashboard.services.delegates.profile import (
    PROFILE,
    ProfileView,
    index_now,
    power_chart_json,
    recheck_statement,
    valid_profile_address,
    version_diff,
)
from coop_dashboard.services.delegates.writes import (
    SUGGESTED_TOPICS,
    StatementDraft,
    check_statement,
    delegation_preview,
    prepare_clear,
    prepare_delegate,
    prepare_publish,
    prepare_seeking,
)
from coop_dashboard.services.display import short_address
from coop_dashboard.services.governance.markdown import render_markdown
from coop_dashboard.services.live_data import LiveReadError
from coop_dashboard.services.plotly_json import EMPTY_FIGURE_JSON
from coop_dashboard.services.transactions import PreparedWrite
from coop_dashboard.services.wallet_calls import bridge_call
from coop_dashboard.services.wallet_errors import wallet_problem
from coop_dashboard.services.wallet_snapshot import is_ok, signature_or_empty
from coop_dashboard.state.defaults import shared_default
from coop_dashboard.state.live import ShowSuperseded, follow_live, show_live, stop_live
from coop_dashboard.state.session import authenticated_address_locked, authenticated_address_now
from coop_dashboard.state.tx import start_write

UNREADABLE = "The delegate index cannot be read right now. Retrying shortly."
PREVIEW_MAX_CHARS = 20_000


class DelegateProfileState(rx.State):
    """What one delegate's page shows, and the member's writes from it."""

    address: str = ""
    view: ProfileView = shared_default(ProfileView())
    # Plotly JSON, not a go.Figure: a Figure in the state is slow to pickle and unpickle
    # for every event under a state manager that stores tabs (disk, Redis).
    figure: dict[str, Any] = EMPTY_FIGURE_JSON
    loaded: bool = False
    notice: str = ""
    signed_in_as: str = ""
    # Diff between two versions (numbers as strings: select values).
    diff_from: str = ""
    diff_to: str = ""
    diff_lines: list[str] = []
    diff_note: str = ""
    # Delegation: the effect shown before signing.
    delegate_preview: list[str] = []
    delegate_notice: str = ""
    gasless_note: str = ""  # who paid the gas of the last relayed delegation
    _signed_delegation: dict[str, Any] = {}
    # The editor (the signed-in member's own profile only).
    draft: str = ""
    draft_topics: str = ""
    draft_seeking: bool = False
    draft_preview_html: str = ""
    editor_notice: str = ""

    @rx.var(cache=True)
    def version_numbers(self) -> list[str]:
        return [str(v.version) for v in self.view.versions if v.kind == "published"]

    @rx.var(cache=True)
    def suggested_topics(self) -> list[str]:
        return list(SUGGESTED_TOPICS)

    def _address(self) -> str | None:
        return valid_profile_address(self.router.url.path.rstrip("/").rsplit("/", 1)[-1])

    def _apply(self, view: ProfileView) -> None:
        self.view, self.loaded, self.notice = view, True, ""
        self.figure = power_chart_json(view.power_steps, _now_cache.get("now"))

    async def _show(self) -> None:
        address = self._address()
        if address is None:
            stop_live(self, PROFILE)
            self.view, self.loaded = ProfileView(found=False), True
            self.notice = "That is not an address: expected 0x and 40 hexadecimal digits."
            return
        try:
            view = await show_live(self, PROFILE, address)
            self._apply(await asyncio.to_thread(recheck_statement, view))
        except ShowSuperseded:
            pass
        except LiveReadError:
            self.notice = UNREADABLE

    @rx.event
    async def load(self) -> Any:
        address = self._address()
        if (address or "") != self.address:
            self.view, self.figure, self.loaded = ProfileView(), EMPTY_FIGURE_JSON, False
            self.diff_lines, self.diff_note, self.diff_from, self.diff_to = [], "", "", ""
            self.delegate_preview, self.delegate_notice, self.editor_notice = [], "", ""
        self.address = address or ""
        _now_cache["now"] = await asyncio.to_thread(index_now)
        await self._show()
        self.signed_in_as = ((await authenticated_address_locked(self)) or "").lower()
        return DelegateProfileState.follow

    @rx.event(background=True)
    async def follow(self) -> None:
        await follow_live(self, PROFILE, _shown_address, DelegateProfileState._apply)

    @rx.event
    async def refresh(self) -> None:
        await self._show()
        self.signed_in_as = ((await authenticated_address_locked(self)) or "").lower()

    # -- versions --------------------------------------------------------------------------

    @rx.event
    def set_diff_from(self, value: str) -> None:
        self.diff_from = value if isinstance(value, str) else ""

    @rx.event
    def set_diff_to(self, value: str) -> None:
        self.diff_to = value if isinstance(value, str) else ""

    @rx.event
    async def show_diff(self) -> None:
        older, newer = self.diff_from, self.diff_to
        if not (older.isdecimal() and newer.isdecimal()) or len(older) > 9 or len(newer) > 9:
            self.diff_lines, self.diff_note = [], "Pick two versions."
            return
        diff = await asyncio.to_thread(version_diff, self.address, int(older), int(newer))
        self.diff_lines, self.diff_note = diff.lines, diff.note

    # -- delegation ------------------------------------------------------------------------

    @rx.event
    async def preview_delegation(self, to_self: bool = False) -> None:
        self.delegate_notice, self.delegate_preview = "", []
        member = await authenticated_address_locked(self)
        if member is None:
            self.delegate_notice = "Sign in with your wallet to delegate."
            return
        target = member if to_self is True else self.address
        try:
            preview = await asyncio.to_thread(delegation_preview, load_settings(), member, target)
        except CoopError as exc:
            self.delegate_notice = str(exc)
            return
        self.delegate_preview = list(preview.lines)

    @rx.event(background=True)
    async def delegate(self, to_self: bool = False) -> Any:
        async with self:
            target = self.address
            self.delegate_notice = ""

        def prepare(settings: Settings, signer: str) -> PreparedWrite:
            return prepare_delegate(settings, signer, signer if to_self is True else target)

        event = await start_write(
            self,
            summary="Delegate your votes",
            prepare=prepare,
            refresh=[cast(EventHandler, DelegateProfileState.refresh)],
        )
        if event is not None:
            yield event

    @rx.event(background=True)
    async def delegate_gasless(self, to_self: bool = False) -> Any:
        """Sign EIP-712 Delegation in the wallet; the cooperative's relayer sends it."""
        async with self:
            target = self.address
            self.delegate_notice = self.gasless_note = ""
        member = await authenticated_address_now(self)
        if member is None:
            async with self:
                self.delegate_notice = "Sign in with your wallet to delegate."
            return
        delegatee = member if to_self is True else target
        try:
            request = await asyncio.to_thread(
                delegation_request, load_settings(), member, delegatee
            )
        except CoopError as exc:
            async with self:
                self.delegate_notice = str(exc)
            return
        async with self:
            self._signed_delegation = {
                "delegator": member,
                "delegatee": delegatee,
                "nonce": request.nonce,
                "expiry": request.expiry,
            }
        yield rx.call_script(
            bridge_call("signTypedData", member, request.typed_data),
            callback=DelegateProfileState.on_delegation_signed,
        )

    @rx.event(background=True)
    async def on_delegation_signed(self, answer: dict[str, Any]) -> Any:
        async with self:
            pending = dict(self._signed_delegation)
            self._signed_delegation = {}
        if not pending:
            return
        settings = load_settings()
        try:
            if not is_ok(answer):
                problem = wallet_problem(
                    answer, action="sign the delegation", expected_chain_id=settings.chain_id
                )
                raise CoopError(f"{problem.title}: {problem.message}")
            sent = await asyncio.to_thread(
                relay_delegation,
                settings,
                pending["delegator"],
                pending["delegatee"],
                pending["nonce"],
                pending["expiry"],
                signature_or_empty(answer.get("signature")),
            )
        except CoopError as exc:
            async with self:
                self.delegate_notice = str(exc)
            return
        relayer, tx = short_address(sent.relayer), f"{sent.tx_hash[:10]}…"
        async with self:
            self.delegate_preview = []
            self.gasless_note = (
                f"Your delegation was sent by the cooperative's relayer {relayer}, which pays "
                f"the gas (transaction {tx}); waiting for it to be mined."
            )
        try:
            outcome = await follow_relayed(settings, sent)
        except CoopError as exc:
            async with self:
                self.delegate_notice = f"The relayed delegation ({tx}) cannot be followed: {exc}"
            return
        async with self:
            if outcome.succeeded:
                self.gasless_note = (
                    f"Your delegation was sent by the cooperative's relayer {relayer}, "
                    f"which paid the gas (transaction {tx})."
                )
            else:
                self.gasless_note = ""
                self.delegate_notice = f"The relayed delegation ({tx}) failed: " + (
                    outcome.failure or "it was not mined."
                )
        return DelegateProfileState.refresh

    # -- the statement editor --------------------------------------------------------------

    @rx.event
    def start_editing(self, document: str = "") -> None:
        self.draft = document[:PREVIEW_MAX_CHARS] if isinstance(document, str) else ""
        self.draft_topics = ", ".join(self.view.card.topics)
        self.draft_seeking = self.view.card.seeking
        self.editor_notice = ""

    @rx.event
    def set_draft(self, value: str) -> None:
        # Bounded like the builder: the server refuses more on publish anyway.
        self.draft = value[: PREVIEW_MAX_CHARS + 1] if isinstance(value, str) else ""

    @rx.event
    def set_draft_topics(self, value: str) -> None:
        self.draft_topics = value[:400] if isinstance(value, str) else ""

    @rx.event
    def add_topic(self, topic: str) -> None:
        if isinstance(topic, str) and topic in SUGGESTED_TOPICS:
            current = [t.strip() for t in self.draft_topics.split(",") if t.strip()]
            if topic not in current:
                self.draft_topics = ", ".join([*current, topic])

    @rx.event
    def set_draft_seeking(self, value: bool) -> None:
        self.draft_seeking = value is True

    @rx.event
    async def preview_draft(self) -> None:
        rendered = await asyncio.to_thread(render_markdown, self.draft)
        self.draft_preview_html = rendered.html

    @rx.event(background=True)
    async def publish(self, form_data: dict[str, Any]) -> Any:
        """The editor's form as the browser has it now (not the debounced copy in the state)."""
        data = form_data if isinstance(form_data, dict) else {}
        async with self:
            document, topics = data.get("statement"), data.get("topics", "")
            seeking = self.draft_seeking
            if isinstance(document, str):
                self.draft = document[: PREVIEW_MAX_CHARS + 1]
            self.editor_notice = ""
        try:
            draft: StatementDraft = check_statement(document, topics, seeking)
        except CoopError as exc:
            async with self:
                self.editor_notice = str(exc)
            return

        def prepare(settings: Settings, signer: str) -> PreparedWrite:
            return prepare_publish(settings, signer, draft)

        event = await start_write(
            self,
            summary="Publish your delegate statement",
            prepare=prepare,
            refresh=[cast(EventHandler, DelegateProfileState.refresh)],
        )
        if event is not None:
            yield event

    @rx.event(background=True)
    async def toggle_seeking(self, value: bool) -> Any:
        seeking = value is True

        def prepare(settings: Settings, signer: str) -> PreparedWrite:
            return prepare_seeking(settings, signer, seeking)

        event = await start_write(
            self,
            summary="Change whether you seek delegations",
            prepare=prepare,
            refresh=[cast(EventHandler, DelegateProfileState.refresh)],
        )
        if event is not None:
            yield event

    @rx.event(background=True)
    async def clear_statement(self) -> Any:
        event = await start_write(
            self,
            summary="Clear your delegate statement",
            prepare=prepare_clear,
            refresh=[cast(EventHandler, DelegateProfileState.refresh)],
        )
        if event is not None:
            yield event


# The index's clock for the chart's right edge (one value per worker is enough).
_now_cache: dict[str, int | None] = {}


def _shown_address(state: DelegateProfileState) -> str | None:
    return state._address()

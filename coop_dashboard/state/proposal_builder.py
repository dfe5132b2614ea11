"""ProposalBuilderState: the /proposals/new form, its pre-flight report, and the propose write.

The added actions are kept as their typed fields only (`AddedAction`: plain,
serializable): check and submit rebuild and re-validate them on the server.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import reflex as rx

from coop_dashboard.config import Settings, load_settings
from coop_dashboard.errors import CoopError
from coop_dashboard.services.governance.builder import MAX_ACTIONS
from coop_dashboard.services.governance.builder_flow import (
    ActionForm,
    AddedAction,
    AssetChoice,
    BuilderForm,
    BuilderReport,
    DatasetOption,
    FunctionView,
    add_action,
    asset_choices,
    check_form,
    contract_names,
    dataset_options,
    field_problem,
    function_views,
    prepare_proposal,
)
from coop_dashboard.services.governance.markdown import render_markdown
from coop_dashboard.services.transactions import PreparedWrite
from coop_dashboard.state.busy import busy_while, clear_busy, run_latest
from coop_dashboard.state.defaults import shared_default
from coop_dashboard.state.session import SessionState, authenticated_address_now
from coop_dashboard.state.tx import start_write

logger = logging.getLogger(__name__)
UNEXPECTED = "Something went wrong on the server; nothing was changed. Try again."

# What `set_field` may change (the name comes from the browser): the editor's
# fields and the proposal's text; `arguments` is a list with its own event.
_TEXT_FIELDS = frozenset(ActionForm.__dataclass_fields__) - {"arguments"} | {"title", "body"}


def _preview_html(body: str) -> str:
    # Same sanitizer and limits as the proposal page: the preview is what voters will see.
    return render_markdown(body).html if body.strip() else ""


class ProposalBuilderState(rx.State):
    """The builder's fields as typed, and what the last check said about them."""

    added: list[AddedAction] = []  # in execution order; the editor's action comes last
    adding: bool = False
    kind: str = "treasury"
    asset: str = "ETH"
    recipient: str = ""
    amount: str = ""
    parameter: str = "voting_period"
    value: str = ""
    contract: str = ""
    function: str = ""
    arguments: list[str] = []
    call_value: str = "0"
    dataset_action: str = "delist"
    curator: str = ""
    minimum_bond: str = ""
    bond_waiting_period: str = ""
    dataset: str = ""
    reason: str = ""
    dataset_query: str = ""  # the delisting's dataset search (name or id)
    job_spec: str = ""  # Fund a training job (services/governance/job_actions)
    job_asset: str = "ETH"
    job_bounty: str = ""
    job_purpose: str = "research"
    job_bidding_deadline: str = ""
    job_delivery_deadline: str = ""
    job_minimum_stake: str = ""
    job_challenge_window: str = "2 days"
    found_datasets: list[DatasetOption] = []
    contracts: list[str] = []
    functions: list[FunctionView] = []
    title: str = ""
    body: str = ""
    assets: list[AssetChoice] = []
    report: BuilderReport = shared_default(BuilderReport())
    checked: bool = False
    checking: bool = False
    notice: str = ""
    # The description as voters will see it, rendered in a worker thread (see preview).
    preview_html: str = ""
    # The id of the proposal sent to the wallet: opened once it is mined and indexed.
    _submitted_id: int | None = None
    # A preview render is running for this tab (at most one; it catches up with typing).
    _previewing: bool = False
    _busy_runs: dict[str, str] = {}  # state.busy: which run holds `adding` / `checking`
    _busy_again: dict[str, bool] = {}  # state.busy.run_latest: `check` asked again meanwhile

    @rx.var(cache=True)
    def function_signatures(self) -> list[str]:
        return [f.signature for f in self.functions]

    @rx.var(cache=True)
    def argument_labels(self) -> list[str]:
        chosen = next((f for f in self.functions if f.signature == self.function), None)
        return chosen.argument_labels if chosen else []

    @rx.var(cache=True)
    def argument_errors(self) -> list[str]:
        # One per argument input ("" when fine), so each message sits under its input;
        # custom_call keys them "arg0", "arg1", ...
        return [self.report.field_errors.get(f"arg{i}", "") for i in range(len(self.arguments))]

    @rx.var(cache=True)
    def asset_symbols(self) -> list[str]:
        return [a.symbol for a in self.assets] or ["ETH"]

    @rx.var(cache=True)
    def editor_number(self) -> int:
        return len(self.added) + 1

    @rx.var(cache=True)
    def at_action_limit(self) -> bool:
        return len(self.added) >= MAX_ACTIONS

    def _editor(self) -> ActionForm:
        return ActionForm(
            kind=self.kind,
            asset=self.asset,
            recipient=self.recipient,
            amount=self.amount,
            parameter=self.parameter,
            value=self.value,
            contract=self.contract,
            function=self.function,
            arguments=tuple(self.arguments),
            call_value=self.call_value,
            dataset_action=self.dataset_action,
            curator=self.curator,
            minimum_bond=self.minimum_bond,
            bond_waiting_period=self.bond_waiting_period,
            dataset=self.dataset,
            reason=self.reason,
            job_spec=self.job_spec,
            job_asset=self.job_asset,
            job_bounty=self.job_bounty,
            job_purpose=self.job_purpose,
            job_bidding_deadline=self.job_bidding_deadline,
            job_delivery_deadline=self.job_delivery_deadline,
            job_minimum_stake=self.job_minimum_stake,
            job_challenge_window=self.job_challenge_window,
        )

    def _form(self) -> BuilderForm:
        return BuilderForm(
            editor=self._editor(),
            added=tuple(a.form for a in self.added),
            title=self.title,
            body=self.body,
        )

    def _clear_editor(self) -> None:
        # The kind stays: adding several transfers in a row is the common case.
        blank = ActionForm(kind=self.kind)
        self.asset, self.recipient, self.amount = blank.asset, blank.recipient, blank.amount
        self.parameter, self.value = blank.parameter, blank.value
        self.contract, self.function, self.arguments = blank.contract, blank.function, []
        self.call_value, self.functions = blank.call_value, []
        self.curator, self.minimum_bond = blank.curator, blank.minimum_bond
        self.bond_waiting_period, self.dataset, self.reason = "", blank.dataset, blank.reason
        self.dataset_query, self.found_datasets = "", []
        self.job_spec, self.job_bounty, self.job_minimum_stake = "", "", ""
        self.job_bidding_deadline, self.job_delivery_deadline = "", ""

    def _reset_form(self) -> None:
        """Everything typed goes (after a proposal was created from it)."""
        self._clear_editor()
        self.added, self.title, self.body, self.preview_html = [], "", "", ""
        self.report, self.checked, self.notice = BuilderReport(), False, ""

    def _edited(self) -> None:
        # Any change makes the last report stale: the submit button waits for a new check.
        self.checked = False

    async def _refused_input(self, name: str, value: object) -> bool:
        """True (with a notice) for input this tab may not store: signed out, or oversized.

        Any client can send any value to any handler; the builder is for signed-in
        members (its page says so), so nothing is stored or rendered for others.
        """
        session = await self.get_state(SessionState)
        problem = (
            "Sign in to write a proposal."
            if not session.is_signed_in
            else field_problem(name, value)
        )
        if problem is not None:
            self.notice = problem
        return problem is not None

    @rx.event
    async def set_field(self, name: str, value: str) -> Any:
        if not isinstance(name, str) or name not in _TEXT_FIELDS:
            return None
        if await self._refused_input(name, value):
            return None
        setattr(self, name, value)
        self._edited()
        return ProposalBuilderState.preview if name == "body" else None

    @rx.event
    async def set_argument(self, index: int, value: str) -> None:
        if not isinstance(index, int) or not 0 <= index < len(self.arguments):
            return
        if await self._refused_input("argument", value):
            return
        self.arguments[index] = value
        self._edited()

    @rx.event(background=True)
    async def preview(self) -> None:
        """Render the description in a worker thread; one render at a time per tab.

        A render takes up to a few tens of milliseconds (bounded by the renderer's
        work budget): off the event loop, and a burst of keystrokes costs one
        render for the text as it is when the running one ends.
        """
        async with self:
            if self._previewing:
                return  # the running render picks up the newest text when it ends
            self._previewing = True
            body = self.body
        try:
            while True:
                html = await asyncio.to_thread(_preview_html, body)
                async with self:
                    if self.body == body:
                        self.preview_html = html
                        return
                    body = self.body  # typed on meanwhile: render the latest text
        finally:
            async with self:
                self._previewing = False

    @rx.event(background=True)
    async def search_datasets(self, text: str) -> None:
        """The datasets a delisting may name, matching `text` (name or id), from the index."""
        async with self:
            if await self._refused_input("dataset_query", text):
                return
            self.dataset_query = text
        try:
            found = await asyncio.to_thread(dataset_options, load_settings(), text)
        except CoopError as exc:
            async with self:
                self.notice = str(exc)
            return
        async with self:
            if self.dataset_query == text:  # typed on meanwhile: that search answers
                self.found_datasets = found

    @rx.event
    def choose_dataset(self, dataset_id: int) -> None:
        # Any number is kept as typed: the server checks it against the index on use.
        if isinstance(dataset_id, int) and not isinstance(dataset_id, bool):
            self.dataset = str(dataset_id)
            self._edited()

    @rx.event
    def choose_function(self, signature: str) -> None:
        self.function = signature
        chosen = next((f for f in self.functions if f.signature == signature), None)
        self.arguments = [""] * (len(chosen.argument_labels) if chosen else 0)
        self._edited()

    @rx.event(background=True)
    async def choose_contract(self, name: str) -> None:
        async with self:
            self.contract, self.function, self.arguments = name, "", []
            self._edited()
        try:
            functions = await asyncio.to_thread(function_views, load_settings(), name)
        except CoopError as exc:
            async with self:
                self.notice = str(exc)
            return
        async with self:
            if self.contract == name:
                self.functions = functions

    # Plain events, then background work: they read what was typed only after the
    # edits sent before the click (state/__init__.py says why).

    @rx.event
    def add_editor_action(self) -> Any:
        """Validate the editor's action on the server; when valid, list it and clear the editor."""
        return ProposalBuilderState.run_add_editor_action

    @rx.event(background=True)
    async def run_add_editor_action(self) -> None:
        async with busy_while(self, "adding") as started:
            if started:
                await self._add_editor_action()

    async def _add_editor_action(self) -> None:
        async with self:
            editor, count = self._editor(), len(self.added)
        try:
            result = await asyncio.to_thread(add_action, load_settings(), editor, count)
        except CoopError as exc:
            async with self:
                self.notice = str(exc)
            return
        except Exception:  # a bug: say so, and `adding` is cleared all the same
            logger.exception("adding a builder action failed unexpectedly")
            async with self:
                self.notice = UNEXPECTED
            return
        async with self:
            self.notice = ""
            # The editor's field errors replace the last report: it is stale after any edit.
            self.report = BuilderReport(field_errors=result.field_errors)
            if result.added is None:
                return
            self.added = [*self.added, result.added]
            if self._editor() == editor:  # typed on meanwhile: keep what the person typed
                self._clear_editor()
            self._edited()

    @rx.event
    def remove_action(self, index: int) -> None:
        if 0 <= index < len(self.added):
            self.added = [a for i, a in enumerate(self.added) if i != index]
            self._edited()

    @rx.event(background=True)
    async def load(self) -> None:
        async with self:
            # A (re)loaded page runs nothing: a flag a reload orphaned must not stick.
            clear_busy(self, "adding", "checking")
            self._previewing = False
        settings = load_settings()
        try:
            assets = await asyncio.to_thread(asset_choices, settings)
            contracts = await asyncio.to_thread(contract_names, settings)
        except CoopError as exc:
            async with self:
                self.notice = str(exc)
            return
        async with self:
            self.assets, self.contracts, self.notice = assets, contracts, ""

    @rx.event
    def check(self) -> Any:
        """Validate every field and pre-flight the proposal (threshold + simulation)."""
        return ProposalBuilderState.run_check

    @rx.event(background=True)
    async def run_check(self) -> None:
        """A click while a check runs is not dropped: the form is checked once more as
        it is when the running check ends, so the report is of what was last asked."""
        await run_latest(self, "checking", self._check)

    async def _check(self) -> None:
        async with self:
            form = self._form()
        proposer = await authenticated_address_now(self)
        if proposer is None:
            async with self:
                self.notice = "Sign in to check and submit a proposal."
            return
        try:
            report = await asyncio.to_thread(check_form, load_settings(), proposer, form)
        except CoopError as exc:
            async with self:
                self.notice = str(exc)
            return
        except Exception:  # a bug: say so, and `checking` is cleared all the same
            logger.exception("checking a proposal failed unexpectedly")
            async with self:
                self.notice = UNEXPECTED
            return
        async with self:
            self.notice = ""
            self.report = report
            self.checked = form == self._form()  # edited meanwhile: check again

    @rx.event
    def submit(self) -> Any:
        return ProposalBuilderState.run_submit

    @rx.event(background=True)
    async def run_submit(self) -> Any:
        async with self:
            form = self._form()

        prepared_ids: list[int] = []

        def prepare(settings: Settings, signer: str) -> PreparedWrite:
            prepared = prepare_proposal(settings, signer, form)
            prepared_ids.append(prepared.proposal_id)
            return prepared

        event = await start_write(
            self,
            summary="Create the proposal",
            prepare=prepare,
            refresh=[ProposalBuilderState.created],
        )
        if event is not None:
            async with self:
                self._submitted_id = prepared_ids[-1] if prepared_ids else None
            yield event

    @rx.event(background=True)
    async def created(self) -> Any:
        """The proposal is mined and indexed: start a clean form and open its page."""
        async with self:
            proposal_id, self._submitted_id = self._submitted_id, None
            if proposal_id is not None:
                self._reset_form()
        if proposal_id is not None:
            yield rx.redirect(f"/proposals/{proposal_id}")

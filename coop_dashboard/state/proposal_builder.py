"""ProposalBuilderState: the /proposals/new form, its pre-flight report, and the propose write."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from coop_dashboard.config import Settings, load_settings
from coop_dashboard.errors import CoopError
from coop_dashboard.services.governance.builder_flow import (
    AssetChoice,
    BuilderForm,
    BuilderReport,
    FunctionView,
    asset_choices,
    check_form,
    contract_names,
    function_views,
    prepare_proposal,
)
from coop_dashboard.services.governance.markdown import render_markdown
from coop_dashboard.services.transactions import PreparedWrite
from coop_dashboard.state.session import authenticated_address_now
from coop_dashboard.state.tx import start_write


class ProposalBuilderState(rx.State):
    """The builder's fields as typed, and what the last check said about them."""

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
    contracts: list[str] = []
    functions: list[FunctionView] = []
    title: str = ""
    body: str = ""
    assets: list[AssetChoice] = []
    report: BuilderReport = BuilderReport()
    checked: bool = False
    checking: bool = False
    notice: str = ""

    @rx.var(cache=True)
    def preview_html(self) -> str:
        # Same sanitizer as the proposal page: the preview is what voters will see.
        return render_markdown(self.body).html if self.body.strip() else ""

    @rx.var(cache=True)
    def function_signatures(self) -> list[str]:
        return [f.signature for f in self.functions]

    @rx.var(cache=True)
    def argument_labels(self) -> list[str]:
        chosen = next((f for f in self.functions if f.signature == self.function), None)
        return chosen.argument_labels if chosen else []

    @rx.var(cache=True)
    def argument_errors(self) -> list[str]:
        # custom_call keys argument problems "arg0", "arg1", ...
        return [
            m
            for k, m in self.report.field_errors.items()
            if k.startswith("arg") and k != "arguments"
        ]

    @rx.var(cache=True)
    def asset_symbols(self) -> list[str]:
        return [a.symbol for a in self.assets] or ["ETH"]

    def _form(self) -> BuilderForm:
        return BuilderForm(
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
            title=self.title,
            body=self.body,
        )

    def _edited(self) -> None:
        # Any change makes the last report stale: the submit button waits for a new check.
        self.checked = False

    @rx.event
    def set_field(self, name: str, value: str) -> None:
        if name not in BuilderForm.__dataclass_fields__:
            return
        setattr(self, name, value)
        self._edited()

    @rx.event
    def set_argument(self, index: int, value: str) -> None:
        if 0 <= index < len(self.arguments):
            self.arguments[index] = value
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

    @rx.event(background=True)
    async def load(self) -> None:
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

    @rx.event(background=True)
    async def check(self) -> None:
        """Validate every field and pre-flight the proposal (threshold + simulation)."""
        async with self:
            if self.checking:
                return
            self.checking = True
            form = self._form()
        proposer = await authenticated_address_now(self)
        if proposer is None:
            async with self:
                self.checking = False
                self.notice = "Sign in to check and submit a proposal."
            return
        try:
            report = await asyncio.to_thread(check_form, load_settings(), proposer, form)
        except CoopError as exc:
            async with self:
                self.checking, self.notice = False, str(exc)
            return
        async with self:
            self.checking, self.notice = False, ""
            self.report = report
            self.checked = form == self._form()  # edited meanwhile: check again

    @rx.event(background=True)
    async def submit(self) -> Any:
        async with self:
            form = self._form()

        def prepare(settings: Settings, signer: str) -> PreparedWrite:
            return prepare_proposal(settings, signer, form)

        event = await start_write(self, summary="Create the proposal", prepare=prepare, refresh=[])
        if event is not None:
            yield event

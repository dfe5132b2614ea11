"""TxState: the one transaction a tab is sending, from "confirm in wallet" to "data refreshed".

Every write goes through `start_write` (called from a page state's background
event): it claims the tab's single transaction slot (a second click while one
is under way is ignored here, on the server, not only by a disabled button),
checks the session and the wallet, builds and simulates the transaction
server-side, and hands it to the wallet. `on_sent` then follows it:

    preparing -> wallet -> pending (hash) -> mined (block, gas) -> done (data refreshed)
                                 \\-> failed (why), from any step

`done` waits for the indexer to cover the block (services.index_progress)
before the page's data is refreshed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import reflex as rx
from reflex.event import EventHandler, EventSpec

from coop_dashboard.config import Settings, load_settings
from coop_dashboard.errors import CoopError, RpcUnavailableError
from coop_dashboard.services.address_input import AddressInputError
from coop_dashboard.services.display import format_int, short_address
from coop_dashboard.services.index_progress import IndexWait, wait_until_indexed
from coop_dashboard.services.sign_in import signed_in_address_by_hash
from coop_dashboard.services.transactions import (
    ChainContext,
    PreparedWrite,
    UnsignedTx,
    WriteRefused,
    follow_transaction,
)
from coop_dashboard.services.tx_text import same_address
from coop_dashboard.services.wallet_calls import bridge_call
from coop_dashboard.services.wallet_errors import wallet_problem, wrong_chain_problem
from coop_dashboard.services.wallet_snapshot import is_ok, tx_hash_or_empty
from coop_dashboard.state.session import SessionState
from coop_dashboard.state.wallet import WalletState

logger = logging.getLogger(__name__)

BUSY_PHASES = ("preparing", "wallet", "pending", "mined")
# A slot claimed longer ago than this was lost (backend restart mid-write);
# without it one lost write would block the tab's writes until a reload.
STUCK_AFTER_S = 15 * 60.0

UNEXPECTED_FOLLOW = (
    "Something went wrong on the server while following it; check your wallet's activity."
)
OUTCOME_TITLES = {
    "reverted": "Transaction failed",
    "cancelled": "Transaction cancelled",
    "mismatch": "Not the transaction prepared",
}

# Raw revert data a wallet returned -> a sentence, or None if unknown.
RevertExplainer = Callable[[str], str | None]
# Builds the write for the signed-in address (blocking: runs in a worker thread).
PrepareWrite = Callable[[Settings, str], PreparedWrite]


def _handler_ref(handler: EventHandler) -> tuple[str, str]:
    if handler.state is None:
        raise ValueError("a refresh handler must belong to a state")
    return handler.state.get_full_name(), handler.fn.__name__


def _handler_from_ref(ref: Sequence[str]) -> EventHandler:
    state_cls = rx.State.get_class_substate(ref[0])
    handler = getattr(state_cls, ref[1])
    if not isinstance(handler, EventHandler):
        raise TypeError(f"{ref[0]}.{ref[1]} is not an event handler")
    return handler


class TxState(rx.State):
    """What the transaction panel shows; one write at a time per tab."""

    phase: str = "idle"
    description: str = ""
    tx_hash: str = ""
    block_number: str = ""
    gas_used: str = ""
    outcome_note: str = ""
    problem_kind: str = ""
    problem_title: str = ""
    problem_message: str = ""
    _claimed_at: float = 0.0
    _claim_id: str = ""
    _expected_chain_id: int = 0
    _refresh: list[list[str]] = []
    # The transaction offered to the wallet: the hash it reports must be this call.
    _offered: dict[str, Any] = {}

    @rx.var(cache=True)
    def busy(self) -> bool:
        return self.phase in BUSY_PHASES

    def _claim(self, description: str) -> str | None:
        """Take the tab's transaction slot: a claim id, or None while another write holds it."""
        if self.phase in BUSY_PHASES and time.time() - self._claimed_at < STUCK_AFTER_S:
            return None
        self._claim_id = uuid.uuid4().hex
        self.phase = "preparing"
        self.description = description
        self.tx_hash = ""
        self.block_number = ""
        self.gas_used = ""
        self.outcome_note = ""
        self._problem()
        self._claimed_at = time.time()
        self._refresh = []
        self._offered = {}
        return self._claim_id

    def _problem(self, kind: str = "", title: str = "", message: str = "") -> None:
        self.problem_kind = kind
        self.problem_title = title
        self.problem_message = message

    def _fail(self, kind: str, title: str, message: str) -> None:
        self.phase = "failed"
        self._problem(kind, title, message)

    def _offer(
        self, prepared: PreparedWrite, refresh: Sequence[EventHandler], expected_chain_id: int
    ) -> EventSpec:
        """Hand `prepared` to the wallet; its answer comes back to `on_sent`."""
        self.phase = "wallet"
        self.description = prepared.description
        self._expected_chain_id = expected_chain_id
        self._refresh = [list(_handler_ref(handler)) for handler in refresh]
        self._offered = dataclasses.asdict(prepared.tx)
        return rx.call_script(
            bridge_call("sendTransaction", prepared.tx.wallet_params(), expected_chain_id),
            callback=TxState.on_sent,
        )

    def _abandon_wallet_request(self, started_before: float) -> None:
        """The page waiting for the wallet's answer was reloaded: that answer never comes.

        Only a write claimed before `started_before` (when the new page asked to
        restore the wallet) belonged to the old page: one started by a click on the
        new page while the restore was still on its way is alive. A write already
        sent (pending, mined) is followed by the server regardless.
        """
        if self.phase in ("preparing", "wallet") and self._claimed_at < started_before:
            self._fail(
                "abandoned",
                "Interrupted by a reload",
                "The page was reloaded while your wallet was asked to send this. If your "
                "wallet shows it as sent, it will still confirm; otherwise try again.",
            )

    @rx.event
    def dismiss(self) -> None:
        """Close the panel of a finished or failed write (a running one stays)."""
        if self.phase not in BUSY_PHASES:
            self.phase = "idle"
            self._problem()

    @rx.event(background=True)
    async def on_sent(self, result: dict[str, Any]) -> Any:
        """The wallet's answer: a hash to follow until mined, or why nothing was sent."""
        tx_hash = tx_hash_or_empty(result.get("hash")) if is_ok(result) else ""
        # Explaining a failure reads the manifest: in a worker thread, not on the loop.
        explain = None if tx_hash else await asyncio.to_thread(_revert_explainer)
        async with self:
            if self.phase != "wallet":
                return  # a stale or replayed answer: this slot moved on
            if not tx_hash:
                self._fail_from_wallet(result, explain)
                return
            self.phase = "pending"
            self.tx_hash = tx_hash
            claim = self._claim_id
            refresh = [_handler_from_ref(ref) for ref in self._refresh]
            expected = UnsignedTx(**self._offered) if self._offered else None
        settings = load_settings()
        try:
            context = await asyncio.to_thread(ChainContext.load, settings)
            outcome = await follow_transaction(context, tx_hash, expected=expected)
        except Exception as exc:  # a bug must not leave the panel "pending" for good
            if not isinstance(exc, CoopError):
                logger.exception("following %s failed unexpectedly", tx_hash)
            message = str(exc) if isinstance(exc, CoopError) else UNEXPECTED_FOLLOW
            async with self:
                if self._claim_id == claim:
                    self._fail("unknown", "Could not follow the transaction", message)
            return
        async with self:
            if self._claim_id != claim:
                return  # the slot was reclaimed (stuck-slot recovery): not ours to report
            if outcome.replaced_by:
                self.tx_hash = outcome.replaced_by  # sped up in the wallet: the one that ran
            if outcome.mined is not None:
                self.block_number = format_int(outcome.mined.block_number)
                self.gas_used = format_int(outcome.mined.gas_used)
            if not outcome.succeeded or outcome.mined is None:
                kind = outcome.kind or ("reverted" if outcome.mined else "timeout")
                self._fail(
                    kind,
                    OUTCOME_TITLES.get(kind, "Transaction not confirmed"),
                    outcome.failure or "",
                )
                return
            self.phase = "mined"
        indexed = await wait_until_indexed(outcome.mined.block_number)
        for handler in refresh:
            yield handler
        async with self:
            if self._claim_id != claim:
                return
            self.phase = "done"
            self.outcome_note = {
                IndexWait.NO_INDEXER: "Page data refreshed from the chain.",
                IndexWait.INDEXED: "Indexed; page data refreshed.",
                IndexWait.BEHIND: "The index is still catching up; figures may lag a moment.",
            }[indexed]

    def _fail_from_wallet(self, result: Any, explain: RevertExplainer | None) -> None:
        answer = result if isinstance(result, dict) else {}
        problem = wallet_problem(
            answer,
            action="send the transaction",
            expected_chain_id=self._expected_chain_id,
            explain_revert_data=explain,
        )
        self._fail(problem.kind, problem.title, problem.message)


def _revert_explainer() -> RevertExplainer | None:
    """The suite's revert decoder as a sentence maker (blocking: call in a worker thread)."""
    try:
        return ChainContext.load(load_settings()).explain_revert_data
    except CoopError:
        return None  # no manifest: the wallet's own words will do


def _refusal(exc: CoopError) -> tuple[str, str]:
    """(kind, title) of a write that could not even be prepared."""
    if isinstance(exc, AddressInputError):
        return "input", "Check the address"
    if isinstance(exc, WriteRefused):
        return "reverted", "This transaction would fail"
    if isinstance(exc, RpcUnavailableError):
        return "unreachable", "Chain unreachable"
    return "unknown", "Could not prepare the transaction"


async def start_write(
    caller: rx.State,
    *,
    summary: str,
    prepare: PrepareWrite,
    refresh: Sequence[EventHandler],
) -> EventSpec | None:
    """Claim the slot, check who signs, prepare the write; the wallet call to yield, or None.

    Call from a page state's background event (outside `async with`):

        event = await start_write(self, summary=..., prepare=..., refresh=[...])
        if event is not None:
            yield event
    """
    async with caller:
        tx = await caller.get_state(TxState)
        claim = tx._claim(summary)
        if claim is None:
            return None  # a write is already under way in this tab: the extra click is dropped
        session = await caller.get_state(SessionState)
        wallet = await caller.get_state(WalletState)
        hashed, account, chain_id = session._token_sha256, wallet.account, wallet.chain_id
    settings = load_settings()
    signer = await asyncio.to_thread(signed_in_address_by_hash, settings, hashed)
    problem: tuple[str, str, str] | None = None
    if signer is None:
        problem = ("signed_out", "Sign in first", "Sign in with your wallet to send transactions.")
    elif not account:
        problem = (
            "not_connected",
            "Connect your wallet",
            "Your wallet is not connected in this tab. Connect it (top right), then try again.",
        )
    elif not same_address(account, signer):
        problem = (
            "account_mismatch",
            "Another account is selected",
            f"You are signed in as {short_address(signer)}, but your wallet has "
            f"{short_address(account)} selected. Select {short_address(signer)} in your wallet.",
        )
    elif chain_id != settings.chain_id:
        wrong = wrong_chain_problem(chain_id or None, settings.chain_id)
        problem = (wrong.kind, wrong.title, wrong.message)
    prepared: PreparedWrite | None = None
    if problem is None and signer is not None:
        try:
            prepared = await asyncio.to_thread(prepare, settings, signer)
        except CoopError as exc:
            kind, title = _refusal(exc)
            problem = (kind, title, str(exc))
        except Exception:  # a bug must fail the panel, never leave it "preparing"
            logger.exception("preparing a write failed unexpectedly")
            problem = (
                "unexpected",
                "Could not prepare the transaction",
                "Something went wrong on the server while preparing it; nothing was sent.",
            )
    async with caller:
        tx = await caller.get_state(TxState)
        if tx._claim_id != claim or tx.phase != "preparing":
            return None  # abandoned meanwhile (the page was reloaded): never prompt unasked
        if prepared is None:
            tx._fail(*(problem or ("unknown", "Could not prepare the transaction", "")))
            return None
        return tx._offer(prepared, refresh, settings.chain_id)

"""WalletState: the browser wallet this tab is connected to, followed as it changes.

The wallet lives in the browser; this state mirrors what the bridge reports
(assets/wallet_bridge.js). Wallet events reach it by a long poll: after each
answer the state arms `nextEvent()` again, which resolves at the next
accountsChanged / chainChanged.
"""

from __future__ import annotations

import time
from typing import Any

import reflex as rx
from reflex.event import EventSpec

from coop_dashboard.config import load_settings
from coop_dashboard.services.tx_text import chain_name
from coop_dashboard.services.wallet_calls import bridge_call
from coop_dashboard.services.wallet_errors import wallet_problem
from coop_dashboard.services.wallet_snapshot import (
    WalletChoice,
    WalletSnapshot,
    is_ok,
    parse_choices,
    parse_snapshot,
)
from coop_dashboard.state.session import SessionState


class WalletState(rx.State):
    """The connected wallet (account, chain) and the connect / switch-network flows."""

    account: str = ""  # checksummed; "" when not connected
    chain_id: int = 0
    wallet_name: str = ""
    page_origin: str = ""
    expected_chain_id: int = 0
    expected_chain_name: str = ""
    choices: list[WalletChoice] = []
    connecting: bool = False
    switching: bool = False
    problem_kind: str = ""
    problem_title: str = ""
    problem_message: str = ""
    # When this page's `restore` ran: a page's load events run before any click
    # on it, so anything started earlier belonged to the page before a reload.
    _restore_requested_at: float = 0.0

    @rx.var(cache=True)
    def connected(self) -> bool:
        return self.account != ""

    @rx.var(cache=True)
    def on_wrong_chain(self) -> bool:
        return self.account != "" and self.expected_chain_id not in (0, self.chain_id)

    @rx.var(cache=True)
    def choosing(self) -> bool:
        return len(self.choices) > 0

    @rx.var(cache=True)
    def has_problem(self) -> bool:
        return self.problem_message != ""

    def _problem(self, kind: str = "", title: str = "", message: str = "") -> None:
        self.problem_kind = kind
        self.problem_title = title
        self.problem_message = message

    def _watch(self) -> EventSpec:
        # The single pending nextEvent() of this page; a newer one supersedes it.
        return rx.call_script(bridge_call("nextEvent"), callback=WalletState.on_wallet_event)

    def _expect_chain(self) -> None:
        if not self.expected_chain_id:
            chain_id = load_settings().chain_id
            self.expected_chain_id = chain_id
            self.expected_chain_name = chain_name(chain_id)

    async def _apply(self, snapshot: WalletSnapshot, *, changed_by_wallet: bool) -> list[Any]:
        """Take `snapshot` as the truth; end the session if the wallet left its account."""
        self.account = snapshot.account
        self.chain_id = snapshot.chain_id
        self.wallet_name = snapshot.wallet_name if snapshot.account else ""
        if snapshot.page_origin:
            self.page_origin = snapshot.page_origin
        if self.problem_kind == "wrong_chain" and not self.on_wrong_chain:
            self._problem()
        session = await self.get_state(SessionState)
        signed_in = session.authenticated_address
        # After a reload the wallet may simply not share its account yet (locked,
        # not injected yet): only an actual change in the wallet ends a session.
        leaves = snapshot.account.lower() != signed_in.lower()
        if signed_in and leaves and (snapshot.account or changed_by_wallet):
            session._wallet_now_on = snapshot.account
            return [SessionState.end_session_for_wallet_change]
        return []

    @rx.event
    def restore(self) -> Any:
        """On every page load: reconnect silently to the wallet chosen before, then watch it."""
        self._expect_chain()
        self._restore_requested_at = time.time()
        return rx.call_script(bridge_call("restore"), callback=WalletState.on_restored)

    @rx.event
    async def on_restored(self, result: dict[str, Any]) -> Any:
        if isinstance(result, dict) and result.get("fresh") is True:
            await self._page_was_reloaded()
        if not is_ok(result):
            return [self._watch()]
        events = await self._apply(parse_snapshot(result), changed_by_wallet=False)
        return [*events, self._watch()]

    async def _page_was_reloaded(self) -> None:
        """A reload killed every wallet request the previous page had open.

        The state outlives the page (it is kept per tab), so flags saying "waiting
        for the wallet" would otherwise spin forever after a reload.
        """
        # Imported here: state.tx imports this module.
        from coop_dashboard.state.tx import TxState

        self.connecting = False
        self.switching = False
        self.choices = []
        session = await self.get_state(SessionState)
        session._abandon_sign_in(started_before=self._restore_requested_at)
        tx = await self.get_state(TxState)
        tx._abandon_wallet_request(started_before=self._restore_requested_at)

    @rx.event
    def connect(self) -> Any:
        """Connect the only wallet there is, or open the picker when there are several."""
        return self._connect(None)

    @rx.event
    def choose(self, wallet_id: str) -> Any:
        """Connect the wallet picked in the picker."""
        return self._connect(wallet_id or None)

    def _connect(self, wallet_id: str | None) -> Any:
        if self.connecting:
            return None
        self._expect_chain()
        self.connecting = True
        self.choices = []
        self._problem()
        return rx.call_script(bridge_call("connect", wallet_id), callback=WalletState.on_connected)

    @rx.event
    def cancel_choice(self) -> None:
        self.choices = []

    @rx.event
    async def on_connected(self, result: dict[str, Any]) -> Any:
        self.connecting = False
        if is_ok(result):
            events = await self._apply(parse_snapshot(result), changed_by_wallet=True)
            return [*events, self._watch()]
        if isinstance(result, dict) and result.get("code") == "choose_wallet":
            self.choices = parse_choices(result)
            return None
        problem = wallet_problem(
            result if isinstance(result, dict) else {},
            action="connect",
            expected_chain_id=self.expected_chain_id,
        )
        self._problem(problem.kind, problem.title, problem.message)
        return None

    @rx.event
    async def on_wallet_event(self, result: dict[str, Any]) -> Any:
        """A change in the wallet (or a superseded watcher, which is dropped)."""
        if not is_ok(result) or result.get("superseded"):
            return None
        events = await self._apply(parse_snapshot(result), changed_by_wallet=True)
        return [*events, self._watch()]

    @rx.event
    def switch_network(self) -> Any:
        """Ask the wallet to switch to the dashboard's chain (adding it if unknown)."""
        if self.switching:
            return None
        settings = load_settings()
        self._expect_chain()
        self.switching = True
        self._problem()
        chain = {
            "chainId": settings.chain_id,
            "chainName": chain_name(settings.chain_id),
            "rpcUrl": settings.wallet_rpc_url,
        }
        return rx.call_script(bridge_call("switchChain", chain), callback=WalletState.on_switched)

    @rx.event
    async def on_switched(self, result: dict[str, Any]) -> Any:
        self.switching = False
        if is_ok(result):
            return await self._apply(parse_snapshot(result), changed_by_wallet=True)
        problem = wallet_problem(
            result if isinstance(result, dict) else {},
            action="switch network",
            expected_chain_id=self.expected_chain_id,
        )
        self._problem(problem.kind, problem.title, problem.message)
        return None

    @rx.event
    def disconnect(self) -> Any:
        """Forget the wallet in this browser and end the session that went with it."""
        self.account = ""
        self.chain_id = 0
        self.wallet_name = ""
        self._problem()
        return [rx.call_script(bridge_call("disconnect")), SessionState.sign_out]

    @rx.event
    def dismiss_problem(self) -> None:
        self._problem()

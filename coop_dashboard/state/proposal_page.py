"""ProposalPageState: one proposal (/proposals/[proposal_id]): view, readiness, votes, writes."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any, cast

import reflex as rx
from reflex.event import EventHandler

from coop_dashboard.config import Settings, load_settings
from coop_dashboard.errors import CoopError
from coop_dashboard.services.account import prepare_delegation
from coop_dashboard.services.display import short_address
from coop_dashboard.services.governance.eligibility import can_cancel, can_execute, can_queue
from coop_dashboard.services.governance.export import votes_csv_path
from coop_dashboard.services.governance.gasless import (
    BallotRequest,
    GaslessPanel,
    ballot_request,
    follow_relayed_vote,
    relay_ballot,
)
from coop_dashboard.services.governance.proposal_live import (
    EMPTY_FIGURE,
    GASLESS,
    GASLESS_KEY,
    PROPOSAL_PAGE,
    ProposalPage,
)
from coop_dashboard.services.governance.proposal_view import ProposalView, lifecycle_facts
from coop_dashboard.services.governance.proposal_writes import (
    check_vote_input,
    prepare_lifecycle,
    prepare_vote,
    vote_already_cast,
)
from coop_dashboard.services.governance.readiness import vote_readiness
from coop_dashboard.services.index_progress import wait_until_indexed
from coop_dashboard.services.live_data import LiveReadError, live_hub
from coop_dashboard.services.transactions import PreparedWrite
from coop_dashboard.services.wallet_calls import bridge_call
from coop_dashboard.services.wallet_errors import wallet_problem
from coop_dashboard.services.wallet_snapshot import is_ok, signature_or_empty
from coop_dashboard.state.account import AccountState
from coop_dashboard.state.defaults import shared_default
from coop_dashboard.state.live import ShowSuperseded, follow_live, show_live, stop_live
from coop_dashboard.state.proposal_treasury import ProposalTreasuryState
from coop_dashboard.state.server_render import send_whole
from coop_dashboard.state.session import (
    SessionState,
    authenticated_address_locked,
    authenticated_address_now,
)
from coop_dashboard.state.tx import start_write

UNREADABLE = "The proposal index cannot be read right now. Retrying shortly."


def _gasless_key(_state: object) -> str:
    return GASLESS_KEY  # one panel for everyone


def _proposal_id_from_path(path: str) -> int | None:
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return int(last) if last.isdecimal() and len(last) <= 78 else None


@dataclass(frozen=True)
class _Readiness:
    """What the vote panel says about the signed-in member (see vote_readiness)."""

    messages: list[str]
    fixable: bool = False
    can_vote: bool = False
    power: str = ""  # exact voting power at the snapshot, "" if unknown


VISITOR_READINESS = _Readiness(["Sign in to see whether you can vote on this proposal."])


def _readiness(voter: str, proposal_id: int) -> tuple[list[str], bool, bool, str]:
    readiness = vote_readiness(load_settings(), voter, proposal_id)
    power = "" if readiness.power_at_snapshot is None else str(readiness.power_at_snapshot)
    return list(readiness.messages), readiness.fix is not None, readiness.can_vote, power


class ProposalPageState(rx.State):
    """What one proposal's page shows, and its votes and lifecycle writes."""

    proposal_id: str = ""
    view: ProposalView = shared_default(ProposalView())
    # Plotly JSON: a dict pickles in microseconds with the tab's state, a go.Figure
    # unpickles in 90-600 ms (proposal_live.py); the page hands it to rx.plotly.
    figure: dict[str, Any] = EMPTY_FIGURE
    found: bool = True
    loaded: bool = False
    notice: str = ""
    signed_in_as: str = ""
    readiness: list[str] = []
    can_fix_delegation: bool = False
    can_vote: bool = False
    # The signed-in member's exact voting power at the snapshot ("" before it / signed out).
    power_at_snapshot: str = ""
    reason: str = ""
    vote_notice: str = ""  # a refusal or a wallet problem, shown by the vote buttons
    gasless_note: str = ""  # who paid the gas of the last relayed vote
    # From the click until the relayer returned the hash; reset on reload and on any error.
    gasless_busy: bool = False
    gasless_paused: bool = False  # the relayer takes no votes now (for everyone)...
    gasless_pause_reason: str = ""  # ...and why, for members
    _ballot: dict[str, Any] = {}

    @rx.var(cache=True)
    def has_votes(self) -> bool:
        return len(self.view.votes) > 0

    # Queue / execute / cancel follow services.governance.eligibility, the rules the
    # chain tests hold against the Governor, applied to the indexed view.
    @rx.var(cache=True)
    def show_queue(self) -> bool:
        facts = lifecycle_facts(self.view)
        return facts is not None and self.signed_in_as != "" and can_queue(facts).allowed

    @rx.var(cache=True)
    def queue_note(self) -> str:
        facts = lifecycle_facts(self.view)
        return "" if facts is None else can_queue(facts).reason

    @rx.var(cache=True)
    def show_execute(self) -> bool:
        return self.view.state == "queued" and self.signed_in_as != ""

    @rx.var(cache=True)
    def execute_ready(self) -> bool:
        facts = lifecycle_facts(self.view)
        return facts is not None and can_execute(facts).allowed

    @rx.var(cache=True)
    def execute_note(self) -> str:
        facts = lifecycle_facts(self.view)
        return "" if facts is None else can_execute(facts).reason

    @rx.var(cache=True)
    def show_cancel(self) -> bool:
        facts = lifecycle_facts(self.view)
        return (
            facts is not None
            and self.signed_in_as != ""
            and can_cancel(facts, self.signed_in_as).allowed
        )

    @rx.var(cache=True)
    def voting_open(self) -> bool:
        return self.view.state == "active"

    def _id(self) -> int | None:
        return _proposal_id_from_path(self.router.url.path)

    @rx.event
    async def load(self) -> Any:
        """on_load: forget the previous proposal's view, then show this one."""
        pid = self._id()
        if str(pid) != self.proposal_id:
            self.view, self.figure, self.loaded, self.found = (
                ProposalView(),
                EMPTY_FIGURE,
                False,
                True,
            )
            if self.signed_in_as:  # a visitor's readiness is the same sentence everywhere
                self.readiness, self.can_fix_delegation, self.can_vote = [], False, False
        self.vote_notice = self.gasless_note = ""
        # A reload while the wallet showed the ballot: that answer never comes back.
        self.gasless_busy, self._ballot = False, {}
        self.proposal_id = "" if pid is None else str(pid)
        # The proposal and its treasury impact arrive in this event's delta (two shared
        # reads at once); then the page follows both live.
        treasury = await self.get_state(ProposalTreasuryState)
        await asyncio.gather(self._show(), treasury.show_for_page())
        then: list[Any] = [ProposalPageState.follow, ProposalTreasuryState.follow]
        then += await self._readiness_now()
        # Whether gasless voting is paused: in this delta when the hub has it at hand
        # (nearly every page view), and followed from here, since it also moves with the
        # relayer's balance without any indexed event: the hub re-reads a watched chain
        # view once it is GASLESS_STALE_S old, once per worker however many tabs watch.
        if live_hub().fresh(GASLESS, GASLESS_KEY) is not None:
            with contextlib.suppress(LiveReadError, ShowSuperseded):
                self._show_gasless(await show_live(self, GASLESS, GASLESS_KEY))
        send_whole(self, treasury)
        return [*then, ProposalPageState.follow_gasless]

    def _apply(self, page: ProposalPage) -> None:
        self.loaded, self.notice = True, ""
        self.found = page.view is not None
        if page.view is not None:
            self.view = page.view
            self.figure = page.figure

    async def _show(self) -> None:
        """Show the proposal of the URL now (the caller holds the lock); follow it from here."""
        pid = self._id()
        if pid is None:
            stop_live(self, PROPOSAL_PAGE)
            self.found, self.loaded = False, True
            return
        try:
            self._apply(await show_live(self, PROPOSAL_PAGE, pid))
        except ShowSuperseded:
            pass  # a newer navigation shows its own proposal
        except LiveReadError:
            self.notice = UNREADABLE

    @rx.event(background=True)
    async def follow(self) -> None:
        """Votes, tally and state changes are pushed once per indexed batch (no timer)."""
        await follow_live(self, PROPOSAL_PAGE, ProposalPageState._id, ProposalPageState._apply)

    @rx.event
    async def refresh(self) -> Any:
        """Show the proposal again now (after this tab's own write was indexed)."""
        await self._show()
        # Signing in or out on this page changes what the readiness panel must say.
        voter = await authenticated_address_locked(self)
        if (voter or "") != self.signed_in_as:
            return ProposalPageState.refresh_readiness
        return None

    async def _readiness_now(self) -> list[Any]:
        """A visitor's vote panel now (the caller holds the lock); a member's is asked of
        the chain by a background event."""
        session = await self.get_state(SessionState)
        if session._token_sha256:
            return [ProposalPageState.refresh_readiness]
        self._show_readiness("", VISITOR_READINESS)
        return []

    @rx.event
    async def check_readiness(self) -> Any:
        """Sent when the tab signs in or out on the page (on_sign_in_change). A normal event, so
        it waits its turn behind the page's load instead of contending for the tab's
        lock (with Redis, concurrent lock requests of one tab were what made proposal
        pages wait seconds in the scaled configuration)."""
        return await self._readiness_now()

    @rx.event(background=True)
    async def refresh_readiness(self) -> None:
        """Ask the chain whether the signed-in member can vote here, and why not."""
        pid = self._id()  # the router is readable outside the lock
        voter = await authenticated_address_now(self)
        if voter is None or pid is None:
            readiness = VISITOR_READINESS
        else:
            try:
                readiness = _Readiness(*await asyncio.to_thread(_readiness, voter, pid))
            except CoopError as exc:
                readiness = _Readiness([str(exc)])
        shown = (voter or "", readiness)
        if shown == (self.signed_in_as, self._shown_readiness()):
            return  # nothing changed (a signed-out visitor, every time): no lock, no delta
        async with self:
            self._show_readiness(voter or "", readiness)

    def _show_readiness(self, voter: str, readiness: _Readiness) -> None:
        if (voter, readiness) == (self.signed_in_as, self._shown_readiness()):
            return  # unchanged: no delta
        self.signed_in_as = voter
        self.readiness, self.can_fix_delegation = list(readiness.messages), readiness.fixable
        self.can_vote, self.power_at_snapshot = readiness.can_vote, readiness.power

    def _shown_readiness(self) -> _Readiness:
        return _Readiness(
            list(self.readiness), self.can_fix_delegation, self.can_vote, self.power_at_snapshot
        )

    @rx.event
    def set_reason(self, value: str) -> None:
        self.reason = value

    # Plain events, then background work: they read what was typed only after the
    # edits sent before the click (state/__init__.py says why).

    @rx.event
    def vote(self, support: int) -> Any:
        """castVote / castVoteWithReason, signed and sent from the member's wallet."""
        return ProposalPageState.run_vote(support)  # type: ignore[misc]

    @rx.event(background=True)
    async def run_vote(self, support: int) -> Any:
        async with self:
            pid, reason = self._id(), self.reason
            self.vote_notice = self.gasless_note = ""
        if pid is None:
            return

        def prepare(settings: Settings, signer: str) -> PreparedWrite:
            return prepare_vote(settings, signer, pid, support, reason)

        event = await start_write(
            self,
            summary="Vote on this proposal",
            prepare=prepare,
            refresh=[cast(EventHandler, ProposalPageState.after_vote)],
        )
        if event is not None:
            yield event

    @rx.event
    def after_vote(self) -> Any:
        self.reason = ""
        return [ProposalPageState.refresh, ProposalPageState.refresh_readiness]

    @rx.event(background=True)
    async def delegate_to_self(self) -> Any:
        """The readiness fix: `CoopToken.delegate(me)`, so the member's tokens vote."""

        def prepare(settings: Settings, signer: str) -> PreparedWrite:
            return prepare_delegation(settings, signer, signer)

        event = await start_write(
            self,
            summary="Delegate your votes to yourself",
            prepare=prepare,
            # The header's voting power changed too; its own timer would lag by up to 15 s.
            refresh=[ProposalPageState.refresh_readiness, cast(EventHandler, AccountState.refresh)],
        )
        if event is not None:
            yield event

    async def _lifecycle(self, step: str, summary: str) -> Any:
        async with self:
            pid = self._id()
        if pid is None:
            return None

        def prepare(settings: Settings, signer: str) -> PreparedWrite:
            return prepare_lifecycle(settings, signer, pid, step)

        return await start_write(
            self,
            summary=summary,
            prepare=prepare,
            refresh=[cast(EventHandler, ProposalPageState.refresh)],
        )

    @rx.event(background=True)
    async def queue(self) -> Any:
        event = await self._lifecycle("queue", "Queue this proposal in the timelock")
        if event is not None:
            yield event

    @rx.event(background=True)
    async def execute(self) -> Any:
        event = await self._lifecycle("execute", "Execute this proposal")
        if event is not None:
            yield event

    @rx.event(background=True)
    async def cancel(self) -> Any:
        event = await self._lifecycle("cancel", "Cancel this proposal")
        if event is not None:
            yield event

    @rx.event(background=True)
    async def follow_gasless(self) -> None:
        """The gasless panel's pause, pushed when it changes (no timer of this tab's)."""
        await follow_live(self, GASLESS, _gasless_key, ProposalPageState._show_gasless)

    @rx.event(background=True)
    async def refresh_gasless(self) -> None:
        """Whether gasless voting is paused for everyone (balance floor, hourly budget), and why.

        Read once per indexed head and worker for every tab (proposal_live.GASLESS);
        the vars are only set, and a delta only sent, when what the panel says changed.
        """
        try:
            panel, _version = await live_hub().current(GASLESS, GASLESS_KEY)
        except LiveReadError:
            return  # logged by the hub; the panel keeps what it says
        if (panel.paused, panel.reason) == (self.gasless_paused, self.gasless_pause_reason):
            return
        async with self:
            self._show_gasless(panel)

    def _show_gasless(self, panel: GaslessPanel) -> None:
        if (panel.paused, panel.reason) != (self.gasless_paused, self.gasless_pause_reason):
            self.gasless_paused, self.gasless_pause_reason = panel.paused, panel.reason

    async def _gasless_failed(self, problem: str) -> None:
        async with self:
            self.gasless_busy, self._ballot = False, {}
            self.vote_notice = problem

    @rx.event
    def vote_gasless(self, support: int) -> Any:
        """Ask the wallet to sign an EIP-712 ballot; `on_ballot_signed` relays it."""
        return ProposalPageState.run_vote_gasless(support)  # type: ignore[misc]

    @rx.event(background=True)
    async def run_vote_gasless(self, support: int) -> Any:
        if isinstance(support, bool) or not isinstance(support, int):  # any client can call
            async with self:
                self.vote_notice = "Choose For, Against or Abstain."
            return
        async with self:
            if self.gasless_busy:
                return  # a second click while the wallet is open is dropped here
            pid, reason = self._id(), self.reason
            self.gasless_busy = True
            self.vote_notice = self.gasless_note = ""
        try:
            voter, request, reason, problem = await self._ballot_request(pid, support, reason)
        except BaseException:
            await self._gasless_failed("Something went wrong on the server; nothing was sent.")
            raise
        if request is None or voter is None or pid is None:
            await self._gasless_failed(problem)
            return
        async with self:
            self._ballot = {
                "voter": voter,
                "proposal_id": pid,
                "support": support,
                "reason": reason,
                "nonce": request.nonce,
            }
        yield rx.call_script(
            bridge_call("signTypedData", voter, request.typed_data),
            callback=ProposalPageState.on_ballot_signed,
        )

    async def _ballot_request(
        self, pid: int | None, support: int, reason: str
    ) -> tuple[str | None, BallotRequest | None, str, str]:
        """(voter, what to sign, the checked reason, why not) for a gasless vote."""
        voter = await authenticated_address_now(self)
        if voter is None:
            return None, None, reason, "Sign in with your wallet to vote."
        if pid is None:
            return voter, None, reason, ""
        settings = load_settings()
        try:
            reason = check_vote_input(support, reason)
            already = await asyncio.to_thread(vote_already_cast, settings, voter, pid)
            if already is not None:
                return (
                    voter,
                    None,
                    reason,
                    f"You already voted {already} on this proposal. "
                    "A vote cannot be changed or cast twice.",
                )
            request = await asyncio.to_thread(ballot_request, settings, voter, pid, support, reason)
        except CoopError as exc:
            return voter, None, reason, str(exc)
        return voter, request, reason, ""

    @rx.event(background=True)
    async def on_ballot_signed(self, answer: dict[str, Any]) -> Any:
        """The wallet's answer: relay the signed ballot (the relayer answers with the hash at
        once), then follow its receipt here, asynchronously."""
        async with self:
            ballot = dict(self._ballot)
            self._ballot = {}
        if not ballot:
            return
        settings = load_settings()
        try:
            if not is_ok(answer):
                problem = wallet_problem(
                    answer, action="sign the ballot", expected_chain_id=settings.chain_id
                )
                await self._gasless_failed(f"{problem.title}: {problem.message}")
                return
            result = await asyncio.to_thread(
                relay_ballot,
                settings,
                ballot["voter"],
                ballot["proposal_id"],
                ballot["support"],
                ballot["reason"],
                ballot["nonce"],
                signature_or_empty(answer.get("signature")),
            )
        except CoopError as exc:
            await self._gasless_failed(str(exc))
            return
        except BaseException:
            await self._gasless_failed("Something went wrong on the server; nothing was sent.")
            raise
        relayer, tx = short_address(result.relayer), f"{result.tx_hash[:10]}…"
        async with self:
            self.gasless_busy = False
            self.reason = ""
            self.gasless_note = (
                f"Your vote was sent by the cooperative's relayer {relayer}, which pays the gas "
                f"(transaction {tx}); waiting for it to be mined."
            )
        try:
            outcome = await follow_relayed_vote(settings, result)
        except CoopError as exc:  # e.g. the chain went away: the vote may still count
            async with self:
                self.vote_notice = f"The relayed vote (transaction {tx}) cannot be followed: {exc}"
            return
        async with self:
            if outcome.succeeded:
                self.gasless_note = (
                    f"Your vote was sent by the cooperative's relayer {relayer}, "
                    f"which paid the gas (transaction {tx})."
                )
            else:
                self.gasless_note = ""
                self.vote_notice = f"The relayed vote (transaction {tx}) did not count: " + (
                    outcome.failure or "it was not mined."
                )
        if outcome.mined is not None:
            await wait_until_indexed(outcome.mined.block_number)
        yield ProposalPageState.refresh
        yield ProposalPageState.refresh_readiness
        yield ProposalPageState.refresh_gasless

    @rx.event
    def download_csv(self) -> Any:
        pid = self._id()
        if pid is None:
            return None
        # A link to the HTTP export, not the data: 100,000 votes are ~15 MB of CSV,
        # built in a worker thread by the route instead of in this event on the loop.
        return rx.download(url=votes_csv_path(pid), filename=f"votes-{self.proposal_id[:12]}.csv")

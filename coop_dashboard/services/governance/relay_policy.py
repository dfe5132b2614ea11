"""What any gasless relay must respect, whatever it relays (votes now, delegations next).

A relay (vote_relay.py for `castVoteBySig`, delegates/gasless.py for
`delegateBySig`) runs its own checks of the signed message first, then asks this
policy (`relay` does 2 to 3 in order, with the simulation between them):

1. `check_balance`: the relayer's balance is above RELAYER_MIN_BALANCE_WEI;
2. `admit`: the signer's rate limit (RELAYER_MAX_PER_HOUR, sliding window);
3. `send`: under the relayer's nonce lock, shared by every app worker through
   the database: the signed message is not already on its way, the hour's spend
   plus this transaction's most possible cost stays within
   RELAYER_MAX_WEI_PER_HOUR, then the nonce is chosen, the transaction sent
   (no waiting for the receipt) and recorded, all before the lock is released;
4. `settle`: once mined, the reserved cost becomes the real one.

`status` answers, without a signature, whether relaying is paused and why, for
the page to say so before anyone signs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, insert, select
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from coop_dashboard.chain.relay_sender import RelaySender, RelayTxPlan
from coop_dashboard.chain.signed_ballots import RelaySimulation
from coop_dashboard.db import relay_ledger
from coop_dashboard.db.chain_tables import table_of
from coop_dashboard.db.relay_tables import RelayEvent
from coop_dashboard.errors import CoopError
from coop_dashboard.services.governance.relayer_config import (
    DEFAULT_MAX_PER_HOUR,
    RELAY_WINDOW_S,
    RelayLimits,
)
from coop_dashboard.services.governance.units import format_duration_short, format_token_amount
from coop_dashboard.services.revert_text import explain_revert

# A nonce the node does not know although we sent it this recently may only not
# have reached this node yet (several RPC nodes behind one URL); older, it was dropped
# and the next transaction takes its place instead of queueing behind a gap forever.
NONCE_GAP_GRACE_MS = 30_000
# Sent transactions are kept this long (a day of audit), then pruned.
LEDGER_KEEP_MS = 24 * 3_600_000

_relay_events = table_of(RelayEvent)


class RelayRefused(CoopError):
    """The relayer will not send this; `code` says which check refused it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class RateLimited(CoopError):
    """The signer has used up the allowance; `retry_after_s` until the next slot frees."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"Rate limited: try again in {retry_after_s:.0f} s.")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class RelaySent:
    tx_hash: str
    relayer: str  # the address that pays the gas
    nonce: int
    max_cost_wei: int


@dataclass(frozen=True)
class RelayStatus:
    """Whether the relayer takes new signatures now; `reason` says why not."""

    paused: bool
    reason: str = ""


def choose_nonce(stored_next: int, chain_next: int, gap_sent_at_ms: int | None, now_ms: int) -> int:
    """The nonce for the next transaction, from the shared row and the node's view.

    The node is ahead (a transaction sent around the ledger, or a fresh row): follow
    it. The row is ahead: the node does not know some of our transactions; wait for
    them while the first missing one is recent, else it was dropped: reuse its nonce.
    """
    if chain_next >= stored_next:
        return chain_next
    if gap_sent_at_ms is not None and now_ms - gap_sent_at_ms < NONCE_GAP_GRACE_MS:
        return stored_next
    return chain_next


def budget_resumes_in_s(
    spends: list[tuple[int, int]], need_wei: int, cap_wei: int, now_ms: int, window_ms: int
) -> float | None:
    """None if `need_wei` more fits the hour's budget; else seconds until it does."""
    spent = sum(cost for _, cost in spends)
    if spent + need_wei <= cap_wei:
        return None
    if need_wei > cap_wei:
        return float(window_ms) / 1000  # never fits; say "in an hour" rather than never
    for sent_at_ms, cost in spends:  # oldest first: each leaves the window in turn
        spent -= cost
        if spent + need_wei <= cap_wei:
            return max(0.0, (sent_at_ms + window_ms - now_ms) / 1000)
    return float(window_ms) / 1000


def low_balance_message(balance_wei: int, floor_wei: int) -> str:
    return (
        f"Gasless voting is paused: the relayer's balance "
        f"({format_token_amount(balance_wei, 18, 'ETH')}) is below its floor of "
        f"{format_token_amount(floor_wei, 18, 'ETH')}. Vote from your wallet, or ask the "
        "cooperative to top the relayer up."
    )


def spend_cap_message(cap_wei: int, resumes_in_s: float) -> str:
    return (
        f"Gasless voting is paused: the relayer has spent its hourly budget "
        f"({format_token_amount(cap_wei, 18, 'ETH')}); it resumes in "
        f"{format_duration_short(int(resumes_in_s) + 1)}. Vote from your wallet meanwhile."
    )


class RelayRateLimiter:
    """At most `max_per_window` relays per signer in any `window_s` seconds (sliding window).

    The count lives in the database's relay_event table, so every worker (and every
    limiter) on the same database shares it. An attempt first records its event and
    commits, then counts the signer's events in the window, and withdraws its own row
    and refuses when there are too many. Because each attempt commits before it
    counts, of any two racing attempts the one that counts last sees the other: the
    limit is never exceeded, and a race can only refuse too much (both withdraw),
    never admit too much. (Counting only the events up to one's own id would not be
    safe: ids are handed out at insert, rows become visible at commit, so an
    earlier id can be invisible to a later one's count and vice versa.)

    `clock` is the wall clock (seconds; injectable so tests need not sleep):
    workers are separate processes, whose monotonic clocks are not comparable.
    """

    def __init__(
        self,
        engine: Engine,
        max_per_window: int = DEFAULT_MAX_PER_HOUR,
        window_s: float = RELAY_WINDOW_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.max_per_window = max_per_window
        self.window_s = window_s
        self._clock = clock
        self._window_ms = round(window_s * 1000)
        # Expired rows are deleted at most once a window per limiter: they no longer
        # count, so pruning is housekeeping, not part of any decision.
        self._next_prune_ms: int | None = None

    def _now_ms(self) -> int:
        return round(self._clock() * 1000)

    def try_acquire(self, voter: str) -> int:
        """Record one relay for `voter`; its event id (see `release`), or RateLimited."""
        key = voter.lower()
        now_ms = self._now_ms()
        with self.engine.begin() as connection:
            event_id = int(
                connection.execute(
                    insert(_relay_events)
                    .values(voter=key, relayed_at_ms=now_ms)
                    .returning(_relay_events.c.id)
                ).scalar_one()
            )
        # A separate read, then (when refused) a separate write: on SQLite a read
        # transaction that turns into a write can fail outright when another worker
        # wrote in between, while a transaction that starts by writing waits its turn.
        with self.engine.connect() as connection:
            others = list(
                connection.execute(
                    select(_relay_events.c.relayed_at_ms)
                    .where(
                        _relay_events.c.voter == key,
                        _relay_events.c.relayed_at_ms > now_ms - self._window_ms,
                        _relay_events.c.id != event_id,
                    )
                    .order_by(_relay_events.c.relayed_at_ms)
                ).scalars()
            )
        if len(others) >= self.max_per_window:
            self.release(event_id)
            # One slot frees when enough of the others have left the window.
            frees_at = others[len(others) - self.max_per_window] + self._window_ms
            raise RateLimited((frees_at - now_ms) / 1000)
        self._prune(now_ms)
        return event_id

    def release(self, event_id: int) -> None:
        """Give the slot back (a signature refused before sending did not cost gas)."""
        with self.engine.begin() as connection:
            connection.execute(delete(_relay_events).where(_relay_events.c.id == event_id))

    def _prune(self, now_ms: int) -> None:
        if self._next_prune_ms is not None and now_ms < self._next_prune_ms:
            return
        self._next_prune_ms = now_ms + self._window_ms
        with self.engine.begin() as connection:
            connection.execute(
                delete(_relay_events).where(
                    _relay_events.c.relayed_at_ms <= now_ms - self._window_ms
                )
            )


class RelayPolicy:
    """The relayer's limits, shared by every worker through `engine`."""

    def __init__(
        self,
        sender: RelaySender,
        engine: Engine,
        limits: RelayLimits,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.sender = sender
        self.engine = engine
        self.limits = limits
        self.limiter = RelayRateLimiter(engine, limits.max_per_hour, limits.window_s, clock)
        self._clock = clock
        self._window_ms = round(limits.window_s * 1000)

    @property
    def relayer(self) -> str:
        return self.sender.address

    def _now_ms(self) -> int:
        return round(self._clock() * 1000)

    def check_balance(self) -> None:
        balance = self.sender.balance_wei()
        if balance < self.limits.min_balance_wei:
            raise RelayRefused(
                "low_balance", low_balance_message(balance, self.limits.min_balance_wei)
            )

    def status(self, typical_gas: int) -> RelayStatus:
        """Paused (and why) when a transaction of `typical_gas` would be refused now."""
        try:
            self.check_balance()
            max_fee, _ = self.sender.fee_quote()
            now_ms = self._now_ms()
            with self.engine.connect() as connection:
                spends = relay_ledger.spend_since(
                    connection, self.relayer, now_ms - self._window_ms
                )
        except RelayRefused as refused:
            return RelayStatus(True, str(refused))
        except SQLAlchemyError:
            return RelayStatus(True, _UNAVAILABLE)
        resumes = budget_resumes_in_s(
            spends, typical_gas * max_fee, self.limits.max_wei_per_hour, now_ms, self._window_ms
        )
        if resumes is not None:
            return RelayStatus(True, spend_cap_message(self.limits.max_wei_per_hour, resumes))
        return RelayStatus(False)

    def admit(self, signer: str) -> int:
        """Count one relay for `signer` (a slot to `release` if nothing is sent)."""
        try:
            return self.limiter.try_acquire(signer)
        except RateLimited as limited:
            raise RelayRefused(
                "rate_limited",
                f"Too many gasless requests from {signer}: try again in "
                f"{format_duration_short(int(limited.retry_after_s) + 1)}, "
                "or send it from your wallet.",
            ) from None
        except SQLAlchemyError as exc:
            raise RelayRefused("unavailable", _UNAVAILABLE) from exc

    def release(self, slot: int) -> None:
        self.limiter.release(slot)

    def relay(
        self,
        *,
        kind: str,
        signer: str,
        signed_nonce: int,
        to: str,
        calldata: str,
        simulate: Callable[[], RelaySimulation],
        failure: str,
    ) -> RelaySent:
        """What every relay does once its own checks passed: count the message against the
        signer's rate limit, simulate it from the relayer, send it within the hourly budget
        with the shared nonce. Nothing sent (a refusal, a revert): the slot is given back.

        `failure` starts the refusal when the simulation reverts ("The vote would fail").
        """
        slot = self.admit(signer)
        try:
            simulation = simulate()
            if not simulation.success:
                reason = explain_revert(simulation.revert, simulation.message)
                raise RelayRefused("would_revert", f"{failure}: {reason}.")
            plan = self.sender.plan(to, calldata)
            claim = f"{kind}:{signer.lower()}:{signed_nonce}"
            return self.send(plan, kind=kind, signer=signer, claim=claim)
        except CoopError:
            self.release(slot)  # nothing was sent: no gas, no allowance used
            raise

    def send(self, plan: RelayTxPlan, *, kind: str, signer: str, claim: str) -> RelaySent:
        """Send `plan` under the nonce lock if the budget allows; the hash, not the receipt.

        `claim` names the signed message (kind, signer, its nonce): a second relay of
        the same message is refused while the first is on its way or succeeded.
        """
        try:
            with relay_ledger.locked_relayer(self.engine, self.relayer) as connection:
                return self._send_locked(connection, plan, kind, signer, claim)
        except OperationalError as exc:
            if "locked" not in str(exc.orig):
                raise RelayRefused("unavailable", _UNAVAILABLE) from exc
            # SQLite's write lock was not granted within its busy timeout.
            raise RelayRefused(
                "busy", "The relayer is busy with other requests; try again in a moment."
            ) from exc
        except SQLAlchemyError as exc:
            raise RelayRefused("unavailable", _UNAVAILABLE) from exc

    def _send_locked(
        self, connection: Connection, plan: RelayTxPlan, kind: str, signer: str, claim: str
    ) -> RelaySent:
        if relay_ledger.claim_taken(connection, claim):
            raise RelayRefused(
                "pending",
                "This signature was already relayed; its transaction is on its way.",
            )
        now_ms = self._now_ms()
        spends = relay_ledger.spend_since(connection, self.relayer, now_ms - self._window_ms)
        resumes = budget_resumes_in_s(
            spends, plan.max_cost_wei, self.limits.max_wei_per_hour, now_ms, self._window_ms
        )
        if resumes is not None:
            raise RelayRefused(
                "spend_cap", spend_cap_message(self.limits.max_wei_per_hour, resumes)
            )
        stored = relay_ledger.stored_next_nonce(connection, self.relayer)
        chain_next = self.sender.pending_nonce()
        gap_sent_at = (
            relay_ledger.sent_at_of_nonce(connection, self.relayer, chain_next)
            if stored > chain_next
            else None
        )
        nonce = choose_nonce(stored, chain_next, gap_sent_at, now_ms)
        tx_hash = self.sender.send(plan, nonce)
        relay_ledger.record_sent(
            connection,
            relay_ledger.SentTx(
                self.relayer, nonce, tx_hash, kind, signer, claim, now_ms, plan.max_cost_wei
            ),
        )
        relay_ledger.store_next_nonce(connection, self.relayer, nonce + 1)
        relay_ledger.prune_before(connection, self.relayer, now_ms - LEDGER_KEEP_MS)
        return RelaySent(tx_hash, self.relayer, nonce, plan.max_cost_wei)

    def settle(self, tx_hash: str) -> None:
        """Record what a followed transaction cost: its receipt's, or nothing if dropped."""
        settled = self.sender.settled(tx_hash)
        if settled is None:
            if not self.sender.is_known(tx_hash):
                relay_ledger.settle(self.engine, tx_hash, relay_ledger.DROPPED, 0)
            return  # still pending: its reserved cost keeps counting
        status = relay_ledger.SUCCEEDED if settled.succeeded else relay_ledger.FAILED
        relay_ledger.settle(self.engine, tx_hash, status, settled.cost_wei)


_UNAVAILABLE = (
    "Gasless voting is unavailable right now (the relayer cannot check its limits). "
    "Vote from your wallet instead."
)

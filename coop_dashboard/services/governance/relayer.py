"""Gasless voting policy: what the relayer accepts, in which order, how often.

Checks, cheapest first, each refusal with a sentence for the voter:
1. shape: support is against/for/abstain, voter an address, reason not huge;
2. nonce: the ballot was signed over the voter's current governor nonce
   (an older one = the ballot was already used: a replay);
3. signature (EOAs): recovered off-chain, must be the voter's own; contract
   wallets (ERC-1271) are left to the governor's check in step 5;
4. rate limit per voter (only ballots that passed 1-3 count, so nobody can
   use up someone else's allowance with junk);
5. simulation: `castVoteBySig` as an eth_call from the relayer; a revert
   (already voted, not active, bad signature) is refused with its reason;
6. submission from the relayer's funded key; the result names who paid.

The rate limit is counted in the app's database (table relay_event), the one
store every backend worker shares in both the default SQLite and the scaled
PostgreSQL configuration, so N workers still admit at most the limit per voter.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from eth_utils import is_address, to_checksum_address
from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import SQLAlchemyError

from coop_dashboard.chain.governance_types import VoteSupport
from coop_dashboard.chain.relayer import ChainRelayer, SignedBallot, recover_ballot_signer
from coop_dashboard.db.chain_tables import table_of
from coop_dashboard.db.relay_tables import RelayEvent
from coop_dashboard.errors import CoopError
from coop_dashboard.services.governance.units import format_duration_short
from coop_dashboard.services.revert_text import explain_revert

DEFAULT_MAX_PER_WINDOW = 10
DEFAULT_WINDOW_S = 3_600.0
REASON_MAX_CHARS = 2_000

_relay_events = table_of(RelayEvent)


class RelayRefused(CoopError):
    """The relayer will not submit this ballot; `code` says which check refused it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class RelayResult:
    tx_hash: str
    relayer: str  # the address that paid the gas
    voter: str
    proposal_id: int
    support: VoteSupport


class RateLimited(CoopError):
    """The voter has used up the allowance; `retry_after_s` until the next slot frees."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"Rate limited: try again in {retry_after_s:.0f} s.")
        self.retry_after_s = retry_after_s


class RelayRateLimiter:
    """At most `max_per_window` relays per voter in any `window_s` seconds (sliding window).

    The count lives in the database's relay_event table, so every worker (and every
    limiter) on the same database shares it. An attempt first records its event and
    commits, then counts the voter's events in the window, and withdraws its own row
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
        max_per_window: int = DEFAULT_MAX_PER_WINDOW,
        window_s: float = DEFAULT_WINDOW_S,
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
        """Give the slot back (a ballot refused by simulation did not cost gas)."""
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


class GaslessVoteRelay:
    def __init__(self, relayer: ChainRelayer, limiter: RelayRateLimiter) -> None:
        self.relayer = relayer
        self.limiter = limiter

    def _check_shape(self, ballot: SignedBallot) -> VoteSupport:
        if ballot.support not in (0, 1, 2):
            raise RelayRefused("support", "The vote must be for, against or abstain.")
        if not is_address(ballot.voter):
            raise RelayRefused("voter", "The ballot's voter is not an address.")
        if len(ballot.reason) > REASON_MAX_CHARS:
            raise RelayRefused("reason", f"The reason is too long (at most {REASON_MAX_CHARS:,}).")
        return VoteSupport(ballot.support)

    def _check_nonce(self, ballot: SignedBallot) -> None:
        current = self.relayer.nonce_of(ballot.voter)
        if ballot.nonce < current:
            raise RelayRefused(
                "replayed",
                "This signed ballot was already used (its nonce is spent). Sign a new one.",
            )
        if ballot.nonce > current:
            raise RelayRefused(
                "nonce",
                f"The ballot was signed for nonce {ballot.nonce}, but the next is {current}.",
            )

    def _check_signature(self, ballot: SignedBallot) -> None:
        if self.relayer.is_contract(ballot.voter):
            return  # ERC-1271: the governor asks the wallet contract during simulation
        signer = recover_ballot_signer(ballot, self.relayer.domain())
        if signer is None:
            raise RelayRefused("signature", "The signature is malformed.")
        if signer.lower() != ballot.voter.lower():
            raise RelayRefused(
                "signer",
                f"The ballot was signed by {signer}, "
                f"not by the voter {to_checksum_address(ballot.voter)}.",
            )

    def relay(self, ballot: SignedBallot) -> RelayResult:
        """Check and submit one signed ballot; RelayRefused with a reason when it will not."""
        support = self._check_shape(ballot)
        self._check_nonce(ballot)
        self._check_signature(ballot)
        voter = to_checksum_address(ballot.voter)
        try:
            slot = self.limiter.try_acquire(voter)
        except RateLimited as limited:
            raise RelayRefused(
                "rate_limited",
                f"Too many gasless votes from {voter}: try again in "
                f"{format_duration_short(int(limited.retry_after_s) + 1)}, "
                "or vote from your wallet.",
            ) from None
        except SQLAlchemyError as exc:
            raise RelayRefused(
                "unavailable",
                "Gasless voting is unavailable right now (the relayer cannot check its "
                "rate limit). Vote from your wallet instead.",
            ) from exc
        simulation, tx_hash = self.relayer.simulate_and_submit(ballot)
        if tx_hash is None:
            self.limiter.release(slot)
            reason = explain_revert(simulation.revert, simulation.message)
            raise RelayRefused(
                "would_revert", f"The vote would fail, so it was not sent: {reason}."
            )
        return RelayResult(tx_hash, self.relayer.address, voter, ballot.proposal_id, support)

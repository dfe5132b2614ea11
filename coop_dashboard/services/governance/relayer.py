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

The rate limiter is in memory, per process: with several backend workers each
keeps its own count (the effective limit is N x workers). Moving it to Redis
(REDIS_URL is already part of the scaled configuration) is the follow-up.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from eth_utils import is_address, to_checksum_address

from coop_dashboard.chain.governance_types import VoteSupport
from coop_dashboard.chain.relayer import ChainRelayer, SignedBallot, recover_ballot_signer
from coop_dashboard.errors import CoopError
from coop_dashboard.services.governance.revert_text import explain_revert
from coop_dashboard.services.governance.units import format_duration_short

DEFAULT_MAX_PER_WINDOW = 10
DEFAULT_WINDOW_S = 3_600.0
REASON_MAX_CHARS = 2_000


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


class RateLimiter:
    """At most `max_per_window` events per key in any `window_s` seconds (sliding window).

    `clock` is injectable so tests need not sleep; it defaults to a monotonic clock
    (rate limits are about elapsed time, not the chain's clock).
    """

    def __init__(
        self,
        max_per_window: int = DEFAULT_MAX_PER_WINDOW,
        window_s: float = DEFAULT_WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_per_window = max_per_window
        self.window_s = window_s
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def try_acquire(self, key: str) -> float | None:
        """Record one event for `key` and return None, or the seconds until one is allowed."""
        now = self._clock()
        with self._lock:
            events = self._events.setdefault(key.lower(), deque())
            while events and events[0] <= now - self.window_s:
                events.popleft()
            if len(events) >= self.max_per_window:
                return events[0] + self.window_s - now
            events.append(now)
            return None

    def release(self, key: str) -> None:
        """Give back the last event (a ballot refused by simulation did not cost gas)."""
        with self._lock:
            events = self._events.get(key.lower())
            if events:
                events.pop()


class GaslessVoteRelay:
    def __init__(self, relayer: ChainRelayer, limiter: RateLimiter | None = None) -> None:
        self.relayer = relayer
        self.limiter = limiter or RateLimiter()

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
        wait = self.limiter.try_acquire(voter)
        if wait is not None:
            raise RelayRefused(
                "rate_limited",
                f"Too many gasless votes from {voter}: try again in "
                f"{format_duration_short(int(wait) + 1)}, or vote from your wallet.",
            )
        simulation, tx_hash = self.relayer.simulate_and_submit(ballot)
        if tx_hash is None:
            self.limiter.release(voter)
            reason = explain_revert(simulation.revert, simulation.message)
            raise RelayRefused(
                "would_revert", f"The vote would fail, so it was not sent: {reason}."
            )
        return RelayResult(tx_hash, self.relayer.address, voter, ballot.proposal_id, support)

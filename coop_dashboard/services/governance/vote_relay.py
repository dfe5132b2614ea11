"""Gasless votes: which signed ballots the relayer pays for, checked before any gas is spent.

Checks, cheapest first, each refusal with a sentence for the voter:
1. shape: support is against/for/abstain, voter an address, reason not huge;
2. nonce: the ballot was signed over the voter's current governor nonce
   (an older one = the ballot was already used: a replay);
3. signature (EOAs): recovered off-chain, must be the voter's own; contract
   wallets (ERC-1271) are left to the governor's check in step 6;
4. the vote would count: the voter had voting power at the proposal's snapshot
   (OpenZeppelin counts zero-weight votes, so without this any fresh key could
   have the relayer pay for one vote per proposal) and has not voted yet;
5. the relay policy (relay_policy.py, shared with gasless delegation):
   balance floor, then `RelayPolicy.relay`: the voter's rate limit (only ballots
   that passed 1-4 count, so nobody can use up someone else's allowance with
   junk), simulation (`castVoteBySig` as an eth_call from the relayer; a revert,
   e.g. not active or a bad contract-wallet signature, is refused with its
   reason), then the send (hourly spend cap, shared nonce), returning the hash;
   the receipt is followed afterwards (gasless.follow_relayed_vote).
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import is_address, to_checksum_address

from coop_dashboard.chain.governance_types import VoteSupport
from coop_dashboard.chain.signed_ballots import BallotChain, SignedBallot, recover_ballot_signer
from coop_dashboard.services.display import short_address
from coop_dashboard.services.governance.proposal_writes import REASON_MAX_CHARS
from coop_dashboard.services.governance.relay_policy import (
    RelayPolicy,
    RelayRefused,
    RelaySent,
    RelayStatus,
)

VOTE_KIND = "vote"
# What the paused check budgets for one relayed vote: castVoteWithReasonAndParamsBySig
# with a short reason, plus the senders' headroom.
TYPICAL_VOTE_GAS = 150_000


@dataclass(frozen=True)
class RelayResult:
    sent: RelaySent
    voter: str
    proposal_id: int
    support: VoteSupport

    @property
    def tx_hash(self) -> str:
        return self.sent.tx_hash

    @property
    def relayer(self) -> str:
        """The address that pays the gas."""
        return self.sent.relayer


class GaslessVoteRelay:
    def __init__(self, ballots: BallotChain, policy: RelayPolicy) -> None:
        self.ballots = ballots
        self.policy = policy

    @property
    def relayer(self) -> str:
        return self.policy.relayer

    def status(self) -> RelayStatus:
        """Whether gasless voting is paused for everyone (balance floor, hourly budget)."""
        return self.policy.status(TYPICAL_VOTE_GAS)

    def _check_shape(self, ballot: SignedBallot) -> VoteSupport:
        if ballot.support not in (0, 1, 2):
            raise RelayRefused("support", "The vote must be for, against or abstain.")
        if not is_address(ballot.voter):
            raise RelayRefused("voter", "The ballot's voter is not an address.")
        if len(ballot.reason) > REASON_MAX_CHARS:
            raise RelayRefused("reason", f"The reason is too long (at most {REASON_MAX_CHARS:,}).")
        return VoteSupport(ballot.support)

    def _check_nonce(self, ballot: SignedBallot) -> None:
        current = self.ballots.nonce_of(ballot.voter)
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
        if self.ballots.is_contract(ballot.voter):
            return  # ERC-1271: the governor asks the wallet contract during simulation
        signer = recover_ballot_signer(ballot, self.ballots.domain())
        if signer is None:
            raise RelayRefused("signature", "The signature is malformed.")
        if signer.lower() != ballot.voter.lower():
            raise RelayRefused(
                "signer",
                f"The ballot was signed by {signer}, "
                f"not by the voter {to_checksum_address(ballot.voter)}.",
            )

    def check_voter(self, voter: str, proposal_id: int) -> None:
        """The vote would count: power at the snapshot, no vote yet (RelayRefused if not)."""
        if self.ballots.has_voted(voter, proposal_id):
            raise RelayRefused(
                "already_voted",
                f"{short_address(voter)} already voted on this proposal. "
                "A vote cannot be changed or cast twice.",
            )
        if self.ballots.power_at_snapshot(voter, proposal_id) == 0:
            raise RelayRefused(
                "no_power",
                f"{short_address(voter)} had no voting power at this proposal's snapshot, so "
                "the relayer will not pay for this vote: it would not count.",
            )

    def precheck(self, voter: str, proposal_id: int) -> None:
        """Everything that can refuse before the voter signs anything."""
        self.check_voter(voter, proposal_id)
        self.policy.check_balance()

    def relay(self, ballot: SignedBallot) -> RelayResult:
        """Check and send one signed ballot (the hash, not the receipt); RelayRefused says why
        it was not sent."""
        support = self._check_shape(ballot)
        self._check_nonce(ballot)
        self._check_signature(ballot)
        voter = to_checksum_address(ballot.voter)
        self.precheck(voter, ballot.proposal_id)
        sent = self.policy.relay(
            kind=VOTE_KIND,
            signer=voter,
            signed_nonce=ballot.nonce,
            to=self.ballots.governor_address,
            calldata=self.ballots.calldata(ballot),
            simulate=lambda: self.ballots.simulate(ballot, self.relayer),
            failure="The vote would fail, so it was not sent",
        )
        return RelayResult(sent, voter, ballot.proposal_id, support)

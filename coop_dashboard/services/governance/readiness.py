"""Vote readiness: answered before the user tries to vote.

Am I delegated (to myself, to someone, to nobody)? What was my voting power at
this proposal's snapshot? Did tokens arrive after the snapshot (and so cannot
count here)? Have I already voted? Is voting open? Each answer is a sentence,
and where one transaction fixes the problem (self-delegation), it is offered.

ERC20Votes counts only *delegated* balances, and the Governor reads them at the
proposal's snapshot: a holder who never delegated has tokens but no votes, and
delegating now helps only proposals whose snapshot is still in the future.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from coop_dashboard.chain.governance_chain import GovernanceChain
from coop_dashboard.chain.governance_reads import VoterFacts, read_voter_facts
from coop_dashboard.chain.governance_types import ProposalState
from coop_dashboard.config import Settings
from coop_dashboard.evm import ZERO_ADDRESS
from coop_dashboard.services.chain_access import governance_chain
from coop_dashboard.services.display import short_address
from coop_dashboard.services.governance.units import format_token_amount


class Delegation(Enum):
    SELF = "self"
    OTHER = "other"
    NONE = "none"


@dataclass(frozen=True)
class ReadinessFix:
    """A one-click fix: a label for the button and what it does (the page sends the
    transaction through the wallet write path, services.account.prepare_delegation)."""

    label: str
    explanation: str
    kind: str  # "self_delegate"


@dataclass(frozen=True)
class VoteReadiness:
    can_vote: bool  # the vote would be accepted and count with a non-zero weight
    delegation: Delegation
    delegatee: str | None
    power_at_snapshot: int | None  # None while the snapshot is in the future
    votes_now: int
    arrived_after_snapshot: int
    has_voted: bool
    voting_open: bool
    messages: tuple[str, ...]
    fix: ReadinessFix | None = None


def assess_vote_readiness(facts: VoterFacts) -> VoteReadiness:
    """Pure rules over what the chain said about (voter, proposal)."""
    token = facts.token

    def amount(value: int) -> str:
        return format_token_amount(value, token.decimals, token.symbol)

    messages: list[str] = []
    fix: ReadinessFix | None = None
    if facts.delegatee == ZERO_ADDRESS:
        delegation, delegatee = Delegation.NONE, None
    elif facts.delegatee.lower() == facts.voter.lower():
        delegation, delegatee = Delegation.SELF, facts.delegatee
    else:
        delegation, delegatee = Delegation.OTHER, facts.delegatee

    voting_open = facts.state is ProposalState.ACTIVE
    before_snapshot = facts.state is ProposalState.PENDING
    if facts.has_voted:
        messages.append("You have already voted on this proposal.")
    elif voting_open:
        messages.append("Voting is open.")
    elif before_snapshot:
        messages.append("Voting has not started yet.")
    else:
        messages.append(f"Voting is closed: the proposal is {facts.state.label.lower()}.")

    if delegation is Delegation.SELF:
        messages.append(
            f"Your votes are delegated to yourself; you hold {amount(facts.balance)} "
            f"and have {amount(facts.votes_now)} of voting power now."
        )
    elif delegation is Delegation.OTHER:
        messages.append(
            f"You delegated your votes to {short_address(facts.delegatee)}: they vote with your "
            f"{amount(facts.balance)}, you do not."
        )
    elif facts.balance > 0:
        when = (
            "Delegate to yourself before voting starts to vote on this proposal."
            if before_snapshot
            else "Delegating now counts for future proposals, not this one (its snapshot "
            "has passed)."
        )
        messages.append(
            f"You hold {amount(facts.balance)} but have not delegated, so they carry no votes. "
            + when
        )
        fix = ReadinessFix(
            label="Delegate to myself",
            explanation=when,
            kind="self_delegate",
        )
    else:
        messages.append(f"You hold no {token.symbol}.")

    if facts.votes_at_snapshot is None:
        messages.append(
            f"Your voting power is counted at the snapshot; right now it would be "
            f"{amount(facts.votes_now)}."
        )
    else:
        messages.append(
            f"Your voting power at this proposal's snapshot: {amount(facts.votes_at_snapshot)}."
        )
        if facts.received_after_snapshot > 0:
            messages.append(
                f"{amount(facts.received_after_snapshot)} arrived after the snapshot and cannot "
                "be used here."
            )
        gained = facts.votes_now - facts.votes_at_snapshot
        if gained > 0 and gained != facts.received_after_snapshot:
            messages.append(
                f"Your voting power grew by {amount(gained)} since the snapshot; that counts "
                "only for later proposals."
            )
        if facts.votes_at_snapshot == 0 and voting_open and not facts.has_voted:
            messages.append("A vote from you would count with a weight of 0.")

    power = facts.votes_at_snapshot
    can_vote = voting_open and not facts.has_voted and power is not None and power > 0
    return VoteReadiness(
        can_vote=can_vote,
        delegation=delegation,
        delegatee=delegatee,
        power_at_snapshot=power,
        votes_now=facts.votes_now,
        arrived_after_snapshot=facts.received_after_snapshot,
        has_voted=facts.has_voted,
        voting_open=voting_open,
        messages=tuple(messages),
        fix=fix,
    )


def check_vote_readiness(chain: GovernanceChain, voter: str, proposal_id: int) -> VoteReadiness:
    """Read the facts for (voter, proposal) and assess them."""
    return assess_vote_readiness(read_voter_facts(chain, voter, proposal_id))


def vote_readiness(settings: Settings, voter: str, proposal_id: int) -> VoteReadiness:
    """`check_vote_readiness` on the configured chain (blocking: a worker thread)."""
    return check_vote_readiness(governance_chain(settings), voter, proposal_id)

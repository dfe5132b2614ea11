"""OpenZeppelin Governor's proposal state, computed from indexed facts (no RPC).

Mirrors `Governor.state` + GovernorCountingSimple + GovernorVotesQuorumFraction
+ GovernorTimelockControl for the cooperative's governor, with the token's
timestamp clock: every timepoint is a unix time, and "now" is the timestamp of
the last indexed block (what `clock()` returns on chain at that block).

GovernorTimelockControl also reads the timelock's operation: a queued proposal
whose operation was executed or cancelled on the timelock directly reads
executed / canceled without any governor event. The suite rules that out (only
the governor holds the timelock's executor and canceller roles, see
chain/deploy.py), so the governor's own events are the whole story here.
"""

from __future__ import annotations

from dataclasses import dataclass

# Governor.ProposalState, in enum order.
PROPOSAL_STATES: tuple[str, ...] = (
    "pending",
    "active",
    "canceled",
    "defeated",
    "succeeded",
    "queued",
    "expired",
    "executed",
)
QUORUM_DENOMINATOR = 100  # GovernorVotesQuorumFraction's default


@dataclass(frozen=True)
class ProposalFacts:
    """What the state of one proposal depends on."""

    vote_start: int  # snapshot timepoint
    deadline: int  # vote_end, or the late-quorum extended deadline
    for_votes: int
    against_votes: int
    abstain_votes: int
    quorum: int  # votes needed (for + abstain) at the snapshot
    queued: bool
    executed: bool
    canceled: bool


def quorum_at(total_supply: int, numerator: int, denominator: int = QUORUM_DENOMINATOR) -> int:
    """GovernorVotesQuorumFraction.quorum: supply at the snapshot x numerator / denominator."""
    return total_supply * numerator // denominator


def quorum_reached(facts: ProposalFacts) -> bool:
    return facts.quorum <= facts.for_votes + facts.abstain_votes


def vote_succeeded(facts: ProposalFacts) -> bool:
    return facts.for_votes > facts.against_votes


def proposal_state(facts: ProposalFacts, now: int) -> str:
    """The state name `Governor.state(id)` returns when the chain's clock reads `now`."""
    if facts.executed:
        return "executed"
    if facts.canceled:
        return "canceled"
    if facts.vote_start >= now:
        return "pending"
    if facts.deadline >= now:
        return "active"
    if not quorum_reached(facts) or not vote_succeeded(facts):
        return "defeated"
    if not facts.queued:
        return "succeeded"
    return "queued"

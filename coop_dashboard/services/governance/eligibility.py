"""Can this proposal be queued, executed or canceled now, and if not, why not.

Pure rules over `LifecycleFacts` (read from the Governor at one block); they
mirror the Governor's own checks, so a button the UI enables is a transaction
that will not revert for these reasons.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import to_checksum_address

from coop_dashboard.chain.governance_types import LifecycleFacts, ProposalState
from coop_dashboard.services.display import format_utc
from coop_dashboard.services.governance.units import format_duration, format_duration_short


@dataclass(frozen=True)
class Eligibility:
    allowed: bool
    reason: str  # why not, or what doing it means
    eta: int | None = None  # the timelock ETA (unix seconds) once queued


def timelock_eta(facts: LifecycleFacts) -> int | None:
    return facts.eta or None


def can_queue(facts: LifecycleFacts) -> Eligibility:
    if facts.state is not ProposalState.SUCCEEDED:
        return Eligibility(
            False,
            f"Only a succeeded proposal can be queued; this one is {facts.state.label.lower()}.",
        )
    if not facts.needs_queuing:
        return Eligibility(False, "This proposal does not go through the timelock; execute it.")
    return Eligibility(
        True,
        f"Queuing starts the timelock delay: it can be executed "
        f"{format_duration(facts.timelock_delay)} after it is queued.",
    )


def can_execute(facts: LifecycleFacts) -> Eligibility:
    eta = timelock_eta(facts)
    if facts.state is ProposalState.SUCCEEDED and facts.needs_queuing:
        return Eligibility(False, "Queue the proposal first: it runs through the timelock.")
    if facts.state is not ProposalState.QUEUED:
        return Eligibility(
            False,
            f"Only a queued proposal can be executed; this one is {facts.state.label.lower()}.",
        )
    assert eta is not None  # the Governor reports Queued only with an eta
    # The timelock's "ready" is eta <= block.timestamp; the next block is later than
    # the latest, so eta <= latest timestamp is certainly ready.
    if eta > facts.clock:
        return Eligibility(
            False,
            f"The timelock delay has not passed: executable at {format_utc(eta)} "
            f"(in {format_duration_short(eta - facts.clock)}).",
            eta,
        )
    return Eligibility(True, "The timelock delay has passed: anyone can execute it now.", eta)


def can_cancel(facts: LifecycleFacts, caller: str) -> Eligibility:
    if to_checksum_address(caller) != to_checksum_address(facts.proposer):
        return Eligibility(False, "Only the proposer can cancel a proposal.")
    if facts.state is not ProposalState.PENDING:
        return Eligibility(
            False,
            "A proposal can be canceled only before voting starts; "
            f"this one is {facts.state.label.lower()}.",
        )
    return Eligibility(True, "You can cancel your proposal until voting starts.")

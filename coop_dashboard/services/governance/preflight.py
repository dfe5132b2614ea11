"""Checks before the proposer signs: enough votes, and every action would execute.

The actions are simulated as the timelock will execute them after a vote
(chain.simulate explains how governor setters are made simulable); `propose`
itself is simulated from the proposer (threshold, duplicate proposal, shape).
Only a draft that passes everything may be proposed (builder_flow.prepare_proposal
runs this again before the wallet sees anything): failing actions are shown, not
submitted.
"""

from __future__ import annotations

from dataclasses import dataclass

from coop_dashboard.chain.governance_chain import GovernanceChain
from coop_dashboard.chain.governance_reads import read_proposer_power
from coop_dashboard.chain.governance_types import TokenInfo
from coop_dashboard.chain.simulate import simulate_execution, simulate_propose
from coop_dashboard.services.governance.actions import ActionContext, DecodedAction, decode_actions
from coop_dashboard.services.governance.builder import ProposalDraft
from coop_dashboard.services.governance.units import format_token_amount
from coop_dashboard.services.revert_text import explain_revert


@dataclass(frozen=True)
class ActionCheck:
    action: DecodedAction
    ok: bool
    problem: str | None = None  # why it would fail (or, unchecked, why not checked), in words
    # False: nothing is known about this action (after a failing one, execution
    # stops; or it could not be simulated), so it must not be shown as passing.
    checked: bool = True


@dataclass(frozen=True)
class PreflightReport:
    ok: bool
    proposal_id: int
    proposer_votes: int
    threshold: int
    actions: tuple[ActionCheck, ...]
    problems: tuple[str, ...]  # everything that blocks submission, as sentences
    notes: tuple[str, ...] = ()

    @property
    def enough_votes(self) -> bool:
        return self.proposer_votes >= self.threshold


def preflight_proposal(
    chain: GovernanceChain,
    proposer: str,
    draft: ProposalDraft,
    context: ActionContext,
    vote_token: TokenInfo,
) -> PreflightReport:
    call = draft.to_call()
    decoded = decode_actions(call.targets, call.values, call.calldatas, context)
    problems: list[str] = []
    notes: list[str] = []

    votes, threshold = read_proposer_power(chain, proposer)
    if votes < threshold:
        problems.append(
            f"You have {format_token_amount(votes, vote_token.decimals, vote_token.symbol)} of "
            f"voting power; proposing needs "
            f"{format_token_amount(threshold, vote_token.decimals, vote_token.symbol)}. "
            "Delegations to you count once they are mined."
        )

    simulation = simulate_execution(chain, call)
    failed = {f.index: explain_revert(f.revert, f.message) for f in simulation.failures}
    for index, reason in failed.items():
        problems.append(f"Action {index + 1} ({decoded[index].summary}) would fail: {reason}.")
    for index in simulation.not_simulated:
        notes.append(f"Action {index + 1} could not be simulated; check it carefully.")
    if simulation.note:
        notes.append(simulation.note)

    propose = simulate_propose(chain, proposer, call)
    if not propose.success and not (
        propose.revert and propose.revert.name == "GovernorInsufficientProposerVotes"
    ):
        problems.append(
            f"Creating the proposal would fail: {explain_revert(propose.revert, propose.message)}."
        )

    unchecked = {index: "could not be simulated" for index in simulation.not_simulated}
    if simulation.simulated and failed:
        # One executeBatch call: actions after the first failing one never ran.
        first = min(failed)
        unchecked.update(
            (a.index, f"action {first + 1} fails before it runs")
            for a in decoded
            if a.index > first
        )
    checks = tuple(
        ActionCheck(action, False, unchecked[action.index], checked=False)
        if action.index in unchecked
        else ActionCheck(action, action.index not in failed, failed.get(action.index))
        for action in decoded
    )
    ok = not problems
    return PreflightReport(
        ok=ok,
        proposal_id=draft.proposal_id,
        proposer_votes=votes,
        threshold=threshold,
        actions=checks,
        problems=tuple(problems),
        notes=tuple(notes),
    )

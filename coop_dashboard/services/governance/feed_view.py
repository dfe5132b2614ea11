"""Display-ready proposal rows for the feed and the proposal page (no reflex).

Amounts keep their exact base-unit value next to the rounded text, and proposal
ids travel as strings: a uint256 does not survive a JavaScript number.
"""

from __future__ import annotations

from dataclasses import dataclass

from coop_dashboard.chain.governance_types import ProposalState
from coop_dashboard.chain.proposal_text import UNTITLED
from coop_dashboard.db.queries import ProposalSummary
from coop_dashboard.services.governance.math import (
    BASIS_POINTS,
    Tally,
    quorum_progress,
    timing_text,
    vote_shares,
)
from coop_dashboard.services.governance.units import format_token_amount

TOKEN_DECIMALS = 18  # CoopToken (ERC20Votes) uses the ERC20 default


@dataclass(frozen=True)
class ProposalCard:
    proposal_id: str = ""
    title: str = ""
    proposer: str = ""
    state: str = ""  # "Active", as the Governor names it
    for_votes: str = ""
    against_votes: str = ""
    abstain_votes: str = ""
    for_exact: str = ""
    against_exact: str = ""
    abstain_exact: str = ""
    # Shares in basis points (ints: a progress bar's value must be an int).
    for_bp: int = 0
    against_bp: int = 0
    abstain_bp: int = 0
    quorum_bp: int = 0  # capped at 10_000 for the bar
    quorum_label: str = ""
    quorum_exact: str = ""  # base units, for tests and tooltips
    quorum_reached: bool = False
    timing: str = ""
    vote_count: int = 0
    votes_label: str = "No votes"  # "1 vote", "2 votes"


def votes_label(count: int) -> str:
    if count == 0:
        return "No votes"
    return "1 vote" if count == 1 else f"{count:,} votes"


def state_label(state: str) -> str:
    return state.capitalize()


def proposal_card(summary: ProposalSummary, now: int) -> ProposalCard:
    """One feed row from an indexed summary, timed against the chain clock `now`."""
    tally = Tally(summary.for_votes, summary.against_votes, summary.abstain_votes)
    shares = vote_shares(tally)
    progress = quorum_progress(tally, summary.quorum)
    state = ProposalState[summary.state.upper()]
    return ProposalCard(
        proposal_id=str(summary.proposal_id),
        title=summary.title or UNTITLED,
        proposer=summary.proposer,
        state=state.label,
        for_votes=format_token_amount(summary.for_votes, TOKEN_DECIMALS),
        against_votes=format_token_amount(summary.against_votes, TOKEN_DECIMALS),
        abstain_votes=format_token_amount(summary.abstain_votes, TOKEN_DECIMALS),
        for_exact=str(summary.for_votes),
        against_exact=str(summary.against_votes),
        abstain_exact=str(summary.abstain_votes),
        for_bp=shares.for_bp,
        against_bp=shares.against_bp,
        abstain_bp=shares.abstain_bp,
        quorum_bp=min(progress.progress_bp, BASIS_POINTS),
        quorum_label=progress.label,
        quorum_exact=str(summary.quorum),
        quorum_reached=progress.reached,
        timing=timing_text(state, summary.vote_start, summary.deadline, now),
        vote_count=summary.vote_count,
        votes_label=votes_label(summary.vote_count),
    )

"""The Governor's vote math, mirrored without a chain (its state machine: test_proposal_state)."""

from __future__ import annotations

from coop_dashboard.chain.governance_types import ProposalState
from coop_dashboard.services.governance.math import (
    Tally,
    format_basis_points,
    late_quorum_deadline,
    quorum_from_supply,
    quorum_progress,
    quorum_reached,
    timing_text,
    vote_shares,
    vote_succeeded,
)


def test_quorum_counts_for_and_abstain_but_not_against() -> None:
    assert quorum_reached(Tally(for_votes=30, against_votes=0, abstain_votes=20), 50)
    assert not quorum_reached(Tally(for_votes=30, against_votes=100, abstain_votes=19), 50)


def test_a_tie_does_not_succeed() -> None:
    assert not vote_succeeded(Tally(for_votes=50, against_votes=50))
    assert vote_succeeded(Tally(for_votes=51, against_votes=50))


def test_quorum_from_supply_rounds_down() -> None:
    assert quorum_from_supply(10_000_000 * 10**18, 4) == 400_000 * 10**18
    assert quorum_from_supply(999, 4) == 39  # 39.96 -> 39
    assert quorum_from_supply(1_000, 1, 3) == 333


def test_vote_shares_in_basis_points() -> None:
    shares = vote_shares(Tally(for_votes=2, against_votes=1, abstain_votes=0))
    assert (shares.for_bp, shares.against_bp, shares.abstain_bp) == (6_666, 3_333, 0)
    assert shares.for_percent == 66.66
    empty = vote_shares(Tally())
    assert (empty.for_bp, empty.against_bp, empty.abstain_bp) == (0, 0, 0)


def test_quorum_progress() -> None:
    half = quorum_progress(Tally(for_votes=20, against_votes=500, abstain_votes=5), 50)
    assert (half.counted, half.progress_bp, half.reached) == (25, 5_000, False)
    assert half.label == "50% of quorum"
    over = quorum_progress(Tally(for_votes=150), 50)
    assert over.progress_bp == 30_000 and over.bar_percent == 100 and over.reached
    assert quorum_progress(Tally(), 0).reached  # an empty supply's quorum is 0


def test_format_basis_points() -> None:
    assert format_basis_points(500) == "5%"
    assert format_basis_points(1_234) == "12.34%"
    assert format_basis_points(1_230) == "12.3%"
    assert format_basis_points(5) == "0.05%"


def test_late_quorum_extends_only_when_reached_near_the_end() -> None:
    assert late_quorum_deadline(2_000, None, 500) == 2_000
    assert late_quorum_deadline(2_000, 1_000, 500) == 2_000
    assert late_quorum_deadline(2_000, 1_800, 500) == 2_300


def test_timing_text_uses_the_given_chain_clock() -> None:
    day = 86_400
    assert (
        timing_text(ProposalState.PENDING, 20 * 3_600 - 1, 6 * day, 0)
        == "Voting starts in 20 hours"
    )
    assert timing_text(ProposalState.ACTIVE, 0, 3 * day + 2 * 3_600 - 1, 0) == "3 days 2 hours left"
    assert timing_text(ProposalState.ACTIVE, 0, 10, 0) == "less than a minute left"
    assert timing_text(ProposalState.DEFEATED, 0, 100, 100 + 5 * 3_600) == "Ended 5 hours ago"
    assert timing_text(ProposalState.EXECUTED, 0, 100, 130) == "Ended just now"
    assert timing_text(ProposalState.CANCELED, 0, 500, 100) == "Canceled before the vote ended"

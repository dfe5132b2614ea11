"""The Governor's state machine and vote math, mirrored without a chain."""

from __future__ import annotations

import pytest

from coop_dashboard.chain.governance_types import ProposalState
from coop_dashboard.services.governance.math import (
    ProposalFacts,
    Tally,
    TimelockOperation,
    format_basis_points,
    late_quorum_deadline,
    proposal_state,
    quorum_from_supply,
    quorum_progress,
    quorum_reached,
    timing_text,
    vote_shares,
    vote_succeeded,
)

SNAPSHOT, DEADLINE = 1_000, 2_000
PASSING = Tally(for_votes=60, against_votes=10, abstain_votes=0)


def facts(**overrides: object) -> ProposalFacts:
    base: dict[str, object] = {
        "snapshot": SNAPSHOT,
        "deadline": DEADLINE,
        "tally": PASSING,
        "quorum": 50,
    }
    return ProposalFacts(**(base | overrides))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (999, ProposalState.PENDING),
        (1_000, ProposalState.PENDING),  # snapshot >= clock: still pending
        (1_001, ProposalState.ACTIVE),
        (2_000, ProposalState.ACTIVE),  # deadline >= clock: still active
        (2_001, ProposalState.SUCCEEDED),
    ],
)
def test_boundaries_are_inclusive_like_the_governor(now: int, expected: ProposalState) -> None:
    assert proposal_state(facts(), now) is expected


def test_quorum_counts_for_and_abstain_but_not_against() -> None:
    assert quorum_reached(Tally(for_votes=30, against_votes=0, abstain_votes=20), 50)
    assert not quorum_reached(Tally(for_votes=30, against_votes=100, abstain_votes=19), 50)
    # Quorum reached with abstentions, but for must beat against:
    abstain_heavy = Tally(for_votes=5, against_votes=4, abstain_votes=100)
    assert proposal_state(facts(tally=abstain_heavy), 2_001) is ProposalState.SUCCEEDED


def test_a_tie_is_defeated() -> None:
    assert not vote_succeeded(Tally(for_votes=50, against_votes=50))
    assert proposal_state(facts(tally=Tally(50, 50, 10)), 2_001) is ProposalState.DEFEATED


def test_no_quorum_is_defeated_even_if_unanimous() -> None:
    assert proposal_state(facts(tally=Tally(49, 0, 0)), 2_001) is ProposalState.DEFEATED


def test_queued_follows_the_timelock_operation() -> None:
    queued = facts(eta=5_000)
    assert proposal_state(queued, 2_001) is ProposalState.QUEUED
    assert proposal_state(queued, 9_999) is ProposalState.QUEUED  # no expiry with a timelock
    done = facts(eta=5_000, timelock_operation=TimelockOperation.DONE)
    assert proposal_state(done, 6_000) is ProposalState.EXECUTED
    unset = facts(eta=5_000, timelock_operation=TimelockOperation.UNSET)
    assert proposal_state(unset, 6_000) is ProposalState.CANCELED


def test_executed_and_canceled_flags_win_over_time() -> None:
    assert proposal_state(facts(executed=True), 0) is ProposalState.EXECUTED
    assert proposal_state(facts(canceled=True), 1_500) is ProposalState.CANCELED
    assert proposal_state(facts(canceled=True, executed=True), 1_500) is ProposalState.EXECUTED


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

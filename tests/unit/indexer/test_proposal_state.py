"""Governor.state, computed from indexed facts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from coop_dashboard.db.proposal_state import ProposalFacts, proposal_state, quorum_at

BASE = ProposalFacts(
    vote_start=100,
    deadline=200,
    for_votes=60,
    against_votes=40,
    abstain_votes=0,
    quorum=50,
    queued=False,
    executed=False,
    canceled=False,
)


@pytest.mark.parametrize(
    ("changes", "now", "state"),
    [
        ({}, 100, "pending"),  # the snapshot timepoint itself is still pending
        ({}, 101, "active"),
        ({}, 200, "active"),  # the deadline is inclusive
        ({}, 201, "succeeded"),
        ({"queued": True}, 201, "queued"),
        ({"queued": True, "executed": True}, 201, "executed"),
        ({"canceled": True}, 150, "canceled"),
        ({"for_votes": 40}, 201, "defeated"),  # a tie is not a success
        ({"for_votes": 30, "against_votes": 0, "abstain_votes": 19}, 201, "defeated"),
        ({"for_votes": 30, "against_votes": 0, "abstain_votes": 20}, 201, "succeeded"),
        ({"deadline": 300}, 250, "active"),  # late-quorum extension
        ({"for_votes": 49, "against_votes": 0}, 201, "defeated"),  # unanimous, no quorum
        ({"for_votes": 5, "against_votes": 4, "abstain_votes": 100}, 201, "succeeded"),
        ({"queued": True}, 10**9, "queued"),  # no expiry with a timelock
        ({"executed": True}, 0, "executed"),  # the flags win over the clock
        ({"canceled": True, "executed": True}, 150, "executed"),
    ],
)
def test_state(changes: dict[str, object], now: int, state: str) -> None:
    assert proposal_state(replace(BASE, **changes), now) == state  # type: ignore[arg-type]


def test_quorum_is_a_floor_fraction_of_supply() -> None:
    assert quorum_at(10_000_000 * 10**18, 4) == 400_000 * 10**18
    assert quorum_at(99, 4) == 3

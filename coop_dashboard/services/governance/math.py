"""The cooperative Governor's vote math as plain functions (no RPC).

Mirrors OZ 5.7 GovernorCountingSimple + GovernorVotesQuorumFraction +
GovernorPreventLateQuorum for a token with a timestamp clock; the state machine
itself (`Governor.state`) is db.proposal_state, the one rule the index and the
pages share. "now" is always the CHAIN's clock (the timestamp of the latest
block, what `clock()` returns), never the wall clock: anvil's clock jumps, and a
real chain's lags the server's by a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from coop_dashboard.chain.governance_types import ProposalState
from coop_dashboard.services.governance.units import format_duration_short

QUORUM_DENOMINATOR = 100  # GovernorVotesQuorumFraction's default denominator
BASIS_POINTS = 10_000


@dataclass(frozen=True)
class Tally:
    """`proposalVotes(id)`, in base units of the vote token."""

    for_votes: int = 0
    against_votes: int = 0
    abstain_votes: int = 0

    @property
    def total(self) -> int:
        return self.for_votes + self.against_votes + self.abstain_votes


def quorum_votes(tally: Tally) -> int:
    """GovernorCountingSimple counts for + abstain towards quorum (not against)."""
    return tally.for_votes + tally.abstain_votes


def quorum_reached(tally: Tally, quorum: int) -> bool:
    return quorum <= quorum_votes(tally)


def vote_succeeded(tally: Tally) -> bool:
    """Strictly more for than against; a tie fails."""
    return tally.for_votes > tally.against_votes


def quorum_from_supply(
    past_total_supply: int, numerator: int, denominator: int = QUORUM_DENOMINATOR
) -> int:
    """`quorum(snapshot)`: supply at the snapshot x numerator(snapshot) / denominator, rounded
    down (Solidity integer division)."""
    return past_total_supply * numerator // denominator


def late_quorum_deadline(deadline: int, quorum_reached_at: int | None, extension: int) -> int:
    """GovernorPreventLateQuorum: once quorum is first reached at `quorum_reached_at`, voting
    lasts at least `extension` more seconds."""
    if quorum_reached_at is None:
        return deadline
    return max(deadline, quorum_reached_at + extension)


def basis_points(part: int, whole: int) -> int:
    """`part / whole` in 1/100 of a percent, rounded down (0 when `whole` is 0)."""
    if whole <= 0:
        return 0
    return part * BASIS_POINTS // whole


def format_basis_points(points: int) -> str:
    """1234 -> "12.34%", 500 -> "5%"."""
    whole, fraction = divmod(points, 100)
    return f"{whole}%" if fraction == 0 else f"{whole}.{fraction:02d}".rstrip("0") + "%"


@dataclass(frozen=True)
class VoteShares:
    """Each side's share of the votes cast, in basis points (rounded down)."""

    for_bp: int
    against_bp: int
    abstain_bp: int

    @property
    def for_percent(self) -> float:
        return self.for_bp / 100

    @property
    def against_percent(self) -> float:
        return self.against_bp / 100

    @property
    def abstain_percent(self) -> float:
        return self.abstain_bp / 100


def vote_shares(tally: Tally) -> VoteShares:
    total = tally.total
    return VoteShares(
        basis_points(tally.for_votes, total),
        basis_points(tally.against_votes, total),
        basis_points(tally.abstain_votes, total),
    )


@dataclass(frozen=True)
class QuorumProgress:
    counted: int  # for + abstain
    quorum: int
    progress_bp: int  # counted / quorum, may exceed 10_000
    reached: bool

    @property
    def bar_percent(self) -> float:
        """For a progress bar: capped at 100."""
        return min(self.progress_bp, BASIS_POINTS) / 100

    @property
    def label(self) -> str:
        return format_basis_points(self.progress_bp) + " of quorum"


def quorum_progress(tally: Tally, quorum: int) -> QuorumProgress:
    counted = quorum_votes(tally)
    # A zero quorum (empty supply at the snapshot) is reached by any vote, even none.
    progress = BASIS_POINTS if quorum == 0 else basis_points(counted, quorum)
    return QuorumProgress(counted, quorum, progress, quorum_reached(tally, quorum))


def timing_text(state: ProposalState, snapshot: int, deadline: int, now: int) -> str:
    """ "Voting starts in 20 hours" / "3 days 2 hours left" / "Ended 5 hours ago",
    against the chain clock `now`."""
    if state is ProposalState.PENDING:
        # Voting opens once the clock is strictly past the snapshot.
        return f"Voting starts in {format_duration_short(max(snapshot + 1 - now, 0))}"
    if state is ProposalState.ACTIVE:
        # Votes are accepted while clock <= deadline.
        return f"{format_duration_short(max(deadline + 1 - now, 0))} left"
    ago = now - deadline
    if ago < 0:  # canceled before voting ended
        return "Canceled before the vote ended"
    return "Ended just now" if ago < 60 else f"Ended {format_duration_short(ago)} ago"

"""JobBoard's vocabulary on the Python side: its enums, limits and `postJob`'s argument.

The tuples mirror `JobBoard.Status` and `JobBoard.CreditReason` (order matters: the
chain carries their index). JobBoard stores only keccak256 digests of CIDs
(`cid_digest`); the CIDs are in its events. Pages, the indexer and the seed build `JobTerms` tuples
and read statuses from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import keccak

from coop_dashboard.chain.data_licensing import ETH_CURRENCY, PURPOSES

JOB_BOARD_CONTRACT = "JobBoard"

# JobBoard.Status, by index.
STATUSES: tuple[str, ...] = (
    "open",
    "in_progress",
    "in_review",
    "challenged",
    "completed",
    "failed",
    "cancelled",
)
# JobBoard.CreditReason (PayoutCredited.reason), by index.
CREDIT_REASONS: tuple[str, ...] = (
    "payment",
    "bounty_refund",
    "stake_returned",
    "bond_returned",
    "challenge_bond",
    "challenge_reward",
    "slash",
)

MAX_DATASETS = 16
MAX_CID_LENGTH = 128
MAX_JOB_DURATION_S = 365 * 86_400
MAX_CHALLENGE_WINDOW_S = 30 * 86_400
MAX_ESCALATION_PERIOD_S = 90 * 86_400


def cid_digest(cid: str | bytes) -> bytes:
    """keccak256 of a CID's bytes: what JobBoard stores of the spec, checkpoint and metrics
    CIDs (the CIDs themselves travel in JobPosted and ResultSubmitted)."""
    return keccak(cid if isinstance(cid, bytes) else cid.encode("utf-8"))


def status_name(index: int) -> str:
    """The name of a Status index ("unknown" for an index this code does not know)."""
    return STATUSES[index] if 0 <= index < len(STATUSES) else "unknown"


def credit_reason_name(index: int) -> str:
    """The name of a CreditReason index ("unknown" for an index this code does not know)."""
    return CREDIT_REASONS[index] if 0 <= index < len(CREDIT_REASONS) else "unknown"


@dataclass(frozen=True)
class JobTerms:
    """What `JobBoard.postJob` takes (its `JobTerms` struct); deadlines in unix seconds."""

    spec_cid: str
    dataset_ids: tuple[int, ...]
    bounty: int
    bidding_deadline: int
    delivery_deadline: int
    minimum_stake: int
    challenge_window_s: int
    purpose: str = "research"
    asset: str = ETH_CURRENCY

    def as_struct(self) -> tuple[object, ...]:
        """The struct as web3 encodes it (a tuple in declaration order; datasets sorted)."""
        return (
            self.spec_cid,
            sorted(self.dataset_ids),
            PURPOSES.index(self.purpose),
            self.asset,
            self.bounty,
            self.bidding_deadline,
            self.delivery_deadline,
            self.minimum_stake,
            self.challenge_window_s,
        )

    @property
    def value(self) -> int:
        """The ETH `postJob` must carry: the bounty when it is in ETH, else nothing."""
        return self.bounty if self.asset == ETH_CURRENCY else 0

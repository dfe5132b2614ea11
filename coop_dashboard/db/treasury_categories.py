"""What a treasury movement was for: the categories the indexer files movements under.

One home for the categories (the indexer writes them, the treasury pages group
by them) and for the classifier table: a movement is filed under the category
of the first log in its transaction, emitted by its counterparty, whose
(contract, event) pair the table names. A contract added later (DataLicensing,
JobBoard) plugs in by adding its rows here; until it exists its categories
simply have no movements and show as zero.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    LICENSE_REVENUE = "license_revenue"
    BOND_SLASHED = "bond_slashed"
    PROPOSAL_TRANSFER = "proposal_transfer"  # grants and payments a proposal made
    BOUNTY_ESCROWED = "bounty_escrowed"
    BOUNTY_PAID = "bounty_paid"
    BOUNTY_REFUNDED = "bounty_refunded"
    STAKE_SLASHED = "stake_slashed"  # the treasury's share of slashed job stakes
    MINT = "mint"
    OTHER = "other"


CATEGORY_LABELS: dict[Category, str] = {
    Category.LICENSE_REVENUE: "License revenue",
    Category.BOND_SLASHED: "Bonds slashed",
    Category.PROPOSAL_TRANSFER: "Proposal transfers (grants, payments)",
    Category.BOUNTY_ESCROWED: "Job bounties escrowed",
    Category.BOUNTY_PAID: "Job bounties paid",
    Category.BOUNTY_REFUNDED: "Job bounties refunded",
    Category.STAKE_SLASHED: "Job stakes slashed",
    Category.MINT: "Mints",
    Category.OTHER: "Other",
}

CATEGORY_MAX_LENGTH = 20

# (counterparty contract's manifest name, event in the same transaction) -> category.
# DataLicensing credits the treasury fee of every sale; governance withdraws it (a
# proposal calling `withdraw`), which is when it reaches the treasury: Withdrawn in the
# same transaction files it as revenue. JobBoard: a bounty governance posts leaves with
# JobPosted (escrowed); what the treasury withdraws from JobBoard is its credits there,
# bounty refunds of its own jobs and its share of slashed stakes: filed as refunds here,
# the slashed share then moved to STAKE_SLASHED by the job indexer, which knows the
# treasury's credits (indexer/handlers/jobs.py, TreasuryJobWithdrawals). A bounty paid
# to a provider moves nothing of the treasury's (it left when escrowed): BOUNTY_PAID
# stays empty, and the job pages show payments.
CLASSIFIERS: dict[tuple[str, str], Category] = {
    ("DatasetRegistry", "DatasetDelisted"): Category.BOND_SLASHED,
    ("DataLicensing", "Withdrawn"): Category.LICENSE_REVENUE,
    ("JobBoard", "JobPosted"): Category.BOUNTY_ESCROWED,
    ("JobBoard", "Withdrawn"): Category.BOUNTY_REFUNDED,
}

# Events that announce ETH a contract pushes to the treasury by an internal call
# (no log of the treasury's own reports it): (contract, event) -> the argument
# holding the amount. The indexer books such ETH under the event's transaction
# and contract instead of as an anonymous internal inflow.
ETH_PUSH_EVENTS: dict[tuple[str, str], str] = {
    ("DatasetRegistry", "DatasetDelisted"): "slashedBond",
    ("DataLicensing", "Withdrawn"): "amount",
    ("JobBoard", "Withdrawn"): "amount",
}
# Push events that also name who was paid and in what: they count only when the
# recipient is the treasury (the timelock executing the transaction) and the currency
# is ETH (the zero address). (contract, event) -> (recipient argument, currency argument).
ETH_PUSH_RECIPIENTS: dict[tuple[str, str], tuple[str, str]] = {
    ("DataLicensing", "Withdrawn"): ("account", "currency"),
    ("JobBoard", "Withdrawn"): ("account", "asset"),
}

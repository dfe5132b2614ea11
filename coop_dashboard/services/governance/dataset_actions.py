"""Proposal actions for the dataset registry: curators, bond settings, delisting.

Each validates what a person typed against what the index says now (current
curators, settings, the dataset's status) and returns the call the timelock
makes; the contract checks the same rules again when the proposal executes.
The proposal page phrases these calls back (services/governance/actions.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import keccak
from sqlalchemy import Engine

from coop_dashboard.chain.governance_types import KnownContract
from coop_dashboard.content.cid import cid_for_bytes, is_cid
from coop_dashboard.db.dataset_queries import current_curators
from coop_dashboard.db.queries import current_setting
from coop_dashboard.services.governance.builder import NATIVE, ProposalAction, contract_action
from coop_dashboard.services.governance.inputs import parse_address
from coop_dashboard.services.governance.units import (
    format_duration,
    format_token_amount,
    parse_duration,
    parse_token_amount,
)
from coop_dashboard.services.governance.validation import ProblemCollector, refuse

CURATOR_ROLE = keccak(text="CURATOR_ROLE")
DAY = 86_400
# DatasetRegistry.MAX_BOND_WAITING_PERIOD: the contract refuses more.
MAX_BOND_WAITING_PERIOD = 730 * DAY
# The cooperative's policy on top of the contract (which takes up to 2^96 wei): a
# typo must not shut contributors out.
MAX_MINIMUM_BOND = 1_000 * 10**18
MAX_REASON_CID_LENGTH = 128  # DatasetRegistry.MAX_CID_LENGTH
# A delisting reason written in the builder is stored as a markdown document: a few
# paragraphs; a longer case belongs in a document uploaded separately (give its CID).
MAX_REASON_TEXT_BYTES = 10_000


@dataclass(frozen=True)
class DatasetGovernance:
    """The registry and its current state, as the index has it."""

    registry: KnownContract
    minimum_bond: int  # wei
    bond_waiting_period: int  # seconds
    curators: frozenset[str]  # lowercase addresses holding CURATOR_ROLE


def curator_change(suite: DatasetGovernance, account_text: str, *, grant: bool) -> ProposalAction:
    """Grant (or revoke) the curator role: curators attest datasets."""
    account = parse_address(account_text, "curator", "Curator")
    holds = account.lower() in suite.curators
    if grant and holds:
        raise refuse("curator", "Curator: this address is already a curator.")
    if not grant and not holds:
        raise refuse("curator", "Curator: this address is not a curator.")
    function = "grantRole" if grant else "revokeRole"
    return contract_action(suite.registry, function, [CURATOR_ROLE, account])


def minimum_bond_change(suite: DatasetGovernance, amount_text: str) -> ProposalAction:
    """Set the bond future registrations must post (ETH)."""
    label = "Minimum bond"
    amount = parse_token_amount(amount_text, NATIVE.decimals, "minimum_bond", label)
    if amount > MAX_MINIMUM_BOND:
        most = format_token_amount(MAX_MINIMUM_BOND, NATIVE.decimals, NATIVE.symbol)
        raise refuse("minimum_bond", f"{label}: at most {most}.")
    if amount == 0:
        raise refuse("minimum_bond", f"{label}: must be more than 0 ETH.")
    if amount == suite.minimum_bond:
        raise refuse("minimum_bond", f"{label}: that is already the current value.")
    return contract_action(suite.registry, "setMinimumBond", [amount])


def bond_waiting_period_change(suite: DatasetGovernance, duration_text: str) -> ProposalAction:
    """Set how long future registrations' bonds stay locked."""
    label = "Bond waiting period"
    seconds = parse_duration(duration_text, "bond_waiting_period", label)
    if seconds > MAX_BOND_WAITING_PERIOD:
        longest = format_duration(MAX_BOND_WAITING_PERIOD)
        raise refuse("bond_waiting_period", f"{label}: at most {longest}.")
    if seconds == suite.bond_waiting_period:
        raise refuse("bond_waiting_period", f"{label}: that is already the current value.")
    return contract_action(suite.registry, "setBondWaitingPeriod", [seconds])


def dataset_number(text: str) -> int | None:
    """The dataset id in "12" or "#12" (None when it is not one)."""
    digits = text.strip().lstrip("#")
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 18):
        return None
    return int(digits) or None


@dataclass(frozen=True)
class DelistReason:
    """A delisting reason's CID, and the document to store when it was written as text."""

    cid: str
    document: bytes | None = None  # None: an existing CID was given


def delist_reason(text: str) -> DelistReason:
    """The reason as typed: a CID (`ipfs://` or bare), or text to store as a document."""
    cleaned = text.strip()
    bare = cleaned.removeprefix("ipfs://")
    if not cleaned or bare != cleaned or (len(bare) <= MAX_REASON_CID_LENGTH and is_cid(bare)):
        return DelistReason(bare)  # delist_dataset checks it, and names an empty one
    try:
        document = f"{cleaned}\n".encode()
    except UnicodeEncodeError:
        raise refuse("reason", "Reason: the text has characters that are not text.") from None
    if len(document) > MAX_REASON_TEXT_BYTES:
        raise refuse(
            "reason",
            f"Reason: at most {MAX_REASON_TEXT_BYTES:,} bytes ({len(document):,} now); "
            "upload a longer document and give its CID.",
        )
    return DelistReason(cid_for_bytes(document), document)


def delist_dataset(
    suite: DatasetGovernance, dataset_id_text: str, reason_cid_text: str, status: str | None
) -> ProposalAction:
    """Delist a dataset for good, giving the CID of a document with the reason.

    `status` is the dataset's status in the index (None: no such dataset indexed).
    """
    problems = ProblemCollector()
    dataset_id = dataset_number(dataset_id_text)
    if dataset_id is None:
        problems.add("dataset", "Dataset: enter the dataset's number, e.g. 12.")
    elif status is None:
        problems.add("dataset", f"Dataset: there is no dataset #{dataset_id}.")
    elif status == "delisted":
        problems.add("dataset", f"Dataset: #{dataset_id} is already delisted.")
    reason = reason_cid_text.strip().removeprefix("ipfs://")
    if not reason:
        problems.add("reason", "Reason: write why, or give the CID of a document that says why.")
    elif len(reason) > MAX_REASON_CID_LENGTH or not is_cid(reason):
        problems.add("reason", "Reason: not a CID (it looks like bafk... or bafy...).")
    problems.raise_if_any()
    return contract_action(suite.registry, "delist", [dataset_id, reason])


def dataset_governance(engine: Engine, registry: KnownContract) -> DatasetGovernance:
    """The registry's current settings and curators, from the index."""
    return DatasetGovernance(
        registry=registry,
        minimum_bond=current_setting(engine, "dataset_minimum_bond") or 0,
        bond_waiting_period=current_setting(engine, "dataset_bond_waiting_period") or 0,
        curators=frozenset(current_curators(engine)),
    )

"""Why a contract call reverted, in words: one table for every error the suite can raise.

Wallet writes (services.tx_text: "The contract refused the transaction: ..."),
the proposal builder's simulations and the gasless relayer's refusals all read
their clauses from here, so an error is explained the same way everywhere.
Pure: no web3, no reflex.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from coop_dashboard.db.proposal_state import PROPOSAL_STATES
from coop_dashboard.services.display import short_address
from coop_dashboard.services.governance.units import format_duration, format_token_amount

VOTE_DECIMALS = 18  # governance votes are COOP, which has 18 decimals


class RevertLike(Protocol):
    """A decoded revert (chain.revert.DecodedRevert has this shape)."""

    @property
    def name(self) -> str: ...

    @property
    def args(self) -> tuple[Any, ...]: ...


def _arg(args: Sequence[Any], index: int) -> Any:
    return args[index] if index < len(args) else "?"


def _who(args: Sequence[Any], index: int) -> str:
    value = _arg(args, index)
    return short_address(value) if isinstance(value, str) else str(value)


def _base_units(args: Sequence[Any], index: int) -> str:
    # ERC20 errors do not say which token reverted (COOP has 18 decimals, cUSD 6),
    # so their amounts are shown exactly, in the token's smallest unit.
    value = _arg(args, index)
    return f"{value:,} base units" if isinstance(value, int) else str(value)


def _votes(args: Sequence[Any], index: int) -> str:
    value = _arg(args, index)
    return format_token_amount(value, VOTE_DECIMALS) if isinstance(value, int) else str(value)


def _duration(value: Any) -> str:
    return format_duration(value) if isinstance(value, int) else str(value)


def _state_name(value: Any) -> str:
    # GovernorUnexpectedProposalState carries the state's index in the enum.
    if isinstance(value, int) and 0 <= value < len(PROPOSAL_STATES):
        return PROPOSAL_STATES[value]
    return "in another state"


def _expected_states(bitmap: Any) -> str:
    if not isinstance(bitmap, bytes | int):
        return "another state"
    bits = int.from_bytes(bitmap, "big") if isinstance(bitmap, bytes) else bitmap
    names = [name for index, name in enumerate(PROPOSAL_STATES) if bits >> index & 1]
    return " or ".join(names) or "another state"


def _eth(args: Sequence[Any], index: int) -> str:
    value = _arg(args, index)
    return f"{format_token_amount(value, 18)} ETH" if isinstance(value, int) else str(value)


def _dataset(args: Sequence[Any], index: int) -> str:
    return f"dataset #{_arg(args, index)}"


_DATASET_CLAUSES: dict[str, Callable[[Sequence[Any]], str]] = {
    "DatasetRegistryUnknownDataset": lambda a: f"{_dataset(a, 0)} does not exist (yet)",
    "DatasetRegistryEmptyDigest": lambda a: "the data's content digest is empty",
    "DatasetRegistryInvalidCid": lambda a: f"the {_arg(a, 0)} is empty or longer than 128 bytes",
    "DatasetRegistryInvalidModality": lambda a: "the modality must be 1 to 32 bytes",
    "DatasetRegistryTooManyTags": lambda a: f"{_arg(a, 0)} tags; at most {_arg(a, 1)}",
    "DatasetRegistryInvalidTag": lambda a: "a tag is empty or longer than 32 bytes",
    "DatasetRegistryTooManyParents": lambda a: (
        f"{_arg(a, 0)} parent datasets; at most {_arg(a, 1)}"
    ),
    "DatasetRegistryParentsNotSorted": lambda a: (
        "the parent datasets must be listed in increasing order, each once"
    ),
    "DatasetRegistryParentDelisted": lambda a: f"parent {_dataset(a, 0)} is delisted",
    "DatasetRegistryTransformationMismatch": lambda a: (
        "a source dataset has no parents, and a derived one names at least one"
    ),
    "DatasetRegistryBondTooLow": lambda a: (
        f"the bond is {_eth(a, 0)}; the registry asks at least {_eth(a, 1)}"
    ),
    "DatasetRegistryBondTooHigh": lambda a: f"a bond of {_eth(a, 0)} is more than it can hold",
    "DatasetRegistryNotContributor": lambda a: (
        f"{_who(a, 1)} is not the contributor of {_dataset(a, 0)}"
    ),
    "DatasetRegistryNotContributorOrGovernance": lambda a: (
        f"only the contributor of {_dataset(a, 0)} or governance may do this, not {_who(a, 1)}"
    ),
    "DatasetRegistryDelisted": lambda a: f"{_dataset(a, 0)} is delisted",
    "DatasetRegistryAlreadySuperseded": lambda a: (
        f"{_dataset(a, 0)} already has a newer version (#{_arg(a, 1)})"
    ),
    "DatasetRegistryAlreadyPaused": lambda a: f"licensing of {_dataset(a, 0)} is already paused",
    "DatasetRegistryNotPaused": lambda a: f"licensing of {_dataset(a, 0)} is not paused",
    "DatasetRegistryPausedByGovernance": lambda a: (
        f"governance paused {_dataset(a, 0)}; only governance may resume it"
    ),
    "DatasetRegistryInvalidScore": lambda a: f"a score of {_arg(a, 0)} is outside 0-100",
    "DatasetRegistryAlreadyAttested": lambda a: (
        f"{_who(a, 1)} has already attested {_dataset(a, 0)}: update the attestation instead"
    ),
    "DatasetRegistryNotAttested": lambda a: f"{_who(a, 1)} has not attested {_dataset(a, 0)} yet",
    "DatasetRegistryAttestationUnchanged": lambda a: "the attestation is unchanged",
    "DatasetRegistryTooManyAttestations": lambda a: (
        f"{_dataset(a, 0)} already has the most attestations it can hold ({_arg(a, 1)})"
    ),
    "DatasetRegistryNoBond": lambda a: f"{_dataset(a, 0)} holds no bond",
    "DatasetRegistryBondLocked": lambda a: (
        f"the bond of {_dataset(a, 0)} is locked until {_arg(a, 1)} (unix time)"
    ),
    "DatasetRegistryWaitingPeriodTooLong": lambda a: (
        f"a waiting period of {_duration(_arg(a, 0))} is longer than {_duration(_arg(a, 1))}"
    ),
    "DatasetRegistryZeroAddress": lambda a: "the zero address is not allowed here",
}

# Keys are custom error names (OpenZeppelin 5 and the suite's own contracts).
_CLAUSES: dict[str, Callable[[Sequence[Any]], str]] = {
    "ERC20InsufficientBalance": lambda a: (
        f"{_who(a, 0)} holds {_base_units(a, 1)} of the token, {_base_units(a, 2)} are needed"
    ),
    "ERC20InsufficientAllowance": lambda a: (
        f"{_who(a, 0)} may spend only {_base_units(a, 1)}, {_base_units(a, 2)} are needed"
    ),
    "ERC20InvalidReceiver": lambda a: f"the token refuses to send to {_who(a, 0)}",
    "ERC20InvalidSender": lambda a: f"the token refuses to send from {_who(a, 0)}",
    "FailedCall": lambda a: (
        "a call failed without giving a reason (the treasury may lack the ETH, or the "
        "target refused the call)"
    ),
    # Every owned contract of the suite is owned by the timelock, i.e. governance.
    "OwnableUnauthorizedAccount": lambda a: (
        f"only governance may do this, and {_who(a, 0)} is not allowed to"
    ),
    "AccessControlUnauthorizedAccount": lambda a: f"{_who(a, 0)} lacks the role this needs",
    "TimelockUnauthorizedCaller": lambda a: (
        f"only the timelock itself may do this, not {_who(a, 0)}"
    ),
    "CoopTokenZeroRecipient": lambda a: "tokens cannot be minted to the zero address",
    "VotesExpiredSignature": lambda a: "the signed delegation has expired",
    "ERC5805FutureLookup": lambda a: "that moment is still in the future",
    "ERC6372InconsistentClock": lambda a: "the token's clock is inconsistent",
    "InvalidAccountNonce": lambda a: (
        f"the signature was already used or is out of order for {_who(a, 0)}"
    ),
    "GovernorInvalidVotingPeriod": lambda a: f"a voting period of {_arg(a, 0)} seconds is invalid",
    "GovernorInvalidQuorumFraction": lambda a: (
        f"a quorum numerator of {_arg(a, 0)} is more than the denominator {_arg(a, 1)}"
    ),
    "GovernorPreventLateQuorumVoteExtensionTooLarge": lambda a: (
        f"the late-quorum extension ({_duration(_arg(a, 0))}) cannot exceed the voting "
        f"period ({_duration(_arg(a, 1))})"
    ),
    "GovernorOnlyExecutor": lambda a: f"only governance may call this, not {_who(a, 0)}",
    "GovernorInsufficientProposerVotes": lambda a: (
        f"{_who(a, 0)} has {_votes(a, 1)} votes; proposing needs {_votes(a, 2)}"
    ),
    "GovernorUnexpectedProposalState": lambda a: (
        f"the proposal is {_state_name(_arg(a, 1))}; this needs it {_expected_states(_arg(a, 2))}"
    ),
    "GovernorAlreadyCastVote": lambda a: f"{_who(a, 0)} has already voted on this proposal",
    "GovernorInvalidSignature": lambda a: f"the signature is not {_who(a, 0)}'s for this ballot",
    "GovernorInvalidVoteType": lambda a: "the vote type must be against, for or abstain",
    "GovernorNonexistentProposal": lambda a: "that proposal does not exist",
    "GovernorRestrictedProposer": lambda a: (
        f"the description may only be proposed by another address, not {_who(a, 0)}"
    ),
    "GovernorInvalidProposalLength": lambda a: (
        "the proposal's actions are empty or their lists differ in length"
    ),
    "MockContractWalletNotOwner": lambda a: f"{_who(a, 0)} does not own this contract wallet",
    **_DATASET_CLAUSES,
}


def known_reason(revert: RevertLike) -> str | None:
    """The clause for a custom error this table knows, else None."""
    clause = _CLAUSES.get(revert.name)
    if clause is None:
        return None
    try:
        return clause(revert.args)
    except Exception:  # an explanation must never hide the error itself
        return None


def shown_call(revert: RevertLike) -> str:
    """`SomethingNew(0x90F7…b906, 7, 0x0102)`: an unknown error as it was raised."""
    return f"{revert.name}({', '.join(_shown_arg(arg) for arg in revert.args)})"


def _shown_arg(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return short_address(value)
    return str(value)


def explain_revert(revert: RevertLike | None, node_message: str = "") -> str:
    """A clause that completes "...: " or "would fail: ", e.g.
    "the late-quorum extension (3 days) cannot exceed the voting period (2 days)"."""
    if revert is None:
        detail = node_message.strip()
        if detail and detail.lower() not in ("execution reverted", "revert"):
            return f"it reverted ({detail})"
        return "it reverted without a reason"
    if revert.name == "Error":
        return f"it reverted: {_arg(revert.args, 0)}"
    if revert.name == "Panic":
        return f"it failed with an internal error ({_arg(revert.args, 0)})"
    return known_reason(revert) or f"it reverted with {shown_call(revert)}"

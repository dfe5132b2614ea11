"""Decoded reverts of governance calls, as sentences (simulations, relayed votes)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from coop_dashboard.chain.revert import DecodedRevert
from coop_dashboard.services.display import short_address
from coop_dashboard.services.governance.units import format_duration

_STATE_NAMES = (
    "pending",
    "active",
    "canceled",
    "defeated",
    "succeeded",
    "queued",
    "expired",
    "executed",
)


def _arg(args: Sequence[Any], index: int) -> Any:
    return args[index] if index < len(args) else "?"


def _who(args: Sequence[Any], index: int) -> str:
    value = _arg(args, index)
    return short_address(value) if isinstance(value, str) else str(value)


def _units(args: Sequence[Any], index: int) -> str:
    value = _arg(args, index)
    return f"{value:,} base units" if isinstance(value, int) else str(value)


def _state_name(value: Any) -> str:
    if isinstance(value, int) and 0 <= value < len(_STATE_NAMES):
        return _STATE_NAMES[value]
    return "in another state"


def _expected_states(bitmap: Any) -> str:
    if not isinstance(bitmap, bytes | int):
        return "another state"
    bits = int.from_bytes(bitmap, "big") if isinstance(bitmap, bytes) else bitmap
    names = [name for index, name in enumerate(_STATE_NAMES) if bits >> index & 1]
    return " or ".join(names) or "another state"


_EXPLANATIONS: dict[str, Callable[[Sequence[Any]], str]] = {
    "ERC20InsufficientBalance": lambda a: (
        f"{_who(a, 0)} holds {_units(a, 1)} of the token, {_units(a, 2)} are needed"
    ),
    "ERC20InsufficientAllowance": lambda a: (
        f"{_who(a, 0)} may spend only {_units(a, 1)}, {_units(a, 2)} are needed"
    ),
    "ERC20InvalidReceiver": lambda a: f"the token refuses to send to {_who(a, 0)}",
    "FailedCall": lambda a: (
        "a call failed without giving a reason (the treasury may lack the ETH, or the "
        "target refused the call)"
    ),
    "OwnableUnauthorizedAccount": lambda a: f"{_who(a, 0)} is not the owner",
    "AccessControlUnauthorizedAccount": lambda a: f"{_who(a, 0)} lacks the required role",
    "TimelockUnauthorizedCaller": lambda a: (
        f"only the timelock itself may do this, not {_who(a, 0)}"
    ),
    "CoopTokenZeroRecipient": lambda a: "tokens cannot be minted to the zero address",
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
        f"{_who(a, 0)} has {_units(a, 1)} of votes, the proposal threshold is {_units(a, 2)}"
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
    "InvalidAccountNonce": lambda a: (
        f"the signature's nonce is not the current one for {_who(a, 0)}"
    ),
}


def _duration(value: Any) -> str:
    return format_duration(value) if isinstance(value, int) else str(value)


def explain_revert(revert: DecodedRevert | None, node_message: str = "") -> str:
    """ "the late-quorum extension (3 days) cannot exceed the voting period (2 days)"."""
    if revert is None:
        detail = node_message.strip()
        if detail and detail.lower() not in ("execution reverted", "revert"):
            return f"it reverted ({detail})"
        return "it reverted without a reason"
    if revert.name == "Error":
        return f"it reverted: {_arg(revert.args, 0)}"
    if revert.name == "Panic":
        return f"it failed with an internal error ({_arg(revert.args, 0)})"
    explain = _EXPLANATIONS.get(revert.name)
    if explain is None:
        return f"it reverted with {revert}"
    try:
        return explain(revert.args)
    except Exception:  # an explanation must never hide the error itself
        return f"it reverted with {revert}"

"""Transactions in words: what a person is about to sign, and why a write failed.

Pure functions (no web3, no reflex) so every sentence can be reviewed and tested
in one place. Addresses are shown short with the full value available to the
caller; custom errors are explained rather than printed as Solidity.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from coop_dashboard.services.display import short_address

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"

# Chains people are likely to have in their wallet, so "chain 1" reads "Ethereum".
CHAIN_NAMES: dict[int, str] = {
    1: "Ethereum",
    10: "OP Mainnet",
    100: "Gnosis",
    137: "Polygon",
    8453: "Base",
    42161: "Arbitrum One",
    11155111: "Sepolia",
    31337: "Local development chain",
}


class RevertLike(Protocol):
    """A decoded revert (chain.revert.DecodedRevert has this shape)."""

    @property
    def name(self) -> str: ...

    @property
    def args(self) -> tuple[Any, ...]: ...


def chain_name(chain_id: int) -> str:
    """`8453` -> `"Base (chain 8453)"`; unknown ids read `"chain 1234"`."""
    known = CHAIN_NAMES.get(chain_id)
    return f"{known} (chain {chain_id})" if known else f"chain {chain_id}"


def same_address(first: str, second: str) -> bool:
    return first.lower() == second.lower()


def describe_delegation(signer: str, delegatee: str) -> str:
    """What a `CoopToken.delegate(delegatee)` signed by `signer` does, in one sentence."""
    if same_address(delegatee, ZERO_ADDRESS):
        return "Stop delegating your votes (nobody will vote with your tokens)"
    if same_address(signer, delegatee):
        return f"Delegate your votes to yourself ({short_address(delegatee)})"
    return f"Delegate your votes to {short_address(delegatee)}"


def _amount(value: Any) -> str:
    # Token amounts in errors are base units; 18 decimals is every amount the
    # suite's errors carry except cUSD, which is named by its own error text.
    if isinstance(value, int):
        whole, fraction = divmod(value, 10**18)
        if fraction == 0:
            return f"{whole:,}"
        return f"{value / 10**18:,.4f}".rstrip("0").rstrip(".")
    return str(value)


def _arg(args: Sequence[Any], index: int) -> Any:
    return args[index] if index < len(args) else "?"


def _addr(args: Sequence[Any], index: int) -> str:
    value = _arg(args, index)
    return short_address(value) if isinstance(value, str) else str(value)


# Custom errors the dashboard's writes can hit, explained. Keys are error names
# (OpenZeppelin 5 and the suite's own); the value builds the sentence from the args.
_EXPLANATIONS: dict[str, Callable[[Sequence[Any]], str]] = {
    "OwnableUnauthorizedAccount": lambda a: (
        f"only governance may do this, and {_addr(a, 0)} is not allowed to"
    ),
    "AccessControlUnauthorizedAccount": lambda a: f"{_addr(a, 0)} lacks the role this action needs",
    "ERC20InsufficientBalance": lambda a: (
        f"{_addr(a, 0)} holds {_amount(_arg(a, 1))} tokens but {_amount(_arg(a, 2))} are needed"
    ),
    "ERC20InsufficientAllowance": lambda a: (
        f"{_addr(a, 0)} may only spend {_amount(_arg(a, 1))} tokens here, "
        f"but {_amount(_arg(a, 2))} are needed"
    ),
    "ERC20InvalidReceiver": lambda a: f"tokens cannot be sent to {_addr(a, 0)}",
    "ERC20InvalidSender": lambda a: f"tokens cannot be sent from {_addr(a, 0)}",
    "VotesExpiredSignature": lambda a: "the signed delegation has expired",
    "ERC5805FutureLookup": lambda a: "that moment is still in the future",
    "ERC6372InconsistentClock": lambda a: "the token's clock is inconsistent",
    "InvalidAccountNonce": lambda a: (
        f"the signature was already used or is out of order for {_addr(a, 0)}"
    ),
    "GovernorAlreadyCastVote": lambda a: f"{_addr(a, 0)} has already voted on this proposal",
    "GovernorInsufficientProposerVotes": lambda a: (
        f"{_addr(a, 0)} has {_amount(_arg(a, 1))} votes; proposing needs {_amount(_arg(a, 2))}"
    ),
    "GovernorNonexistentProposal": lambda a: "that proposal does not exist",
    "GovernorUnexpectedProposalState": lambda a: (
        "the proposal is not in a state that allows this right now"
    ),
    "CoopTokenZeroRecipient": lambda a: "tokens cannot be minted to the zero address",
    "MockContractWalletNotOwner": lambda a: f"{_addr(a, 0)} does not own this contract wallet",
}


def explain_revert(revert: RevertLike) -> str:
    """A sentence for a decoded revert, e.g. "The contract refused: only governance may ..."."""
    if revert.name == "Error":
        reason = str(_arg(revert.args, 0)).strip()
        if reason in ("", "execution reverted"):
            return "The contract refused the transaction without giving a reason."
        return f"The contract refused the transaction: {reason}."
    if revert.name == "Panic":
        return f"The contract failed with an internal error ({_arg(revert.args, 0)})."
    explain = _EXPLANATIONS.get(revert.name)
    if explain is not None:
        return f"The contract refused the transaction: {explain(revert.args)}."
    shown = ", ".join(_shown_arg(arg) for arg in revert.args)
    return f"The contract refused the transaction ({revert.name}({shown}))."


def _shown_arg(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return short_address(value)
    return str(value)


OUT_OF_GAS = (
    "The transaction ran out of gas and changed nothing (the fee was still paid). "
    "Try again; if it keeps failing, raise the gas limit in your wallet."
)
FAILED_WITHOUT_REASON = (
    "The transaction failed on chain and changed nothing; the chain gave no reason."
)

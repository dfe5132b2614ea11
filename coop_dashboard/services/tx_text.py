"""Transactions in words: what a person is about to sign, and why a write failed.

Pure functions (no web3, no reflex) so every sentence can be reviewed and tested
in one place. Addresses are shown short with the full value available to the
caller; custom errors are explained (services.revert_text) rather than printed
as Solidity.
"""

from __future__ import annotations

from coop_dashboard.evm import ZERO_ADDRESS
from coop_dashboard.services.display import short_address
from coop_dashboard.services.revert_text import RevertLike, known_reason, shown_call

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


def explain_revert(revert: RevertLike) -> str:
    """A sentence for a decoded revert, e.g. "The contract refused the transaction: only ..."."""
    if revert.name == "Error":
        reason = str(revert.args[0] if revert.args else "").strip()
        if reason in ("", "execution reverted"):
            return "The contract refused the transaction without giving a reason."
        return f"The contract refused the transaction: {reason}."
    if revert.name == "Panic":
        shown = revert.args[0] if revert.args else "?"
        return f"The contract failed with an internal error ({shown})."
    known = known_reason(revert)
    if known is not None:
        return f"The contract refused the transaction: {known}."
    return f"The contract refused the transaction ({shown_call(revert)})."


OUT_OF_GAS = (
    "The transaction ran out of gas and changed nothing (the fee was still paid). "
    "Try again; if it keeps failing, raise the gas limit in your wallet."
)
FAILED_WITHOUT_REASON = (
    "The transaction failed on chain and changed nothing; the chain gave no reason."
)

"""What the wallet bridge answered, turned into something a person can act on.

Every bridge function resolves to `{ok: true, ...}` or `{ok: false, code,
message, data}`: `code` is an EIP-1193 / JSON-RPC error code from the wallet
(4001 user rejected, 4902 unknown chain, -32002 request pending, ...) or one of
the bridge's own names ("no_wallet", "wrong_chain", ...). Pure functions: the
revert decoder is passed in, so this module needs neither web3 nor reflex.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from coop_dashboard.auth.addresses import shown
from coop_dashboard.services.display import short_address
from coop_dashboard.services.tx_text import chain_name

USER_REJECTED = 4001
UNAUTHORIZED = 4100
UNSUPPORTED_METHOD = 4200
DISCONNECTED = 4900
CHAIN_DISCONNECTED = 4901
UNKNOWN_CHAIN = 4902
REQUEST_PENDING = -32002

INSTALL_A_WALLET = (
    "No browser wallet was found. Install MetaMask or Rabby (or any wallet that "
    "supports EIP-6963) in this browser, then reload this page."
)

# Decodes raw revert data (0x...) into a sentence, or None when it is not a known error.
RevertExplainer = Callable[[str], str | None]


@dataclass(frozen=True)
class WalletProblem:
    """Why a wallet request did not go through.

    `kind` lets the UI offer the right next step (e.g. a "Switch network" button
    for "wrong_chain"); `title` and `message` are shown as they are.
    """

    kind: str
    title: str
    message: str


def _code(result: Mapping[str, Any]) -> int | str:
    code = result.get("code")
    if isinstance(code, bool):  # bool is an int in Python; never a wallet code
        return "unknown"
    if isinstance(code, int):
        return code
    if isinstance(code, str):
        try:
            return int(code)
        except ValueError:
            return code
    return "unknown"


def _message(result: Mapping[str, Any]) -> str:
    raw = result.get("message")
    return shown(raw, 200) if isinstance(raw, str) else ""


def _data(result: Mapping[str, Any]) -> Mapping[str, Any]:
    data = result.get("data")
    return data if isinstance(data, Mapping) else {}


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value, 0)
        except ValueError:
            return None
    return None


def wallet_problem(
    result: Mapping[str, Any],
    *,
    action: str,
    expected_chain_id: int,
    explain_revert_data: RevertExplainer | None = None,
) -> WalletProblem:
    """The problem in a failed bridge `result`; `action` names what was asked
    ("sign the sign-in message", "send the transaction")."""
    code = _code(result)
    message = _message(result)
    data = _data(result)
    lowered = message.lower()

    if code == USER_REJECTED:
        nothing = "nothing was sent" if "transaction" in action else "nothing was signed"
        return WalletProblem(
            "rejected",
            "Rejected in your wallet",
            f"You declined to {action} in your wallet, so {nothing}.",
        )
    if code == "no_wallet":
        return WalletProblem("no_wallet", "No wallet found", INSTALL_A_WALLET)
    if code == "bridge_missing":
        return WalletProblem(
            "bridge_missing",
            "Wallet connection not ready",
            "The page's wallet script did not load. Reload the page and try again.",
        )
    if code == "wrong_chain" or code == UNKNOWN_CHAIN:
        return wrong_chain_problem(_int(data.get("chainId")), expected_chain_id)
    if code == "not_connected" or code == UNAUTHORIZED:
        return WalletProblem(
            "not_connected",
            "Wallet not connected",
            "Your wallet is not connected to this site. Connect it (button at the top "
            "right) and try again.",
        )
    if code == "account_mismatch":
        wallet_account = data.get("account")
        expected = data.get("expected")
        detail = ""
        if isinstance(wallet_account, str) and isinstance(expected, str):
            detail = (
                f" Your wallet has {short_address(wallet_account)} selected; this needs "
                f"{short_address(expected)}."
            )
        return WalletProblem(
            "account_mismatch",
            "Another account is selected",
            "The account selected in your wallet is not the one signed in here." + detail,
        )
    if code == "choose_wallet":
        return WalletProblem(
            "choose_wallet", "Choose a wallet", "Several wallets are installed; pick one."
        )
    if code == "unknown_wallet":
        return WalletProblem(
            "unknown_wallet",
            "Wallet not found",
            "The wallet you picked is no longer available. Reload the page and connect again.",
        )
    if code == REQUEST_PENDING:
        return WalletProblem(
            "pending",
            "Your wallet is waiting for you",
            "Your wallet already has a request open for this site. Open the wallet, "
            "answer it, then try again.",
        )
    if code in (DISCONNECTED, CHAIN_DISCONNECTED):
        return WalletProblem(
            "disconnected",
            "Wallet disconnected",
            "Your wallet lost its connection to the network. Check the wallet, then try again.",
        )
    if code == UNSUPPORTED_METHOD:
        return WalletProblem(
            "unsupported",
            "Not supported by your wallet",
            f"Your wallet cannot {action}. Try another wallet (e.g. MetaMask or Rabby).",
        )
    if "insufficient funds" in lowered:
        return WalletProblem(
            "insufficient_funds",
            "Not enough ETH for gas",
            "Your account does not hold enough ETH to pay for this transaction's gas. "
            "Add ETH to it, then try again. Nothing was sent.",
        )
    revert_data = data.get("revertData")
    if isinstance(revert_data, str) and explain_revert_data is not None:
        explained = explain_revert_data(revert_data)
        if explained is not None:
            return WalletProblem("reverted", "The transaction would fail", explained)
    if "revert" in lowered:
        return WalletProblem(
            "reverted",
            "The transaction would fail",
            f"Your wallet expects the contract to refuse this transaction ({message}). "
            "Nothing was sent.",
        )
    detail = f": {message}" if message else ""
    return WalletProblem(
        "wallet_error",
        "Wallet error",
        f"Your wallet could not {action}{detail}.",
    )


def wrong_chain_problem(wallet_chain_id: int | None, expected_chain_id: int) -> WalletProblem:
    """The wallet is on another network than the dashboard."""
    where = chain_name(wallet_chain_id) if wallet_chain_id else "another network"
    return WalletProblem(
        "wrong_chain",
        "Wrong network",
        f"Your wallet is on {where}, but this dashboard runs on "
        f"{chain_name(expected_chain_id)}. Switch your wallet's network to continue.",
    )

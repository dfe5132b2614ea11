"""Every way a wallet request fails becomes a sentence with a next step."""

from __future__ import annotations

from typing import Any

import pytest

from coop_dashboard.services.wallet_errors import INSTALL_A_WALLET, wallet_problem

CHAIN = 31337
SEND = "send the transaction"
SIGN = "sign the sign-in message"


def _problem(result: dict[str, Any], action: str = SEND, **kwargs: Any) -> tuple[str, str, str]:
    problem = wallet_problem(result, action=action, expected_chain_id=CHAIN, **kwargs)
    return problem.kind, problem.title, problem.message


def test_user_rejection_of_a_transaction_says_nothing_was_sent() -> None:
    assert _problem({"ok": False, "code": 4001, "message": "User rejected the request."}) == (
        "rejected",
        "Rejected in your wallet",
        "You declined to send the transaction in your wallet, so nothing was sent.",
    )


def test_user_rejection_of_a_signature_says_nothing_was_signed() -> None:
    kind, _, message = _problem({"ok": False, "code": 4001}, SIGN)
    assert kind == "rejected"
    assert (
        message == "You declined to sign the sign-in message in your wallet, so nothing was signed."
    )


def test_no_wallet_says_what_to_install() -> None:
    kind, title, message = _problem({"ok": False, "code": "no_wallet"}, "connect")
    assert (kind, title, message) == ("no_wallet", "No wallet found", INSTALL_A_WALLET)
    assert "MetaMask" in message and "Rabby" in message and "EIP-6963" in message


@pytest.mark.parametrize("code", ["wrong_chain", 4902])
def test_wrong_chain_names_both_chains(code: object) -> None:
    kind, title, message = _problem({"ok": False, "code": code, "data": {"chainId": 1}})
    assert (kind, title) == ("wrong_chain", "Wrong network")
    assert message == (
        "Your wallet is on Ethereum (chain 1), but this dashboard runs on Local development "
        "chain (chain 31337). Switch your wallet's network to continue."
    )


def test_wrong_chain_without_the_wallets_chain_still_reads() -> None:
    _, _, message = _problem({"ok": False, "code": "wrong_chain"})
    assert message.startswith("Your wallet is on another network")


@pytest.mark.parametrize(
    "message",
    [
        "insufficient funds for gas * price + value: have 0 want 2100000",
        "Insufficient funds for gas",
    ],
)
def test_insufficient_funds(message: str) -> None:
    kind, title, text = _problem({"ok": False, "code": -32000, "message": message})
    assert (kind, title) == ("insufficient_funds", "Not enough ETH for gas")
    assert "Nothing was sent" in text


def test_revert_data_from_the_wallet_is_decoded_server_side() -> None:
    decoded: list[str] = []

    def explain(data: str) -> str | None:
        decoded.append(data)
        return "The contract refused the transaction: only governance may do this."

    kind, title, message = _problem(
        {
            "ok": False,
            "code": -32603,
            "message": "execution reverted",
            "data": {"revertData": "0x118cdaa7"},
        },
        explain_revert_data=explain,
    )
    assert decoded == ["0x118cdaa7"]
    assert (kind, title) == ("reverted", "The transaction would fail")
    assert message == "The contract refused the transaction: only governance may do this."


def test_an_undecodable_revert_keeps_the_wallets_words() -> None:
    kind, _, message = _problem(
        {"ok": False, "code": -32603, "message": "execution reverted: nope"},
        explain_revert_data=lambda data: None,
    )
    assert kind == "reverted"
    assert "execution reverted: nope" in message and "Nothing was sent" in message


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (-32002, "pending"),
        (4100, "not_connected"),
        ("not_connected", "not_connected"),
        (4200, "unsupported"),
        (4900, "disconnected"),
        (4901, "disconnected"),
        ("account_mismatch", "account_mismatch"),
        ("bridge_missing", "bridge_missing"),
        ("unknown_wallet", "unknown_wallet"),
        ("4001", "rejected"),  # codes arrive as strings from some wallets
    ],
)
def test_known_codes(code: object, kind: str) -> None:
    assert _problem({"ok": False, "code": code, "message": "x"})[0] == kind


def test_unknown_errors_quote_the_wallet_safely() -> None:
    kind, title, message = _problem(
        {"ok": False, "code": 1234, "message": "weird\nthing" + "x" * 500}
    )
    assert (kind, title) == ("wallet_error", "Wallet error")
    assert "\n" not in message
    assert len(message) < 300


def test_a_boolean_code_is_not_taken_for_a_number() -> None:
    assert _problem({"ok": False, "code": True})[0] == "wallet_error"


def test_account_mismatch_names_both_accounts() -> None:
    _, _, message = _problem(
        {
            "ok": False,
            "code": "account_mismatch",
            "data": {
                "account": "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
                "expected": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
            },
        }
    )
    assert "0x90f7…b906" in message and "0x7099…79C8" in message

"""assets/wallet_bridge.js against scripted wallets (node, no browser).

The browser tests drive the bridge end to end with one well-behaved wallet;
these cover what real wallets do differently: several announcing at once,
only window.ethereum, MetaMask Mobile's nested 4902, revert data buried in
error.data, events arriving while no one listens.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from coop_dashboard.config import PROJECT_ROOT

HERE = Path(__file__).parent
BRIDGE = PROJECT_ROOT / "assets" / "wallet_bridge.js"

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


@pytest.fixture(scope="module")
def outcomes() -> dict[str, Any]:
    completed = subprocess.run(
        ["node", str(HERE / "bridge_scenarios.mjs"), str(BRIDGE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    results: dict[str, Any] = json.loads(completed.stdout)
    crashed = {name: r["crashed"] for name, r in results.items() if "crashed" in r}
    assert not crashed, crashed
    return results


def test_no_wallet(outcomes: dict[str, Any]) -> None:
    assert outcomes["noWallet"]["ok"] is False
    assert outcomes["noWallet"]["code"] == "no_wallet"


def test_several_wallets_ask_to_choose_then_connect_the_choice(outcomes: dict[str, Any]) -> None:
    result = outcomes["severalWallets"]
    assert result["choose"]["code"] == "choose_wallet"
    assert [w["id"] for w in result["choose"]["data"]["wallets"]] == ["org.alpha", "org.beta"]
    picked = result["picked"]
    assert picked["ok"] is True
    assert picked["account"] == "0xbbb0000000000000000000000000000000000002"  # lower-cased
    assert picked["chainId"] == 1
    assert picked["wallet"] == {
        "id": "org.beta",
        "name": "Beta",
        "icon": "data:image/svg+xml;base64,AA",
    }
    assert result["remembered"] == "org.beta"
    assert result["alphaCalls"] == 0  # the other wallet was never asked anything


def test_window_ethereum_is_the_fallback(outcomes: dict[str, Any]) -> None:
    result = outcomes["legacyOnly"]
    assert result["ok"] is True
    assert result["wallet"]["id"] == "injected"
    assert result["wallet"]["name"] == "MetaMask"


def test_restore_reconnects_without_a_prompt(outcomes: dict[str, Any]) -> None:
    result = outcomes["restoreAfterReload"]
    assert result["restored"]["account"] == "0xabc0000000000000000000000000000000000001"
    assert "eth_requestAccounts" not in result["methods"]
    assert result["methods"] == ["eth_accounts", "eth_chainId"]


def test_switch_adds_an_unknown_chain_then_switches(outcomes: dict[str, Any]) -> None:
    result = outcomes["switchAddsUnknownChain"]
    assert result["result"]["ok"] is True
    assert result["result"]["chainId"] == 31337
    assert result["added"] == {
        "chainId": "0x7a69",
        "chainName": "Local",
        "rpcUrls": ["http://127.0.0.1:8545"],
        "nativeCurrency": {"name": "Ether", "symbol": "ETH", "decimals": 18},
    }


def test_a_nested_4902_is_recognised_and_a_refused_add_reported(outcomes: dict[str, Any]) -> None:
    result = outcomes["switchNestedMobileError"]
    assert result["methods"][-2:] == ["wallet_switchEthereumChain", "wallet_addEthereumChain"]
    assert result["result"]["ok"] is False
    assert result["result"]["code"] == 4001


def test_events_reach_exactly_one_watcher(outcomes: dict[str, Any]) -> None:
    result = outcomes["eventsLongPoll"]
    assert result["superseded"] == {"ok": True, "superseded": True}
    assert result["changed"]["event"] is True
    assert result["changed"]["account"] == "0xddd0000000000000000000000000000000000004"
    # A change with nobody watching is kept and reported to the next watcher at once.
    assert result["queued"]["chainId"] == 1


def test_send_checks_chain_and_account_and_keeps_revert_data(outcomes: dict[str, Any]) -> None:
    result = outcomes["sendChecksChainAccountAndKeepsRevertData"]
    assert result["wrongChain"]["code"] == "wrong_chain"
    assert result["wrongChain"]["data"] == {"chainId": 31337}
    assert result["otherAccount"]["code"] == "account_mismatch"
    reverted = result["reverted"]
    assert reverted["ok"] is False and reverted["code"] == -32603
    assert reverted["data"]["revertData"].startswith("0x118cdaa7")


def test_personal_sign_sends_utf8_as_hex(outcomes: dict[str, Any]) -> None:
    result = outcomes["personalSignSendsUtf8Hex"]
    assert result == {"ok": True, "signature": "0xsig:0x" + "héllo\n".encode().hex()}

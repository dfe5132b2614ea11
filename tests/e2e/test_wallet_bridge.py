"""The wallet bridge in a browser: finding the wallet (none, several, legacy), the wrong
chain, following the wallet's events, and typed-data signatures a contract accepts."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from web3 import Web3

from coop_dashboard.chain.transact import Sender
from tests.e2e.app_server import AppServer
from tests.e2e.conftest import MakeWallet
from tests.e2e.flows import STEP_TIMEOUT_MS, connect, expect_signed_in
from tests.e2e.wallet import install_wallets
from tests.support.chains import SeededChain

pytestmark = pytest.mark.e2e

AMARA, BJORN = 1, 2
JONAS = 10  # delegates to Elif; re-delegates to himself by signature below
ETHEREUM_MAINNET = 1


def test_without_a_wallet_the_page_says_what_to_install(wallet_app: AppServer, page: Page) -> None:
    page.goto(wallet_app.url)

    page.locator("#connect-wallet").click()

    problem = page.locator("#wallet-problem")
    expect(problem).to_contain_text("No wallet found", timeout=STEP_TIMEOUT_MS)
    expect(problem).to_contain_text("Install MetaMask or Rabby")
    expect(problem).to_contain_text("EIP-6963")


def test_with_several_wallets_the_person_picks_one(
    wallet_app: AppServer, make_wallet: MakeWallet, page: Page
) -> None:
    alpha = make_wallet(AMARA, name="Alpha Wallet", rdns="org.example.alpha")
    beta = make_wallet(BJORN, name="Beta Wallet", rdns="org.example.beta")
    install_wallets(page, alpha, beta)
    page.goto(wallet_app.url)

    page.locator("#connect-wallet").click()
    picker = page.locator("#wallet-picker")
    expect(picker).to_be_visible(timeout=STEP_TIMEOUT_MS)
    expect(picker.locator(".wallet-choice")).to_have_count(2)
    picker.get_by_role("button", name="Beta Wallet").click()

    expect(page.locator("#wallet-account")).to_have_attribute(
        "data-address", beta.address, timeout=STEP_TIMEOUT_MS
    )
    assert alpha.count("eth_requestAccounts") == 0
    assert beta.count("eth_requestAccounts") == 1
    # The choice is remembered: a reload reconnects to Beta without asking again.
    page.reload()
    expect(page.locator("#wallet-account")).to_have_attribute(
        "data-address", beta.address, timeout=STEP_TIMEOUT_MS
    )
    assert beta.count("eth_requestAccounts") == 1


def test_a_wallet_that_only_injects_window_ethereum_is_found(
    wallet_app: AppServer, make_wallet: MakeWallet, page: Page
) -> None:
    wallet = make_wallet(AMARA, legacy=True)
    install_wallets(page, wallet)
    # Drop the EIP-6963 announcement: only window.ethereum remains, as with older wallets.
    page.add_init_script(
        "window.addEventListener('eip6963:announceProvider', (e) => e.stopImmediatePropagation(),"
        " {capture: true});"
    )
    page.goto(wallet_app.url)

    connect(page, wallet)


def test_wrong_chain_prompts_a_switch_that_adds_and_switches(
    wallet_app: AppServer, wallet_chain: SeededChain, make_wallet: MakeWallet, page: Page
) -> None:
    # The wallet sits on Ethereum and has never heard of the dashboard's chain.
    wallet = make_wallet(AMARA, chain_id=ETHEREUM_MAINNET)
    install_wallets(page, wallet)
    page.goto(wallet_app.url)
    connect(page, wallet)

    switch = page.locator("#switch-network")
    expect(switch).to_be_visible(timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#sign-in")).to_have_count(0)  # no sign-in on the wrong chain
    switch.click()

    expect(switch).to_have_count(0, timeout=STEP_TIMEOUT_MS)
    assert wallet.chain_id == wallet_chain.chain_id
    switches = [m for m, _ in wallet.requests if m == "wallet_switchEthereumChain"]
    assert len(switches) == 2  # refused with 4902, then again after adding the chain
    (added,) = wallet.added_chains
    assert int(added["chainId"], 16) == wallet_chain.chain_id
    assert added["rpcUrls"] == [wallet_chain.rpc_url]
    page.locator("#sign-in").click()
    expect_signed_in(page, Web3.to_checksum_address(wallet.address))


def test_a_chain_change_in_the_wallet_is_followed(
    wallet_app: AppServer, wallet_chain: SeededChain, make_wallet: MakeWallet, page: Page
) -> None:
    wallet = make_wallet(AMARA)
    install_wallets(page, wallet)
    page.goto(wallet_app.url)
    connect(page, wallet)
    expect(page.locator("#sign-in")).to_be_visible()

    wallet.chain_id = ETHEREUM_MAINNET  # the person switches network in the wallet
    wallet.emit("chainChanged", hex(ETHEREUM_MAINNET))
    expect(page.locator("#switch-network")).to_be_visible(timeout=STEP_TIMEOUT_MS)

    wallet.chain_id = wallet_chain.chain_id
    wallet.emit("chainChanged", hex(wallet_chain.chain_id))
    expect(page.locator("#switch-network")).to_have_count(0, timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#sign-in")).to_be_visible()


def test_typed_data_signed_through_the_bridge_is_accepted_by_the_token(
    wallet_app: AppServer, wallet_chain: SeededChain, make_wallet: MakeWallet, page: Page
) -> None:
    """eth_signTypedData_v4 end to end: an EIP-712 delegation signed in the browser,
    relayed by someone else, accepted by CoopToken.delegateBySig."""
    wallet = make_wallet(JONAS)
    install_wallets(page, wallet)
    page.goto(wallet_app.url)
    connect(page, wallet)
    token = wallet_chain.deployment.contract(wallet_chain.w3, "CoopToken")
    _, name, version, chain_id, verifying_contract, _, _ = token.functions.eip712Domain().call()
    nonce = token.functions.nonces(wallet.address).call()
    expiry = wallet_chain.w3.eth.get_block("latest")["timestamp"] + 3600
    typed_data = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Delegation": [
                {"name": "delegatee", "type": "address"},
                {"name": "nonce", "type": "uint256"},
                {"name": "expiry", "type": "uint256"},
            ],
        },
        "primaryType": "Delegation",
        "domain": {
            "name": name,
            "version": version,
            "chainId": chain_id,
            "verifyingContract": verifying_contract,
        },
        "message": {"delegatee": wallet.address, "nonce": nonce, "expiry": expiry},
    }

    answer = page.evaluate(
        "([address, data]) => window.coopWallet.signTypedData(address, data)",
        [wallet.address, typed_data],
    )

    assert answer["ok"] is True
    signature = bytes.fromhex(answer["signature"][2:])
    r, s_, v = signature[:32], signature[32:64], signature[64]
    relayer = Sender.unlocked(wallet_chain.w3, wallet_chain.w3.eth.accounts[0])
    relayer.call(
        token.functions.delegateBySig(wallet.address, nonce, expiry, v, r, s_),
        what="relay a signed delegation",
    )
    assert token.functions.delegates(wallet.address).call() == wallet.address


def test_a_request_right_after_a_reload_waits_for_the_wallet_to_reconnect(
    wallet_app: AppServer, make_wallet: MakeWallet, page: Page
) -> None:
    # A click just after a reload reaches the bridge while its restore() still looks
    # for the remembered wallet: it must wait for it, not answer "not connected".
    wallet = make_wallet(AMARA)
    install_wallets(page, wallet)
    page.goto(wallet_app.url)
    connect(page, wallet)
    page.goto(wallet_app.url, wait_until="domcontentloaded")
    page.wait_for_function("window.coopWallet !== undefined")
    result = page.evaluate(
        """async (address) => {
            const restored = window.coopWallet.restore();
            const signed = window.coopWallet.personalSign("after a reload", address);
            return [await restored, await signed];
        }""",
        wallet.address,
    )
    restored, signed = result
    assert restored["ok"] and restored["account"].lower() == wallet.address.lower()
    assert signed["ok"], signed
    assert signed["signature"].startswith("0x")

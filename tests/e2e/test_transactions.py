"""Real transactions from the browser: built by the server, signed and sent by the wallet,
followed to their receipt, and reflected on the page (checked against the chain)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from eth_account import Account
from playwright.sync_api import Page, expect
from web3 import Web3

from coop_dashboard.chain.transact import Sender
from tests.e2e.app_server import AppServer
from tests.e2e.conftest import MakeWallet
from tests.e2e.flows import (
    STEP_TIMEOUT_MS,
    connect,
    delegate_of,
    exact,
    sign_in,
    votes_of,
)
from tests.e2e.wallet import TestWallet, anvil_key, install_wallets
from tests.support.chains import SeededChain

pytestmark = pytest.mark.e2e

# Seeded members (anvil accounts), each used by one test so the tests stay independent.
CHEN = 3  # self-delegated delegate
DANA = 4  # delegates to Amara
FARID = 6  # delegates to Bjorn
GRACE = 7  # delegates to Amara
HIRO = 8  # self-delegated
INES = 9  # pays a new member some tokens
KAVYA = 11  # 40,000 COOP, never delegated: no voting power
LUCA = 12  # 25,000 COOP, never delegated
ZERO = "0x" + "0" * 40
ETHEREUM_MAINNET = 1


def _nonce(chain: SeededChain, address: str) -> int:
    return chain.w3.eth.get_transaction_count(Web3.to_checksum_address(address))


def _open_account(page: Page, app: AppServer, wallet: TestWallet) -> None:
    install_wallets(page, wallet)
    page.goto(app.url + "/account")
    sign_in(page, wallet)
    expect(page.locator("#account-votes")).to_be_visible(timeout=STEP_TIMEOUT_MS)


def _expect_done(page: Page) -> None:
    expect(page.locator("#tx-status")).to_have_attribute(
        "data-phase", "done", timeout=STEP_TIMEOUT_MS
    )


def test_self_delegation_is_sent_confirmed_and_shown(
    wallet_app: AppServer, wallet_chain: SeededChain, make_wallet: MakeWallet, page: Page
) -> None:
    wallet = make_wallet(KAVYA)
    _open_account(page, wallet_app, wallet)
    assert votes_of(wallet_chain, wallet.address) == 0
    assert Decimal(exact(page, "account-votes")) == 0
    expect(page.locator("#account-delegate")).to_have_text("Nobody")

    page.locator("#delegate-self").click()

    status = page.locator("#tx-status")
    expect(page.locator("#tx-description")).to_have_text(
        f"Delegate your votes to yourself ({wallet.address[:6]}…{wallet.address[-4:]})",
        timeout=STEP_TIMEOUT_MS,
    )
    _expect_done(page)
    (tx_hash,) = wallet.sent
    receipt = wallet_chain.w3.eth.get_transaction_receipt(tx_hash)
    assert receipt["status"] == 1
    assert exact(page, "tx-hash") == tx_hash
    expect(page.locator("#tx-block")).to_have_text(f"{receipt['blockNumber']:,}")
    expect(page.locator("#tx-gas")).to_have_text(f"{receipt['gasUsed']:,}")
    expect(status).to_contain_text("refreshed")
    # The page and the header show what the chain now says: 40,000 votes, self-delegated.
    on_chain = votes_of(wallet_chain, wallet.address)
    assert on_chain == Decimal(40_000)
    expect(page.locator("#account-votes")).to_have_attribute(
        "data-value", str(int(on_chain)), timeout=STEP_TIMEOUT_MS
    )
    expect(page.locator("#header-votes")).to_have_attribute("data-value", str(int(on_chain)))
    expect(page.locator("#account-delegate")).to_have_text("Yourself")


def test_a_double_click_sends_one_transaction(
    wallet_app: AppServer, wallet_chain: SeededChain, make_wallet: MakeWallet, page: Page
) -> None:
    wallet = make_wallet(LUCA)
    _open_account(page, wallet_app, wallet)
    nonce_before = _nonce(wallet_chain, wallet.address)

    # Two clicks in the same tick reach the server before the button can disable:
    # only the server's guard stands between them and a second transaction.
    page.locator("#delegate-self").evaluate("(button) => { button.click(); button.click(); }")
    page.locator("#delegate-self").dblclick(force=True)

    _expect_done(page)
    page.wait_for_timeout(1_000)  # let any straggling second write surface
    assert wallet.count("eth_sendTransaction") == 1
    assert len(wallet.sent) == 1
    assert _nonce(wallet_chain, wallet.address) == nonce_before + 1
    assert delegate_of(wallet_chain, wallet.address) == wallet.address


def test_a_transaction_rejected_in_the_wallet_sends_nothing(
    wallet_app: AppServer, wallet_chain: SeededChain, make_wallet: MakeWallet, page: Page
) -> None:
    wallet = make_wallet(DANA, rejecting={"eth_sendTransaction"})
    _open_account(page, wallet_app, wallet)
    nonce_before = _nonce(wallet_chain, wallet.address)
    delegate_before = delegate_of(wallet_chain, wallet.address)

    page.locator("#delegate-self").click()

    status = page.locator("#tx-status")
    expect(status).to_have_attribute("data-phase", "failed", timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#tx-problem-title")).to_have_text("Rejected in your wallet")
    expect(page.locator("#tx-problem")).to_have_text(
        "You declined to send the transaction in your wallet, so nothing was sent."
    )
    assert _nonce(wallet_chain, wallet.address) == nonce_before
    assert delegate_of(wallet_chain, wallet.address) == delegate_before
    # Dismissed, the panel goes; the next attempt goes through.
    page.locator("#tx-dismiss").click()
    expect(status).to_have_count(0)
    wallet.rejecting.clear()
    page.locator("#delegate-self").click()
    _expect_done(page)
    assert delegate_of(wallet_chain, wallet.address) == wallet.address


MALFORMED = [
    ("0x1234", "is not an Ethereum address: expected 0x followed by 40 hexadecimal digits"),
    ("hello", "is not an Ethereum address"),
    (ZERO, "That is the zero address"),
    # anvil account 3 with one letter's case flipped: a typo the EIP-55 checksum catches.
    ("0x90F79bf6EB2c4f870365E785982E1f101E93b906".replace("EB2c", "Eb2c"), "checksum"),
    ("", "Enter an address"),
]


def test_malformed_delegate_addresses_are_refused_before_the_wallet(
    wallet_app: AppServer, make_wallet: MakeWallet, page: Page
) -> None:
    wallet = make_wallet(FARID)
    _open_account(page, wallet_app, wallet)
    error = page.locator("#delegate-input-error")

    for typed, reason in MALFORMED:
        page.locator("#delegate-input").fill(typed)
        page.locator("#delegate-to-address").click()
        expect(error).to_contain_text(reason, timeout=STEP_TIMEOUT_MS)
        # Typing again clears the message, so the next check sees a fresh one.
        page.locator("#delegate-input").fill("0x")
        expect(error).to_have_count(0, timeout=STEP_TIMEOUT_MS)

    expect(page.locator("#tx-status")).to_have_count(0)
    assert wallet.count("eth_sendTransaction") == 0


def test_without_eth_for_gas_the_wallet_error_is_explained(
    wallet_app: AppServer, wallet_chain: SeededChain, make_wallet: MakeWallet, page: Page
) -> None:
    # A member with tokens but no ETH at all: the node refuses the signed transaction.
    member = Account.create()
    ines = Sender.unlocked(wallet_chain.w3, str(anvil_key(INES).address))
    token = wallet_chain.deployment.contract(wallet_chain.w3, "CoopToken")
    ines.call(token.functions.transfer(member.address, 1_000 * 10**18), what="tokens, no ETH")
    wallet = TestWallet(wallet_chain.rpc_url, chain_id=wallet_chain.chain_id, keys=[member])
    _open_account(page, wallet_app, wallet)
    expect(page.locator("#account-eth")).to_have_attribute("data-value", "0")

    page.locator("#delegate-self").click()

    expect(page.locator("#tx-status")).to_have_attribute(
        "data-phase", "failed", timeout=STEP_TIMEOUT_MS
    )
    expect(page.locator("#tx-problem-title")).to_have_text("Not enough ETH for gas")
    expect(page.locator("#tx-problem")).to_contain_text("Nothing was sent")
    assert wallet.sent == []
    assert _nonce(wallet_chain, member.address) == 0


def test_header_figures_follow_the_chain_without_a_reload(
    wallet_app: AppServer, wallet_chain: SeededChain, page: Page
) -> None:
    # Tokens arrive from someone else while the page stays open: the live-data hub
    # pushes the new balance when the block is indexed; no timer, no reload, no write
    # from this tab.
    member = Account.create()
    wallet = TestWallet(wallet_chain.rpc_url, chain_id=wallet_chain.chain_id, keys=[member])
    _open_account(page, wallet_app, wallet)
    expect(page.locator("#header-balance")).to_have_attribute("data-value", "0")

    ines = Sender.unlocked(wallet_chain.w3, str(anvil_key(INES).address))
    token = wallet_chain.deployment.contract(wallet_chain.w3, "CoopToken")
    ines.call(token.functions.transfer(member.address, 250 * 10**18), what="tokens arrive")
    expect(page.locator("#header-balance")).to_have_attribute(
        "data-value", "250", timeout=STEP_TIMEOUT_MS
    )


def test_on_the_wrong_chain_the_write_offers_the_switch(
    wallet_app: AppServer, wallet_chain: SeededChain, make_wallet: MakeWallet, page: Page
) -> None:
    wallet = make_wallet(GRACE)
    _open_account(page, wallet_app, wallet)
    wallet.chain_id = ETHEREUM_MAINNET  # the person switches network in the wallet
    wallet.emit("chainChanged", hex(ETHEREUM_MAINNET))
    expect(page.locator("#switch-network")).to_be_visible(timeout=STEP_TIMEOUT_MS)

    page.locator("#delegate-self").click()

    expect(page.locator("#tx-status")).to_have_attribute(
        "data-phase", "failed", timeout=STEP_TIMEOUT_MS
    )
    expect(page.locator("#tx-problem-title")).to_have_text("Wrong network")
    expect(page.locator("#tx-problem")).to_contain_text("Your wallet is on Ethereum (chain 1)")
    assert wallet.count("eth_sendTransaction") == 0
    page.locator("#tx-switch-network").click()
    expect(page.locator("#switch-network")).to_have_count(0, timeout=STEP_TIMEOUT_MS)
    page.locator("#tx-dismiss").click()
    page.locator("#delegate-self").click()
    _expect_done(page)
    assert delegate_of(wallet_chain, wallet.address) == wallet.address


def test_delegating_to_another_member_moves_the_votes(
    wallet_app: AppServer, wallet_chain: SeededChain, make_wallet: MakeWallet, page: Page
) -> None:
    wallet = make_wallet(FARID)
    chen = str(anvil_key(CHEN).address)
    chen_votes_before = votes_of(wallet_chain, chen)
    balance = Decimal(
        wallet_chain.deployment.contract(wallet_chain.w3, "CoopToken")
        .functions.balanceOf(wallet.address)
        .call()
    ).scaleb(-18)
    _open_account(page, wallet_app, wallet)

    page.locator("#delegate-input").fill(chen.lower())
    page.locator("#delegate-to-address").click()

    expect(page.locator("#tx-description")).to_have_text(
        f"Delegate your votes to {chen[:6]}…{chen[-4:]}", timeout=STEP_TIMEOUT_MS
    )
    _expect_done(page)
    assert delegate_of(wallet_chain, wallet.address) == chen
    assert votes_of(wallet_chain, chen) == chen_votes_before + balance
    expect(page.locator("#account-delegate")).to_have_attribute(
        "data-value", chen, timeout=STEP_TIMEOUT_MS
    )


def test_a_reload_while_the_wallet_is_open_leaves_nothing_stuck(
    wallet_app: AppServer, wallet_chain: SeededChain, make_wallet: MakeWallet, page: Page
) -> None:
    wallet = make_wallet(HIRO)
    install_wallets(page, wallet)
    page.goto(wallet_app.url + "/account")
    connect(page, wallet)
    wallet.hang("personal_sign")
    page.locator("#sign-in").click()
    expect(page.locator("#sign-in")).to_be_disabled(timeout=STEP_TIMEOUT_MS)  # waiting

    page.reload()  # the wallet's popup dies with the page; the new page must not wait for it
    expect(page.locator("#sign-in")).to_be_enabled(timeout=STEP_TIMEOUT_MS)
    sign_in(page, wallet, connect_first=False)

    wallet.hang("eth_sendTransaction")
    page.locator("#delegate-self").click()
    expect(page.locator("#tx-status")).to_have_attribute(
        "data-phase", "wallet", timeout=STEP_TIMEOUT_MS
    )
    page.reload()
    expect(page.locator("#tx-status")).to_have_attribute(
        "data-phase", "failed", timeout=STEP_TIMEOUT_MS
    )
    expect(page.locator("#tx-problem-title")).to_have_text("Interrupted by a reload")
    page.locator("#tx-dismiss").click()
    page.locator("#delegate-self").click()
    _expect_done(page)
    assert len(wallet.sent) == 1

"""Steps the wallet tests share: connect, sign in, read the browser's session token."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import Page, expect
from web3 import Web3

from tests.e2e.app_server import AppServer
from tests.e2e.wallet import TestWallet, install_wallets
from tests.support.chains import SeededChain

SESSION_TOKEN_KEY = "coop.session"
# A wallet round trip is a few hundred ms; an app read after a tx a second or two.
STEP_TIMEOUT_MS = 20_000
_ANY = re.compile(r".+")


def connect(page: Page, wallet: TestWallet) -> None:
    """Open the header's connect flow and wait until the wallet's account shows."""
    page.locator("#connect-wallet").click()
    expect(page.locator("#wallet-account")).to_have_attribute(
        "data-address", Web3.to_checksum_address(wallet.address), timeout=STEP_TIMEOUT_MS
    )


def sign_in(page: Page, wallet: TestWallet, *, connect_first: bool = True) -> None:
    """Connect (unless already connected) and sign in; returns once the header shows it."""
    if connect_first:
        connect(page, wallet)
    page.locator("#sign-in").click()
    expect_signed_in(page, wallet.address)
    # The header says "signed in" only once the browser holds the token: a reload or
    # a navigation right now keeps the session.
    assert stored_token(page), "the header shows a session whose token is not stored yet"


def open_signed_in(page: Page, app: AppServer, path: str, wallet: TestWallet) -> None:
    """Install `wallet` in the page, open `path` of the app and sign in with it."""
    install_wallets(page, wallet)
    page.goto(app.url + path)
    sign_in(page, wallet)


def expect_tx_problem(page: Page, words: str) -> None:
    """The transaction panel failed (refused before or after the wallet) saying `words`."""
    expect(page.locator("#tx-status")).to_have_attribute(
        "data-phase", "failed", timeout=STEP_TIMEOUT_MS
    )
    expect(page.locator("#tx-problem")).to_contain_text(words)


def expect_signed_in(page: Page, address: str) -> None:
    expect(page.locator("#account-menu")).to_have_attribute(
        "data-address", Web3.to_checksum_address(address), timeout=STEP_TIMEOUT_MS
    )


def expect_signed_out(page: Page) -> None:
    expect(page.locator("#account-menu")).to_have_count(0, timeout=STEP_TIMEOUT_MS)


def stored_token(page: Page) -> str:
    """The session token the app keeps in this browser's localStorage ("" if none)."""
    value = page.evaluate("(key) => window.localStorage.getItem(key)", SESSION_TOKEN_KEY)
    return value or ""


def votes_of(chain: SeededChain, address: str) -> Decimal:
    """CoopToken.getVotes(address) in whole tokens, read straight from the chain."""
    token = chain.deployment.contract(chain.w3, "CoopToken").functions
    return Decimal(token.getVotes(Web3.to_checksum_address(address)).call()).scaleb(-18)


def delegate_of(chain: SeededChain, address: str) -> str:
    token = chain.deployment.contract(chain.w3, "CoopToken").functions
    return str(token.delegates(Web3.to_checksum_address(address)).call())


def exact(page: Page, element_id: str) -> str:
    """The exact value behind a shown figure (its data-value attribute)."""
    locator = page.locator(f"#{element_id}")
    expect(locator).to_have_attribute("data-value", _ANY, timeout=STEP_TIMEOUT_MS)
    return locator.get_attribute("data-value") or ""

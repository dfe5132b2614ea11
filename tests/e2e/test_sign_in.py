"""Sign-In with Ethereum in a real browser, with a wallet that signs with real keys.

The session is whatever the database says about the browser's token: these
tests check that from both sides (what the page shows, what the table holds).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import cast

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine
from web3.contract import Contract

from coop_dashboard.auth import lookup_session, open_session, sign_out
from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.transact import Sender
from coop_dashboard.db.engine import make_engine
from coop_dashboard.db.migrations import current_revision, head_revision
from coop_dashboard.db.utc_datetime import utc_now
from tests.e2e.app_server import AppServer
from tests.e2e.conftest import MakeWallet
from tests.e2e.flows import (
    SESSION_TOKEN_KEY,
    STEP_TIMEOUT_MS,
    connect,
    exact,
    expect_signed_in,
    expect_signed_out,
    sign_in,
    stored_token,
    votes_of,
)
from tests.e2e.wallet import anvil_key, install_wallets
from tests.support.chains import SeededChain

pytestmark = pytest.mark.e2e

AMARA, BJORN = 1, 2  # seeded members (anvil accounts 1 and 2), both delegates
CONTRACT_WALLET_OWNER = 15  # a funded anvil account that is no member


@pytest.fixture(scope="module")
def app_db(wallet_app: AppServer, wallet_app_database_url: str) -> Iterator[Engine]:
    """The served app's own database, to look at (and plant) session rows.

    The app migrates it in its own process; creating tables from here as well raced
    with that migration ("table ... already exists" on CI), so wait for its head.
    """
    engine = make_engine(wallet_app_database_url)
    deadline = time.monotonic() + 120
    while True:
        with engine.connect() as connection:
            if current_revision(connection) == head_revision():
                break
        assert time.monotonic() < deadline, "the app never migrated its database"
        time.sleep(0.2)
    yield engine
    engine.dispose()


def test_connect_sign_in_reload_and_sign_out(
    wallet_app: AppServer,
    wallet_chain: SeededChain,
    make_wallet: MakeWallet,
    app_db: Engine,
    page: Page,
) -> None:
    wallet = make_wallet(AMARA)
    install_wallets(page, wallet)
    page.goto(wallet_app.url)

    connect(page, wallet)
    expect(page.locator("#account-menu")).to_have_count(0)  # connected is not signed in
    sign_in(page, wallet, connect_first=False)
    assert wallet.count("personal_sign") == 1
    # The header shows the voting power the chain reports.
    assert Decimal(exact(page, "header-votes")) == votes_of(wallet_chain, wallet.address)
    token_contract = wallet_chain.deployment.contract(wallet_chain.w3, "CoopToken")
    balance = Decimal(token_contract.functions.balanceOf(wallet.address).call()).scaleb(-18)
    assert Decimal(exact(page, "header-balance")) == balance
    token = stored_token(page)
    session = lookup_session(app_db, token)
    assert session is not None and session.address == wallet.address

    page.reload()
    expect_signed_in(page, wallet.address)
    assert wallet.count("personal_sign") == 1  # no new signature after a reload
    assert wallet.count("eth_requestAccounts") == 1  # the wallet reconnected silently
    page.locator("#nav-account").click()
    expect(page.locator("#account-address")).to_have_attribute("data-address", wallet.address)

    page.locator("#account-menu").click()
    page.locator("#sign-out").click()
    expect_signed_out(page)
    expect(page.locator("#login-required")).to_be_visible()
    assert stored_token(page) == ""
    assert lookup_session(app_db, token) is None  # revoked in the database, not just forgotten


def test_navigating_the_moment_sign_in_shows_keeps_the_session(
    wallet_app: AppServer, make_wallet: MakeWallet, page: Page
) -> None:
    """The header changes only after the token is stored, so leaving the page at that
    very moment (a click, a reload) never loses the session."""
    wallet = make_wallet(BJORN)
    install_wallets(page, wallet)
    page.goto(wallet_app.url)
    for attempt in range(3):
        sign_in(page, wallet, connect_first=attempt == 0)
        page.goto(f"{wallet_app.url}/account")  # at once, no wait
        expect_signed_in(page, wallet.address)
        page.locator("#account-menu").click()
        page.locator("#sign-out").click()
        expect_signed_out(page)


def test_switching_account_in_the_wallet_ends_the_session(
    wallet_app: AppServer, make_wallet: MakeWallet, app_db: Engine, page: Page
) -> None:
    wallet = make_wallet(AMARA, BJORN)
    install_wallets(page, wallet)
    page.goto(wallet_app.url + "/account")
    sign_in(page, wallet)
    first = wallet.address
    token = stored_token(page)
    expect(page.locator("#account-address")).to_have_attribute("data-address", first)

    wallet.switch_account(1)

    notice = page.locator("#session-notice")
    expect(notice).to_contain_text("you were signed out", timeout=STEP_TIMEOUT_MS)
    expect(notice).to_contain_text(f"{first[:6]}…{first[-4:]}")
    expect_signed_out(page)
    expect(page.locator("#login-required")).to_be_visible()
    assert lookup_session(app_db, token) is None
    # The new account can sign in for itself.
    expect(page.locator("#wallet-account")).to_have_attribute("data-address", wallet.address)
    page.locator("#sign-in").click()
    expect_signed_in(page, wallet.address)


def test_after_moving_between_pages_by_links_the_wallet_and_other_tabs_are_followed(
    wallet_app: AppServer, make_wallet: MakeWallet, app_db: Engine, page: Page
) -> None:
    """A click on a link keeps the page's socket: the session check and the wallet restore
    are not run again (state/shell.py), the watches they armed on the first load are."""
    wallet = make_wallet(AMARA, BJORN)
    install_wallets(page, wallet)
    page.goto(wallet_app.url)
    sign_in(page, wallet)
    first = wallet.address
    for route in ("/proposals", "/delegates", "/account"):
        page.locator(f"#main-nav a[href='{route}']").click()
        page.wait_for_url(f"**{route}")
        expect_signed_in(page, first)
    expect(page.locator("#account-address")).to_have_attribute("data-address", first)
    # Moved by links only: the first load's socket, so the first load's watches.
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1

    # Another tab signs out: this tab follows through the token watch.
    token = stored_token(page)
    other = page.context.new_page()
    try:
        install_wallets(other, make_wallet(AMARA))  # its own wallet object, same account
        other.goto(wallet_app.url + "/account")
        expect_signed_in(other, first)
        other.locator("#account-menu").click()
        other.locator("#sign-out").click()
        expect_signed_out(other)
    finally:
        other.close()
    expect_signed_out(page)
    assert lookup_session(app_db, token) is None

    # Signed in again, moved by a link, then the wallet switches account: the wallet
    # watch armed on the first load still ends the session.
    page.locator("#sign-in").click()
    expect_signed_in(page, first)
    page.locator("#main-nav a[href='/proposals']").click()
    page.wait_for_url("**/proposals")
    wallet.switch_account(1)
    notice = page.locator("#session-notice")
    expect(notice).to_contain_text("you were signed out", timeout=STEP_TIMEOUT_MS)
    expect_signed_out(page)


def test_a_rejected_signature_is_explained_and_opens_no_session(
    wallet_app: AppServer, make_wallet: MakeWallet, page: Page
) -> None:
    wallet = make_wallet(AMARA, rejecting={"personal_sign"})
    install_wallets(page, wallet)
    page.goto(wallet_app.url)
    connect(page, wallet)

    page.locator("#sign-in").click()

    notice = page.locator("#session-notice")
    expect(notice).to_contain_text("Rejected in your wallet", timeout=STEP_TIMEOUT_MS)
    expect(notice).to_contain_text("declined to sign the sign-in message")
    expect(page.locator("#account-menu")).to_have_count(0)
    assert stored_token(page) == ""
    # The person can change their mind.
    wallet.rejecting.clear()
    page.locator("#sign-in").click()
    expect_signed_in(page, wallet.address)


@pytest.fixture(scope="module")
def contract_wallet(wallet_chain: SeededChain, compiled_artifacts: dict[str, Artifact]) -> Contract:
    """A MockContractWallet (EIP-1271) owned by a funded key."""
    w3 = wallet_chain.w3
    artifact = compiled_artifacts["MockContractWallet"]
    owner = anvil_key(CONTRACT_WALLET_OWNER)
    deployer = Sender.unlocked(w3, w3.eth.accounts[0])
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = deployer.deploy(factory.constructor(owner.address), what="MockContractWallet")
    return cast(Contract, w3.eth.contract(address=receipt["contractAddress"], abi=artifact.abi))


def _set_refuses_all(wallet_chain: SeededChain, contract: Contract, refuse: bool) -> None:
    owner = Sender.from_private_key(
        wallet_chain.w3, "0x" + anvil_key(CONTRACT_WALLET_OWNER).key.hex()
    )
    owner.call(contract.functions.setRefusesAll(refuse), what="set refusesAll")


@pytest.mark.parametrize("contract_vouches", [True, False], ids=["vouches", "refuses"])
def test_contract_wallet_sign_in_follows_the_contract(
    wallet_app: AppServer,
    wallet_chain: SeededChain,
    make_wallet: MakeWallet,
    contract_wallet: Contract,
    page: Page,
    contract_vouches: bool,
) -> None:
    _set_refuses_all(wallet_chain, contract_wallet, not contract_vouches)
    wallet = make_wallet(AMARA)
    wallet.use_contract_wallet(str(contract_wallet.address), anvil_key(CONTRACT_WALLET_OWNER))
    install_wallets(page, wallet)
    page.goto(wallet_app.url)
    connect(page, wallet)

    page.locator("#sign-in").click()

    if contract_vouches:
        expect_signed_in(page, str(contract_wallet.address))
    else:
        notice = page.locator("#session-notice")
        expect(notice).to_contain_text("Sign-in refused", timeout=STEP_TIMEOUT_MS)
        expect(notice).to_contain_text(f"not made by {contract_wallet.address}")
        expect(page.locator("#account-menu")).to_have_count(0)
        assert stored_token(page) == ""


def _planted_token(kind: str, engine: Engine, address: str, chain_id: int) -> str:
    if kind == "forged":
        return secrets.token_urlsafe(32)  # well-formed, never issued
    if kind == "expired":
        started = utc_now() - timedelta(days=2)
        return open_session(engine, address, chain_id, ttl=timedelta(hours=1), now=started).token
    issued = open_session(engine, address, chain_id).token
    if kind == "revoked":
        sign_out(engine, issued)
    return issued


@pytest.mark.parametrize("kind", ["valid", "forged", "expired", "revoked"])
def test_only_a_live_token_in_browser_storage_gives_access(
    wallet_app: AppServer,
    wallet_chain: SeededChain,
    app_db: Engine,
    page: Page,
    kind: str,
) -> None:
    """A token planted in localStorage counts only if the session table says it is live."""
    address = str(anvil_key(AMARA).address)
    token = _planted_token(kind, app_db, address, wallet_chain.chain_id)
    page.goto(wallet_app.url)
    page.evaluate(
        "([key, token]) => window.localStorage.setItem(key, token)", [SESSION_TOKEN_KEY, token]
    )

    page.goto(wallet_app.url + "/account")

    if kind == "valid":  # the control: planting works, so the refusals below mean something
        expect_signed_in(page, address)
        expect(page.locator("#account-address")).to_have_attribute("data-address", address)
        return
    expect(page.locator("#login-required")).to_be_visible(timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#account-menu")).to_have_count(0)
    expect(page.locator("#account-facts")).to_have_count(0)
    # The page forgets a token the database does not know.
    page.wait_for_function(
        "(key) => !window.localStorage.getItem(key)", arg=SESSION_TOKEN_KEY, timeout=STEP_TIMEOUT_MS
    )


def test_signing_out_in_one_tab_signs_out_the_others(
    wallet_app: AppServer, make_wallet: MakeWallet, app_db: Engine, page: Page
) -> None:
    """The token lives in the browser only: tabs follow each other through its storage."""
    wallet = make_wallet(AMARA)
    install_wallets(page, wallet)
    page.goto(wallet_app.url)
    sign_in(page, wallet)
    token = stored_token(page)
    other = page.context.new_page()
    try:
        install_wallets(other, wallet)
        other.goto(wallet_app.url + "/account")
        expect_signed_in(other, wallet.address)

        page.locator("#account-menu").click()
        page.locator("#sign-out").click()
        expect_signed_out(page)
        expect_signed_out(other)  # without a reload
        expect(other.locator("#login-required")).to_be_visible(timeout=STEP_TIMEOUT_MS)
        assert lookup_session(app_db, token) is None
    finally:
        other.close()

"""Delegates in the browser: the directory, a profile's verified statement, publishing and
editing a statement from the wallet (and its diff), a tampered blob shown as Mismatch,
and delegating with both powers changing in the header, the profile and the directory.

One seeded chain and one app for this module (it sends transactions).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from eth_account import Account
from playwright.sync_api import Page, expect

from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.services.governance.relayer_config import ANVIL_RELAYER_INDEX, anvil_key
from tests.e2e.app_server import AppServer, StartApp, chain_settings
from tests.e2e.flows import STEP_TIMEOUT_MS, sign_in
from tests.e2e.governance_flows import member_wallet, wait_done
from tests.e2e.wallet import install_wallets
from tests.support.chains import SeededChain

pytestmark = pytest.mark.e2e

AMARA = 1  # seeded statement, self-delegated
HIRO = 8  # self-delegated, 120,000 COOP, no statement
KAVYA = 11  # 40,000 COOP, not delegated, no statement


@pytest.fixture(scope="module")
def delegates_chain(start_seeded_chain: Callable[[], SeededChain]) -> SeededChain:
    return start_seeded_chain()


@pytest.fixture(scope="module")
def delegates_app(start_app: StartApp, delegates_chain: SeededChain) -> AppServer:
    return start_app("delegates", **chain_settings(delegates_chain))


def _member(chain: SeededChain, index: int) -> str:
    return chain.report.members[index - 1].lower()


def test_directory_lists_delegates_and_a_profile_verifies_its_statement(
    delegates_app: AppServer, delegates_chain: SeededChain, page: Page
) -> None:
    page.goto(delegates_app.url + "/delegates")
    cards = page.locator(".delegate-card")
    expect(cards.first).to_be_visible(timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#delegates-total")).to_contain_text("delegates")
    amara = _member(delegates_chain, AMARA)
    expect(page.locator(f'.delegate-card[data-address="{amara}"]')).to_contain_text(
        "Amara Okafor", timeout=STEP_TIMEOUT_MS
    )
    page.goto(f"{delegates_app.url}/delegates/{amara}")
    expect(page.locator("#statement-status")).to_have_text("Verified", timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#statement-body")).to_contain_text("open weights")
    expect(page.locator("#voting-record")).to_contain_text("For")


def test_publish_edit_diff_and_tamper(
    delegates_app: AppServer, delegates_chain: SeededChain, page: Page
) -> None:
    wallet = member_wallet(delegates_chain, KAVYA)
    kavya = _member(delegates_chain, KAVYA)
    install_wallets(page, wallet)
    page.goto(f"{delegates_app.url}/delegates/{kavya}")
    sign_in(page, wallet)
    editor = page.locator("#statement-editor")
    expect(editor).to_be_visible(timeout=STEP_TIMEOUT_MS)
    editor.fill("# Kavya Iyer\n\nI read every dataset card before I vote.\n")
    page.locator("#statement-topics").fill("datasets, licensing")
    page.locator("#statement-publish").click()
    wait_done(page, "Publish your delegate statement")
    expect(page.locator("#statement-status")).to_have_text("Verified", timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#statement-body")).to_contain_text("every dataset card")

    page.goto(delegates_app.url + "/delegates")
    page.locator("#delegates-search").fill("kavya")
    expect(page.locator(f'.delegate-card[data-address="{kavya}"]')).to_contain_text(
        "Kavya Iyer", timeout=STEP_TIMEOUT_MS
    )

    page.goto(f"{delegates_app.url}/delegates/{kavya}")
    editor = page.locator("#statement-editor")
    expect(editor).to_be_visible(timeout=STEP_TIMEOUT_MS)
    editor.fill("# Kavya Iyer\n\nI read every data card and its consent records.\n")
    page.locator("#statement-publish").click()
    wait_done(page, "Publish your delegate statement")
    expect(page.locator(".version-row")).to_have_count(2, timeout=STEP_TIMEOUT_MS)
    page.locator("#diff-from").click()
    page.get_by_role("option", name="1", exact=True).click()
    page.locator("#diff-to").click()
    page.get_by_role("option", name="2", exact=True).click()
    page.locator("#diff-show").click()
    diff = page.locator("#diff-lines")
    expect(diff).to_contain_text("-I read every dataset card before I vote.")
    expect(diff).to_contain_text("+I read every data card and its consent records.")

    # Someone edits the stored blob on disk: the page must not show it as the statement.
    store = LocalContentStore(delegates_chain.content_dir)
    uri = page.locator(".version-row").nth(1).locator("a").get_attribute("href") or ""
    cid = uri.rsplit("/", 1)[-1]
    path = store._existing_path(cid)
    path.write_bytes(path.read_bytes().replace(b"consent", b"CONSENT"))
    page.reload()
    expect(page.locator("#statement-status")).to_have_text("Mismatch", timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#statement-body")).to_have_count(0)
    expect(page.locator("#statement-problem")).to_contain_text("does not match")


def _power(page: Page) -> float:
    text = page.locator("#profile-power").inner_text()
    return float(re.sub(r"[^0-9.]", "", text))


def test_delegating_moves_power_in_header_profile_and_directory(
    delegates_app: AppServer, delegates_chain: SeededChain, page: Page
) -> None:
    wallet = member_wallet(delegates_chain, HIRO)
    hiro, amara = _member(delegates_chain, HIRO), _member(delegates_chain, AMARA)
    token = delegates_chain.deployment.contract(delegates_chain.w3, "CoopToken").functions
    before = token.getVotes(delegates_chain.report.members[AMARA - 1]).call()
    install_wallets(page, wallet)
    page.goto(f"{delegates_app.url}/delegates/{amara}")
    sign_in(page, wallet)
    expect(page.locator("#header-votes")).to_have_attribute(
        "data-value", "120000", timeout=STEP_TIMEOUT_MS
    )
    page.locator("#delegate-preview").click()
    expect(page.locator("#delegate-effect")).to_contain_text("after", timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#delegate-effect")).to_contain_text("You: 0 COOP after")
    expect(page.locator("#delegate-effect")).to_contain_text(
        f"{before // 10**18 + 120_000:,} COOP after"
    )
    page.locator("#delegate-sign").click()
    wait_done(page, "elegat")
    after = token.getVotes(delegates_chain.report.members[AMARA - 1]).call()
    assert after == before + 120_000 * 10**18
    assert token.delegates(delegates_chain.report.members[HIRO - 1]).call().lower() == amara
    expect(page.locator("#header-votes")).to_have_attribute(
        "data-value", "0", timeout=STEP_TIMEOUT_MS
    )
    expect(page.locator("#profile-power")).to_contain_text(
        f"{after // 10**18:,}", timeout=STEP_TIMEOUT_MS
    )
    page.goto(delegates_app.url + "/delegates")
    page.locator("#delegates-search").fill(amara[2:12])
    card = page.locator(f'.delegate-card[data-address="{amara}"] .power')
    expect(card).to_have_attribute("title", str(after), timeout=STEP_TIMEOUT_MS)
    expect(page.locator(f'.delegate-card[data-address="{hiro}"]')).to_have_count(0)


LUCA = 12  # 25,000 COOP, never delegated


def test_gasless_delegation_is_sent_by_the_relayer(
    delegates_app: AppServer, delegates_chain: SeededChain, page: Page
) -> None:
    wallet = member_wallet(delegates_chain, LUCA)
    luca = delegates_chain.report.members[LUCA - 1]
    amara = _member(delegates_chain, AMARA)
    w3 = delegates_chain.w3
    token = delegates_chain.deployment.contract(w3, "CoopToken")
    eth_before = w3.eth.get_balance(luca)
    install_wallets(page, wallet)
    page.goto(f"{delegates_app.url}/delegates/{amara}")
    sign_in(page, wallet)
    page.locator("#delegate-preview").click()
    expect(page.locator("#delegate-effect")).to_contain_text("after", timeout=STEP_TIMEOUT_MS)
    page.locator("#delegate-gasless").click()
    expect(page.locator("#gasless-note")).to_contain_text("paid the gas", timeout=STEP_TIMEOUT_MS)
    assert token.functions.delegates(luca).call().lower() == amara
    assert wallet.sent == []  # the wallet only signed
    assert w3.eth.get_balance(luca) == eth_before
    relayer = Account.from_key(anvil_key(ANVIL_RELAYER_INDEX)).address
    block = w3.eth.get_block("latest", full_transactions=True)
    senders = {tx["from"] for tx in block["transactions"] if tx["to"] == token.address}
    assert senders == {relayer}

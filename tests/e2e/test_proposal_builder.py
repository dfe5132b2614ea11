"""A treasury transfer from the builder to the treasury changing: propose in the browser,
vote it through from two members' browsers, queue and execute from the proposal page.

Moves its chain's clock by days, so it runs on the builder tests' own chain and app
server (conftest: builder_chain).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from web3 import Web3

from coop_dashboard.chain.governance_types import ProposalCall
from coop_dashboard.chain.proposal_text import with_proposer_suffix
from coop_dashboard.services.governance.builder import proposal_id as hash_proposal
from tests.e2e.app_server import AppServer
from tests.e2e.flows import STEP_TIMEOUT_MS, sign_in
from tests.e2e.governance_flows import (
    PENDING,
    governor,
    member_wallet,
    open_voting,
    queue_and_execute,
    vote_for,
    vote_for_in_own_browser,
    wait_done,
)
from tests.e2e.wallet import install_wallets
from tests.support.chains import SeededChain

pytestmark = pytest.mark.e2e

AMARA, BJORN = 1, 2
RECIPIENT = "0x" + "5e" * 20
TITLE = "Pay the eval contractor"
BODY = "One **ETH** for the evaluation run."


def test_builder_to_executed_treasury_transfer(
    builder_app: AppServer, builder_chain: SeededChain, browser: Browser, page: Page
) -> None:
    chain = builder_chain
    wallet = member_wallet(chain, AMARA)
    install_wallets(page, wallet)
    page.goto(builder_app.url + "/proposals/new")
    sign_in(page, wallet)

    # Invalid input first: every field's problem at once.
    page.locator("#builder-recipient").fill("0x1234")
    page.locator("#builder-amount").fill("1000000000")
    page.locator("#builder-check").click()
    expect(page.locator("#builder-error-recipient")).to_be_visible(timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#builder-error-amount")).to_contain_text("treasury holds only")
    expect(page.locator("#builder-error-title")).to_be_visible()
    expect(page.locator("#builder-submit")).to_be_disabled()

    page.locator("#builder-recipient").fill(RECIPIENT)
    page.locator("#builder-amount").fill("1")
    page.locator("#builder-title").fill(TITLE)
    page.locator("#builder-body").fill(BODY)
    expect(page.locator("#builder-preview strong")).to_have_text("ETH")
    page.locator("#builder-check").click()
    expect(page.locator(".builder-action").first).to_contain_text("✓", timeout=STEP_TIMEOUT_MS)
    page.locator("#builder-submit").click()
    wait_done(page, "Create the proposal")

    # Bound to its proposer (the Governor refuses the same proposal from anyone else).
    description = with_proposer_suffix(f"# {TITLE}\n\n{BODY}\n", wallet.address)
    recipient = Web3.to_checksum_address(RECIPIENT)
    proposal_id = hash_proposal(ProposalCall((recipient,), (10**18,), (b"",), description))
    contract = governor(chain).functions
    assert contract.state(proposal_id).call() == PENDING
    # Once indexed, the builder opens the new proposal's page and starts a clean form.
    expect(page).to_have_url(f"{builder_app.url}/proposals/{proposal_id}", timeout=STEP_TIMEOUT_MS)
    expect(page.locator(".state-badge").first).to_have_text("Pending", timeout=STEP_TIMEOUT_MS)
    # The binding is metadata: the page shows the description as it was written.
    expect(page.locator("#proposal-description")).to_contain_text(BODY.split("**")[0])
    expect(page.locator("body")).not_to_contain_text("#proposer=")
    page.goto(builder_app.url + "/proposals/new")
    expect(page.locator("#builder-title")).to_have_value("", timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#builder-recipient")).to_have_value("")

    # Two members vote, each from their own browser and wallet.
    open_voting(chain, proposal_id)
    vote_for(page, builder_app, proposal_id)
    vote_for_in_own_browser(browser, builder_app, chain, BJORN, proposal_id)
    page.reload()
    expect(page.locator("#proposal-vote-count")).to_have_text("2 votes", timeout=STEP_TIMEOUT_MS)

    treasury = Web3.to_checksum_address(chain.deployment.address("CoopTimelock"))
    before = chain.w3.eth.get_balance(treasury)
    queue_and_execute(page, builder_app, chain, proposal_id)
    assert chain.w3.eth.get_balance(treasury) == before - 10**18
    assert chain.w3.eth.get_balance(recipient) == 10**18

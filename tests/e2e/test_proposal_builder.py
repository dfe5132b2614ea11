"""A treasury transfer from the builder to the treasury changing: propose in the browser,
vote it through (browser + another member), queue and execute from the proposal page.

Moves its chain's clock by days, so it runs on its own chain and app server.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from web3 import Web3

from coop_dashboard.chain.governance_types import ProposalCall
from coop_dashboard.chain.transact import Sender
from coop_dashboard.services.governance.builder import proposal_id as hash_proposal
from tests.e2e.app_server import AppServer, StartApp, chain_settings
from tests.e2e.flows import STEP_TIMEOUT_MS, sign_in
from tests.e2e.wallet import TestWallet, anvil_key, install_wallets
from tests.support.chains import SeededChain

pytestmark = pytest.mark.e2e

AMARA, BJORN = 1, 2
DAY = 86_400
RECIPIENT = "0x" + "5e" * 20
TITLE = "Pay the eval contractor"
BODY = "One **ETH** for the evaluation run."


@pytest.fixture(scope="module")
def builder_chain(start_seeded_chain: Callable[[], SeededChain]) -> SeededChain:
    return start_seeded_chain()


@pytest.fixture(scope="module")
def builder_app(start_app: StartApp, builder_chain: SeededChain) -> AppServer:
    return start_app("builder", **chain_settings(builder_chain))


def _advance(chain: SeededChain, seconds: int) -> None:
    chain.w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def _done(page: Page, what: str) -> None:
    # The panel keeps the previous write's "done" until the next one starts: match its words.
    expect(page.locator("#tx-description")).to_contain_text(what, timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#tx-status")).to_have_attribute(
        "data-phase", "done", timeout=STEP_TIMEOUT_MS
    )


def test_builder_to_executed_treasury_transfer(
    builder_app: AppServer, builder_chain: SeededChain, page: Page
) -> None:
    chain = builder_chain
    wallet = TestWallet(chain.rpc_url, keys=[anvil_key(AMARA)], chain_id=chain.chain_id)
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
    _done(page, "Create the proposal")

    description = f"# {TITLE}\n\n{BODY}\n"
    recipient = Web3.to_checksum_address(RECIPIENT)
    proposal_id = hash_proposal(ProposalCall((recipient,), (10**18,), (b"",), description))
    governor = chain.deployment.contract(chain.w3, "CoopGovernor").functions
    assert governor.state(proposal_id).call() == 0  # pending

    _advance(chain, DAY + 1)
    page.goto(f"{builder_app.url}/proposals/{proposal_id}")
    expect(page.locator("#vote-panel")).to_be_visible(timeout=STEP_TIMEOUT_MS)
    page.locator("#vote-for").click()
    _done(page, "Vote For")
    governor_contract = chain.deployment.contract(chain.w3, "CoopGovernor")
    bjorn = Sender.unlocked(chain.w3, anvil_key(BJORN).address)
    bjorn.send(
        {
            "to": governor_contract.address,
            "data": governor_contract.encode_abi("castVote", args=[proposal_id, 1]),
        },
        what="Bjorn votes for",
    )

    _advance(chain, 5 * DAY + 1)
    page.reload()
    page.locator("#proposal-queue").click(timeout=STEP_TIMEOUT_MS)
    _done(page, "Queue proposal")
    assert governor.state(proposal_id).call() == 5  # queued
    expect(page.locator("#proposal-vote-count")).to_have_text("2 votes")

    _advance(chain, 2 * DAY + 1)
    treasury = chain.deployment.address("CoopTimelock")
    before = chain.w3.eth.get_balance(treasury)
    page.reload()
    execute = page.locator("#proposal-execute")
    expect(execute).to_be_enabled(timeout=STEP_TIMEOUT_MS)
    execute.click()
    _done(page, "Execute proposal")
    assert governor.state(proposal_id).call() == 7  # executed
    assert chain.w3.eth.get_balance(treasury) == before - 10**18
    assert chain.w3.eth.get_balance(recipient) == 10**18
    expect(page.locator(".state-badge").first).to_have_text("Executed", timeout=STEP_TIMEOUT_MS)

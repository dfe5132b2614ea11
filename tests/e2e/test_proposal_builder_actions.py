"""The builder's other action kinds in the browser: a custom call with typed arguments,
one proposal with several actions (ETH + cUSD transfers and a governance parameter
change) that is voted through, queued and executed, and a dataset delisting with a
written reason.

Runs on the builder tests' own chain and app server (conftest: builder_chain): the
execute flow moves the clock by days; the custom-call test only runs pre-flights.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from web3 import Web3

from coop_dashboard.chain.governance_types import ProposalCall
from coop_dashboard.chain.proposal_text import with_proposer_suffix
from coop_dashboard.chain.seed import USD
from coop_dashboard.chain.transact import Sender
from coop_dashboard.content.cid import cid_for_bytes
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.services.governance.builder import proposal_id as hash_proposal
from tests.e2e.app_server import AppServer
from tests.e2e.flows import STEP_TIMEOUT_MS, sign_in
from tests.e2e.governance_flows import (
    DAY,
    PENDING,
    governor,
    member_wallet,
    open_voting,
    queue_and_execute,
    vote_for,
    vote_for_in_own_browser,
    wait_done,
)
from tests.e2e.wallet import anvil_key, install_wallets
from tests.support.chains import SeededChain
from tests.support.datasets import register, sample_registration

pytestmark = pytest.mark.e2e

AMARA, BJORN = 1, 2
ETH_RECIPIENT = "0x" + "a1" * 20
USD_RECIPIENT = "0x" + "b2" * 20
TITLE = "Pay the annotators and shorten votes"
BODY = "Two payments and a **3-day** voting period."
DELIST_REASON = "The consent records for this data could not be produced."


def _open_builder(page: Page, app: AppServer, chain: SeededChain) -> None:
    wallet = member_wallet(chain, AMARA)
    install_wallets(page, wallet)
    page.goto(app.url + "/proposals/new")
    sign_in(page, wallet)


def _choose(page: Page, select_id: str, option: str) -> None:
    page.locator(f"#{select_id}").click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.locator(f"#{select_id}")).to_contain_text(option)


def _short(address: str) -> str:
    """How the decoder names an address without a label: checksummed, shortened."""
    checksummed = Web3.to_checksum_address(address)
    return f"{checksummed[:6]}…{checksummed[-4:]}"


def test_custom_call_refuses_a_bad_argument_next_to_it(
    builder_app: AppServer, builder_chain: SeededChain, page: Page
) -> None:
    _open_builder(page, builder_app, builder_chain)
    page.locator("#builder-kind").get_by_role("radio", name="Custom call").click()
    _choose(page, "builder-contract", "MockStablecoin")
    _choose(page, "builder-function", "transfer(address,uint256)")
    expect(page.locator(".builder-argument")).to_have_count(2)
    to, amount = page.locator("#builder-arg0"), page.locator("#builder-arg1")
    page.locator("#builder-title").fill("Pay through a custom call")

    # A bad address: refused under its own input, the other argument is fine.
    to.fill("0x12")
    amount.fill("2500000")
    page.locator("#builder-check").click()
    expect(page.locator("#builder-error-arg0")).to_contain_text(
        "Argument to (address)", timeout=STEP_TIMEOUT_MS
    )
    expect(page.locator("#builder-error-arg1")).to_have_count(0)
    expect(page.locator("#builder-submit")).to_be_disabled()

    # A bad amount next: the message moves to the amount's input.
    to.fill(USD_RECIPIENT)
    amount.fill("lots")
    page.locator("#builder-check").click()
    expect(page.locator("#builder-error-arg1")).to_contain_text(
        "'lots' is not a whole number", timeout=STEP_TIMEOUT_MS
    )
    expect(page.locator("#builder-error-arg0")).to_have_count(0)

    # Valid: the pre-flight decodes the call (a cUSD transfer) and lets it through.
    amount.fill("2500000")
    page.locator("#builder-check").click()
    action = page.locator(".builder-action")
    expect(action).to_have_count(1, timeout=STEP_TIMEOUT_MS)
    expect(action).to_contain_text("✓ Transfer 2.5 cUSD from the treasury")
    expect(page.locator(".builder-argument-error")).to_have_count(0)
    expect(page.locator("#builder-submit")).to_be_enabled()


def test_several_actions_are_proposed_voted_and_executed_together(
    builder_app: AppServer, builder_chain: SeededChain, browser: Browser, page: Page
) -> None:
    chain = builder_chain
    _open_builder(page, builder_app, chain)
    heading = page.locator("#builder-editor-heading")
    added = page.locator(".builder-added-action")

    # Nothing added and a blank editor: the page asks for an action.
    page.locator("#builder-title").fill(TITLE)
    page.locator("#builder-check").click()
    expect(page.locator("#builder-error-actions")).to_have_text(
        "Add at least one action.", timeout=STEP_TIMEOUT_MS
    )
    expect(heading).to_have_text("Action 1")

    # "Add action" checks the editor on the server first...
    page.locator("#builder-recipient").fill(ETH_RECIPIENT)
    page.locator("#builder-amount").fill("-2")
    page.locator("#builder-add-action").click()
    expect(page.locator("#builder-error-amount")).to_be_visible(timeout=STEP_TIMEOUT_MS)
    expect(added).to_have_count(0)
    # ...and, when it is valid, lists it with the pre-flight's words and clears the editor.
    page.locator("#builder-amount").fill("2")
    page.locator("#builder-add-action").click()
    expect(added).to_have_count(1, timeout=STEP_TIMEOUT_MS)
    expect(added.nth(0)).to_contain_text(f"Send 2 ETH from the treasury to {_short(ETH_RECIPIENT)}")
    expect(page.locator("#builder-recipient")).to_have_value("")
    expect(page.locator("#builder-error-amount")).to_have_count(0)
    expect(heading).to_have_text("Action 2")

    _choose(page, "builder-asset", "cUSD")
    page.locator("#builder-recipient").fill(USD_RECIPIENT)
    page.locator("#builder-amount").fill("1,500")
    page.locator("#builder-add-action").click()
    expect(added).to_have_count(2, timeout=STEP_TIMEOUT_MS)
    expect(added.nth(1)).to_contain_text(
        f"Transfer 1,500 cUSD from the treasury to {_short(USD_RECIPIENT)}"
    )

    # One too many: added, then removed again.
    page.locator("#builder-recipient").fill(ETH_RECIPIENT)
    page.locator("#builder-amount").fill("7")
    page.locator("#builder-add-action").click()
    expect(added).to_have_count(3, timeout=STEP_TIMEOUT_MS)
    added.nth(2).locator(".builder-remove-action").click()
    expect(added).to_have_count(2)
    expect(heading).to_have_text("Action 3")

    # The editor's action is the last one: no need to add it.
    page.locator("#builder-kind").get_by_role("radio", name="Parameter change").click()
    page.locator("#builder-value").fill("3 days")
    page.locator("#builder-body").fill(BODY)
    page.locator("#builder-check").click()
    lines = page.locator(".builder-action")
    expect(lines).to_have_count(3, timeout=STEP_TIMEOUT_MS)
    expect(lines.nth(0)).to_contain_text("✓ Send 2 ETH")
    expect(lines.nth(1)).to_contain_text("✓ Transfer 1,500 cUSD")
    expect(lines.nth(2)).to_contain_text("✓ Set voting period from 5 days to 3 days")
    page.locator("#builder-submit").click()
    wait_done(page, "Create the proposal with 3 actions")

    # The Governor knows the proposal by the hash of exactly these three actions.
    gov = governor(chain)
    stable = chain.deployment.contract(chain.w3, "MockStablecoin")
    eth_recipient = Web3.to_checksum_address(ETH_RECIPIENT)
    usd_recipient = Web3.to_checksum_address(USD_RECIPIENT)
    call = ProposalCall(
        targets=(eth_recipient, stable.address, gov.address),
        values=(2 * 10**18, 0, 0),
        calldatas=(
            b"",
            Web3.to_bytes(hexstr=stable.encode_abi("transfer", args=[usd_recipient, 1500 * USD])),
            Web3.to_bytes(hexstr=gov.encode_abi("setVotingPeriod", args=[3 * DAY])),
        ),
        description=with_proposer_suffix(f"# {TITLE}\n\n{BODY}\n", anvil_key(AMARA).address),
    )
    proposal_id = hash_proposal(call)
    on_chain_id = gov.functions.hashProposal(
        list(call.targets), list(call.values), list(call.calldatas), call.description_hash
    ).call()
    assert on_chain_id == proposal_id
    assert gov.functions.state(proposal_id).call() == PENDING
    assert gov.functions.votingPeriod().call() == 5 * DAY

    open_voting(chain, proposal_id)
    vote_for(page, builder_app, proposal_id)
    vote_for_in_own_browser(browser, builder_app, chain, BJORN, proposal_id)

    treasury = Web3.to_checksum_address(chain.deployment.address("CoopTimelock"))
    eth_before = chain.w3.eth.get_balance(treasury)
    usd_before = stable.functions.balanceOf(treasury).call()
    queue_and_execute(page, builder_app, chain, proposal_id)
    assert chain.w3.eth.get_balance(treasury) == eth_before - 2 * 10**18
    assert chain.w3.eth.get_balance(eth_recipient) == 2 * 10**18
    assert stable.functions.balanceOf(treasury).call() == usd_before - 1500 * USD
    assert stable.functions.balanceOf(usd_recipient).call() == 1500 * USD
    assert gov.functions.votingPeriod().call() == 3 * DAY


def _find_dataset(page: Page, dataset_id: int) -> None:
    """Search the delisting's dataset by number and pick it (the index may lag a block)."""
    search = page.locator("#builder-dataset-search")
    option = page.locator(".builder-dataset-option", has_text=f"#{dataset_id} ")
    for _ in range(10):
        search.fill("")
        search.fill(str(dataset_id))
        try:
            expect(option).to_have_count(1, timeout=2_000)
            break
        except AssertionError:
            continue
    option.click()
    expect(page.locator("#builder-dataset")).to_have_value(str(dataset_id))


def test_a_delisting_is_built_with_a_written_reason_and_proposed(
    builder_app: AppServer, builder_chain: SeededChain, page: Page
) -> None:
    chain = builder_chain
    registry = chain.deployment.contract(chain.w3, "DatasetRegistry")
    contributor = Sender.unlocked(chain.w3, chain.w3.eth.accounts[5])
    dataset_id, _ = register(registry, contributor, sample_registration("Builder delisting"))
    _open_builder(page, builder_app, chain)
    page.locator("#builder-kind").get_by_role("radio", name="Datasets").click()
    expect(page.locator("#builder-dataset-action")).to_contain_text("Delist a dataset")
    page.locator("#builder-title").fill(f"Delist dataset #{dataset_id}")

    # No dataset and no reason: both refused by the server, next to their fields.
    page.locator("#builder-dataset").fill("999999")
    page.locator("#builder-check").click()
    expect(page.locator("#builder-error-dataset")).to_contain_text(
        "there is no dataset #999999", timeout=STEP_TIMEOUT_MS
    )
    expect(page.locator("#builder-error-reason")).to_contain_text("write why")
    expect(page.locator("#builder-submit")).to_be_disabled()

    # Found by the search; the reason is written in the page.
    _find_dataset(page, dataset_id)
    page.locator("#builder-reason").fill(DELIST_REASON)
    page.locator("#builder-check").click()
    reason_cid = cid_for_bytes(f"{DELIST_REASON}\n".encode())
    sentence = f"Delist dataset #{dataset_id} for good (reason: ipfs://{reason_cid})"
    expect(page.locator(".builder-action")).to_contain_text(
        f"✓ {sentence}", timeout=STEP_TIMEOUT_MS
    )
    store = LocalContentStore(chain.content_dir)
    assert not store.has(reason_cid)  # stored on submit, not while checking

    page.locator("#builder-submit").click()
    wait_done(page, "Create the proposal with 1 action")
    # Mined and indexed: the page opens the proposal, which says what it does.
    expect(page).to_have_url(re.compile(r"/proposals/\d+$"), timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#proposal-actions")).to_contain_text(sentence, timeout=STEP_TIMEOUT_MS)
    assert store.get(reason_cid) == f"{DELIST_REASON}\n".encode()

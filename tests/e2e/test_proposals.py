"""Governance in the browser: the feed, a proposal's page, votes from the wallet and gasless.

Uses the shared wallet app/chain. Members used here (anvil accounts) are left
alone by the other wallet tests: Amara (1) and Bjorn (2) are self-delegated
delegates who have not voted on the seeded active proposal, Chen (3) has.
"""

from __future__ import annotations

import re

import pytest
from eth_account import Account
from playwright.sync_api import Page, expect
from web3 import Web3

from coop_dashboard.services.governance.math import Tally, vote_shares
from coop_dashboard.services.governance.relayer_config import ANVIL_RELAYER_INDEX, anvil_key
from tests.e2e.app_server import AppServer
from tests.e2e.conftest import MakeWallet
from tests.e2e.flows import STEP_TIMEOUT_MS, sign_in
from tests.e2e.wallet import TestWallet, install_wallets
from tests.support.chains import SeededChain

pytestmark = pytest.mark.e2e

AMARA = 1
BJORN = 2
CHEN = 3  # voted For on the active proposal while seeding
JONAS = 10  # untouched by the other wallet tests
FOR, AGAINST = 1, 0


def _governor(chain: SeededChain):  # type: ignore[no-untyped-def]
    return chain.deployment.contract(chain.w3, "CoopGovernor").functions


def _active_id(chain: SeededChain) -> int:
    return chain.report.proposals["active"]


def _open_proposal(page: Page, app: AppServer, wallet: TestWallet, proposal_id: int) -> None:
    install_wallets(page, wallet)
    page.goto(f"{app.url}/proposals/{proposal_id}")
    sign_in(page, wallet)
    expect(page.locator("#vote-panel")).to_be_visible(timeout=STEP_TIMEOUT_MS)


def _tally_attr(page: Page, name: str) -> str:
    return page.locator("#proposal-tally").get_attribute(f"data-{name}") or ""


def test_feed_lists_filters_searches_and_opens(
    wallet_app: AppServer, wallet_chain: SeededChain, page: Page
) -> None:
    page.goto(wallet_app.url + "/proposals")
    cards = page.locator(".proposal-card")
    expect(cards.first).to_be_visible(timeout=STEP_TIMEOUT_MS)
    seeded = wallet_chain.report.proposals
    expect(page.locator("#feed-total")).to_have_text(re.compile(rf"^{len(seeded)} proposals"))
    # Every card's state is what the Governor says.
    governor = _governor(wallet_chain)
    names = [
        "Pending",
        "Active",
        "Canceled",
        "Defeated",
        "Succeeded",
        "Queued",
        "Expired",
        "Executed",
    ]
    for proposal_id in seeded.values():
        card = page.locator(f'.proposal-card[data-proposal-id="{proposal_id}"]')
        expect(card).to_have_attribute("data-state", names[governor.state(proposal_id).call()])

    # "Needs my vote" is about the signed-in member: signed out, the feed says so.
    page.locator("#feed-needs-my-vote").click()
    expect(page.locator("#feed-notice")).to_contain_text("Sign in", timeout=STEP_TIMEOUT_MS)
    page.locator("#feed-needs-my-vote").click()
    expect(cards).to_have_count(len(seeded), timeout=STEP_TIMEOUT_MS)

    page.locator("#feed-state").select_option(label="Active")
    expect(cards).to_have_count(1, timeout=STEP_TIMEOUT_MS)
    expect(cards.first).to_have_attribute("data-proposal-id", str(_active_id(wallet_chain)))

    page.locator("#feed-state").select_option(label="All states")
    page.locator("#feed-search").fill("zzz-no-such-proposal")
    expect(page.locator("#feed-empty")).to_be_visible(timeout=STEP_TIMEOUT_MS)
    page.locator("#feed-search").fill("")
    expect(cards).to_have_count(len(seeded), timeout=STEP_TIMEOUT_MS)

    cards.first.locator(".proposal-title").click()
    expect(page.locator("#proposal-title")).to_be_visible(timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#proposal-description")).not_to_be_empty()
    expect(page.locator(".timeline-entry").first).to_be_visible()


@pytest.mark.parametrize("member", [JONAS, BJORN], ids=["delegated-away", "delegate"])
def test_quorum_and_power_at_snapshot_equal_the_governor(
    member: int,
    wallet_app: AppServer,
    wallet_chain: SeededChain,
    make_wallet: MakeWallet,
    page: Page,
) -> None:
    """The numbers behind the bars are the Governor's own (eth_call), not recomputed guesses.

    Jonas delegated to Elif (no power of his own at the snapshot); Bjorn is a delegate.
    """
    wallet = make_wallet(member)
    proposal_id = _active_id(wallet_chain)
    _open_proposal(page, wallet_app, wallet, proposal_id)
    governor = _governor(wallet_chain)
    snapshot = governor.proposalSnapshot(proposal_id).call()
    expect(page.locator("#proposal-tally")).to_have_attribute(
        "data-quorum", str(governor.quorum(snapshot).call()), timeout=STEP_TIMEOUT_MS
    )
    token = wallet_chain.deployment.contract(wallet_chain.w3, "CoopToken").functions
    power = token.getPastVotes(Web3.to_checksum_address(wallet.address), snapshot).call()
    assert (power > 0) == (member == BJORN)
    expect(page.locator("#vote-readiness")).to_have_attribute(
        "data-power-at-snapshot", str(power), timeout=STEP_TIMEOUT_MS
    )


def test_vote_with_reason_updates_the_tally(
    wallet_app: AppServer, wallet_chain: SeededChain, make_wallet: MakeWallet, page: Page
) -> None:
    wallet = make_wallet(AMARA)
    proposal_id = _active_id(wallet_chain)
    _open_proposal(page, wallet_app, wallet, proposal_id)
    expect(page.locator("#proposal-tally")).to_have_attribute(
        "data-for", str(_governor(wallet_chain).proposalVotes(proposal_id).call()[1])
    )

    # The feed, open in another tab, follows the vote without a reload.
    feed = page.context.new_page()
    feed.goto(wallet_app.url + "/proposals")
    card_for = feed.locator(f'.proposal-card[data-proposal-id="{proposal_id}"] .votes-for')
    before = str(_governor(wallet_chain).proposalVotes(proposal_id).call()[1])
    expect(card_for).to_have_attribute("data-value", before, timeout=STEP_TIMEOUT_MS)

    page.bring_to_front()
    page.locator("#vote-reason").fill("Good labels, fair price.")
    page.locator("#vote-for").click()
    expect(page.locator("#tx-status")).to_have_attribute(
        "data-phase", "done", timeout=STEP_TIMEOUT_MS
    )
    voter = Web3.to_checksum_address(wallet.address)
    assert _governor(wallet_chain).hasVoted(proposal_id, voter).call()
    against, for_votes, abstain = _governor(wallet_chain).proposalVotes(proposal_id).call()
    expect(page.locator("#proposal-tally")).to_have_attribute(
        "data-for", str(for_votes), timeout=STEP_TIMEOUT_MS
    )
    assert _tally_attr(page, "against") == str(against)
    assert _tally_attr(page, "abstain") == str(abstain)
    row = page.locator(f'.vote-row[data-voter="{wallet.address.lower()}"]')
    expect(row).to_contain_text("Good labels, fair price.", timeout=STEP_TIMEOUT_MS)
    expect(card_for).to_have_attribute("data-value", str(for_votes), timeout=STEP_TIMEOUT_MS)
    # Its bars too: For's share of the votes cast, in basis points, in green.
    for_bar = feed.locator(
        f'.proposal-card[data-proposal-id="{proposal_id}"] progress[data-accent-color="green"]'
    )
    shares = vote_shares(Tally(for_votes, against, abstain))
    expect(for_bar).to_have_attribute("value", str(shares.for_bp))
    assert for_bar.evaluate("bar => bar.max") == 10_000
    feed.close()


def test_voting_twice_is_refused_before_the_wallet(
    wallet_app: AppServer, wallet_chain: SeededChain, make_wallet: MakeWallet, page: Page
) -> None:
    wallet = make_wallet(CHEN)
    _open_proposal(page, wallet_app, wallet, _active_id(wallet_chain))
    # Readiness answers before the member tries.
    expect(page.locator("#vote-readiness")).to_contain_text(
        "already voted", timeout=STEP_TIMEOUT_MS
    )
    page.locator("#vote-against").click()
    expect(page.locator("#tx-problem")).to_contain_text(
        "You already voted For on this proposal", timeout=STEP_TIMEOUT_MS
    )
    page.locator("#vote-gasless-against").click()
    expect(page.locator("#vote-notice")).to_contain_text("You already voted For")
    assert wallet.sent == []


def test_rejecting_in_the_wallet_sends_nothing(
    wallet_app: AppServer, wallet_chain: SeededChain, make_wallet: MakeWallet, page: Page
) -> None:
    # Bjorn has voting power and has not voted: only the wallet's refusal stops him (the
    # gasless test below then votes with him).
    wallet = make_wallet(BJORN, rejecting={"eth_sendTransaction", "eth_signTypedData_v4"})
    proposal_id = _active_id(wallet_chain)
    _open_proposal(page, wallet_app, wallet, proposal_id)
    page.locator("#vote-for").click()
    expect(page.locator("#tx-problem")).to_contain_text("declined", timeout=STEP_TIMEOUT_MS)
    page.locator("#tx-dismiss").click()
    page.locator("#vote-gasless-for").click()
    expect(page.locator("#vote-notice")).to_contain_text("declined", timeout=STEP_TIMEOUT_MS)
    assert wallet.sent == []
    voter = Web3.to_checksum_address(wallet.address)
    assert not _governor(wallet_chain).hasVoted(proposal_id, voter).call()


def test_gasless_vote_is_relayed_and_paid_by_the_relayer(
    wallet_app: AppServer, wallet_chain: SeededChain, make_wallet: MakeWallet, page: Page
) -> None:
    wallet = make_wallet(BJORN)
    proposal_id = _active_id(wallet_chain)
    eth_before = wallet_chain.w3.eth.get_balance(Web3.to_checksum_address(wallet.address))
    _open_proposal(page, wallet_app, wallet, proposal_id)
    page.locator("#vote-reason").fill("Signed, not paid.")
    page.locator("#vote-gasless-against").click()
    note = page.locator("#gasless-note")
    expect(note).to_contain_text("paid the gas", timeout=STEP_TIMEOUT_MS)
    voter = Web3.to_checksum_address(wallet.address)
    assert _governor(wallet_chain).hasVoted(proposal_id, voter).call()
    assert wallet.sent == []  # the wallet only signed
    assert wallet_chain.w3.eth.get_balance(voter) == eth_before
    row = page.locator(f'.vote-row[data-voter="{wallet.address.lower()}"]')
    expect(row).to_contain_text("Against", timeout=STEP_TIMEOUT_MS)


def test_gasless_voting_says_it_is_paused_while_the_relayer_is_below_its_floor(
    wallet_app: AppServer, wallet_chain: SeededChain, page: Page
) -> None:
    w3 = wallet_chain.w3
    relayer = Account.from_key(anvil_key(ANVIL_RELAYER_INDEX)).address  # the app's default
    balance = w3.eth.get_balance(relayer)
    w3.provider.make_request("anvil_setBalance", [relayer, hex(10**15)])  # type: ignore[arg-type]
    try:
        page.goto(f"{wallet_app.url}/proposals/{_active_id(wallet_chain)}")
        expect(page.locator("#gasless-paused")).to_contain_text(
            "below its floor of 0.01 ETH", timeout=STEP_TIMEOUT_MS
        )
        expect(page.locator("#vote-gasless-for")).to_be_disabled()
    finally:
        w3.provider.make_request("anvil_setBalance", [relayer, hex(balance)])  # type: ignore[arg-type]


def test_a_gasless_vote_without_voting_power_is_refused_before_the_wallet(
    wallet_app: AppServer, wallet_chain: SeededChain, make_wallet: MakeWallet, page: Page
) -> None:
    wallet = make_wallet(JONAS)  # delegated his votes to Elif: no power of his own
    _open_proposal(page, wallet_app, wallet, _active_id(wallet_chain))
    page.locator("#vote-gasless-for").click()
    expect(page.locator("#vote-notice")).to_contain_text(
        "no voting power at this proposal's snapshot", timeout=STEP_TIMEOUT_MS
    )
    assert wallet.count("eth_signTypedData_v4") == 0 and wallet.sent == []

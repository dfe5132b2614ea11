"""Steps of a proposal's life in the browser, shared by the builder tests.

Votes are cast the way members cast them: each member in a browser of their
own (a separate context: own storage, own session) with their own wallet.
Moving the chain's clock is only for tests on a chain of their own.
"""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect
from web3 import Web3

from tests.e2e.app_server import ARTIFACTS_DIR, AppServer
from tests.e2e.flows import STEP_TIMEOUT_MS, sign_in
from tests.e2e.wallet import TestWallet, anvil_key, install_wallets
from tests.support.chains import SeededChain

DAY = 86_400
# Governor.state() values (IGovernor.ProposalState).
PENDING, ACTIVE, SUCCEEDED, QUEUED, EXECUTED = 0, 1, 4, 5, 7


def governor(chain: SeededChain):  # type: ignore[no-untyped-def]
    return chain.deployment.contract(chain.w3, "CoopGovernor")


def advance(chain: SeededChain, seconds: int) -> None:
    """Move the chain's clock (the suite uses timestamps, ERC-6372) and mine a block."""
    chain.w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def member_wallet(chain: SeededChain, member: int) -> TestWallet:
    """The wallet of anvil account `member` (1..12 are the seeded members)."""
    return TestWallet(chain.rpc_url, keys=[anvil_key(member)], chain_id=chain.chain_id)


def wait_done(page: Page, what: str) -> None:
    """Wait until the write whose description contains `what` is done."""
    # The panel keeps the previous write's "done" until the next one starts: match its words.
    expect(page.locator("#tx-description")).to_contain_text(what, timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#tx-status")).to_have_attribute(
        "data-phase", "done", timeout=STEP_TIMEOUT_MS
    )


def open_voting(chain: SeededChain, proposal_id: int) -> None:
    """Move the clock past the proposal's snapshot: voting is open."""
    snapshot = governor(chain).functions.proposalSnapshot(proposal_id).call()
    advance(chain, snapshot - _now(chain) + 1)
    assert governor(chain).functions.state(proposal_id).call() == ACTIVE


def vote_for(page: Page, app: AppServer, proposal_id: int) -> None:
    """Vote For from `page`'s wallet, already signed in."""
    page.goto(f"{app.url}/proposals/{proposal_id}")
    expect(page.locator("#vote-panel")).to_be_visible(timeout=STEP_TIMEOUT_MS)
    page.locator("#vote-for").click()
    wait_done(page, "Vote For")


def vote_for_in_own_browser(
    browser: Browser, app: AppServer, chain: SeededChain, member: int, proposal_id: int
) -> None:
    """`member` opens the proposal in a browser of their own, signs in and votes For."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        wallet = member_wallet(chain, member)
        install_wallets(page, wallet)
        page.goto(f"{app.url}/proposals/{proposal_id}")
        sign_in(page, wallet)
        vote_for(page, app, proposal_id)
        voter = Web3.to_checksum_address(wallet.address)
        assert governor(chain).functions.hasVoted(proposal_id, voter).call()
    except BaseException:
        # The test's own page fixture only photographs its page: keep this one too.
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"vote-{member}-{proposal_id}")
        try:
            page.screenshot(path=str(ARTIFACTS_DIR / f"{name}.png"), full_page=True)
        except Exception as error:  # a broken page must not hide the failure itself
            print(f"could not save the failure screenshot: {error}")
        raise
    finally:
        context.close()


def queue_and_execute(page: Page, app: AppServer, chain: SeededChain, proposal_id: int) -> None:
    """After the voting period: queue from the proposal page, wait out the timelock, execute."""
    contract = governor(chain).functions
    advance(chain, contract.proposalDeadline(proposal_id).call() - _now(chain) + 1)
    page.goto(f"{app.url}/proposals/{proposal_id}")
    # The page says what queuing means: the timelock's delay, as indexed.
    expect(page.locator("#lifecycle")).to_contain_text(
        "can be executed 2 days after it is queued", timeout=STEP_TIMEOUT_MS
    )
    page.locator("#proposal-queue").click(timeout=STEP_TIMEOUT_MS)
    wait_done(page, "Queue proposal")
    assert contract.state(proposal_id).call() == QUEUED
    # Before the ETA: Execute is disabled and the page says when it can run.
    expect(page.locator("#proposal-execute-note")).to_contain_text(
        "The timelock delay has not passed: executable at", timeout=STEP_TIMEOUT_MS
    )
    expect(page.locator("#proposal-execute")).to_be_disabled()

    advance(chain, contract.proposalEta(proposal_id).call() - _now(chain) + 1)
    page.reload()
    execute = page.locator("#proposal-execute")
    expect(execute).to_be_enabled(timeout=STEP_TIMEOUT_MS)
    execute.click()
    wait_done(page, "Execute proposal")
    assert contract.state(proposal_id).call() == EXECUTED
    expect(page.locator(".state-badge").first).to_have_text("Executed", timeout=STEP_TIMEOUT_MS)


def _now(chain: SeededChain) -> int:
    return int(chain.w3.eth.get_block("latest")["timestamp"])

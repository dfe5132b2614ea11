"""The job board in Chromium with several test wallets, on a chain and app of their own.

One story, in order (module-scoped chain and app; each test builds on the last):
a poster posts a job from /jobs/new (a past deadline and a bounty above the
balance refused before the wallet opens); two providers bid from the job page
(a bid above the bounty refused); the poster's acceptance of the provider
without passes is refused, the other's accepted; the provider submits; after
the challenge window anyone finalizes; the page shows the payouts, the model
and the provider's reputation, and the provider withdraws. Two more jobs are
challenged from the browser and resolved by an arbiter, one each way; a
challenge after the window and a second finalize are refused by the server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from coop_dashboard.chain import devchain
from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import write_manifest
from coop_dashboard.chain.transact import Sender
from coop_dashboard.config import Settings, load_settings
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.services.jobs import writes
from coop_dashboard.services.jobs.inputs import JobActionRefused
from tests.e2e.app_server import AppServer, StartApp
from tests.e2e.flows import STEP_TIMEOUT_MS
from tests.e2e.flows import expect_tx_problem as _problem
from tests.e2e.flows import open_signed_in as _open
from tests.e2e.governance_flows import wait_done
from tests.e2e.wallet import TestWallet, anvil_key
from tests.support.chains import Chain, deploy, start_chain
from tests.support.datasets import act_as_governance
from tests.support.jobs import CHALLENGE_BOND, DAY, JobWorld, cid, job_world

pytestmark = pytest.mark.e2e

POSTER, ALPHA, BETA, CHALLENGER, ARBITER = 2, 3, 4, 5, 6
ETHER = 10**18


class JobsChain:
    def __init__(self, chain: Chain, world: JobWorld, directory: Path) -> None:
        self.chain, self.world, self.directory = chain, world, directory
        self.w3 = chain.w3
        self.manifest = directory / "deployment.json"
        self.content_dir = directory / "content"

    def sender(self, account: int) -> Sender:
        return Sender.unlocked(self.w3, self.w3.eth.accounts[account])

    def wallet(self, account: int) -> TestWallet:
        return TestWallet(self.chain.rpc_url, keys=[anvil_key(account)], chain_id=self.chain_id)

    @property
    def chain_id(self) -> int:
        return int(self.w3.eth.chain_id)

    def now(self) -> int:
        return devchain.latest_timestamp(self.w3)

    def status(self, job: int) -> str:
        return self.world.status(job)


@pytest.fixture(scope="module")
def jobs_chain(
    compiled_artifacts: dict[str, Artifact], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JobsChain]:
    directory = tmp_path_factory.mktemp("jobs-chain")
    chain = start_chain(directory)
    try:
        deployment = deploy(chain, compiled_artifacts)
        world = job_world(chain.w3, deployment)
        jobs = JobsChain(chain, world, directory)
        write_manifest(deployment, jobs.manifest)
        world.license(jobs.sender(ALPHA))  # BETA holds no pass: its acceptance is refused
        governance = act_as_governance(chain.w3, deployment)
        board = world.board.functions
        governance.call(
            board.grantRole(board.ARBITER_ROLE().call(), jobs.sender(ARBITER).address),
            what="grant arbiter",
        )
        yield jobs
    finally:
        chain.stop()


@pytest.fixture(scope="module")
def jobs_app(start_app: StartApp, jobs_chain: JobsChain) -> AppServer:
    return start_app(
        "jobs",
        RPC_URL=jobs_chain.chain.rpc_url,
        CHAIN_ID=str(jobs_chain.chain_id),
        DEPLOYMENT=str(jobs_chain.manifest),
        CONTENT_DIR=str(jobs_chain.content_dir),
    )


@pytest.fixture(scope="module")
def story() -> dict[str, Any]:
    return {}


def _advance(chain: JobsChain, seconds: int) -> None:
    devchain.increase_time(chain.w3, seconds)


def _utc(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M")


def _dismiss(page: Page) -> None:
    page.locator("#tx-dismiss").click()


def _as(browser: Browser, app: AppServer, chain: JobsChain, account: int, path: str) -> Page:
    """A browser context of `account`'s own, signed in at `path` (close its context after)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    _open(page, app, path, chain.wallet(account))
    return page


def _fill_post(page: Page, chain: JobsChain, **fields: str) -> None:
    now = chain.now()
    values = {
        "description": "Wine cultivars from the browser",
        "datasets": ", ".join(str(d) for d in chain.world.datasets),
        "label-column": "class",
        "target-score": "0.8",
        "bounty": "1",
        "minimum-stake": "0.1",
        "bidding-deadline": _utc(now + DAY),
        "delivery-deadline": _utc(now + 7 * DAY),
    }
    values.update(fields)
    for name, value in values.items():
        page.locator(f"#post-{name}").fill(value)


def test_a_poster_posts_a_job_refused_first_when_wrong(
    page: Page, jobs_app: AppServer, jobs_chain: JobsChain, story: dict[str, Any]
) -> None:
    poster = jobs_chain.wallet(POSTER)
    _open(page, jobs_app, "/jobs/new", poster)
    _fill_post(page, jobs_chain, **{"bidding-deadline": _utc(jobs_chain.now() - 3600)})
    expect(page.locator("#post-escrow")).to_contain_text("Escrows 1 ETH", timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#post-licensable")).to_contain_text("2 of 2 datasets can be licensed")
    page.locator("#post-submit").click()
    _problem(page, "has passed")
    _dismiss(page)
    _fill_post(page, jobs_chain, bounty="1000000")
    page.locator("#post-submit").click()
    _problem(page, "more than your balance")
    _dismiss(page)
    assert poster.count("eth_sendTransaction") == 0
    _fill_post(page, jobs_chain)
    page.locator("#post-submit").click()
    wait_done(page, "Post a training job")
    assert jobs_chain.world.board.functions.jobCount().call() == 1
    story["job"] = 1
    expect(page).to_have_url(f"{jobs_app.url}/jobs", timeout=STEP_TIMEOUT_MS)
    row = page.locator(".job-row[data-job='1']")
    expect(row).to_contain_text("Wine cultivars from the browser", timeout=STEP_TIMEOUT_MS)
    expect(row).to_contain_text("1 ETH")
    expect(row).to_contain_text("Bidding closes in")


def test_two_providers_bid_a_bid_above_the_bounty_refused(
    browser: Browser, jobs_app: AppServer, jobs_chain: JobsChain, story: dict[str, Any]
) -> None:
    job = story["job"]
    delivery = _utc(jobs_chain.now() + 5 * DAY)
    for account, price, stake in ((ALPHA, "0.8", "0.1"), (BETA, "0.6", "0.2")):
        page = _as(browser, jobs_app, jobs_chain, account, f"/jobs/{job}")
        try:
            expect(page.locator("#job-status")).to_have_text("Open", timeout=STEP_TIMEOUT_MS)
            if account == BETA:  # the chain's word on its own passes, before it bids
                expect(page.locator("#job-your-passes")).to_contain_text(
                    "You hold no research pass for dataset", timeout=STEP_TIMEOUT_MS
                )
            if account == ALPHA:
                page.locator("#job-price").fill("2")
                page.locator("#job-delivery").fill(delivery)
                page.locator("#job-stake").fill("0.1")
                page.locator("#job-bid").click()
                _problem(page, "more than the bounty")
                _dismiss(page)
                page.locator("#job-stake").fill("0.01")
                page.locator("#job-price").fill("0.8")
                page.locator("#job-bid").click()
                _problem(page, "under the job's minimum")
                _dismiss(page)
            page.locator("#job-price").fill(price)
            page.locator("#job-delivery").fill(delivery)
            page.locator("#job-stake").fill(stake)
            page.locator("#job-bid").click()
            wait_done(page, f"on job #{job}")
        finally:
            page.context.close()
    assert jobs_chain.world.board.functions.bidCount(job).call() == 2


def test_the_poster_accepts_the_provider_holding_the_passes(
    page: Page, jobs_app: AppServer, jobs_chain: JobsChain, story: dict[str, Any]
) -> None:
    job = story["job"]
    _open(page, jobs_app, f"/jobs/{job}", jobs_chain.wallet(POSTER))
    beta = jobs_chain.sender(BETA).address
    alpha = jobs_chain.sender(ALPHA).address
    rows = page.locator(".bid-row")
    expect(rows).to_have_count(2, timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#job-cancel")).to_be_visible()
    expect(page.locator("#job-reopen")).to_have_count(0)  # bidding is open: nothing to reopen
    expect(page.locator(f".bid-row[data-provider='{alpha.lower()}']")).to_contain_text("0.8 ETH")
    page.locator(f".accept-bid[data-provider='{beta.lower()}']").click()
    _problem(page, "holds no valid research pass")
    _dismiss(page)
    page.locator(f".accept-bid[data-provider='{alpha.lower()}']").click()
    wait_done(page, f"Accept 0x{alpha[2:6]}")
    expect(page.locator("#job-status")).to_have_text("In progress", timeout=STEP_TIMEOUT_MS)
    assert jobs_chain.status(job) == "in_progress"


def test_the_provider_submits_and_anyone_finalizes_after_the_window(
    browser: Browser, jobs_app: AppServer, jobs_chain: JobsChain, story: dict[str, Any]
) -> None:
    job = story["job"]
    store = LocalContentStore(jobs_chain.content_dir)
    checkpoint = store.put(b"a checkpoint's bytes")
    metrics = store.put(json.dumps({"accuracy": 0.91, "rows": 178}).encode())
    page = _as(browser, jobs_app, jobs_chain, ALPHA, f"/jobs/{job}")
    try:
        page.locator("#job-checkpoint-cid").fill(checkpoint)
        page.locator("#job-metrics-cid").fill(metrics)
        page.locator("#job-score").fill("1.5")
        page.locator("#job-submit").click()
        _problem(page, "a fraction from 0 to 1")
        _dismiss(page)
        page.locator("#job-score").fill("0.91")
        page.locator("#job-submit").click()
        wait_done(page, f"Submit the result of job #{job}")
        result = page.locator("#job-result")
        expect(result).to_contain_text("0.91", timeout=STEP_TIMEOUT_MS)
        expect(result).to_contain_text("accuracy")
    finally:
        page.context.close()
    _advance(jobs_chain, 2 * DAY + 60)  # the challenge window (two days) is over
    page = _as(browser, jobs_app, jobs_chain, CHALLENGER, f"/jobs/{job}")
    try:
        page.locator("#job-finalize").click()
        wait_done(page, f"Finalize job #{job}")
        expect(page.locator("#job-status")).to_have_text("Completed", timeout=STEP_TIMEOUT_MS)
        payouts = page.locator("#job-payouts")
        expect(payouts).to_contain_text("Payment (price)")
        expect(payouts).to_contain_text("0.8 ETH")
        expect(payouts).to_contain_text("Bounty refund")
        expect(payouts).to_contain_text("0.2 ETH")
        expect(payouts).to_contain_text("Stake returned")
        timeline = page.locator("#job-timeline")
        expect(timeline).to_contain_text("Credited (payment) 0.8 ETH to 0x")
        expect(timeline).to_contain_text("Credited (stake returned) 0.1 ETH to 0x")
        expect(page.locator("#job-model-link")).to_contain_text("Model #1")
        alpha = jobs_chain.sender(ALPHA).address.lower()
        expect(page.locator(f".bid-row[data-provider='{alpha}']")).to_contain_text("1 completed")
    finally:
        page.context.close()
    assert jobs_chain.status(job) == "completed"


def test_the_provider_withdraws_its_payment_and_stake(
    page: Page, jobs_app: AppServer, jobs_chain: JobsChain, story: dict[str, Any]
) -> None:
    alpha = jobs_chain.sender(ALPHA).address
    before = jobs_chain.w3.eth.get_balance(alpha)
    _open(page, jobs_app, f"/jobs/{story['job']}", jobs_chain.wallet(ALPHA))
    button = page.locator(".job-withdraw[data-asset='ETH']")
    expect(button).to_contain_text("0.9 ETH", timeout=STEP_TIMEOUT_MS)
    button.click()
    wait_done(page, "Withdraw 0.9 ETH from the job board")
    after = jobs_chain.w3.eth.get_balance(alpha)
    assert 0.89 * ETHER < after - before < 0.9 * ETHER  # 0.9 ETH less the gas
    # The provider's profile: its record and earnings; the model the job produced.
    page.goto(f"{jobs_app.url}/providers/{alpha.lower()}")
    figures = page.locator("#provider-figures")
    expect(figures).to_contain_text("Jobs completed", timeout=STEP_TIMEOUT_MS)
    expect(page.locator(".provider-figure").first).to_contain_text("1")
    earnings = page.locator("#provider-earnings")
    expect(earnings).to_contain_text("earned 0.8 ETH")
    expect(earnings).to_contain_text("withdrawn 0.9 ETH")
    expect(page.locator(f".provider-job[data-job='{story['job']}']")).to_be_visible()
    page.goto(f"{jobs_app.url}/models/1")
    expect(page.locator("#model-job")).to_contain_text(
        f"Job #{story['job']}", timeout=STEP_TIMEOUT_MS
    )
    expect(page.locator("#model-score")).to_contain_text("0.91")
    expect(page.locator("#model-metrics")).to_contain_text("accuracy")
    expect(page.locator(".model-dataset")).to_have_count(2)
    page.goto(f"{jobs_app.url}/models")
    expect(page.locator(".model-row")).to_have_count(1, timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#model-total")).to_have_text("1 model")
    expect(page.locator("#model-page")).to_have_text("Page 1 of 1")
    expect(page.locator("#model-next")).to_be_disabled()


def _challenge_and_resolve(
    browser: Browser, app: AppServer, chain: JobsChain, job: int, decision: str
) -> None:
    page = _as(browser, app, chain, CHALLENGER, f"/jobs/{job}")
    try:
        page.locator("#job-evidence").fill("A re-run scored 0.42, far below the claim.")
        page.locator("#job-challenge").click()
        wait_done(page, f"Challenge the result of job #{job}")
        expect(page.locator("#job-evidence-text")).to_contain_text(
            "A re-run scored 0.42", timeout=STEP_TIMEOUT_MS
        )
    finally:
        page.context.close()
    page = _as(browser, app, chain, ARBITER, f"/jobs/{job}")
    try:
        page.locator(f"#job-decision-{decision}").click()
        page.locator("#job-reason").fill(f"The re-run was checked: {decision}.")
        page.locator("#job-resolve").click()
        wait_done(page, f"Resolve the challenge of job #{job}")
        expect(page.locator("#job-resolution")).to_contain_text(
            "Provider upheld" if decision == "upheld" else "Provider found wrong",
            timeout=STEP_TIMEOUT_MS,
        )
    finally:
        page.context.close()


def test_a_challenged_job_resolved_both_ways(
    browser: Browser, jobs_app: AppServer, jobs_chain: JobsChain
) -> None:
    world, poster, alpha = jobs_chain.world, jobs_chain.sender(POSTER), jobs_chain.sender(ALPHA)
    wrong = world.in_review(poster, alpha)
    upheld = world.in_review(poster, alpha)
    _challenge_and_resolve(browser, jobs_app, jobs_chain, wrong, "wrong")
    assert jobs_chain.status(wrong) == "failed"
    _challenge_and_resolve(browser, jobs_app, jobs_chain, upheld, "upheld")
    assert jobs_chain.status(upheld) == "completed"
    page = _as(browser, jobs_app, jobs_chain, POSTER, f"/jobs/{wrong}")
    try:
        payouts = page.locator("#job-payouts")
        expect(payouts).to_contain_text("Challenge reward", timeout=STEP_TIMEOUT_MS)
        expect(payouts).to_contain_text("Slashed stake (to treasury)")
        expect(payouts).to_contain_text("Bounty refund")
        page.goto(f"{jobs_app.url}/jobs/{upheld}")
        payouts = page.locator("#job-payouts")
        expect(payouts).to_contain_text("Challenger's bond (to provider)", timeout=STEP_TIMEOUT_MS)
        expect(payouts).to_contain_text("Payment (price)")
    finally:
        page.context.close()


def test_late_challenges_second_finalizes_and_non_arbiters_are_refused_by_the_server(
    page: Page, jobs_app: AppServer, jobs_chain: JobsChain, story: dict[str, Any]
) -> None:
    world, poster, alpha = jobs_chain.world, jobs_chain.sender(POSTER), jobs_chain.sender(ALPHA)
    late = world.in_review(poster, alpha)
    _advance(jobs_chain, 3 * DAY)
    _open(page, jobs_app, f"/jobs/{late}", jobs_chain.wallet(CHALLENGER))
    # Past the window by the chain's clock the page offers finalize but no challenge form...
    expect(page.locator("#job-finalize")).to_be_visible(timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#job-challenge")).to_have_count(0, timeout=STEP_TIMEOUT_MS)
    # ...and the handlers' server side, called as a forged event would call it, refuses.
    settings = _settings(jobs_chain)
    with pytest.raises(JobActionRefused, match="challenge window"):
        writes.prepare_challenge(
            settings,
            jobs_chain.sender(CHALLENGER).address,
            late,
            "Too late, but let us try.",
            "0.05",
        )
    assert jobs_chain.status(late) == "in_review"
    with pytest.raises(JobActionRefused, match="already finalized"):
        writes.prepare_finalize(settings, jobs_chain.sender(CHALLENGER).address, story["job"])
    challenged = world.in_review(poster, alpha)
    jobs_chain.sender(CHALLENGER).call(
        world.board.functions.challengeResult(challenged, cid("evidence")),
        what="challenge",
        value=CHALLENGE_BOND,
    )
    with pytest.raises(JobActionRefused, match="Only arbiters resolve"):
        writes.prepare_resolve(
            settings, jobs_chain.sender(POSTER).address, challenged, True, "I posted it."
        )
    with pytest.raises(JobActionRefused, match="Decision: yes or no"):
        writes.prepare_resolve(
            settings, jobs_chain.sender(ARBITER).address, challenged, "upheld", "forged"
        )


def _settings(chain: JobsChain) -> Settings:
    """The app's settings for this chain (its server-side write checks run in-process)."""
    return replace(
        load_settings(),
        rpc_url=chain.chain.rpc_url,
        chain_id=chain.chain_id,
        deployment_path=chain.manifest,
        content_dir=chain.content_dir,
    )


def test_a_cusd_bounty_is_approved_then_posted(
    page: Page, jobs_app: AppServer, jobs_chain: JobsChain
) -> None:
    poster = jobs_chain.sender(POSTER)
    cusd = jobs_chain.world.deployment.contract(jobs_chain.w3, "MockStablecoin")
    poster.call(cusd.functions.mint(poster.address, 5_000 * 10**6), what="mint")
    count = jobs_chain.world.board.functions.jobCount().call()
    _open(page, jobs_app, "/jobs/new", jobs_chain.wallet(POSTER))
    _fill_post(page, jobs_chain, bounty="2500", description="Digits in cUSD")
    page.select_option("#post-asset", "cUSD")
    page.locator("#post-bounty").fill("2,500")
    expect(page.locator("#post-escrow")).to_contain_text(
        "Escrows 2,500 cUSD", timeout=STEP_TIMEOUT_MS
    )
    expect(page.locator("#post-steps")).to_contain_text("Two transactions")
    page.locator("#post-submit").click()
    wait_done(page, "Allow the job board to take 2,500 cUSD")
    expect(page.locator("#post-notice")).to_contain_text("may now take the bounty")
    assert jobs_chain.world.board.functions.jobCount().call() == count
    page.locator("#post-submit").click()
    wait_done(page, "Post a training job")
    job = count + 1
    assert jobs_chain.world.board.functions.jobCount().call() == job
    board = jobs_chain.world.board.functions
    assert board.accountedBalance(cusd.address).call() == 2_500 * 10**6
    page.goto(f"{jobs_app.url}/jobs/{job}")
    expect(page.locator("#job-bounty")).to_have_text("2,500 cUSD", timeout=STEP_TIMEOUT_MS)
    # Cancelled, the bounty is credited back in cUSD: the timeline and a cUSD withdrawal say so.
    page.locator("#job-cancel").click()
    wait_done(page, f"Cancel job #{job}")
    expect(page.locator("#job-status")).to_have_text("Cancelled", timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#job-timeline")).to_contain_text(
        "Credited (bounty refund) 2,500 cUSD to 0x", timeout=STEP_TIMEOUT_MS
    )
    held = cusd.functions.balanceOf(poster.address).call()
    button = page.locator(".job-withdraw[data-asset='cUSD']")
    expect(button).to_contain_text("2,500 cUSD", timeout=STEP_TIMEOUT_MS)
    button.click()
    wait_done(page, "Withdraw 2,500 cUSD from the job board")
    assert cusd.functions.balanceOf(poster.address).call() == held + 2_500 * 10**6
    assert board.creditOf(poster.address, cusd.address).call() == 0


def test_reopen_is_offered_once_bidding_closed_without_acceptance(
    page: Page, jobs_app: AppServer, jobs_chain: JobsChain
) -> None:
    job = jobs_chain.world.post(jobs_chain.sender(POSTER))  # bidding closes in a day
    _open(page, jobs_app, f"/jobs/{job}", jobs_chain.wallet(POSTER))
    expect(page.locator("#job-cancel")).to_be_visible(timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#job-reopen")).to_have_count(0)
    # One block past the deadline: the page is re-read at that head and offers reopen.
    _advance(jobs_chain, DAY + 60)
    expect(page.locator("#job-reopen")).to_be_visible(timeout=STEP_TIMEOUT_MS)
    now = jobs_chain.now()
    page.locator("#job-bidding-deadline").fill(_utc(now + 2 * DAY))
    page.locator("#job-delivery-deadline").fill(_utc(now + 9 * DAY))
    page.locator("#job-reopen").click()
    wait_done(page, f"Reopen job #{job} for bids")
    expect(page.locator("#job-timeline")).to_contain_text(
        "Reopened for bids", timeout=STEP_TIMEOUT_MS
    )
    expect(page.locator("#job-reopen")).to_have_count(0)  # bidding is open again
    assert jobs_chain.status(job) == "open"

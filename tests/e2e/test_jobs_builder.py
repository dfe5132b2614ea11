"""Governance funds a training job from the proposal builder: "Fund a job" in the browser,
a deadline before the earliest execution refused next to its field, the proposal voted
through, queued and executed, and the timelock is the poster of a job whose bounty left
the treasury. Runs on the builder tests' chain and app (conftest: builder_chain)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page, expect
from web3 import Web3

from coop_dashboard.chain.transact import Sender
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.services.jobs.spec import Evaluation, JobSpec
from tests.e2e.app_server import AppServer
from tests.e2e.flows import STEP_TIMEOUT_MS, sign_in
from tests.e2e.governance_flows import (
    DAY,
    member_wallet,
    open_voting,
    queue_and_execute,
    vote_for,
    vote_for_in_own_browser,
    wait_done,
)
from tests.e2e.wallet import install_wallets
from tests.support.chains import SeededChain
from tests.support.datasets import register, sample_registration

pytestmark = pytest.mark.e2e

AMARA, BJORN = 1, 2


def _utc(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M")


def _now(chain: SeededChain) -> int:
    return int(chain.w3.eth.get_block("latest")["timestamp"])


def test_governance_funds_a_job_from_the_builder(
    browser: Browser, builder_app: AppServer, builder_chain: SeededChain, page: Page
) -> None:
    chain = builder_chain
    registry = chain.deployment.contract(chain.w3, "DatasetRegistry")
    contributor = Sender.unlocked(chain.w3, chain.w3.eth.accounts[5])
    dataset_id, _ = register(registry, contributor, sample_registration("Job funding data"))
    spec = JobSpec(
        recipe="logistic_regression",
        training_datasets=(dataset_id,),
        label_column="label",
        evaluation=Evaluation("holdout", test_share=0.2),
        metric="accuracy",
        target_score=0.85,
        tolerance=0.02,
        description="Funded by the cooperative",
    )
    spec_cid = LocalContentStore(chain.content_dir).put(spec.to_json())
    board = chain.deployment.contract(chain.w3, "JobBoard").functions
    jobs_before = board.jobCount().call()

    wallet = member_wallet(chain, AMARA)
    install_wallets(page, wallet)
    page.goto(builder_app.url + "/proposals/new")
    sign_in(page, wallet)
    page.locator("#builder-kind").get_by_role("radio", name="Fund a job").click()
    now = _now(chain)
    page.locator("#builder-job_spec").fill(spec_cid)
    page.locator("#builder-job_bounty").fill("1")
    page.locator("#builder-job_minimum_stake").fill("0.1")
    page.locator("#builder-job_bidding_deadline").fill(_utc(now + DAY))
    page.locator("#builder-job_delivery_deadline").fill(_utc(now + 40 * DAY))
    page.locator("#builder-title").fill("Fund a training job")
    page.locator("#builder-check").click()
    expect(page.locator("#builder-error-job_bidding_deadline")).to_contain_text(
        "after the proposal can execute", timeout=STEP_TIMEOUT_MS
    )
    expect(page.locator("#builder-submit")).to_be_disabled()
    page.locator("#builder-job_bidding_deadline").fill(_utc(now + 20 * DAY))
    page.locator("#builder-check").click()
    expect(page.locator(".builder-action")).to_have_count(1, timeout=STEP_TIMEOUT_MS)
    expect(page.locator(".builder-action")).to_contain_text("✓")
    page.locator("#builder-submit").click()
    wait_done(page, "Create the proposal")
    expect(page).to_have_url(re.compile(r"/proposals/\d+$"), timeout=STEP_TIMEOUT_MS)
    proposal_id = int(page.url.rsplit("/", 1)[-1])

    open_voting(chain, proposal_id)
    vote_for(page, builder_app, proposal_id)
    vote_for_in_own_browser(browser, builder_app, chain, BJORN, proposal_id)
    treasury = Web3.to_checksum_address(chain.deployment.address("CoopTimelock"))
    before = chain.w3.eth.get_balance(treasury)
    queue_and_execute(page, builder_app, chain, proposal_id)

    job = jobs_before + 1
    assert board.jobCount().call() == job
    stored = board.jobOf(job).call()
    assert stored[0] == treasury and stored[11] == 10**18  # the timelock posted 1 ETH
    assert chain.w3.eth.get_balance(treasury) == before - 10**18
    page.goto(f"{builder_app.url}/jobs/{job}")
    expect(page.locator("#job-title")).to_contain_text(
        "Funded by the cooperative", timeout=STEP_TIMEOUT_MS
    )
    expect(page.locator("#job-bounty")).to_have_text("1 ETH")

"""The demo's jobs: seeded on a real chain after the datasets and licenses, indexed; a job
in every status, the treasury-funded one, both resolutions, and a model whose checkpoint
the nodes' training code made (it loads and re-scores as claimed); the treasury's job
credits withdrawn and filed; the arbiter indexed; the board searching the specs' text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text
from web3 import Web3

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.job_board import JOB_BOARD_CONTRACT
from coop_dashboard.chain.seed import SeedReport
from coop_dashboard.config import Settings
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db import dataset_queries as dq
from coop_dashboard.db import job_queries as jq
from coop_dashboard.db.job_specs import spec_facts
from coop_dashboard.db.treasury_categories import Category
from coop_dashboard.evm import ZERO_ADDRESS
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.service import run_once
from coop_dashboard.nodes.training import evaluate_checkpoint
from coop_dashboard.services.jobs.spec import parse, score_units
from coop_dashboard.services.jobs.spec_facts import fill_missing_spec_facts
from coop_dashboard.services.treasury.commitments import escrowed_bounties
from tests.indexer.conftest import engine_for, indexer_settings
from tests.support.chains import Chain, deploy, seed_whole_demo, start_chain
from tests.support.datasets import deployed_settings


@dataclass
class SeededJobs:
    chain: Chain
    report: SeedReport
    store: LocalContentStore
    database_url: str
    settings: Settings
    deployment: Deployment


@pytest.fixture(scope="module")
def seeded(
    compiled_artifacts: dict[str, Artifact], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SeededJobs]:
    directory = tmp_path_factory.mktemp("seeded-jobs")
    chain = start_chain(directory)
    try:
        deployment = deploy(chain, compiled_artifacts)
        store = LocalContentStore(directory / "content")
        report = seed_whole_demo(chain.w3, deployment, store)
        settings = deployed_settings(chain, deployment, directory)
        run_once(
            indexer_settings(chain.rpc_url, directory / "deployment.json", settings.database_url),
            IndexerConfig(),
        )
        yield SeededJobs(chain, report, store, settings.database_url, settings, deployment)
    finally:
        chain.stop()


def test_the_seed_has_a_job_in_every_status_as_the_chain_has_it(seeded: SeededJobs) -> None:
    assert seeded.report.jobs is not None
    ids = seeded.report.jobs.jobs
    engine = engine_for(seeded.database_url)
    counts = jq.status_counts(engine)
    assert all(counts[status] >= 1 for status in jq.STATUSES), counts
    expected = {
        "completed": "completed",
        "upheld": "completed",
        "slashed": "failed",
        "missed": "failed",
        "cancelled": "cancelled",
        "challenged": "challenged",
        "in_review": "in_review",
        "in_progress": "in_progress",
        "open": "open",
        "treasury": "open",
        "treasury_cancelled": "cancelled",
    }
    for key, status in expected.items():
        detail = jq.job_detail(engine, ids[key])
        assert detail is not None and detail.summary.status == status, key
        spec = parse(seeded.store.get(detail.summary.spec_cid))  # every spec is a JobSpec
        assert set(spec.all_datasets) <= set(detail.summary.dataset_ids)
    open_job = jq.job_detail(engine, ids["open"])
    assert open_job is not None and open_job.summary.bid_count == 2
    upheld = jq.job_detail(engine, ids["upheld"])
    slashed = jq.job_detail(engine, ids["slashed"])
    assert upheld is not None and slashed is not None
    assert upheld.challenges[0].resolution is not None
    assert upheld.challenges[0].resolution.provider_upheld
    assert slashed.challenges[0].resolution is not None
    assert not slashed.challenges[0].resolution.provider_upheld
    # The treasury's cUSD job is its escrow, and its poster is the timelock.
    treasury = jq.job_detail(engine, ids["treasury"])
    assert treasury is not None and treasury.summary.bid_count == 1
    assert escrowed_bounties(engine) == {treasury.summary.asset: treasury.summary.bounty}


def test_the_seeded_model_was_really_trained_and_re_scores_as_claimed(
    seeded: SeededJobs,
) -> None:
    assert seeded.report.jobs is not None
    engine = engine_for(seeded.database_url)
    models = jq.list_models(engine)
    assert len(models) == 2
    model = jq.model_detail(engine, models[0].model_id)
    assert model is not None and model.summary.checkpoint_cid and model.spec_cid
    assert model.summary.job_id == seeded.report.jobs.jobs["completed"]
    spec = parse(seeded.store.get(model.spec_cid))
    data = {d: seeded.store.get(_data_cid(seeded, d)) for d in spec.all_datasets}
    metrics = evaluate_checkpoint(spec, data, seeded.store.get(model.summary.checkpoint_cid))
    assert score_units(float(metrics["score"])) == model.summary.claimed_score
    # The digits are licensed non-commercially: so is the model.
    assert model.license.known and model.license.use == "non_commercial"


def _data_cid(seeded: SeededJobs, dataset_id: int) -> str:
    facts = dq.get_dataset(engine_for(seeded.database_url), dataset_id)
    assert facts is not None
    return facts.summary.data_cid


def test_the_treasury_withdraws_its_job_credits_filed_as_refunds_and_slashes(
    seeded: SeededJobs,
) -> None:
    """The second jobs proposal cancels the treasury's re-run and withdraws its credits:
    the bounty back in cUSD, its share of both slashed stakes in ETH, nothing left."""
    assert seeded.report.jobs is not None
    engine = engine_for(seeded.database_url)
    ids = seeded.report.jobs.jobs
    cancelled = jq.job_detail(engine, ids["treasury_cancelled"])
    assert cancelled is not None
    timelock = cancelled.summary.poster
    failed = [jq.job_detail(engine, ids[key]) for key in ("slashed", "missed")]
    slashed_to_treasury = sum(s.to_treasury for job in failed if job for s in job.slashes)
    assert slashed_to_treasury > 0
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT category, asset, amount FROM treasury_movement "
                "WHERE category IN ('bounty_refunded', 'stake_slashed')"
            )
        ).all()
    filed: dict[tuple[str, str], int] = {}
    for category, asset, amount in rows:
        filed[(category, asset)] = filed.get((category, asset), 0) + int(amount)
    assert filed == {
        (Category.BOUNTY_REFUNDED, cancelled.summary.asset): cancelled.summary.bounty,
        (Category.STAKE_SLASHED, "eth"): slashed_to_treasury,
    }
    # The chain agrees: nothing is left credited to the treasury.
    board = _board(seeded).functions
    for asset in (cancelled.summary.asset, ZERO_ADDRESS):
        holder, token = Web3.to_checksum_address(timelock), Web3.to_checksum_address(asset)
        assert board.creditOf(holder, token).call() == 0


def test_the_arbiter_the_proposal_appointed_is_indexed(seeded: SeededJobs) -> None:
    assert seeded.report.jobs is not None
    engine = engine_for(seeded.database_url)
    arbiter = seeded.report.jobs.arbiter.lower()
    assert jq.arbiters(engine) == [arbiter]
    assert jq.is_arbiter(engine, arbiter.upper().replace("0X", "0x"))
    assert not jq.is_arbiter(engine, seeded.report.jobs.providers[0])
    role = _board(seeded).functions.ARBITER_ROLE().call()
    assert _board(seeded).functions.hasRole(role, seeded.report.jobs.arbiter).call()


def test_the_board_searches_what_the_specs_say(seeded: SeededJobs) -> None:
    """The spec service reads every seeded spec; the board then finds jobs by recipe,
    metric and description words, which no chain event carries."""
    assert seeded.report.jobs is not None
    engine = engine_for(seeded.database_url)
    ids = seeded.report.jobs.jobs
    assert jq.list_jobs(engine, jq.JobQuery(search="logistic")).total == 0  # not read yet
    assert fill_missing_spec_facts(seeded.settings) == 2  # two distinct specs
    assert fill_missing_spec_facts(seeded.settings) == 0  # saved once
    digits = {ids[k] for k in ("completed", "upheld", "slashed", "challenged", "in_review")}
    digits.add(ids["treasury_cancelled"])
    wine = {ids[k] for k in ("missed", "cancelled", "in_progress", "open", "treasury")}
    page_size = jq.MAX_PAGE_SIZE

    def found(search: str) -> set[int]:
        page = jq.list_jobs(engine, jq.JobQuery(search=search, page_size=page_size))
        return {row.job_id for row in page.rows}

    assert found("logistic regression") == digits
    assert found("F1 (macro)") == digits
    assert found("cultivars") == wine
    assert found("neural network accuracy") == wine
    assert found("cultivars #" + str(ids["open"])) == {ids["open"]}
    assert found("gradient") == set()
    detail = jq.job_detail(engine, ids["completed"])
    assert detail is not None
    facts = spec_facts(engine, detail.summary.spec_cid)
    assert facts is not None and facts.problem is None
    assert (facts.task, facts.recipe, facts.metric) == (
        "classification",
        "logistic_regression",
        "f1_macro",
    )
    assert facts.target_units == 930_000


def _board(seeded: SeededJobs) -> Any:
    return seeded.deployment.contract(seeded.chain.w3, JOB_BOARD_CONTRACT)

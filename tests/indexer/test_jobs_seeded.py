"""The demo's jobs: seeded on a real chain after the datasets and licenses, indexed; a job
in every status, the treasury-funded one, both resolutions, and a model whose checkpoint
the nodes' training code made (it loads and re-scores as claimed)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.seed import SeedReport, seed_demo
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db import dataset_queries as dq
from coop_dashboard.db import job_queries as jq
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.service import run_once
from coop_dashboard.nodes.training import evaluate_checkpoint
from coop_dashboard.services.datasets.demo import demo_datasets
from coop_dashboard.services.jobs.spec import parse, score_units
from coop_dashboard.services.treasury.commitments import escrowed_bounties
from tests.indexer.conftest import engine_for, indexer_settings
from tests.support.chains import Chain, deploy, start_chain
from tests.support.datasets import deployed_settings


@dataclass
class SeededJobs:
    chain: Chain
    report: SeedReport
    store: LocalContentStore
    database_url: str


@pytest.fixture(scope="module")
def seeded(
    compiled_artifacts: dict[str, Artifact], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SeededJobs]:
    directory = tmp_path_factory.mktemp("seeded-jobs")
    chain = start_chain(directory)
    try:
        deployment = deploy(chain, compiled_artifacts)
        store = LocalContentStore(directory / "content")
        report = seed_demo(
            chain.w3,
            deployment,
            store,
            datasets=demo_datasets(store),
            licensing=True,
            jobs=True,
        )
        settings = deployed_settings(chain, deployment, directory)
        run_once(
            indexer_settings(chain.rpc_url, directory / "deployment.json", settings.database_url),
            IndexerConfig(),
        )
        yield SeededJobs(chain, report, store, settings.database_url)
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

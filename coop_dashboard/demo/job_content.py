"""What the demo's training jobs store: their specs and the model the completed jobs
deliver, made by the compute nodes' own code (nodes/demo_specs.py, nodes/training.py).

chain/seed_jobs.py posts the jobs but imports nothing above chain/: `coop seed`
(cli.py) hands it `demo_job_content()`, as it hands the seed the demo's datasets
(services/datasets/demo.py). The same spec and the same data bytes give the same
model, so the seeded checkpoint loads and re-scores like any worker's.
"""

from __future__ import annotations

from dataclasses import replace

from coop_dashboard.chain.seed_jobs import JobContent, TrainedModel
from coop_dashboard.nodes.demo_specs import digits_logistic, wine_mlp
from coop_dashboard.nodes.training import train_for_spec
from coop_dashboard.services.jobs.spec import Evaluation, score_units


def digits_spec(digits_id: int) -> bytes:
    """The digits baseline (a logistic regression scored on a holdout)."""
    return digits_logistic(digits_id).to_json()


def wine_spec(train_id: int) -> bytes:
    """The nodes' wine network scored on a holdout of the training split: the wine test
    split offers no pass, so a provider could not be accepted for a job naming it."""
    spec = replace(wine_mlp(train_id, train_id), evaluation=Evaluation("holdout", 0.2))
    return spec.to_json()


def train_digits(digits_id: int, data: bytes) -> TrainedModel:
    """The digits baseline trained on `data` (the digits dataset's bytes), ~4 s."""
    result = train_for_spec(digits_logistic(digits_id), {digits_id: data})
    return TrainedModel(result.model_bytes, result.metrics_bytes(), score_units(result.score))


def demo_job_content() -> JobContent:
    return JobContent(digits_spec=digits_spec, wine_spec=wine_spec, train_digits=train_digits)

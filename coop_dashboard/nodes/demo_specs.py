"""Specs of the demo's training jobs on the seeded datasets (the seed posts them, the
benchmark times them): a small MLP and a logistic regression on the digits, a
small MLP on the wine training split scored on its test split. Re-evaluating their checkpoints costs
well under a tenth of training them (benchmarks/verification.py)."""

from __future__ import annotations

from coop_dashboard.services.jobs.spec import Evaluation, JobSpec


def digits_mlp(digits_id: int) -> JobSpec:
    return JobSpec(
        description="Recognise handwritten digits with a small neural network.",
        recipe="mlp",
        params={"hidden_units": 64, "hidden_layers": 1, "max_iter": 200},
        training_datasets=(digits_id,),
        label_column="digit",
        evaluation=Evaluation("holdout", test_share=0.2),
        metric="accuracy",
        target_score=0.95,
        tolerance=0.005,
        seed=7,
    )


def digits_logistic(digits_id: int) -> JobSpec:
    return JobSpec(
        description="A linear baseline for the handwritten digits.",
        recipe="logistic_regression",
        params={"C": 0.1, "max_iter": 2000},
        training_datasets=(digits_id,),
        label_column="digit",
        evaluation=Evaluation("holdout", test_share=0.2),
        metric="f1_macro",
        target_score=0.93,
        tolerance=0.005,
        seed=7,
    )


def wine_mlp(train_id: int, test_id: int) -> JobSpec:
    return JobSpec(
        description="Tell the three wine cultivars apart from their chemistry.",
        recipe="mlp",
        params={"hidden_units": 256, "hidden_layers": 2, "max_iter": 1000},
        training_datasets=(train_id,),
        label_column="cultivar",
        evaluation=Evaluation("dataset", dataset_id=test_id),
        metric="accuracy",
        target_score=0.9,
        tolerance=0.01,
        seed=7,
    )

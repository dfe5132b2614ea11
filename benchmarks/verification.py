"""Verification cost: re-evaluating a checkpoint vs training it, and exact re-training.

    .venv/bin/python benchmarks/verification.py [--repeat 3]

For each spec on the demo's real data (the seeded jobs' specs, nodes/demo_specs.py,
and, for reference, the tree ensembles on the digits): train as a worker does
(`train_for_spec`: reading the CSV, fitting, evaluating, writing the checkpoint),
then re-evaluate the checkpoint as a verifier does (`evaluate_checkpoint`: reading
the CSV, loading the checkpoint with only the recipes' types trusted, predicting
the held-out rows), and re-train from scratch. Prints the median times, the
ratio (target for the seeded specs: < 10%), and whether the re-trained model
scores exactly the same and predicts the same labels on every held-out row.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coop_dashboard.nodes import demo_specs  # noqa: E402
from coop_dashboard.nodes.training import (  # noqa: E402
    evaluate_checkpoint,
    load_checkpoint,
    prepare,
    train_for_spec,
)
from coop_dashboard.services.datasets import demo  # noqa: E402
from coop_dashboard.services.jobs.spec import JobSpec  # noqa: E402

DIGITS, WINE_TRAIN, WINE_TEST = 1, 2, 3


def _data() -> dict[int, bytes]:
    wine = demo._standardised(demo._wine())
    train, test = demo._split(wine, 0.2)
    return {DIGITS: demo._digits().csv(), WINE_TRAIN: train.csv(), WINE_TEST: test.csv()}


def _specs() -> list[tuple[str, JobSpec, bool]]:
    from dataclasses import replace

    mlp = demo_specs.digits_mlp(DIGITS)
    return [
        ("digits mlp (seeded)", mlp, True),
        ("digits logistic (seeded)", demo_specs.digits_logistic(DIGITS), True),
        ("wine mlp (seeded)", demo_specs.wine_mlp(WINE_TRAIN, WINE_TEST), True),
        (
            "digits random forest",
            replace(mlp, recipe="random_forest", params={"n_estimators": 100}),
            False,
        ),
        (
            "digits gradient boosting",
            replace(mlp, recipe="gradient_boosting", params={"n_estimators": 50}),
            False,
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = _data()
    failed = False
    print(f"{'spec':28} {'train s':>8} {'re-eval s':>9} {'ratio':>7} {'retrain':>8}  score")
    for name, spec, seeded in _specs():
        train_times, eval_times = [], []
        trained = None
        for _ in range(args.repeat):
            started = time.perf_counter()
            trained = train_for_spec(spec, data)
            train_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            evaluation = evaluate_checkpoint(spec, data, trained.model_bytes)
            eval_times.append(time.perf_counter() - started)
            assert evaluation["score"] == trained.score
        assert trained is not None
        again = train_for_spec(spec, data)
        test = prepare(spec, data).test
        same_predictions = bool(
            np.array_equal(
                load_checkpoint(trained.model_bytes).predict(test.features),
                load_checkpoint(again.model_bytes).predict(test.features),
            )
        )
        exact = again.score == trained.score and same_predictions
        train_s, eval_s = statistics.median(train_times), statistics.median(eval_times)
        ratio = eval_s / train_s
        if seeded and (ratio >= 0.10 or not exact):
            failed = True
        print(
            f"{name:28} {train_s:8.3f} {eval_s:9.3f} {ratio:7.1%} "
            f"{'exact' if exact else 'DIFFERS':>8}  {spec.metric} {trained.score:.6f}"
        )
    print("seeded specs: re-evaluation < 10% of training and exact re-training:", not failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

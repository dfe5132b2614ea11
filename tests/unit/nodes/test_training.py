"""Training for a spec: deterministic, the checkpoint loads and predicts, a forged
checkpoint (a pickle-style payload, unknown types, garbage) is refused without running
anything, and data that does not fit the spec is refused with the reason."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import numpy as np
import pytest
from skops import io as skops_io

from coop_dashboard.nodes.training import (
    TrainingError,
    evaluate_checkpoint,
    load_checkpoint,
    prepare,
    train_for_spec,
)
from coop_dashboard.services.datasets import demo
from coop_dashboard.services.jobs.spec import Evaluation, JobSpec

WINE = demo._wine().csv()
SPEC = JobSpec(
    recipe="logistic_regression",
    training_datasets=(1,),
    label_column="cultivar",
    evaluation=Evaluation("holdout", test_share=0.25),
    metric="accuracy",
    target_score=0.9,
    tolerance=0.01,
    seed=5,
)


def test_training_is_deterministic_and_the_checkpoint_predicts() -> None:
    first = train_for_spec(SPEC, {1: WINE})
    second = train_for_spec(SPEC, {1: WINE})
    timings = ("training_seconds", "evaluation_seconds")
    untimed = [{k: v for k, v in t.metrics.items() if k not in timings} for t in (first, second)]
    assert first.score == second.score and untimed[0] == untimed[1]
    test = prepare(SPEC, {1: WINE}).test
    model = load_checkpoint(first.model_bytes)
    predicted = model.predict(test.features)
    assert float(np.mean(predicted == test.labels.astype(str))) == first.score
    assert evaluate_checkpoint(SPEC, {1: WINE}, first.model_bytes)["score"] == first.score
    assert first.metrics["test_rows"] == len(test.labels) == 45


@pytest.mark.parametrize("recipe", ["gradient_boosting", "random_forest", "mlp"])
def test_every_recipe_trains_and_reloads(recipe: str) -> None:
    params = {"n_estimators": 5} if recipe != "mlp" else {"max_iter": 20, "hidden_units": 8}
    spec = replace(SPEC, recipe=recipe, params=params)
    trained = train_for_spec(spec, {1: WINE})
    assert evaluate_checkpoint(spec, {1: WINE}, trained.model_bytes)["score"] == trained.score


def test_a_forged_checkpoint_is_refused() -> None:
    with pytest.raises(TrainingError, match="not a readable skops file"):
        load_checkpoint(b"\x80\x04cos\nsystem\n.")  # a pickle, not a skops zip
    foreign = skops_io.dumps({"call": print})  # a function reference: never trusted
    with pytest.raises(TrainingError, match=r"types no recipe makes.*builtins\.print"):
        load_checkpoint(foreign)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("schema.json", "{not json")
    with pytest.raises(TrainingError, match="not a readable skops file"):
        load_checkpoint(buffer.getvalue())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "No data for dataset"),
        ({1: b"a,b\n1,2\n"}, "no label column 'cultivar'"),
        ({1: b"x,cultivar\nabc,1\ndef,2\n"}, "not a number"),
        ({1: b"x,cultivar\n"}, "no data rows"),
        ({1: b"\xff\xfe"}, "not UTF-8"),
        ({1: b"x,cultivar\n1,2,3\n4,5\n"}, "different number of fields"),
    ],
)
def test_data_that_does_not_fit_is_refused(data: dict[int, bytes], message: str) -> None:
    with pytest.raises(TrainingError, match=message):
        train_for_spec(SPEC, data)

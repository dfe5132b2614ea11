"""JobSpec: canonical JSON round trip, hostile bytes refused with clear reasons."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from coop_dashboard.services.jobs.spec import (
    MAX_SPEC_BYTES,
    SCORE_SCALE,
    Evaluation,
    JobSpec,
    JobSpecError,
    parse,
    score_from_units,
    score_units,
    validate,
)


def _spec(**changes: object) -> JobSpec:
    spec = JobSpec(
        recipe="logistic_regression",
        params={"C": 0.5},
        training_datasets=(2,),
        label_column="cultivar",
        evaluation=Evaluation("holdout", test_share=0.2),
        metric="accuracy",
        target_score=0.9,
        tolerance=0.01,
        seed=7,
        description="Wine cultivars",
    )
    return replace(spec, **changes)  # type: ignore[arg-type]


def _document(**changes: object) -> bytes:
    document = json.loads(_spec().to_json())
    document.update(changes)
    return json.dumps(document).encode()


def test_round_trip_is_canonical() -> None:
    spec = _spec()
    raw = spec.to_json()
    assert parse(raw) == spec
    assert parse(raw).to_json() == raw
    assert b" " not in raw.replace(b"Wine cultivars", b"")
    # Key order in the input does not matter; the canonical bytes are the same.
    shuffled = json.dumps(dict(reversed(list(json.loads(raw).items())))).encode()
    assert parse(shuffled).to_json() == raw


def test_dataset_evaluation_and_defaults() -> None:
    spec = _spec(evaluation=Evaluation("dataset", dataset_id=9), params={})
    parsed = parse(spec.to_json())
    assert parsed.evaluation_datasets == (9,)
    assert parsed.all_datasets == (2, 9)
    assert parsed.resolved_params() == {"C": 1.0, "max_iter": 1000}
    assert parsed.verifiers_retrain is True


def test_score_units() -> None:
    assert score_units(0.9) == 900_000
    assert score_units(1.0) == SCORE_SCALE
    assert score_from_units(972_222) == pytest.approx(0.972222)
    assert _spec().target_units == 900_000
    assert _spec().tolerance_units == 10_000


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xff\xfe", "not UTF-8"),
        (b"{", "not valid JSON"),
        (b"[]", "must be a JSON object"),
        (b'{"a": 1, "a": 2}', "names 'a' twice"),
        (b'{"target_score": NaN}', "not a number"),
        (b" " * (MAX_SPEC_BYTES + 1), "at most"),
        (b"[" * 60_000, "not valid JSON"),  # nesting past the recursion limit
    ],
    ids=["binary", "truncated", "array", "duplicate", "nan", "oversized", "deep"],
)
def test_hostile_bytes(raw: bytes, message: str) -> None:
    with pytest.raises(JobSpecError, match=message):
        parse(raw)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"recipe": "quantum_annealer"}, "Unknown recipe 'quantum_annealer'"),
        ({"extra": 1}, "unknown fields: extra"),
        ({"version": 2}, "version 2 is not supported"),
        ({"version": True}, "version must be a whole number"),
        ({"task": "regression"}, "Unknown task"),
        ({"metric": "auc"}, "Unknown metric"),
        ({"params": {"C": "big"}}, "C must be a number"),
        ({"params": {"C": 0}}, "between"),
        ({"params": {"gamma": 1}}, "no parameter 'gamma'"),
        ({"params": {"C": True}}, "must be a number or a name"),
        ({"training_datasets": []}, "non-empty list"),
        ({"training_datasets": [1, 1]}, "listed twice"),
        ({"training_datasets": [0]}, "start at 1"),
        ({"training_datasets": ["1"]}, "whole number"),
        ({"training_datasets": list(range(1, 18))}, "at most 16"),
        ({"evaluation": {"kind": "vibes"}}, "no usable evaluation data"),
        ({"evaluation": None}, "evaluation must be an object"),
        ({"evaluation": {"kind": "holdout", "test_share": 0.9}}, "at most 0.5"),
        ({"evaluation": {"kind": "holdout"}}, "exactly: kind, test_share"),
        ({"evaluation": {"kind": "dataset", "dataset_id": 2}}, "also a training dataset"),
        ({"target_score": 1.5}, "at most 1"),
        ({"target_score": "0.9"}, "must be a number"),
        ({"tolerance": -0.1}, "tolerance"),
        ({"seed": 2**40}, "seed"),
        ({"label_column": ""}, "must not be empty"),
        ({"label_column": "a\x00b"}, "control characters"),
        ({"ignore_columns": ["cultivar"]}, "cannot also be ignored"),
        ({"verifiers_retrain": 1}, "true or false"),
    ],
)
def test_refusals_name_the_problem(changes: dict[str, object], message: str) -> None:
    with pytest.raises(JobSpecError, match=message):
        parse(_document(**changes))


def test_missing_fields_listed() -> None:
    document = json.loads(_spec().to_json())
    del document["metric"], document["evaluation"]
    with pytest.raises(JobSpecError, match="missing: evaluation, metric"):
        parse(json.dumps(document).encode())


def test_to_json_validates() -> None:
    with pytest.raises(JobSpecError, match="Unknown recipe"):
        _spec(recipe="nope").to_json()
    validate(_spec(recipe="mlp", params={"activation": "tanh", "hidden_layers": 2}))

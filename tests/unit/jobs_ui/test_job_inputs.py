"""Job action inputs as a browser may forge them: each refused with a sentence, never a crash."""

from __future__ import annotations

import pytest

from coop_dashboard.services.jobs.inputs import (
    JobActionRefused,
    address_value,
    amount_value,
    asset_value,
    cid_value,
    dataset_ids_value,
    duration_value,
    fraction_value,
    job_id_value,
    purpose_value,
    score_value,
    utc_time_value,
)
from coop_dashboard.services.jobs.writes import PostForm, spec_from_form

FORGED = [None, 3.5, ["1"], {"a": 1}, True, "x" * 5_000]


def test_job_ids() -> None:
    assert job_id_value("12") == 12
    assert job_id_value(7) == 7
    for bad in [0, -1, "0", "1e3", "", True, None, 1.0, "9" * 30]:
        with pytest.raises(JobActionRefused, match="Not a job number"):
            job_id_value(bad)


def test_amounts_are_exact() -> None:
    assert amount_value("0.1", 18, "Bounty") == 10**17
    assert amount_value("1,250.5", 6, "Bounty") == 1_250_500_000
    with pytest.raises(JobActionRefused, match="Bounty: must be more than 0"):
        amount_value("0", 18, "Bounty")
    with pytest.raises(JobActionRefused, match="at most 6 decimal places"):
        amount_value("0.0000001", 6, "Bounty")
    with pytest.raises(JobActionRefused, match="negative"):
        amount_value("-1", 18, "Bounty")
    for bad in FORGED:
        with pytest.raises(JobActionRefused):
            amount_value(bad, 18, "Bounty")


def test_utc_times() -> None:
    assert utc_time_value("2026-12-01T14:30", "Bidding deadline") == 1_796_135_400
    with pytest.raises(JobActionRefused, match="Bidding deadline: enter a date"):
        utc_time_value("", "Bidding deadline")
    with pytest.raises(JobActionRefused, match="is not a date and time"):
        utc_time_value("tomorrow", "Bidding deadline")
    for bad in FORGED:
        with pytest.raises(JobActionRefused):
            utc_time_value(bad, "Bidding deadline")


def test_durations_cids_addresses() -> None:
    assert duration_value("2 days", "Challenge window") == 172_800
    with pytest.raises(JobActionRefused, match="Challenge window"):
        duration_value("soon", "Challenge window")
    cid = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
    assert cid_value(cid, "Checkpoint") == cid
    with pytest.raises(JobActionRefused, match="Checkpoint: .* is not a content identifier"):
        cid_value("Qm-not-a-cid", "Checkpoint")
    with pytest.raises(JobActionRefused, match="not an address"):
        address_value("0x1234", "Provider")
    assert address_value("0x" + "ab" * 20, "Provider").lower() == "0x" + "ab" * 20


def test_choices_are_closed_lists() -> None:
    assert asset_value("cUSD") == "cUSD"
    assert purpose_value("research") == "research"
    for bad in ["BTC", "", None, ["ETH"]]:
        with pytest.raises(JobActionRefused, match="Asset: one of ETH, cUSD"):
            asset_value(bad)
        with pytest.raises(JobActionRefused, match="Purpose: one of"):
            purpose_value(bad)


def test_dataset_ids() -> None:
    assert dataset_ids_value("3, 1 #2 3") == (1, 2, 3)
    assert dataset_ids_value([2, "1"]) == (1, 2)
    with pytest.raises(JobActionRefused, match="at least one"):
        dataset_ids_value("")
    with pytest.raises(JobActionRefused, match="at most 16"):
        dataset_ids_value(list(range(1, 18)))
    for bad in ["0", "-1", "x", [True], [1.5], None]:
        with pytest.raises(JobActionRefused, match="Datasets"):
            dataset_ids_value(bad)


def test_scores_are_fractions_in_millionths() -> None:
    assert score_value("0.87") == 870_000
    assert score_value("1") == 1_000_000
    assert fraction_value(".5", "Tolerance") == 0.5
    for bad in ["1.5", "87", "-0.1", "0.1234567", "nan", "", None, 0.5]:
        with pytest.raises(JobActionRefused):
            score_value(bad)


def test_spec_from_the_form() -> None:
    form = PostForm(
        description="Wine cultivars",
        recipe="logistic_regression",
        datasets="2",
        label_column="cultivar",
        metric="accuracy",
        target_score="0.9",
        tolerance="0.01",
        test_share="0.2",
    )
    spec = spec_from_form(form)
    assert spec.training_datasets == (2,)
    assert spec.target_units == 900_000
    with pytest.raises(JobActionRefused, match="Spec: Unknown recipe"):
        spec_from_form(PostForm(**{**form.__dict__, "recipe": "<script>"}))
    with pytest.raises(JobActionRefused, match="Spec: Unknown metric"):
        spec_from_form(PostForm(**{**form.__dict__, "metric": ["accuracy"]}))
    with pytest.raises(JobActionRefused, match="Spec: The label column"):
        spec_from_form(PostForm(**{**form.__dict__, "label_column": ""}))
    with pytest.raises(JobActionRefused, match="Spec: The target score"):
        spec_from_form(PostForm(**{**form.__dict__, "target_score": "0"}))

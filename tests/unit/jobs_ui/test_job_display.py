"""How the job pages word deadlines and a job's title (pure functions)."""

from __future__ import annotations

from coop_dashboard.services.jobs.display import countdown, deadline_iso, deadline_label, spec_title
from coop_dashboard.services.jobs.spec import Evaluation, JobSpec

NOW = 1_800_000_000


def test_the_deadline_a_job_waits_for() -> None:
    assert (
        countdown("open", NOW + 2 * 86_400 + 3 * 3_600, NOW) == "Bidding closes in 2 days 3 hours"
    )
    assert countdown("in_review", NOW + 90, NOW) == "Challenge window closes in 1 minute"
    assert countdown("in_progress", NOW - 1, NOW).startswith("Delivery due: passed ")
    assert countdown("completed", None, NOW) == ""
    assert deadline_label("challenged", NOW) == "Escalates to governance"
    assert deadline_label("open", None) == deadline_iso(None) == ""
    assert deadline_iso(NOW) == "2027-01-15T08:00:00Z"


def test_a_title_from_the_spec_is_one_printable_line() -> None:
    spec = JobSpec(
        recipe="mlp",
        training_datasets=(1,),
        label_column="digit",
        evaluation=Evaluation("holdout", test_share=0.2),
        metric="accuracy",
        target_score=0.9,
        tolerance=0.01,
        description="Digits\\u202e reversed\nsecond line",
    )
    assert spec_title(spec, 3) == "Digits\\u202e reversed"
    hostile = JobSpec(**{**spec.__dict__, "description": "Digits\u202e\u0007 x" + "y" * 200})
    title = spec_title(hostile, 3)
    assert "\u202e" not in title and "\u0007" not in title and len(title) == 90
    assert spec_title(JobSpec(**{**spec.__dict__, "description": ""}), 3) == (
        "Small neural network (MLP) predicting digit"
    )
    assert spec_title(None, 7) == "Training job #7"

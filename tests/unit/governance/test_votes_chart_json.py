"""The proposal page's chart as plotly JSON, built without plotly's objects, is the JSON
plotly writes for the same figure (what the page showed when it sent a go.Figure)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from plotly.io import to_json

from coop_dashboard.services.governance.charts import (
    VotePoint,
    VotesChart,
    cumulative_votes_figure,
    cumulative_votes_json,
)

POINTS = [VotePoint(100, 1, 10**18), VotePoint(200, 0, 3 * 10**18), VotePoint(250, 2, 5)]


def _plotly_json(chart: VotesChart) -> dict[str, Any]:
    figure = cumulative_votes_figure(
        chart.points,
        start=chart.start,
        end=chart.end,
        now=chart.now,
        quorum=chart.quorum,
    )
    value: dict[str, Any] = json.loads(to_json(figure))
    value["layout"].pop("template", None)  # rx.plotly merges the theme's template
    return value


@pytest.mark.parametrize(
    "chart",
    [
        VotesChart(POINTS, start=50, end=400, now=300, quorum=2 * 10**18),
        VotesChart(POINTS, start=50, end=400, now=5_000),
        VotesChart(POINTS, start=50, end=1_000),
        VotesChart(POINTS),
        VotesChart([], start=50, end=400, now=60, quorum=7),
        VotesChart([]),
    ],
)
def test_the_json_is_what_plotly_writes(chart: VotesChart) -> None:
    assert cumulative_votes_json(chart) == _plotly_json(chart)


def test_the_quorum_line_and_axis_as_plotly_drew_them_with_add_hline() -> None:
    # Recorded from the earlier add_trace / add_hline implementation.
    value = cumulative_votes_json(
        VotesChart(POINTS[:2], start=50, end=400, now=300, quorum=2 * 10**18)
    )
    assert value["layout"]["shapes"] == [
        {
            "line": {"color": "#495057", "dash": "dash", "width": 1},
            "type": "line",
            "x0": 0,
            "x1": 1,
            "xref": "x domain",
            "y0": 2.0,
            "y1": 2.0,
            "yref": "y",
        }
    ]
    assert value["layout"]["annotations"] == [
        {
            "showarrow": False,
            "text": "Quorum (for + abstain)",
            "x": 0,
            "xanchor": "left",
            "xref": "x domain",
            "y": 2.0,
            "yanchor": "bottom",
            "yref": "y",
        }
    ]
    assert value["layout"]["xaxis"]["range"] == [
        "1970-01-01T00:00:50+00:00",
        "1970-01-01T00:06:40+00:00",
    ]
    against = value["data"][0]
    assert against["name"] == "Against" and against["y"] == [0.0, 3.0, 3.0]
    assert against["x"][-1] == "1970-01-01T00:05:00+00:00"  # held until now, not the end

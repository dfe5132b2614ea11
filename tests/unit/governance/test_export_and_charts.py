"""Votes as CSV (exact, injection-safe) and the cumulative-votes chart."""

from __future__ import annotations

import csv
import io

import plotly.graph_objects as go

from coop_dashboard.chain.governance_types import VoteSupport
from coop_dashboard.services.display import utc_datetime
from coop_dashboard.services.governance.charts import (
    VotePoint,
    cumulative_series,
    cumulative_votes_figure,
)
from coop_dashboard.services.governance.export import (
    CSV_HEADER,
    VoteRecord,
    safe_cell,
    votes_to_csv,
)

VOTER = "0xabCDeF0123456789AbcdEf0123456789aBCDEF01"


def test_csv_rows_are_exact_and_complete() -> None:
    text = votes_to_csv(
        [
            VoteRecord(
                VOTER, 1, 900_000 * 10**18 + 1, 'Well, "fine"\nby me', 12, "0xaa", 1_700_000_000
            ),
            VoteRecord(VOTER, 2, 5 * 10**17, "", 13, "0xbb", 1_700_000_060),
        ]
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_HEADER
    assert rows[1] == [
        VOTER,
        "For",
        "900000.000000000000000001",
        str(900_000 * 10**18 + 1),
        'Well, "fine"\nby me',
        "12",
        "0xaa",
        "2023-11-14T22:13:20Z",
    ]
    assert rows[2][1:3] == ["Abstain", "0.5"]


def test_csv_injection_is_neutralised() -> None:
    payloads = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
    text = votes_to_csv(VoteRecord(VOTER, 0, 1, p, 1, "0x", 0) for p in payloads)
    reasons = [row[4] for row in list(csv.reader(io.StringIO(text)))[1:]]
    assert reasons == ["'" + p for p in payloads]
    assert all(not r.startswith(("=", "+", "-", "@", "\t", "\r")) for r in reasons)
    assert safe_cell("plain text") == "plain text"
    assert safe_cell("a=b") == "a=b"


def test_unknown_support_values_are_labelled_not_dropped() -> None:
    text = votes_to_csv([VoteRecord(VOTER, 7, 1, "", 1, "0x", 0)])
    assert "unknown (7)" in text


def test_cumulative_series_per_side_in_time_order() -> None:
    points = [
        VotePoint(300, 1, 5),
        VotePoint(100, 1, 10),
        VotePoint(200, 0, 7),
        VotePoint(400, 2, 1),
        VotePoint(500, 0, 3),
    ]
    series = cumulative_series(points)
    assert series[VoteSupport.FOR].timestamps == (100, 300)
    assert series[VoteSupport.FOR].totals == (10, 15)
    assert series[VoteSupport.AGAINST].totals == (7, 10)
    assert series[VoteSupport.ABSTAIN].totals == (1,)


def test_figure_has_three_step_lines_and_a_quorum_line() -> None:
    points = [VotePoint(100, 1, 2 * 10**18), VotePoint(200, 0, 10**18)]
    figure = cumulative_votes_figure(points, start=50, end=300, quorum=4 * 10**18)
    assert isinstance(figure, go.Figure)
    names = [trace.name for trace in figure.data]
    assert names == ["Against", "For", "Abstain"]
    for_trace = figure.data[1]
    assert list(for_trace.y) == [0.0, 2.0, 2.0]  # from voting start to the end
    assert for_trace.line.shape == "hv"
    assert figure.layout.shapes[0].y0 == 4.0  # quorum
    empty = cumulative_votes_figure([])
    assert empty.layout.annotations[0].text == "No votes yet"


def test_an_open_vote_is_drawn_up_to_now_on_an_axis_to_the_deadline() -> None:
    """Lines held to the deadline would show an open vote's final totals as already known."""
    points = [VotePoint(100, 1, 2 * 10**18), VotePoint(150, 0, 10**18)]
    figure = cumulative_votes_figure(points, start=50, end=1_000, now=200)
    for trace in figure.data:
        assert max(trace.x) == utc_datetime(200)
    assert list(figure.data[1].y) == [0.0, 2.0, 2.0]
    assert tuple(figure.layout.xaxis.range) == (utc_datetime(50), utc_datetime(1_000))
    # Once voting has ended, the lines hold their totals to the deadline.
    ended = cumulative_votes_figure(points, start=50, end=1_000, now=5_000)
    assert max(ended.data[1].x) == utc_datetime(1_000)
    # Without a clock the deadline is the best known end.
    unknown = cumulative_votes_figure(points, start=50, end=1_000)
    assert max(unknown.data[1].x) == utc_datetime(1_000)

"""The treasury view's pure parts: whatever a client sends as controls or as a click,
the view falls back to known values; periods and windows on the chain's clock; the
charts are Plotly JSON (what the tab's state holds) drawing the view's figures."""

from __future__ import annotations

import json
from datetime import date

import plotly.graph_objects as go
import pytest

from coop_dashboard.db.treasury_categories import Category
from coop_dashboard.db.treasury_queries import Movement
from coop_dashboard.services.treasury.assets import recognised_assets
from coop_dashboard.services.treasury.ledger import balance_series, flows_by_category
from coop_dashboard.services.treasury.periods import Period, Window, buckets
from coop_dashboard.services.treasury.view import TreasuryKey, build_view, clicked_bar

DAY = 86_400
NOW = 1_767_225_600  # 2026-01-01 00:00 UTC
TRACES = [f"{c.value}:{d}" for c in Category for d in ("in", "out")]
USD_TOKEN = "0x" + "5c" * 20


def _movement(days_ago: int, direction: str, amount: int, category: Category) -> Movement:
    return Movement(
        1_000 - days_ago,
        0,
        NOW - days_ago * DAY,
        "eth",
        direction,
        None,
        amount,
        "eth_tx",
        None,
        category.value,
        None,
    )


HISTORY = [
    _movement(400, "in", 10, Category.OTHER),
    _movement(40, "out", 3, Category.PROPOSAL_TRANSFER),
    _movement(5, "in", 2, Category.BOND_SLASHED),
]


@pytest.mark.parametrize(
    "points",
    [
        None,
        "x",
        [],
        [1],
        [{"curveNumber": 99, "x": "2025-01-01"}],
        [{"curveNumber": -1, "x": "2025-01-01"}],
        [{"curveNumber": True, "x": "2025-01-01"}],
        [{"curveNumber": 0, "x": 5}],
        [{"curveNumber": 0, "x": "not a date"}],
        [{"curveNumber": "0", "x": "2025-01-01"}],
    ],
)
def test_a_click_that_is_not_a_bar_changes_nothing(points: object) -> None:
    assert clicked_bar(TRACES, points) is None


def test_a_bar_click_names_its_category_and_period() -> None:
    point = [{"curveNumber": 5, "x": "2025-12-01 00:00", "y": -3.0}]
    assert clicked_bar(TRACES, point) == (Category.PROPOSAL_TRANSFER.value, "2025-12-01")


def test_garbage_controls_fall_back_to_known_values() -> None:
    assets = recognised_assets({"MockStablecoin": USD_TOKEN})
    key = TreasuryKey(asset="<b>", period="hour", window="-1", category="drop", bucket="2025-13")
    view = build_view(key, HISTORY, assets, {}, {}, NOW, 1_000)
    assert (view.asset, view.period, view.window) == ("ETH", "month", "1y")
    assert view.movement_count == 3  # the table lists every movement (not windowed)
    assert [h.exact for h in view.holdings] == ["9", "0"]


def test_balance_series_and_flows_on_the_chain_clock() -> None:
    points = balance_series(HISTORY, "eth", Period.MONTH, Window.ALL, NOW)
    assert points[0].bucket == date(2024, 11, 1) and points[-1].balance == 9
    year = balance_series(HISTORY, "eth", Period.MONTH, Window.YEAR, NOW)
    assert year[0].balance == 10  # opening balance carried into the window
    periods, flows = flows_by_category(HISTORY, "eth", Period.WEEK, Window.DAYS_30, NOW)
    assert periods == buckets(date(2025, 12, 2), date(2026, 1, 1), Period.WEEK)
    by_category = {f.category: (f.total_in, f.total_out) for f in flows}
    assert by_category[Category.BOND_SLASHED] == (2, 0)
    assert by_category[Category.PROPOSAL_TRANSFER] == (0, 0)  # 40 days ago: outside
    assert by_category[Category.LICENSE_REVENUE] == (0, 0)


def test_the_charts_are_plotly_json_drawing_the_ledger() -> None:
    assets = recognised_assets({"MockStablecoin": USD_TOKEN})
    view = build_view(TreasuryKey(window="all"), HISTORY, assets, {}, {}, NOW, 1_000)
    for figure in (view.balance_figure, view.flows_figure):
        assert json.loads(json.dumps(figure)) == figure  # plain JSON, no plotly objects
        go.Figure(figure)  # plotly validates every property here: raises if not a figure
        assert "template" not in figure["layout"]  # rx.plotly applies the theme's own
    assert view.balance_figure["data"][0]["y"][-1] == pytest.approx(9e-18)  # 9 wei
    traces = view.flows_figure["data"]
    assert len(traces) == len(view.flow_traces)  # a click's curveNumber indexes both
    plotted = {
        name: sum(trace["y"])
        for name, trace in zip(view.flow_traces, traces, strict=True)
        if trace["y"]
    }
    assert plotted == {
        f"{Category.OTHER.value}:in": pytest.approx(10e-18),
        f"{Category.PROPOSAL_TRANSFER.value}:out": pytest.approx(-3e-18),
        f"{Category.BOND_SLASHED.value}:in": pytest.approx(2e-18),
    }

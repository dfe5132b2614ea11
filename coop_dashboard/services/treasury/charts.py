"""Plotly figures of the treasury page, as the Plotly JSON its state holds
(services/plotly_json.py says why); floats only for drawing: exact figures are in tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import plotly.graph_objects as go

from coop_dashboard.db.treasury_categories import CATEGORY_LABELS, Category
from coop_dashboard.services.plotly_json import figure_json
from coop_dashboard.services.treasury.assets import Asset
from coop_dashboard.services.treasury.ledger import BalancePoint, CategoryFlows

CATEGORY_COLORS: dict[Category, str] = {
    Category.LICENSE_REVENUE: "#2b8a3e",
    Category.BOND_SLASHED: "#e67700",
    Category.PROPOSAL_TRANSFER: "#1971c2",
    Category.BOUNTY_ESCROWED: "#7048e8",
    Category.BOUNTY_PAID: "#ae3ec9",
    Category.BOUNTY_REFUNDED: "#d6336c",
    Category.STAKE_SLASHED: "#f08c00",
    Category.MINT: "#0c8599",
    Category.OTHER: "#868e96",
}
_MARGIN = {"l": 50, "r": 20, "t": 20, "b": 40}


def scaled(amount: int, decimals: int) -> float:
    return amount / 10**decimals


def _figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> dict[str, Any]:
    # Built from plain dicts without plotly's per-property validation: 8x faster
    # for two years of daily bars, and these dicts are fixed here (tests draw them).
    # Through go.Figure all the same: its JSON (default template included) is what
    # the browser was sent when the state held the figure, so charts draw the same.
    return figure_json(go.Figure({"data": data, "layout": layout}, _validate=False))


def balance_figure(points: Sequence[BalancePoint], asset: Asset) -> dict[str, Any]:
    """End-of-period balance as a step line."""
    trace = {
        "type": "scatter",
        "x": [p.bucket.isoformat() for p in points],
        "y": [scaled(p.balance, asset.decimals) for p in points],
        "mode": "lines+markers" if len(points) < 60 else "lines",
        "line": {"shape": "hv", "color": "#1971c2", "width": 2},
        "name": asset.symbol,
        "hovertemplate": f"%{{x}}: %{{y:,}} {asset.symbol}<extra></extra>",
    }
    layout: dict[str, Any] = {
        "yaxis": {"title": {"text": f"Balance ({asset.symbol})"}},
        "margin": _MARGIN,
        "showlegend": False,
        "xaxis": {"type": "date"},
    }
    if not points:
        layout["annotations"] = [
            {"text": "No movements yet", "showarrow": False, "xref": "paper", "yref": "paper"}
        ]
    return _figure([trace], layout)


def flow_traces(flows: Sequence[CategoryFlows]) -> list[tuple[Category, str]]:
    """(category, "in" | "out") of each trace of the flows figure, in trace order:
    a click on a bar names its trace by number, this says what it stands for."""
    traces: list[tuple[Category, str]] = []
    for flow in flows:
        traces.append((flow.category, "in"))
        traces.append((flow.category, "out"))
    return traces


def flows_figure(
    buckets: Sequence[date], flows: Sequence[CategoryFlows], asset: Asset
) -> dict[str, Any]:
    """Inflows above zero and outflows below, stacked by category, one bar per period.

    Every category has its two traces even when empty, so trace numbers stay
    those of `flow_traces` and the legend lists categories not in use yet."""
    xs = [b.isoformat() for b in buckets]
    data: list[dict[str, Any]] = []
    for flow in flows:
        label = CATEGORY_LABELS[flow.category]
        for direction, by_bucket, sign in (("in", flow.inflow, 1), ("out", flow.outflow, -1)):
            used = any(by_bucket.values())
            data.append(
                {
                    "type": "bar",
                    "x": xs if used else [],
                    "y": [sign * scaled(by_bucket.get(b, 0), asset.decimals) for b in buckets]
                    if used
                    else [],
                    "name": label,
                    "legendgroup": flow.category.value,
                    "showlegend": direction == "in",
                    "marker": {"color": CATEGORY_COLORS[flow.category]},
                    "hovertemplate": f"{label} ({direction}): %{{y:,}} {asset.symbol}"
                    "<extra></extra>",
                }
            )
    layout = {
        "barmode": "relative",
        "yaxis": {"title": {"text": f"{asset.symbol} in (+) / out (-)"}},
        "margin": _MARGIN,
        "legend": {"orientation": "h", "y": -0.25},
        "xaxis": {"type": "date"},
    }
    return _figure(data, layout)

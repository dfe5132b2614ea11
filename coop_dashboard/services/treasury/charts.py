"""Plotly figures of the treasury page (floats only for drawing: exact figures are in tables)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import plotly.graph_objects as go

from coop_dashboard.db.treasury_categories import CATEGORY_LABELS, Category
from coop_dashboard.services.treasury.assets import Asset
from coop_dashboard.services.treasury.ledger import BalancePoint, CategoryFlows

CATEGORY_COLORS: dict[Category, str] = {
    Category.LICENSE_REVENUE: "#2b8a3e",
    Category.BOND_SLASHED: "#e67700",
    Category.PROPOSAL_TRANSFER: "#1971c2",
    Category.BOUNTY_ESCROWED: "#7048e8",
    Category.BOUNTY_PAID: "#ae3ec9",
    Category.BOUNTY_REFUNDED: "#d6336c",
    Category.MINT: "#0c8599",
    Category.OTHER: "#868e96",
}
_MARGIN = {"l": 50, "r": 20, "t": 20, "b": 40}


def scaled(amount: int, decimals: int) -> float:
    return amount / 10**decimals


def balance_figure(points: Sequence[BalancePoint], asset: Asset) -> go.Figure:
    """End-of-period balance as a step line."""
    figure = go.Figure(
        go.Scatter(
            x=[p.bucket.isoformat() for p in points],
            y=[scaled(p.balance, asset.decimals) for p in points],
            mode="lines+markers" if len(points) < 60 else "lines",
            line={"shape": "hv", "color": "#1971c2", "width": 2},
            name=asset.symbol,
            hovertemplate=f"%{{x}}: %{{y:,}} {asset.symbol}<extra></extra>",
        )
    )
    if not points:
        figure.add_annotation(text="No movements yet", showarrow=False, xref="paper", yref="paper")
    figure.update_layout(
        yaxis_title=f"Balance ({asset.symbol})",
        margin=_MARGIN,
        showlegend=False,
        xaxis={"type": "date"},
    )
    return figure


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
) -> go.Figure:
    """Inflows above zero and outflows below, stacked by category, one bar per period.

    Every category has its two traces even when empty (zero), so trace numbers
    stay those of `flow_traces` and the legend lists categories not in use yet."""
    figure = go.Figure()
    xs = [b.isoformat() for b in buckets]
    for flow in flows:
        label = CATEGORY_LABELS[flow.category]
        color = CATEGORY_COLORS[flow.category]
        for direction, by_bucket, sign in (("in", flow.inflow, 1), ("out", flow.outflow, -1)):
            figure.add_trace(
                go.Bar(
                    x=xs,
                    y=[sign * scaled(by_bucket.get(b, 0), asset.decimals) for b in buckets],
                    name=label,
                    legendgroup=flow.category.value,
                    showlegend=direction == "in",
                    marker={"color": color},
                    hovertemplate=f"{label} ({direction}): %{{y:,}} {asset.symbol}<extra></extra>",
                )
            )
    figure.update_layout(
        barmode="relative",
        yaxis_title=f"{asset.symbol} in (+) / out (-)",
        margin=_MARGIN,
        legend={"orientation": "h", "y": -0.25},
        xaxis={"type": "date"},
    )
    return figure

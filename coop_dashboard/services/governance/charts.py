"""Cumulative for / against / abstain weight over a proposal's voting period (plotly)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import plotly.graph_objects as go

from coop_dashboard.chain.governance_types import VoteSupport
from coop_dashboard.services.display import utc_datetime

SERIES_COLORS = {
    VoteSupport.FOR: "#2f9e44",
    VoteSupport.AGAINST: "#e03131",
    VoteSupport.ABSTAIN: "#868e96",
}


@dataclass(frozen=True)
class VotePoint:
    timestamp: int  # block timestamp of the vote
    support: int
    weight: int  # base units


@dataclass(frozen=True)
class CumulativeSeries:
    support: VoteSupport
    timestamps: tuple[int, ...]
    totals: tuple[int, ...]  # running total in base units after each vote of this side


def cumulative_series(points: Sequence[VotePoint]) -> dict[VoteSupport, CumulativeSeries]:
    """Running totals per side, in time order (ties keep their input order: log order)."""
    ordered = sorted(points, key=lambda p: p.timestamp)
    series: dict[VoteSupport, CumulativeSeries] = {}
    for support in VoteSupport:
        total = 0
        timestamps: list[int] = []
        totals: list[int] = []
        for point in ordered:
            if point.support == support:
                total += point.weight
                timestamps.append(point.timestamp)
                totals.append(total)
        series[support] = CumulativeSeries(support, tuple(timestamps), tuple(totals))
    return series


def _scaled(amount: int, decimals: int) -> float:
    # Floats only for drawing; exact figures live in the table and the CSV.
    return float(Decimal(amount).scaleb(-decimals))


def cumulative_votes_figure(
    points: Sequence[VotePoint],
    *,
    decimals: int = 18,
    symbol: str = "COOP",
    start: int | None = None,
    end: int | None = None,
    now: int | None = None,
    quorum: int | None = None,
) -> go.Figure:
    """Step lines of each side's running total; a dashed quorum line (for + abstain count).

    The lines hold their totals until voting ends, or only until `now` while it is still
    open: drawn further they would show future votes as already known. The time axis
    still spans the whole voting period, so the empty part is the time left.
    """
    figure = go.Figure()
    series = cumulative_series(points)
    hold_until = end if end is None or now is None else min(end, now)
    for support, line in series.items():
        xs = list(line.timestamps)
        ys = [_scaled(t, decimals) for t in line.totals]
        if start is not None:  # every line starts at 0 when voting opens
            xs, ys = [start, *xs], [0.0, *ys]
        if hold_until is not None and xs:
            xs, ys = [*xs, max(hold_until, xs[-1])], [*ys, ys[-1]]
        figure.add_trace(
            go.Scatter(
                x=[utc_datetime(x) for x in xs],
                y=ys,
                mode="lines",
                line={"shape": "hv", "color": SERIES_COLORS[support], "width": 2},
                name=support.label,
                hovertemplate=f"%{{y:,}} {symbol}<extra>{support.label}</extra>",
            )
        )
    if quorum is not None and quorum > 0:
        figure.add_hline(
            y=_scaled(quorum, decimals),
            line={"dash": "dash", "color": "#495057", "width": 1},
            annotation_text="Quorum (for + abstain)",
            annotation_position="top left",
        )
    if not points:
        figure.add_annotation(text="No votes yet", showarrow=False, xref="paper", yref="paper")
    figure.update_layout(
        xaxis_title="Time (UTC)",
        yaxis_title=f"Cumulative votes ({symbol})",
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 40, "r": 20, "t": 20, "b": 40},
        hovermode="x unified",
    )
    if start is not None and end is not None and end > start:
        figure.update_xaxes(range=[utc_datetime(start), utc_datetime(end)])
    return figure

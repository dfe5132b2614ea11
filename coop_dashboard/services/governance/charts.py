"""Cumulative for / against / abstain weight over a proposal's voting period (plotly)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

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


@dataclass(frozen=True)
class VotesChart:
    """What the cumulative votes chart draws (see `cumulative_votes_figure`)."""

    points: Sequence[VotePoint]
    decimals: int = 18
    symbol: str = "COOP"
    start: int | None = None
    end: int | None = None
    now: int | None = None
    quorum: int | None = None


def _votes_spec(chart: VotesChart) -> dict[str, Any]:
    """The figure as plotly's data + layout dict (times as datetimes).

    Written as the dict plotly itself builds from `add_trace` / `add_hline`, without
    plotly's validating objects: building and serializing those took ~100 ms per chart,
    and proposal pages build one per proposal and indexed head.
    """
    series = cumulative_series(chart.points)
    end, now = chart.end, chart.now
    hold_until = end if end is None or now is None else min(end, now)
    traces = []
    for support, line in series.items():
        xs = list(line.timestamps)
        ys = [_scaled(t, chart.decimals) for t in line.totals]
        if chart.start is not None:  # every line starts at 0 when voting opens
            xs, ys = [chart.start, *xs], [0.0, *ys]
        if hold_until is not None and xs:
            xs, ys = [*xs, max(hold_until, xs[-1])], [*ys, ys[-1]]
        traces.append(
            {
                "type": "scatter",
                "x": [utc_datetime(x) for x in xs],
                "y": ys,
                "mode": "lines",
                "line": {"shape": "hv", "color": SERIES_COLORS[support], "width": 2},
                "name": support.label,
                "hovertemplate": f"%{{y:,}} {chart.symbol}<extra>{support.label}</extra>",
            }
        )
    layout: dict[str, Any] = {
        "xaxis": {"title": {"text": "Time (UTC)"}},
        "yaxis": {"title": {"text": f"Cumulative votes ({chart.symbol})"}},
        "legend": {"orientation": "h", "y": -0.2},
        "margin": {"l": 40, "r": 20, "t": 20, "b": 40},
        "hovermode": "x unified",
    }
    annotations = []
    if chart.quorum is not None and chart.quorum > 0:
        level = _scaled(chart.quorum, chart.decimals)
        layout["shapes"] = [
            {
                "type": "line",
                "line": {"dash": "dash", "color": "#495057", "width": 1},
                "x0": 0,
                "x1": 1,
                "xref": "x domain",
                "y0": level,
                "y1": level,
                "yref": "y",
            }
        ]
        annotations.append(
            {
                "showarrow": False,
                "text": "Quorum (for + abstain)",
                "x": 0,
                "xanchor": "left",
                "xref": "x domain",
                "y": level,
                "yanchor": "bottom",
                "yref": "y",
            }
        )
    if not chart.points:
        annotations.append(
            {"text": "No votes yet", "showarrow": False, "xref": "paper", "yref": "paper"}
        )
    if annotations:
        layout["annotations"] = annotations
    if chart.start is not None and end is not None and end > chart.start:
        layout["xaxis"]["range"] = [utc_datetime(chart.start), utc_datetime(end)]
    return {"data": traces, "layout": layout}


def _jsonable(value: Any) -> Any:
    """Datetimes as plotly's JSON encoder writes them (ISO 8601)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def cumulative_votes_json(chart: VotesChart) -> dict[str, Any]:
    """The chart as plotly.js takes it (plotly's JSON, without a template)."""
    value: dict[str, Any] = _jsonable(_votes_spec(chart))
    return value


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
    chart = VotesChart(points, decimals, symbol, start, end, now, quorum)
    return go.Figure(_votes_spec(chart))

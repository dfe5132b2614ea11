"""A plotly figure as the JSON dict a Reflex state holds instead of the go.Figure.

A go.Figure in a tab's state is pickled and unpickled with the state on every
event under a state manager that stores tabs (disk, Redis): slow (plotly's
validators rebuild the object). The dict is what Reflex sends to the browser
for the Figure anyway; pages pass it back with `State.var.to(go.Figure)`.

Without plotly's default template: to_json() writes all of it into every figure
(6.4 KB of the 6.5 KB an empty figure takes), and rx.plotly applies the same
template itself (plotly's, or plotly_dark in dark mode), as it does for the
votes chart (governance/charts.py), which never had one.
"""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go

EMPTY_FIGURE_JSON: dict[str, Any] = {"data": [], "layout": {}}


def figure_json(figure: go.Figure) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(figure.to_json())
    value.get("layout", {}).pop("template", None)
    return value

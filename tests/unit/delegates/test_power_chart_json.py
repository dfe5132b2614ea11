"""The delegate page's state holds its power chart as plotly JSON, not a go.Figure.

A go.Figure in a tab's state was unpickled on every event under the Redis state
manager; the JSON must be what Reflex sent for the Figure, so the browser sees
the same chart, less plotly's default template (rx.plotly applies it itself).
"""

from __future__ import annotations

import json
import pickle

from reflex.utils.serializers import serialize

from coop_dashboard.services.delegates.profile import power_chart_json, power_figure

STEPS = [(1_700_000_000, 10**18), (1_700_100_000, 3 * 10**18)]


def test_power_chart_json_is_what_the_figure_was_sent_as() -> None:
    chart = power_chart_json(STEPS, 1_700_200_000)
    sent = serialize(power_figure(STEPS, 1_700_200_000))
    sent = json.loads(sent) if isinstance(sent, str) else sent
    assert sent["layout"].pop("template") is not None
    assert chart == sent
    assert chart["data"][0]["y"] == [1.0, 3.0, 3.0]
    # Plain JSON values only: nothing of plotly's to unpickle per event.
    assert b"plotly" not in pickle.dumps(chart)


def test_no_steps_still_gives_a_chart() -> None:
    chart = power_chart_json([], None)
    assert chart["data"] == [] and "layout" in chart

"""A proposal's page as a live view: its view model and vote chart, keyed by proposal id.

Actions are decoded into plain language (which may read token metadata from
the chain) once per proposal and worker: a proposal's actions never change,
its tally, votes and state do.

The chart travels as plotly's JSON (a plain dict built without plotly's
objects, charts.cumulative_votes_json), not as a `go.Figure`: building and
serializing a Figure took ~100 ms per read, Reflex would serialize it again
for every tab's delta on the event loop (~8 ms each), and a tab's state
holding one is pickled with it (disk / Redis state managers): unpickling a
`go.Figure` re-validates it, 90-600 ms, on every event of the page in the
scaled configuration (issue 10: proposal pages timed out there).

Whether gasless voting is paused (relayer balance on chain, hourly budget in
SQL) is the same for everyone: one read per indexed head and worker
(`GASLESS`), not one RPC round trip per page view.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from coop_dashboard.config import load_settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.queries import VoteRow, proposal_votes
from coop_dashboard.services.governance.charts import VotePoint, VotesChart, cumulative_votes_json
from coop_dashboard.services.governance.feed_snapshot import FeedSnapshot, snapshot_cache
from coop_dashboard.services.governance.gasless import GaslessPanel, gasless_panel
from coop_dashboard.services.governance.proposal_view import (
    ActionLine,
    ProposalView,
    read_proposal_view,
)
from coop_dashboard.services.live_data import LiveView

_DECODED_KEPT = 1_000
# What the chart shows before a proposal's own chart arrived (plotly JSON).
EMPTY_FIGURE: dict[str, Any] = {"data": [], "layout": {}}
# Gasless voting's pause also follows the relayer's balance, which can change
# without an indexed event (a top-up from an exchange, anvil_setBalance): a page
# view older than this reads it again. However many tabs open proposal pages,
# that is at most one read per second and worker.
GASLESS_STALE_S = 1.0
GASLESS_KEY = "relayer"


@dataclass(frozen=True)
class ProposalPage:
    """What a proposal's page shows; `view` None = the index does not know the proposal."""

    view: ProposalView | None
    figure: dict[str, Any]  # plotly JSON


_decoded: OrderedDict[int, list[ActionLine]] = OrderedDict()
_decoded_lock = threading.Lock()


def read_proposal_page(proposal_id: int) -> ProposalPage:
    settings = load_settings()
    engine = get_engine(settings.database_url)
    with _decoded_lock:
        actions = _decoded.get(proposal_id)
    # One snapshot and one read of the votes serve the view and the chart: the summary
    # the feed already computed for this head, the list's heaviest votes cut in Python
    # from the chart's (issue 10: each was read twice per page view).
    snapshot = snapshot_cache(engine).current(engine)
    votes = proposal_votes(engine, proposal_id, order="time")
    view = read_proposal_view(
        engine, settings, proposal_id, decode=actions is None, votes=votes, snapshot=snapshot
    )
    if view is None:
        return ProposalPage(None, EMPTY_FIGURE)
    if actions is not None:
        view = dataclasses.replace(view, actions=list(actions), actions_decoded=True)
    elif view.actions_decoded:
        with _decoded_lock:
            _decoded[proposal_id] = list(view.actions)
            while len(_decoded) > _DECODED_KEPT:
                _decoded.popitem(last=False)
    return ProposalPage(view, _votes_chart(snapshot, proposal_id, votes))


def _votes_chart(snapshot: FeedSnapshot, proposal_id: int, votes: list[VoteRow]) -> dict[str, Any]:
    """The cumulative votes chart (proposal_view.votes_figure's chart, as plotly JSON) of
    the proposal's votes in time order; its summary from the feed's snapshot of this head."""
    points = [VotePoint(v.timestamp, v.support, v.weight) for v in votes]
    summary = snapshot.summary_of(proposal_id)
    if summary is None:
        return cumulative_votes_json(VotesChart(points))
    return cumulative_votes_json(
        VotesChart(
            points,
            start=summary.vote_start,
            end=summary.deadline,
            # The chain's clock as far as indexed: an open vote's lines stop there.
            now=snapshot.now,
            quorum=summary.quorum,
        )
    )


PROPOSAL_PAGE = LiveView("proposal_page", read=read_proposal_page)


def read_gasless_panel(_key: str) -> GaslessPanel:
    return gasless_panel(load_settings())


GASLESS = LiveView("gasless_panel", read=read_gasless_panel, stale_after_s=GASLESS_STALE_S)

"""A proposal's page as a live view: its view model and vote chart, keyed by proposal id.

Actions are decoded into plain language (which may read token metadata from
the chain) once per proposal and worker: a proposal's actions never change,
its tally, votes and state do.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from dataclasses import dataclass

import plotly.graph_objects as go

from coop_dashboard.config import load_settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.services.governance.proposal_view import (
    ActionLine,
    ProposalView,
    read_proposal_view,
    votes_figure,
)
from coop_dashboard.services.live_data import LiveView

_DECODED_KEPT = 1_000


@dataclass(frozen=True)
class ProposalPage:
    """What a proposal's page shows; `view` None = the index does not know the proposal."""

    view: ProposalView | None
    figure: go.Figure


_decoded: OrderedDict[int, list[ActionLine]] = OrderedDict()
_decoded_lock = threading.Lock()


def read_proposal_page(proposal_id: int) -> ProposalPage:
    settings = load_settings()
    engine = get_engine(settings.database_url)
    with _decoded_lock:
        actions = _decoded.get(proposal_id)
    view = read_proposal_view(engine, settings, proposal_id, decode=actions is None)
    if view is None:
        return ProposalPage(None, go.Figure())
    if actions is not None:
        view = dataclasses.replace(view, actions=list(actions), actions_decoded=True)
    elif view.actions_decoded:
        with _decoded_lock:
            _decoded[proposal_id] = list(view.actions)
            while len(_decoded) > _DECODED_KEPT:
                _decoded.popitem(last=False)
    return ProposalPage(view, votes_figure(engine, proposal_id))


def _same_page(a: ProposalPage, b: ProposalPage) -> bool:
    return a.view == b.view and a.figure.to_plotly_json() == b.figure.to_plotly_json()


PROPOSAL_PAGE = LiveView("proposal_page", read=read_proposal_page, same=_same_page)

"""What the register page shows besides the form: parent search, bond text, previews.

Blocking (SQL, RPC, markdown): the register state calls these in worker threads.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from coop_dashboard.chain.dataset_registry import MAX_PARENTS, TRANSFORMATIONS, read_minimum_bond
from coop_dashboard.config import Settings
from coop_dashboard.errors import CoopError, ValidationError
from coop_dashboard.services.chain_access import governance_chain
from coop_dashboard.services.datasets.cards import CardForm
from coop_dashboard.services.datasets.dataset_search import DatasetChoice, find_datasets
from coop_dashboard.services.datasets.lineage_graph import (
    GraphEdge,
    GraphNode,
    dataset_key,
    dataset_link,
    lineage_figure,
)
from coop_dashboard.services.datasets.page_view import card_markdown, eth_text
from coop_dashboard.services.governance.markdown import render_markdown
from coop_dashboard.services.governance.units import parse_token_amount

PARENT_RESULTS = 8
# Statuses a parent may have (the contract refuses a delisted parent).
PARENT_STATUSES = ("active", "superseded", "licensing_paused")
NEW_NODE_KEY = "dataset:new"
# What a derived dataset's form offers (a dataset with parents is never a "source").
DERIVED_TRANSFORMATIONS = tuple(t for t in TRANSFORMATIONS if t != "source")


# A parent the search offers (the picker's shared type).
ParentOption = DatasetChoice


def parent_options(settings: Settings, text: str) -> list[ParentOption]:
    """Datasets matching `text` that may be parents (not delisted), newest first."""
    return find_datasets(settings, text, PARENT_STATUSES, PARENT_RESULTS)


def parent_limit_problem(chosen: int) -> str:
    """Why one more parent cannot be added to `chosen` ones ("" when it can)."""
    if chosen >= MAX_PARENTS:
        return f"At most {MAX_PARENTS} parent datasets."
    return ""


def minimum_bond(settings: Settings) -> int | None:
    """The registry's minimum bond in wei, or None when the chain cannot be asked."""
    try:
        return read_minimum_bond(governance_chain(settings))
    except CoopError:
        return None


def minimum_bond_text(wei: int | None) -> str:
    return "unknown (the chain cannot be reached)" if wei is None else eth_text(wei)


def parse_bond(text: str) -> int:
    """Wei from the ETH amount typed; ValidationError with a sentence otherwise."""
    return parse_token_amount(text, 18, "bond", "Bond")


def bond_problem(text: str) -> str:
    try:
        parse_bond(text)
    except ValidationError as error:
        return str(error)
    return ""


@dataclass(frozen=True)
class RegisterPreview:
    card_html: str
    graph: go.Figure
    targets: list[list[str]]


def register_preview(
    form: CardForm, parents: list[ParentOption], transformation: str
) -> RegisterPreview:
    """The card as the dataset page will render it, and the new node under its parents."""
    nodes = [
        GraphNode(
            dataset_key(p.dataset_id),
            "dataset",
            f"#{p.dataset_id} {p.name[:28]}",
            p.status,
            dataset_link(p.dataset_id),
        )
        for p in parents
    ]
    nodes.append(
        GraphNode(NEW_NODE_KEY, "dataset", form.name[:28] or "New dataset", "active", "", True)
    )
    edges = [GraphEdge(dataset_key(p.dataset_id), NEW_NODE_KEY, transformation) for p in parents]
    graph = lineage_figure(nodes, edges)
    html = render_markdown(card_markdown(form)).html
    return RegisterPreview(html, graph.figure, graph.targets)

"""The provenance graph as a plotly figure: layered left to right, status as colour.

One graph of lineage for every page that shows provenance: datasets today,
the jobs that trained on them and the models they produced in later issues.
A node has a `kind` ("dataset", "job", "model") and a key unique across
kinds ("dataset:7"); edges carry what made the target from the source (a
transformation, "trained", "produced"). Layers are networkx's topological
generations, so every edge points to the right; within a layer nodes are
ordered by key, so the same graph always draws the same way.

The figure's node traces come first, one per kind, and `GraphFigure.targets`
holds, per trace, the page each point opens: a click event names a trace
and a point index, never a URL, so the server only ever redirects to a page
this module built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import networkx as nx
import plotly.graph_objects as go
from sqlalchemy import Engine

from coop_dashboard.db.dataset_queries import LineageGraph
from coop_dashboard.db.job_queries import LineageJob, jobs_of_datasets

KINDS = ("dataset", "job", "model")
KIND_SYMBOLS = {"dataset": "circle", "job": "square", "model": "diamond"}
STATUS_COLOURS = {
    "active": "#30a46c",
    "superseded": "#8b8d98",
    "licensing_paused": "#f5a623",
    "delisted": "#e5484d",
    # Jobs (chain/job_board.STATUSES) and models.
    "open": "#0090ff",
    "in_progress": "#3e63dd",
    "in_review": "#8e4ec6",
    "challenged": "#f5a623",
    "completed": "#30a46c",
    "failed": "#e5484d",
    "cancelled": "#8b8d98",
    "recorded": "#12a594",
}
UNKNOWN_COLOUR = "#6e56cf"
STATUS_LABELS = {
    "active": "Active",
    "superseded": "Superseded",
    "licensing_paused": "Licensing paused",
    "delisted": "Delisted",
    "open": "Open",
    "in_progress": "In progress",
    "in_review": "In review",
    "challenged": "Challenged",
    "completed": "Completed",
    "failed": "Failed",
    "cancelled": "Cancelled",
    "recorded": "Model",
}
EDGE_LABEL_TRACE = "transformations"
# Plot units between layers and between nodes of a layer.
_LAYER_GAP = 1.0
_ROW_GAP = 1.0
_MAX_LABEL = 28


@dataclass(frozen=True)
class GraphNode:
    key: str  # "<kind>:<id>", unique across kinds
    kind: str  # one of KINDS
    label: str
    status: str  # a key of STATUS_COLOURS (or anything: drawn UNKNOWN_COLOUR)
    link: str  # the page a click opens ("" = none)
    focus: bool = False  # the page's own node (drawn larger)


@dataclass(frozen=True)
class GraphEdge:
    source: str
    target: str
    label: str  # what made the target from the source


@dataclass(frozen=True)
class GraphFigure:
    figure: go.Figure
    targets: list[list[str]] = field(default_factory=list)  # per trace, per point: a link
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)


def dataset_key(dataset_id: int) -> str:
    return f"dataset:{dataset_id}"


def dataset_link(dataset_id: int) -> str:
    return f"/datasets/{dataset_id}"


def job_key(job_id: int) -> str:
    return f"job:{job_id}"


def job_link(job_id: int) -> str:
    return f"/jobs/{job_id}"


def model_key(model_id: int) -> str:
    return f"model:{model_id}"


def model_link(model_id: int) -> str:
    return f"/models/{model_id}"


def _short(text: str) -> str:
    return text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "…"


def lineage_elements(
    lineage: LineageGraph, focus_id: int | None
) -> tuple[list[GraphNode], list[GraphEdge]]:
    """The dataset lineage as graph nodes and edges (the transformation on each edge)."""
    nodes = [
        GraphNode(
            key=dataset_key(node.dataset_id),
            kind="dataset",
            label=f"#{node.dataset_id} {_short(node.name)}" if node.name else f"#{node.dataset_id}",
            status=node.status,
            link=dataset_link(node.dataset_id),
            focus=node.dataset_id == focus_id,
        )
        for node in lineage.nodes
    ]
    edges = [
        GraphEdge(dataset_key(edge.parent_id), dataset_key(edge.child_id), edge.transformation)
        for edge in lineage.edges
    ]
    return nodes, edges


def job_elements(
    jobs: Sequence[LineageJob], dataset_ids: set[int]
) -> tuple[list[GraphNode], list[GraphEdge]]:
    """Jobs that trained on the graph's datasets and the models they produced: an edge
    "trained" from each of the job's datasets in the graph, "produced" to its model."""
    nodes: list[GraphNode] = []
    edges: list[GraphEdge] = []
    for job in jobs:
        key = job_key(job.job_id)
        nodes.append(GraphNode(key, "job", f"Job #{job.job_id}", job.status, job_link(job.job_id)))
        edges.extend(
            GraphEdge(dataset_key(d), key, "trained") for d in job.dataset_ids if d in dataset_ids
        )
        if job.model_id is not None:
            model = model_key(job.model_id)
            label = f"Model #{job.model_id}"
            nodes.append(GraphNode(model, "model", label, "recorded", model_link(job.model_id)))
            edges.append(GraphEdge(key, model, "produced"))
    return nodes, edges


def provenance_elements(
    engine: Engine, lineage: LineageGraph, focus_id: int | None
) -> tuple[list[GraphNode], list[GraphEdge]]:
    """The dataset lineage continued to the jobs trained on its datasets and their models."""
    nodes, edges = lineage_elements(lineage, focus_id)
    dataset_ids = {node.dataset_id for node in lineage.nodes}
    job_nodes, job_edges = job_elements(jobs_of_datasets(engine, sorted(dataset_ids)), dataset_ids)
    return nodes + job_nodes, edges + job_edges


def layered_positions(
    nodes: Sequence[GraphNode], edges: Sequence[GraphEdge]
) -> dict[str, tuple[float, float]]:
    """(x, y) per node key: x the topological generation, y the place within it.

    Edges to unknown nodes are ignored; a cycle (which the chain cannot make)
    raises networkx's NetworkXUnfeasible rather than drawing a wrong picture.
    """
    graph = nx.DiGraph()
    graph.add_nodes_from(node.key for node in nodes)
    graph.add_edges_from(
        (edge.source, edge.target)
        for edge in edges
        if edge.source in graph and edge.target in graph
    )
    positions: dict[str, tuple[float, float]] = {}
    for layer, generation in enumerate(nx.topological_generations(graph)):
        members = sorted(generation, key=_sort_key)
        middle = (len(members) - 1) / 2
        for row, key in enumerate(members):
            positions[key] = (layer * _LAYER_GAP, (middle - row) * _ROW_GAP)
    return positions


def _sort_key(key: str) -> tuple[str, int, str]:
    kind, _, ident = key.partition(":")
    return (kind, int(ident) if ident.isdecimal() else -1, ident)


def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, UNKNOWN_COLOUR)


def lineage_figure(nodes: Sequence[GraphNode], edges: Sequence[GraphEdge]) -> GraphFigure:
    """The interactive figure: node traces (one per kind), then the edge labels."""
    positions = layered_positions(nodes, edges)
    figure = go.Figure()
    targets: list[list[str]] = []
    for kind in KINDS:
        members = [node for node in nodes if node.kind == kind]
        if not members:
            continue
        figure.add_trace(
            go.Scatter(
                name=f"{kind}s",
                x=[positions[node.key][0] for node in members],
                y=[positions[node.key][1] for node in members],
                mode="markers+text",
                text=[node.label for node in members],
                textposition="bottom center",
                hovertext=[
                    f"{node.label}<br>{STATUS_LABELS.get(node.status, node.status)}"
                    for node in members
                ],
                hoverinfo="text",
                marker={
                    "symbol": KIND_SYMBOLS[kind],
                    "size": [26 if node.focus else 18 for node in members],
                    "color": [status_colour(node.status) for node in members],
                    "line": {
                        "width": [3 if node.focus else 1 for node in members],
                        "color": "#1c2024",
                    },
                },
                showlegend=False,
            )
        )
        targets.append([node.link for node in members])
    drawn = [edge for edge in edges if edge.source in positions and edge.target in positions]
    for edge in drawn:
        (x0, y0), (x1, y1) = positions[edge.source], positions[edge.target]
        figure.add_annotation(
            x=x1,
            y=y1,
            ax=x0,
            ay=y0,
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            showarrow=True,
            arrowhead=2,
            arrowwidth=1.5,
            arrowcolor="#8b8d98",
            standoff=12,
            startstandoff=12,
            text="",
        )
    if drawn:
        figure.add_trace(
            go.Scatter(
                name=EDGE_LABEL_TRACE,
                x=[(positions[e.source][0] + positions[e.target][0]) / 2 for e in drawn],
                y=[(positions[e.source][1] + positions[e.target][1]) / 2 for e in drawn],
                mode="text",
                text=[edge.label for edge in drawn],
                textfont={"size": 11, "color": "#60646c"},
                hoverinfo="skip",
                showlegend=False,
            )
        )
        targets.append(["" for _ in drawn])
    layers = max((x for x, _ in positions.values()), default=0.0)
    figure.update_layout(
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"visible": False, "range": [-0.5, layers + 0.5]},
        yaxis={"visible": False},
        plot_bgcolor="rgba(0,0,0,0)",
        paper_bgcolor="rgba(0,0,0,0)",
        dragmode=False,
        hovermode="closest",
    )
    return GraphFigure(figure, targets, positions)


def click_target(targets: Sequence[Sequence[str]], points: object) -> str | None:
    """The link of the clicked node, from a plotly click event (untrusted), or None."""
    if not isinstance(points, list) or not points or not isinstance(points[0], dict):
        return None
    curve, index = points[0].get("curveNumber"), points[0].get("pointNumber")
    if isinstance(curve, bool) or isinstance(index, bool):
        return None
    if not isinstance(curve, int) or not isinstance(index, int):
        return None
    if not 0 <= curve < len(targets) or not 0 <= index < len(targets[curve]):
        return None
    return targets[curve][index] or None

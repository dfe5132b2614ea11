"""The provenance graph: layers by topological generation, labelled edges, status colours,
clicks that can only open links the server built."""

from __future__ import annotations

import networkx as nx
import pytest

from coop_dashboard.db.dataset_queries import LineageEdge, LineageGraph, LineageNode
from coop_dashboard.services.datasets.lineage_graph import (
    EDGE_LABEL_TRACE,
    STATUS_COLOURS,
    UNKNOWN_COLOUR,
    GraphEdge,
    GraphNode,
    click_target,
    layered_positions,
    lineage_elements,
    lineage_figure,
)


def _lineage() -> LineageGraph:
    """raw(1) -> clean(2) -> split(4); raw(1) + other(3) -> merged(5); 2 is the page's own."""
    nodes = [
        LineageNode(1, "raw", "active", "tabular", "source", -1),
        LineageNode(2, "clean", "superseded", "tabular", "cleaning", 0),
        LineageNode(3, "other", "delisted", "tabular", "source", -1),
        LineageNode(4, "split", "licensing_paused", "tabular", "split", 1),
        LineageNode(5, "merged", "weird-status", "tabular", "merge", 1),
    ]
    edges = [
        LineageEdge(1, 2, "cleaning"),
        LineageEdge(2, 4, "split"),
        LineageEdge(1, 5, "merge"),
        LineageEdge(3, 5, "merge"),
    ]
    return LineageGraph(nodes, edges, truncated=False)


def test_layers_are_topological_generations_and_every_edge_points_right() -> None:
    nodes, edges = lineage_elements(_lineage(), focus_id=2)
    positions = layered_positions(nodes, edges)
    assert positions["dataset:1"][0] == positions["dataset:3"][0] == 0
    assert positions["dataset:2"][0] == positions["dataset:5"][0] == 1
    assert positions["dataset:4"][0] == 2
    for edge in edges:
        assert positions[edge.source][0] < positions[edge.target][0]
    # Within a layer: distinct rows, ordered by id, centred on 0.
    assert positions["dataset:1"][1] > positions["dataset:3"][1]
    assert positions["dataset:1"][1] + positions["dataset:3"][1] == 0


def test_the_layout_is_the_same_whatever_the_input_order() -> None:
    nodes, edges = lineage_elements(_lineage(), focus_id=2)
    assert layered_positions(nodes, edges) == layered_positions(nodes[::-1], edges[::-1])


def test_a_cycle_is_refused_rather_than_drawn() -> None:
    nodes = [GraphNode(f"dataset:{i}", "dataset", str(i), "active", "") for i in (1, 2)]
    edges = [GraphEdge("dataset:1", "dataset:2", "x"), GraphEdge("dataset:2", "dataset:1", "y")]
    with pytest.raises(nx.NetworkXUnfeasible):
        layered_positions(nodes, edges)


def test_edges_carry_their_transformation_and_nodes_their_status_colour() -> None:
    nodes, edges = lineage_elements(_lineage(), focus_id=2)
    drawn = lineage_figure(nodes, edges)
    figure = drawn.figure
    datasets = figure.data[0]
    assert datasets.name == "datasets"
    assert list(datasets.marker.color) == [
        STATUS_COLOURS["active"],
        STATUS_COLOURS["superseded"],
        STATUS_COLOURS["delisted"],
        STATUS_COLOURS["licensing_paused"],
        UNKNOWN_COLOUR,
    ]
    assert list(datasets.text) == ["#1 raw", "#2 clean", "#3 other", "#4 split", "#5 merged"]
    # The page's own dataset is drawn larger.
    assert list(datasets.marker.size) == [18, 26, 18, 18, 18]
    labels = figure.data[1]
    assert labels.name == EDGE_LABEL_TRACE
    assert sorted(labels.text) == ["cleaning", "merge", "merge", "split"]
    # One arrow per edge, from the parent's position to the child's.
    assert len(figure.layout.annotations) == 4
    arrow = figure.layout.annotations[0]
    assert (arrow.ax, arrow.x) == (drawn.positions["dataset:1"][0], drawn.positions["dataset:2"][0])
    # The edge label sits halfway along its edge.
    index = list(labels.text).index("cleaning")
    assert labels.x[index] == 0.5


def test_jobs_and_models_are_nodes_of_their_own_kind() -> None:
    nodes = [
        GraphNode("dataset:1", "dataset", "data", "active", "/datasets/1"),
        GraphNode("job:7", "job", "training", "active", "/jobs/7"),
        GraphNode("model:3", "model", "model", "active", "/models/3"),
    ]
    edges = [
        GraphEdge("dataset:1", "job:7", "trained on"),
        GraphEdge("job:7", "model:3", "produced"),
    ]
    drawn = lineage_figure(nodes, edges)
    names = [trace.name for trace in drawn.figure.data]
    assert names == ["datasets", "jobs", "models", EDGE_LABEL_TRACE]
    assert [trace.marker.symbol for trace in drawn.figure.data[:3]] == [
        "circle",
        "square",
        "diamond",
    ]
    assert drawn.targets == [["/datasets/1"], ["/jobs/7"], ["/models/3"], ["", ""]]
    assert [drawn.positions[k][0] for k in ("dataset:1", "job:7", "model:3")] == [0, 1, 2]


def test_a_click_opens_only_a_link_the_server_built() -> None:
    nodes, edges = lineage_elements(_lineage(), focus_id=2)
    targets = lineage_figure(nodes, edges).targets
    assert click_target(targets, [{"curveNumber": 0, "pointNumber": 3}]) == "/datasets/4"
    # Edge labels, out-of-range points, wrong types and junk open nothing.
    assert click_target(targets, [{"curveNumber": 1, "pointNumber": 0}]) is None
    for forged in (
        [{"curveNumber": 0, "pointNumber": 99}],
        [{"curveNumber": -1, "pointNumber": 0}],
        [{"curveNumber": 0, "pointNumber": True}],
        [{"curveNumber": "0", "pointNumber": "1"}],
        [{"curveNumber": 0, "pointNumber": 0, "customdata": "javascript:alert(1)"}][:0],
        "javascript:alert(1)",
        None,
        [],
        [42],
    ):
        assert click_target(targets, forged) in (None,), forged


def test_an_empty_lineage_draws_an_empty_figure() -> None:
    drawn = lineage_figure([], [])
    assert drawn.targets == [] and len(drawn.figure.data) == 0

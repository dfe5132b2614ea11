"""Fixtures of the chain unit tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.scripted_node import Answer, NodeFactory, ScriptedNode


@pytest.fixture
def node_factory() -> Iterator[NodeFactory]:
    """Start scripted nodes: node_factory(answer) -> ScriptedNode; all stopped afterwards."""
    nodes: list[ScriptedNode] = []

    def start(answer: Answer) -> ScriptedNode:
        nodes.append(ScriptedNode(answer))
        return nodes[-1]

    yield start
    for node in nodes:
        node.stop()

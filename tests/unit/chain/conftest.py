"""Fixtures of the chain unit tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.scripted_node import ScriptedNode


@pytest.fixture
def node_factory() -> Iterator[Callable[[Callable[[Any], tuple[int, bytes]]], ScriptedNode]]:
    """Start scripted nodes: node_factory(answer) -> ScriptedNode; all stopped afterwards."""
    nodes: list[ScriptedNode] = []

    def start(answer: Callable[[Any], tuple[int, bytes]]) -> ScriptedNode:
        nodes.append(ScriptedNode(answer))
        return nodes[-1]

    yield start
    for node in nodes:
        node.stop()

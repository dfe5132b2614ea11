"""eth_call against a scripted node: a revert is an outcome, anything else a node can
answer is a CallOutcome or a ChainError with a sentence, never another exception."""

from __future__ import annotations

import json
from typing import Any

import pytest

from coop_dashboard.chain.client import make_web3
from coop_dashboard.chain.eth_call import eth_call
from coop_dashboard.errors import ChainError
from tests.support.scripted_node import Answer, NodeFactory, ScriptedNode

TX = {"to": "0x" + "11" * 20, "data": "0x"}


def _replying(fields: dict[str, Any] | Any) -> Answer:
    def answer(body: Any) -> tuple[int, bytes]:
        if not isinstance(fields, dict):
            return 200, json.dumps(fields).encode()
        return 200, json.dumps({"jsonrpc": "2.0", "id": body["id"], **fields}).encode()

    return answer


def _call(node: ScriptedNode) -> Any:
    return eth_call(make_web3(node.url, 5), TX)


def test_a_result_is_the_return_data(node_factory: NodeFactory) -> None:
    outcome = _call(node_factory(_replying({"result": "0x" + "00" * 31 + "2a"})))
    assert outcome.success and outcome.return_data[-1] == 42


def test_a_revert_with_data_is_an_outcome(node_factory: NodeFactory) -> None:
    error = {"code": 3, "message": "execution reverted", "data": "0x08c379a0"}
    outcome = _call(node_factory(_replying({"error": error})))
    assert not outcome.success and outcome.revert_data == bytes.fromhex("08c379a0")


@pytest.mark.parametrize(
    "error",
    [
        pytest.param("the node is on fire", id="a bare string"),
        pytest.param(-32000, id="a number"),
        pytest.param({"code": -32601, "message": "method not found"}, id="not a revert"),
        pytest.param([1, 2], id="a list"),
    ],
)
def test_other_errors_are_chain_errors_naming_the_node(
    node_factory: NodeFactory, error: Any
) -> None:
    node = node_factory(_replying({"error": error}))
    with pytest.raises(ChainError, match=f"The chain at {node.url} refused the call"):
        _call(node)


def test_a_reply_that_is_not_an_object_is_a_chain_error(node_factory: NodeFactory) -> None:
    node = node_factory(_replying(["not", "an", "object"]))
    with pytest.raises(ChainError):
        _call(node)

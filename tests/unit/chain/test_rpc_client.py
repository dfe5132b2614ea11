"""RpcClient's batches against a scripted node: replies matched by id, and every way a
node can answer a batch wrongly reported as a JsonRpcError naming the call."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from coop_dashboard.chain.rpc import JsonRpcError, RpcClient, forget_batch_refusals
from tests.support.scripted_node import Answer, NodeFactory, ScriptedNode

CALLS = [("eth_blockNumber", []), ("eth_chainId", []), ("net_version", [])]
RESULTS = {"eth_blockNumber": "0x10", "eth_chainId": "0x7a69", "net_version": "31337"}


@pytest.fixture(autouse=True)
def _no_remembered_refusals() -> Iterator[None]:
    forget_batch_refusals()
    yield
    forget_batch_refusals()


def _ok(request: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request["id"], "result": RESULTS[request["method"]]}


def _answer(replies: Callable[[list[dict[str, Any]]], Any]) -> Answer:
    def answer(body: Any) -> tuple[int, bytes]:
        requests = body if isinstance(body, list) else [body]
        reply = replies(requests)
        return 200, json.dumps(reply if isinstance(body, list) else reply[0]).encode()

    return answer


def _batch(node: ScriptedNode) -> list[Any]:
    with RpcClient(node.url, timeout_s=5) as client:
        return client.batch(CALLS)


def test_replies_in_any_order_come_back_in_call_order(node_factory: NodeFactory) -> None:
    node = node_factory(_answer(lambda requests: [_ok(r) for r in reversed(requests)]))
    assert _batch(node) == ["0x10", "0x7a69", "31337"]
    assert len(node.received) == 1 and len(node.received[0]) == 3  # one round trip
    assert len({request["id"] for request in node.received[0]}) == 3  # ids unique


def test_a_reply_missing_from_the_batch_names_its_call(node_factory: NodeFactory) -> None:
    node = node_factory(_answer(lambda requests: [_ok(r) for r in requests[:2]]))
    with pytest.raises(JsonRpcError, match="net_version.*missing from the batch reply"):
        _batch(node)


def test_replies_with_foreign_ids_are_missing_replies(node_factory: NodeFactory) -> None:
    node = node_factory(_answer(lambda requests: [{**_ok(r), "id": 10_000} for r in requests]))
    with pytest.raises(JsonRpcError, match="eth_blockNumber.*missing from the batch reply"):
        _batch(node)


def test_a_node_refusing_batches_is_an_error_for_the_indexer(node_factory: NodeFactory) -> None:
    """The indexer's batches are all-or-nothing: no silent fallback to one call each."""
    refusal = {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "no batches"}}
    node = node_factory(lambda _body: (200, json.dumps(refusal).encode()))
    with pytest.raises(JsonRpcError, match="a batch of 3 requests.*no batches"):
        _batch(node)
    assert len(node.received) == 1  # not asked call by call


def test_one_error_reply_fails_the_batch_naming_that_call(node_factory: NodeFactory) -> None:
    def replies(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        answered = [_ok(r) for r in requests]
        answered[1] = {"jsonrpc": "2.0", "id": requests[1]["id"], "error": {"code": -32000}}
        return answered

    node = node_factory(_answer(replies))
    with pytest.raises(JsonRpcError, match="eth_chainId"):
        _batch(node)


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param({"jsonrpc": "2.0", "result": "0x1"}, id="an object instead of a list"),
        pytest.param("surprise", id="a string"),
        pytest.param(None, id="null"),
    ],
)
def test_a_batch_answered_with_something_else_is_an_error(
    node_factory: NodeFactory, reply: Any
) -> None:
    node = node_factory(lambda _body: (200, json.dumps(reply).encode()))
    with pytest.raises(JsonRpcError, match="a batch of 3 requests.*malformed reply"):
        _batch(node)


def test_hostile_entries_in_the_reply_list_are_skipped_not_trusted(
    node_factory: NodeFactory,
) -> None:
    """Non-objects in the list never match a request; the real replies still count."""
    node = node_factory(_answer(lambda requests: ["junk", 7, None, *[_ok(r) for r in requests]]))
    assert _batch(node) == ["0x10", "0x7a69", "31337"]


def test_a_reply_without_a_result_is_an_error_but_null_is_a_result(
    node_factory: NodeFactory,
) -> None:
    def replies(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        answered = [_ok(r) for r in requests]
        answered[0] = {"jsonrpc": "2.0", "id": requests[0]["id"], "result": None}
        answered[2] = {"jsonrpc": "2.0", "id": requests[2]["id"]}
        return answered

    node = node_factory(_answer(replies))
    with pytest.raises(JsonRpcError, match="net_version.*reply without a result"):
        _batch(node)
    node_null = node_factory(_answer(lambda rs: [{**_ok(r), "result": None} for r in rs]))
    assert _batch(node_null) == [None, None, None]


def test_an_empty_batch_asks_nothing(node_factory: NodeFactory) -> None:
    node = node_factory(_answer(lambda requests: [_ok(r) for r in requests]))
    with RpcClient(node.url, timeout_s=5) as client:
        assert client.batch([]) == []
    assert node.received == []

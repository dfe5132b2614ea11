"""The overview's chain facts: one batch per read, constants read once, same figures as
the web3 calls they replaced, and a broken or hostile node reported as a CoopError."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from web3 import HTTPProvider, Web3
from web3.types import RPCEndpoint, RPCResponse

from coop_dashboard.chain.client import make_web3
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.facts import (
    ChainFacts,
    Erc20Holding,
    forget_chain_constants,
    read_chain_facts,
)
from coop_dashboard.chain.node import free_port
from coop_dashboard.chain.transact import Sender
from coop_dashboard.errors import ChainError, RpcUnavailableError
from tests.support.chains import Chain
from tests.support.scripted_node import Answer, NodeFactory

_CONSTANT_SELECTORS = {"0x06fdde03", "0x95d89b41", "0x313ce567"}  # name, symbol, decimals


@pytest.fixture(autouse=True)
def _fresh_constants() -> Iterator[None]:
    forget_chain_constants()
    yield
    forget_chain_constants()


def sequential_facts(w3: Web3, deployment: Deployment, at: int) -> ChainFacts:
    """The read as it was before batching: one web3 call each, pinned to block `at`."""
    block = w3.eth.get_block(at)
    token = deployment.contract(w3, "CoopToken").functions
    treasury = deployment.address("CoopTimelock")
    erc20 = []
    for name in ("CoopToken", "MockStablecoin"):
        if name not in deployment.contracts:
            continue
        functions = deployment.contract(w3, name).functions
        erc20.append(
            Erc20Holding(
                symbol=functions.symbol().call(block_identifier=at),
                decimals=functions.decimals().call(block_identifier=at),
                address=deployment.address(name),
                balance=functions.balanceOf(treasury).call(block_identifier=at),
            )
        )
    return ChainFacts(
        chain_id=w3.eth.chain_id,
        block_number=at,
        block_timestamp=int(block["timestamp"]),
        token_name=token.name().call(block_identifier=at),
        token_symbol=token.symbol().call(block_identifier=at),
        token_decimals=token.decimals().call(block_identifier=at),
        token_supply=token.totalSupply().call(block_identifier=at),
        treasury_address=treasury,
        treasury_eth_wei=w3.eth.get_balance(Web3.to_checksum_address(treasury), at),
        treasury_erc20=erc20,
    )


class _RecordingProvider(HTTPProvider):
    """Notes every HTTP request: ("one", method, params) or ("batch", [(method, params)])."""

    def __init__(self, url: str) -> None:
        super().__init__(url, request_kwargs={"timeout": 30}, exception_retry_configuration=None)
        self.sent: list[tuple[Any, ...]] = []

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        self.sent.append(("one", str(method), params))
        return super().make_request(method, params)

    def make_batch_request(self, requests: list[tuple[RPCEndpoint, Any]]) -> Any:
        self.sent.append(("batch", [(str(m), p) for m, p in requests]))
        return super().make_batch_request(requests)


def _fund_treasury(chain: Chain, deployment: Deployment) -> None:
    """Give the treasury something of each kind, so no figure is a trivial zero."""
    sender = Sender.unlocked(chain.w3, chain.w3.eth.accounts[0])
    treasury = Web3.to_checksum_address(deployment.address("CoopTimelock"))
    stablecoin = deployment.contract(chain.w3, "MockStablecoin").functions
    sender.call(stablecoin.mint(treasury, 1_234_567), what="mint cUSD")
    token = deployment.contract(chain.w3, "CoopToken").functions
    sender.call(token.transfer(treasury, 10**18 + 7), what="send COOP")
    sender.transfer_eth(treasury, 3 * 10**15 + 11, what="send ETH")


def test_batched_read_equals_the_sequential_one_at_the_same_block(
    chain: Chain, deployment: Deployment
) -> None:
    _fund_treasury(chain, deployment)
    facts = read_chain_facts(chain.w3, deployment, chain.rpc_url)
    assert facts == sequential_facts(chain.w3, deployment, facts.block_number)
    assert facts.block_number == chain.w3.eth.block_number
    assert facts.treasury_eth_wei == 3 * 10**15 + 11
    assert [(h.symbol, h.balance) for h in facts.treasury_erc20] == [
        ("COOP", 10**18 + 7),
        ("cUSD", 1_234_567),
    ]

    # A later block: the per-block figures follow, the cached constants still match.
    _fund_treasury(chain, deployment)
    later = read_chain_facts(chain.w3, deployment, chain.rpc_url)
    assert later.block_number > facts.block_number
    assert later == sequential_facts(chain.w3, deployment, later.block_number)
    assert later.treasury_eth_wei == 2 * facts.treasury_eth_wei


def test_two_round_trips_per_read_all_at_one_block_and_constants_read_once(
    chain: Chain, deployment: Deployment
) -> None:
    provider = _RecordingProvider(chain.rpc_url)
    w3 = Web3(provider)
    first = read_chain_facts(w3, deployment, chain.rpc_url)
    _fund_treasury(chain, deployment)
    second = read_chain_facts(w3, deployment, chain.rpc_url)
    assert second.block_number > first.block_number
    assert [entry[0] for entry in provider.sent] == ["one", "batch", "one", "batch"]
    assert provider.sent[0][1:] == ("eth_getBlockByNumber", ["latest", False])

    def selectors(batch: list[tuple[str, Any]]) -> list[str]:
        return [p[0]["data"][:10] for m, p in batch if m == "eth_call"]

    first_batch, second_batch = provider.sent[1][1], provider.sent[3][1]
    tokens = len(first.treasury_erc20)
    # First read: the constants and the chain id, in the same batch, at the same block.
    assert "eth_chainId" in [m for m, _ in first_batch]
    assert sum(s in _CONSTANT_SELECTORS for s in selectors(first_batch)) == 3 * tokens
    # Then only what can change: ETH balance, supply, one balanceOf per token.
    assert sorted(m for m, _ in second_batch) == ["eth_call"] * (1 + tokens) + ["eth_getBalance"]
    assert not _CONSTANT_SELECTORS & set(selectors(second_batch))
    for batch, facts in ((first_batch, first), (second_batch, second)):
        pinned = {p[-1] for m, p in batch if m != "eth_chainId"}
        assert pinned == {hex(facts.block_number)}

    # Another deployment (a new manifest) has its constants read again.
    provider.sent.clear()
    read_chain_facts(w3, _redeployed(chain, deployment), chain.rpc_url)
    assert sum(s in _CONSTANT_SELECTORS for s in selectors(provider.sent[1][1])) == 3 * tokens


def _redeployed(chain: Chain, deployment: Deployment) -> Deployment:
    """The same manifest but another deploy block: as a new deployment is keyed."""
    from dataclasses import replace

    block = chain.w3.eth.get_block(deployment.deploy_block + 1)
    return replace(
        deployment,
        deploy_block=deployment.deploy_block + 1,
        deploy_block_hash=block["hash"].to_0x_hex(),
    )


# -- a node of our own: one that refuses batches, and hostile ones -------------------------


def _forward(rpc_url: str, body: Any) -> tuple[int, bytes]:
    return 200, httpx.post(rpc_url, json=body, timeout=30).content


def test_a_node_without_batches_is_asked_call_by_call(
    chain: Chain, deployment: Deployment, node_factory: NodeFactory
) -> None:
    def no_batches(body: Any) -> tuple[int, bytes]:
        if isinstance(body, list):
            refusal = {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "no"}}
            return 200, json.dumps(refusal).encode()
        return _forward(chain.rpc_url, body)

    _fund_treasury(chain, deployment)
    node = node_factory(no_batches)
    w3 = make_web3(node.url, 30)
    facts = read_chain_facts(w3, deployment, node.url)
    assert facts == sequential_facts(chain.w3, deployment, facts.block_number)
    batches = sum(isinstance(body, list) for body in node.received)
    assert batches == 1
    # The refusal is remembered: the next read does not try a batch again.
    node.received.clear()
    assert read_chain_facts(w3, deployment, node.url).block_number == facts.block_number
    assert not any(isinstance(body, list) for body in node.received)


def _reply_to(body: Any, result: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": body["id"], "result": result}


_BLOCK = {"number": "0x10", "timestamp": "0x5f5e100", "hash": "0x" + "11" * 32}


def _hostile(batch: Callable[[list[Any]], Any]) -> Answer:
    """A node answering single requests with a block and batches with `batch(requests)`."""

    def answer(body: Any) -> tuple[int, bytes]:
        if isinstance(body, list):
            return 200, json.dumps(batch(body)).encode()
        return 200, json.dumps(_reply_to(body, _BLOCK)).encode()

    return answer


HOSTILE_ANSWERS: dict[str, Answer] = {
    "not JSON": lambda body: (200, b"<html>Bad gateway</html>"),
    "HTTP 403": lambda body: (403, b"forbidden"),
    "no block": lambda body: (200, json.dumps(_reply_to(body, None)).encode()),
    "block number not hex": lambda body: (
        200,
        json.dumps(_reply_to(body, {**_BLOCK, "number": 16})).encode(),
    ),
    "batch answered short": _hostile(lambda requests: []),
    "batch of numbers": _hostile(lambda requests: list(range(len(requests)))),
    "batch ids of mixed types": _hostile(
        lambda requests: [
            {**_reply_to(r, "0x0"), "id": str(r["id"]) if i % 2 else r["id"]}
            for i, r in enumerate(requests)
        ]
    ),
    "results not hex": _hostile(lambda requests: [_reply_to(r, "0xzz") for r in requests]),
    "results not ABI": _hostile(lambda requests: [_reply_to(r, "0x1234") for r in requests]),
    "results empty (no code)": _hostile(lambda requests: [_reply_to(r, "0x") for r in requests]),
    "results of the wrong type": _hostile(lambda requests: [_reply_to(r, [1]) for r in requests]),
    "error replies": _hostile(
        lambda requests: [
            {"jsonrpc": "2.0", "id": r["id"], "error": {"code": 3, "message": "execution reverted"}}
            for r in requests
        ]
    ),
    "a batch reply that is a string": _hostile(lambda requests: "nope"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_ANSWERS))
def test_a_hostile_node_gives_a_chain_error(
    case: str, deployment: Deployment, node_factory: NodeFactory
) -> None:
    node = node_factory(HOSTILE_ANSWERS[case])
    with pytest.raises(ChainError, match=r"The chain at http://127\.0\.0\.1:\d+ answered"):
        read_chain_facts(make_web3(node.url, 5), deployment, node.url)


def test_an_unreachable_node_is_reported_as_such(deployment: Deployment) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(RpcUnavailableError, match="unreachable"):
        read_chain_facts(make_web3(dead, 1), deployment, dead)

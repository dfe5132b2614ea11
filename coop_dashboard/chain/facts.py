"""Live figures about the deployed suite, read straight from the chain at one block.

Only point reads (balances, supply, the head): everything that is a list or a
count over events (members, delegates, proposals) comes from the SQL index.

The overview re-reads these at every indexed head, so the read is two round
trips: the latest block, then one JSON-RPC batch of every figure pinned to that
block's number. It used to be ~12 sequential web3 calls (64-76 ms on an idle
app, ~5 ms each, most of it web3's per-call ABI lookup and formatting rather than
the node): the calls here are raw JSON-RPC with fixed ERC-20 calldata, sent
through web3's provider, read by chain/rpc's `run_batch` (which asks a node that
refuses batches call by call) and decoded with eth_abi. What cannot change for a
deployed contract (name, symbol, decimals) and the node's chain id are read once
per (RPC URL, deployment, address) and cached in this process; a redeploy (new
manifest: a new deploy block hash, new addresses) reads them again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from eth_abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from web3 import Web3
from web3.providers.base import JSONBaseProvider
from web3.types import RPCEndpoint

from coop_dashboard.chain.client import rpc_errors
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.erc20_selectors import (
    BALANCE_OF_SELECTOR,
    DECIMALS_SELECTOR,
    NAME_SELECTOR,
    SYMBOL_SELECTOR,
    TOTAL_SUPPLY_SELECTOR,
)
from coop_dashboard.chain.rpc import Call, forget_batch_refusals, reply_result, run_batch

# The cooperative's ERC-20 tokens the treasury holds (MockStablecoin: local chains only).
TREASURY_TOKENS: tuple[str, ...] = ("CoopToken", "MockStablecoin")

# Cached constants beyond this many entries are dropped (tests deploy hundreds of suites).
_MAX_CACHED = 1_024


@dataclass(frozen=True)
class Erc20Holding:
    symbol: str
    decimals: int
    address: str
    balance: int  # base units


@dataclass(frozen=True)
class ChainFacts:
    """Raw (unscaled) figures; the service layer formats them."""

    chain_id: int
    block_number: int
    block_timestamp: int
    token_name: str
    token_symbol: str
    token_decimals: int
    token_supply: int
    treasury_address: str
    treasury_eth_wei: int
    treasury_erc20: list[Erc20Holding]


@dataclass(frozen=True)
class TokenConstants:
    """What a deployed ERC-20 cannot change."""

    name: str
    symbol: str
    decimals: int


_lock = threading.Lock()
# (rpc_url, deploy block hash, address lowercased) -> the token's constants.
_tokens: dict[tuple[str, str, str], TokenConstants] = {}
# (rpc_url, deploy block hash) -> the node's chain id.
_chain_ids: dict[tuple[str, str], int] = {}


def forget_chain_constants() -> None:
    """Drop the cached constants (tests counting what a first read asks)."""
    with _lock:
        _tokens.clear()
        _chain_ids.clear()
    forget_batch_refusals()


Decoder = Callable[[Any], Any]


@dataclass(frozen=True)
class _Call:
    """One JSON-RPC request of the batch and how to decode its result."""

    what: str  # named in errors: "eth_call CoopToken.symbol()"
    method: str
    params: list[Any]
    decode: Decoder


def read_chain_facts(w3: Web3, deployment: Deployment, rpc_url: str) -> ChainFacts:
    """Everything the overview shows, consistent as of one block (the latest).

    A transport failure is an RpcUnavailableError; an error reply or an answer
    that is not what was asked (a hostile or broken node) a ChainError.
    """
    treasury = Web3.to_checksum_address(deployment.address("CoopTimelock"))
    token_address = deployment.address("CoopToken")
    held = [(n, deployment.address(n)) for n in TREASURY_TOKENS if n in deployment.contracts]
    suite = (rpc_url, deployment.deploy_block_hash)
    with _lock:
        known = {a: _tokens.get((*suite, a.lower())) for _n, a in held}
        chain_id = _chain_ids.get(suite)
    node = _Provider(rpc_url, w3)
    with rpc_errors(rpc_url):
        head = reply_result(
            "eth_getBlockByNumber latest", node.send("eth_getBlockByNumber", ["latest", False])
        )
        if not isinstance(head, dict):
            raise ValueError(f"eth_getBlockByNumber latest: no block ({head!r:.100})")
        at = _quantity(head.get("number"), "the latest block's number")
        timestamp = _quantity(head.get("timestamp"), "the latest block's timestamp")
        block = hex(at)

        def call(name: str, address: str, function: str, data: str, decode: Decoder) -> _Call:
            request = [{"to": address, "data": data}, block]
            return _Call(f"eth_call {name}.{function}", "eth_call", request, decode)

        balance_of = BALANCE_OF_SELECTOR + "0" * 24 + treasury[2:].lower()
        calls: dict[str, _Call] = {
            "eth": _Call("eth_getBalance treasury", "eth_getBalance", [treasury, block], _quantity),
            "supply": call(
                "CoopToken", token_address, "totalSupply()", TOTAL_SUPPLY_SELECTOR, _uint256
            ),
        }
        for name, address in held:
            calls[f"balance:{address}"] = call(name, address, "balanceOf()", balance_of, _uint256)
            if known[address] is None:
                # Read once, pinned to the same block as the rest of this read.
                calls[f"name:{address}"] = call(name, address, "name()", NAME_SELECTOR, _string)
                calls[f"symbol:{address}"] = call(
                    name, address, "symbol()", SYMBOL_SELECTOR, _string
                )
                calls[f"decimals:{address}"] = call(
                    name, address, "decimals()", DECIMALS_SELECTOR, _uint8
                )
        if chain_id is None:
            calls["chain_id"] = _Call("eth_chainId", "eth_chainId", [], _quantity)
        values = dict(zip(calls, _run(node, list(calls.values())), strict=True))

    for _name, address in held:
        if known[address] is None:
            known[address] = TokenConstants(
                values[f"name:{address}"],
                values[f"symbol:{address}"],
                values[f"decimals:{address}"],
            )
    if chain_id is None:
        chain_id = cast(int, values["chain_id"])
    with _lock:
        if len(_tokens) > _MAX_CACHED:
            _tokens.clear()
            _chain_ids.clear()
        for _name, address in held:
            _tokens[(*suite, address.lower())] = cast(TokenConstants, known[address])
        _chain_ids[suite] = chain_id

    token = cast(TokenConstants, known[token_address])
    return ChainFacts(
        chain_id=chain_id,
        block_number=at,
        block_timestamp=timestamp,
        token_name=token.name,
        token_symbol=token.symbol,
        token_decimals=token.decimals,
        token_supply=values["supply"],
        treasury_address=deployment.address("CoopTimelock"),
        treasury_eth_wei=values["eth"],
        treasury_erc20=[
            Erc20Holding(
                symbol=cast(TokenConstants, known[address]).symbol,
                decimals=cast(TokenConstants, known[address]).decimals,
                address=address,
                balance=values[f"balance:{address}"],
            )
            for _name, address in held
        ],
    )


class _Provider:
    """chain/rpc's BatchTransport over the caller's web3 provider (its timeouts, its session)."""

    def __init__(self, url: str, w3: Web3) -> None:
        self.url = url
        self._provider = cast(JSONBaseProvider, w3.provider)

    def send(self, method: str, params: Sequence[Any]) -> Any:
        return self._provider.make_request(RPCEndpoint(method), list(params))

    def send_batch(self, calls: Sequence[Call]) -> Any:
        try:
            return self._provider.make_batch_request(
                [(RPCEndpoint(method), list(params)) for method, params in calls]
            )
        except (AttributeError, TypeError) as exc:
            # web3 sorts the replies by id: replies that are not objects, or ids of
            # mixed types, fail there.
            raise ValueError(f"a batch of {len(calls)} requests: malformed reply ({exc})") from exc


def _run(node: _Provider, calls: Sequence[_Call]) -> list[Any]:
    """The calls' decoded results: one batch, or one call each where batches are refused."""
    results = run_batch(
        node,
        [(c.method, c.params) for c in calls],
        [c.what for c in calls],
        one_by_one_if_refused=True,
    )
    values = []
    for c, result in zip(calls, results, strict=True):
        try:
            values.append(c.decode(result))
        except ValueError as exc:
            raise ValueError(f"{c.what}: {exc}") from exc
    return values


def _quantity(value: Any, what: str = "the result") -> int:
    """A JSON-RPC QUANTITY ("0x..." hex) as an int."""
    if isinstance(value, str) and value.startswith(("0x", "0X")) and 2 < len(value) <= 66:
        try:
            return int(value, 16)
        except ValueError:
            pass
    raise ValueError(f"{what} is not a hex quantity: {value!r:.100}")


def _return_data(value: Any) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise ValueError(f"the result is not hex data: {value!r:.100}")
    return bytes.fromhex(value[2:])


def _abi(types: str, value: Any) -> Any:
    data = _return_data(value)
    if not data:
        # What a call to an address without code returns (the manifest is for another chain).
        raise ValueError("no data returned: is the contract deployed on this chain?")
    try:
        return abi_decode([types], data)[0]
    except DecodingError as exc:
        raise ValueError(f"the result is not a {types}: {exc}") from exc


def _uint256(value: Any) -> int:
    return int(_abi("uint256", value))


def _uint8(value: Any) -> int:
    return int(_abi("uint8", value))


def _string(value: Any) -> str:
    return str(_abi("string", value))

"""Raw JSON-RPC over httpx, for the indexer's hot path.

web3.py formats every log into AttributeDicts of HexBytes, which costs ~10x the
time of the request itself (see the toolchain notes): the indexer reads plain
JSON here and decodes with eth_abi on its own. No web3 import.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from coop_dashboard.errors import ChainError, RpcUnavailableError

# A log as the node returns it: hex strings ("0x...") in a dict.
RawLog = dict[str, Any]


class JsonRpcError(ChainError):
    """The node answered a request with a JSON-RPC error object."""

    def __init__(self, method: str, code: int | None, message: str) -> None:
        super().__init__(f"{method} failed: {message} (code {code})")
        self.method = method
        self.code = code
        self.rpc_message = message


class RpcTimeoutError(RpcUnavailableError):
    """A request timed out: the node may be down, or the request too heavy (shrink it)."""


@dataclass(frozen=True)
class BlockHeader:
    """The fields of a block the indexer keeps (hashes for reorg detection, the time)."""

    number: int
    hash: str
    parent_hash: str
    timestamp: int


@dataclass(frozen=True)
class LogFilter:
    """An eth_getLogs filter without its block range."""

    addresses: tuple[str, ...] = ()
    topics: tuple[str | list[str] | None, ...] = ()

    def params(self, from_block: int, to_block: int) -> dict[str, Any]:
        params: dict[str, Any] = {"fromBlock": hex(from_block), "toBlock": hex(to_block)}
        if self.addresses:
            params["address"] = list(self.addresses)
        if self.topics:
            params["topics"] = list(self.topics)
        return params


def header_from_json(raw: dict[str, Any]) -> BlockHeader:
    return BlockHeader(
        number=int(raw["number"], 16),
        hash=str(raw["hash"]).lower(),
        parent_hash=str(raw["parentHash"]).lower(),
        timestamp=int(raw["timestamp"], 16),
    )


class RpcClient:
    """A JSON-RPC endpoint over HTTP with one pooled connection and a bounded timeout."""

    def __init__(self, url: str, timeout_s: float = 10.0) -> None:
        self.url = url
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 3.0)),
            headers={"content-type": "application/json"},
        )
        # itertools.count is atomic under the GIL: the indexer's prefetch thread
        # shares this client, and ids must be unique within a batch.
        self._ids = itertools.count(1)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RpcClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _post(self, payload: Any, what: str) -> Any:
        try:
            response = self._client.post(self.url, content=json.dumps(payload))
        except httpx.TimeoutException as exc:
            raise RpcTimeoutError(
                f"The chain at {self.url} did not answer {what} in time ({type(exc).__name__})."
            ) from exc
        except httpx.TransportError as exc:
            raise RpcUnavailableError(
                f"The chain at {self.url} is unreachable ({type(exc).__name__}). "
                "Is the node running? Start it with `coop up` or check RPC_URL."
            ) from exc
        if response.status_code == 429 or response.status_code >= 500:
            # Rate limits and gateway errors pass: the caller backs off and retries.
            raise RpcUnavailableError(
                f"The chain at {self.url} answered HTTP {response.status_code} to {what}."
            )
        try:
            return json.loads(response.content)
        except ValueError as exc:
            # Some providers answer an oversized eth_getLogs with a truncated or HTML body.
            raise JsonRpcError(what, None, f"unparseable response ({exc})") from exc

    def _request(self, method: str, params: Sequence[Any]) -> dict[str, Any]:
        return {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": list(params)}

    @staticmethod
    def _result(method: str, reply: Any) -> Any:
        if not isinstance(reply, dict):
            raise JsonRpcError(method, None, f"malformed reply {reply!r:.200}")
        error = reply.get("error")
        if error is not None:
            if isinstance(error, dict):
                raise JsonRpcError(method, error.get("code"), str(error.get("message", error)))
            raise JsonRpcError(method, None, str(error))
        return reply.get("result")

    def call(self, method: str, params: Sequence[Any] = ()) -> Any:
        """One request; its result, or JsonRpcError / RpcUnavailableError."""
        return self._result(method, self._post(self._request(method, params), method))

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        """Several requests in one HTTP round trip; results in call order.

        Any error fails the whole batch: the indexer's batches are all-or-nothing.
        """
        if not calls:
            return []
        requests = [self._request(method, params) for method, params in calls]
        what = calls[0][0] if len(calls) == 1 else f"a batch of {len(calls)} requests"
        replies = self._post(requests, what)
        if isinstance(replies, dict):
            # A node that does not support batches answers with one error object.
            raise JsonRpcError(what, None, str(replies.get("error", replies)))
        by_id = {reply.get("id"): reply for reply in replies if isinstance(reply, dict)}
        results = []
        for request, (method, _params) in zip(requests, calls, strict=True):
            reply = by_id.get(request["id"])
            if reply is None:
                raise JsonRpcError(method, None, "missing from the batch reply")
            results.append(self._result(method, reply))
        return results

    def block_number(self) -> int:
        return int(self.call("eth_blockNumber"), 16)

    def chain_id(self) -> int:
        return int(self.call("eth_chainId"), 16)

    def get_logs(self, log_filter: LogFilter, from_block: int, to_block: int) -> list[RawLog]:
        result = self.call("eth_getLogs", [log_filter.params(from_block, to_block)])
        return list(result)

    def header(self, number: int) -> BlockHeader | None:
        raw = self.call("eth_getBlockByNumber", [hex(number), False])
        return header_from_json(raw) if raw else None


def get_block_call(number: int, full_transactions: bool = False) -> tuple[str, list[Any]]:
    """An eth_getBlockByNumber request for `RpcClient.batch`."""
    return "eth_getBlockByNumber", [hex(number), full_transactions]


def get_balance_call(address: str, number: int) -> tuple[str, list[Any]]:
    """An eth_getBalance request (at a past block) for `RpcClient.batch`."""
    return "eth_getBalance", [address, hex(number)]

"""Raw JSON-RPC over httpx, for the indexer's hot path, and the one reading of replies.

web3.py formats every log into AttributeDicts of HexBytes, which costs ~10x the
time of the request itself (see the toolchain notes): the indexer reads plain
JSON here and decodes with eth_abi on its own. No web3 import: chain/facts.py
sends its batches through web3's provider and reads the replies with `run_batch`.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from coop_dashboard.errors import ChainError, RpcUnavailableError

# A log as the node returns it: hex strings ("0x...") in a dict.
RawLog = dict[str, Any]
# One request of a batch: (method, params).
Call = tuple[str, Sequence[Any]]

# A node that answered a batch with one error object (no batch support) is asked
# call by call where the caller allows it; batches are tried again after this long
# (the refusal may have been transient).
NO_BATCH_RETRY_S = 300.0
_no_batch_lock = threading.Lock()
# url -> monotonic time its node refused a batch.
_no_batch: dict[str, float] = {}


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


class BatchTransport(Protocol):
    """How `run_batch` reaches a node: RpcClient over httpx, or web3's provider (chain/facts.py)."""

    url: str

    def send(self, method: str, params: Sequence[Any]) -> Any:
        """One request's reply as the node sent it."""
        ...

    def send_batch(self, calls: Sequence[Call]) -> Any:
        """The replies in call order, or what the node answered instead of a list."""
        ...


def reply_result(what: str, reply: Any) -> Any:
    """A JSON-RPC reply's result; JsonRpcError naming `what` for an error or a malformed reply."""
    if not isinstance(reply, dict):
        raise JsonRpcError(what, None, f"malformed reply {reply!r:.200}")
    error = reply.get("error")
    if error is not None:
        if isinstance(error, dict):
            raise JsonRpcError(what, error.get("code"), str(error.get("message", error)))
        raise JsonRpcError(what, None, str(error))
    if "result" not in reply:
        raise JsonRpcError(what, None, "reply without a result")
    return reply["result"]


def run_batch(
    transport: BatchTransport,
    calls: Sequence[Call],
    names: Sequence[str] | None = None,
    *,
    one_by_one_if_refused: bool = False,
) -> list[Any]:
    """The results of `calls` in call order, from one batch.

    Any error reply fails the whole batch: a JsonRpcError naming its call (by
    `names`, or its method). A node that refuses batches is an error too, unless
    `one_by_one_if_refused`: then it is asked call by call, and batches are not
    tried again at that URL for NO_BATCH_RETRY_S.
    """
    if not calls:
        return []
    names = names or [method for method, _ in calls]
    what = _batch_name(names)
    replies: Any = None
    with _no_batch_lock:
        refused_at = _no_batch.get(transport.url) if one_by_one_if_refused else None
    if refused_at is None or time.monotonic() - refused_at >= NO_BATCH_RETRY_S:
        replies = transport.send_batch(calls)
        if isinstance(replies, dict) and replies.get("error") is not None:
            # JSON-RPC's answer to a batch the server does not take: one error object.
            if not one_by_one_if_refused:
                raise JsonRpcError(what, None, str(replies["error"]))
            with _no_batch_lock:
                _no_batch[transport.url] = time.monotonic()
            replies = None
        elif not isinstance(replies, list):
            raise JsonRpcError(what, None, f"malformed reply {replies!r:.200}")
    if replies is None:
        replies = [transport.send(method, params) for method, params in calls]
    if len(replies) != len(calls):
        raise JsonRpcError(what, None, f"answered with {len(replies)} replies")
    return [reply_result(name, reply) for name, reply in zip(names, replies, strict=True)]


def forget_batch_refusals() -> None:
    """Batches are tried again at every URL (tests counting what a read asks)."""
    with _no_batch_lock:
        _no_batch.clear()


def _batch_name(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"a batch of {len(names)} requests"


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

    def send(self, method: str, params: Sequence[Any]) -> Any:
        return self._post(self._request(method, params), method)

    def send_batch(self, calls: Sequence[Call]) -> Any:
        requests = [self._request(method, params) for method, params in calls]
        answer = self._post(requests, _batch_name([method for method, _ in calls]))
        if not isinstance(answer, list):
            return answer
        by_id = {reply.get("id"): reply for reply in answer if isinstance(reply, dict)}
        for request, (method, _params) in zip(requests, calls, strict=True):
            if request["id"] not in by_id:
                raise JsonRpcError(method, None, "missing from the batch reply")
        return [by_id[request["id"]] for request in requests]

    def call(self, method: str, params: Sequence[Any] = ()) -> Any:
        """One request; its result, or JsonRpcError / RpcUnavailableError."""
        return reply_result(method, self.send(method, params))

    def batch(self, calls: Sequence[Call]) -> list[Any]:
        """Several requests in one HTTP round trip; results in call order.

        Any error fails the whole batch: the indexer's batches are all-or-nothing.
        """
        return run_batch(self, calls)

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

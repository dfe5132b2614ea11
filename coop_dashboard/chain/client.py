"""Connecting to a JSON-RPC endpoint, with failures mapped to CoopErrors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import requests
from web3 import Web3
from web3.exceptions import ContractLogicError, Web3Exception

from coop_dashboard.chain.rpc import JsonRpcError
from coop_dashboard.errors import ChainError, RpcUnavailableError
from coop_dashboard.redaction import public_url, register_secret_url

T = TypeVar("T")

# What the layers above hold to reach the node and hand back to chain/ functions:
# only chain/ imports web3 (tests/unit/test_import_rules.py), so they name it so.
NodeClient = Web3


def make_web3(rpc_url: str, timeout_s: float = 5.0) -> Web3:
    """A Web3 over HTTP with a bounded request timeout (a dead RPC must not hang the UI)."""
    # No transparent retries: a dead RPC must be reported now, not after ~2 s of
    # backoff; callers that want to wait (the indexer) retry on their own terms.
    provider = Web3.HTTPProvider(
        rpc_url, request_kwargs={"timeout": timeout_s}, exception_retry_configuration=None
    )
    return Web3(provider)


@contextmanager
def rpc_errors(rpc_url: str) -> Iterator[None]:
    """Turn transport failures into RpcUnavailableError, the rest into ChainError.

    Messages name the RPC by `public_url` (host only: the path and query may hold
    an API key) and CoopError redacts whatever the client library quoted.
    """
    register_secret_url(rpc_url)
    shown = public_url(rpc_url) if "://" in rpc_url else rpc_url
    try:
        yield
    except (requests.ConnectionError, requests.Timeout, ConnectionError, TimeoutError) as exc:
        raise RpcUnavailableError(
            f"The chain at {shown} is unreachable ({type(exc).__name__}). "
            "Is the node running? Start it with `coop up` or check RPC_URL."
        ) from exc
    except ContractLogicError as exc:
        raise ChainError(f"The contract call reverted: {exc}") from exc
    except (Web3Exception, requests.RequestException, ValueError, JsonRpcError) as exc:
        # JsonRpcError: an error reply read by chain/rpc's `reply_result` / `run_batch`.
        raise ChainError(f"The chain at {shown} answered with an error: {exc}") from exc


def call_rpc(rpc_url: str, read: Callable[[], T]) -> T:
    """Run `read()` (which talks to `rpc_url`) with errors mapped."""
    with rpc_errors(rpc_url):
        return read()

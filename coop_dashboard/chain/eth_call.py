"""`eth_call` over raw JSON-RPC, returning revert data instead of raising.

web3.py turns reverts into several exception types with the data in different
places; simulations want the raw revert bytes to decode against the suite's
ABIs, and they want state overrides, so they talk JSON-RPC directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from web3 import Web3

from coop_dashboard.chain.client import rpc_errors
from coop_dashboard.errors import ChainError

# How nodes word a reverted call (geth/anvil answer code 3, others -32000 or -32015):
# the message, not the code, tells a revert from any other error.
_REVERT_MESSAGES = ("revert", "execution reverted")


@dataclass(frozen=True)
class CallOutcome:
    success: bool
    return_data: bytes = b""
    revert_data: bytes = b""  # empty for reverts without data (require(false), OOG)
    message: str = ""  # the node's error message when it reverted


def _hex_bytes(value: Any) -> bytes:
    if isinstance(value, str) and value.startswith("0x"):
        try:
            return bytes.fromhex(value[2:])
        except ValueError:
            return b""
    return b""


def eth_call(
    w3: Web3,
    tx: dict[str, Any],
    *,
    block: str | int = "latest",
    state_override: dict[str, Any] | None = None,
) -> CallOutcome:
    """Run `tx` as a call; a revert is an outcome, a transport failure a ChainError."""
    params: list[Any] = [tx, block if isinstance(block, str) else hex(block)]
    if state_override:
        params.append(state_override)
    rpc_url = str(getattr(w3.provider, "endpoint_uri", None) or "the RPC endpoint")
    with rpc_errors(rpc_url):
        response = w3.provider.make_request("eth_call", params)  # type: ignore[arg-type]
    if not isinstance(response, dict):
        raise ChainError(f"The chain at {rpc_url} answered the call with {response!r:.200}")
    error = response.get("error")
    if error is None:
        return CallOutcome(True, return_data=_hex_bytes(response.get("result")))
    if not isinstance(error, dict):  # a hostile or broken node: a bare string or number
        error = {"message": str(error)}
    message = str(error.get("message", ""))
    data = error.get("data")
    if isinstance(data, dict):  # some nodes nest it: {"data": {"data": "0x..."}}
        data = data.get("data")
    revert_data = _hex_bytes(data)
    if revert_data or any(m in message.lower() for m in _REVERT_MESSAGES):
        return CallOutcome(False, revert_data=revert_data, message=message)
    raise ChainError(f"The chain at {rpc_url} refused the call: {message or error}")


def hex_word(value: int | bytes) -> str:
    """A 32-byte storage word as 0x + 64 hex digits."""
    raw = value if isinstance(value, bytes) else value.to_bytes(32, "big")
    return "0x" + raw.rjust(32, b"\0").hex()

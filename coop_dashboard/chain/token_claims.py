"""What an ERC20 claims its symbol and decimals are, read as hostile data.

Any contract governance allows as a bounty asset can end up credited to an
account on JobBoard, and its `symbol()` / `decimals()` are whatever its code
returns: a 50 KB string, control characters, right-to-left overrides, a symbol
posing as "ETH", decimals of 255, a revert, an endless loop. Each call gets a
small gas budget (which also bounds how much it can return), the answer is
decoded by hand with every length checked, and anything unexpected is "no
claim" (None), never an exception: the page then shows base units and the
token's address, as the treasury does for tokens it does not recognise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from web3 import Web3

from coop_dashboard.chain.erc20_selectors import DECIMALS_SELECTOR, SYMBOL_SELECTOR
from coop_dashboard.chain.eth_call import eth_call
from coop_dashboard.errors import ChainError, RpcUnavailableError

CALL_GAS = 60_000  # an honest getter needs a few thousand; memory for a huge answer costs more
MAX_RETURN_BYTES = 256
MAX_DECIMALS = 36
# Plain ticker characters only: no spaces, no control or bidirectional characters, no
# look-alike letters from other scripts.
_SYMBOL = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-_$]{0,11}")


@dataclass(frozen=True)
class TokenClaims:
    symbol: str | None  # None: no readable, plain symbol
    decimals: int | None  # None: no readable decimals in 0..MAX_DECIMALS


def _word(data: bytes, index: int) -> int:
    return int.from_bytes(data[32 * index : 32 * (index + 1)], "big")


def symbol_from(data: bytes) -> str | None:
    """A `symbol()` answer: an ABI string, or the bytes32 some older tokens return."""
    if len(data) > MAX_RETURN_BYTES:
        return None
    if len(data) == 32:
        raw = data.rstrip(b"\0")
    elif len(data) >= 64 and _word(data, 0) == 32:
        length = _word(data, 1)
        if length > 32 or len(data) < 64 + length:
            return None
        raw = data[64 : 64 + length]
    else:
        return None
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        return None
    return text if _SYMBOL.fullmatch(text) else None


def decimals_from(data: bytes) -> int | None:
    """A `decimals()` answer: one word holding 0..MAX_DECIMALS."""
    if len(data) != 32:
        return None
    value = _word(data, 0)
    return value if value <= MAX_DECIMALS else None


def _answer(w3: Web3, token: str, selector: str) -> bytes | None:
    try:
        outcome = eth_call(w3, {"to": token, "data": selector, "gas": hex(CALL_GAS)})
    except RpcUnavailableError:
        raise  # the node is down: not the token's fault, the caller reports it
    except ChainError:
        return None  # out of gas, invalid opcode...: the token claims nothing
    return outcome.return_data if outcome.success else None


def read_token_claims(w3: Web3, token: str) -> TokenClaims:
    """The token's symbol and decimals, each None unless well-formed and plain.

    Raises RpcUnavailableError only when the node does not answer at all."""
    symbol = _answer(w3, token, SYMBOL_SELECTOR)
    decimals = _answer(w3, token, DECIMALS_SELECTOR)
    return TokenClaims(
        symbol_from(symbol) if symbol is not None else None,
        decimals_from(decimals) if decimals is not None else None,
    )

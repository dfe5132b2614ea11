"""Transactions for the user's wallet: built and simulated here, signed in the browser.

The server never signs a user's write. It encodes the call, simulates it with
`eth_call` (so a revert is explained before the wallet even opens), estimates
gas, and hands the wallet an unsigned transaction. After the wallet sent it,
the server follows the receipt and, if it failed, replays it to find out why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError, TransactionNotFound

from coop_dashboard.chain.client import rpc_errors
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.revert import DecodedRevert, RevertDecoder
from coop_dashboard.errors import ChainError, TransactionRevertedError

# Same headroom as the backend senders: an estimate is made against the pending
# block and the mined block can cost more (e.g. an ERC20Votes checkpoint at a
# new timestamp). Unused gas is refunded, a too-tight limit fails the write.
GAS_HEADROOM_NUMERATOR = 6
GAS_HEADROOM_DENOMINATOR = 5
GAS_HEADROOM_FIXED = 25_000


@dataclass(frozen=True)
class UnsignedTx:
    """A transaction for `eth_sendTransaction`; the wallet adds nonce and fees, then signs."""

    sender: str
    to: str
    data: str  # 0x-prefixed calldata
    value: int
    chain_id: int
    gas: int

    def wallet_params(self) -> dict[str, str]:
        """The EIP-1193 `eth_sendTransaction` parameter (quantities as hex strings)."""
        return {
            "from": self.sender,
            "to": self.to,
            "data": self.data,
            "value": hex(self.value),
            "gas": hex(self.gas),
            # Wallets refuse a transaction whose chainId is not their current chain:
            # a last guard against sending to the wrong network.
            "chainId": hex(self.chain_id),
        }


@dataclass(frozen=True)
class MinedTx:
    """What a receipt says about a transaction."""

    tx_hash: str
    succeeded: bool
    block_number: int
    gas_used: int
    gas_limit: int


def revert_decoder(deployment: Deployment) -> RevertDecoder:
    """Custom errors of every contract in the manifest (OpenZeppelin's included)."""
    return RevertDecoder(info.abi for info in deployment.contracts.values())


def revert_data_of(error: Exception) -> str | None:
    """The raw revert data carried by a web3 exception, if any."""
    data = getattr(error, "data", None)
    if isinstance(data, str) and data.startswith("0x"):
        return data
    if isinstance(data, dict):
        inner = data.get("data")
        if isinstance(inner, str) and inner.startswith("0x"):
            return inner
    return None


def simulate(
    w3: Web3, call: dict[str, Any], decoder: RevertDecoder, *, block: int | str = "latest"
) -> DecodedRevert | None:
    """Run `call` with eth_call; the decoded revert, or None when it would succeed.

    A revert whose data matches no known error is reported as `Error(<node message>)`
    so the caller always has something to say.
    """
    try:
        w3.eth.call(call, block_identifier=block)  # type: ignore[arg-type]
    except (ContractCustomError, ContractLogicError) as exc:
        data = revert_data_of(exc)
        decoded = decoder.decode(data) if data else None
        if decoded is None:
            message = str(exc.message if isinstance(exc, ContractLogicError) else exc)
            return DecodedRevert("Error", (message or "execution reverted",))
        return decoded
    return None


def build_call(
    w3: Web3,
    deployment: Deployment,
    decoder: RevertDecoder,
    *,
    sender: str,
    contract: str,
    function: str,
    args: Sequence[Any],
    value: int = 0,
    rpc_url: str = "",
) -> UnsignedTx:
    """Encode `contract.function(*args)` from `sender`, simulate it, estimate its gas.

    Raises TransactionRevertedError when the simulation reverts (the wallet is
    never asked to sign something that would fail now), RpcUnavailableError /
    ChainError when the node cannot answer.
    """
    handle = deployment.contract(w3, contract)
    call: dict[str, Any] = {
        "from": Web3.to_checksum_address(sender),
        "to": handle.address,
        "data": handle.encode_abi(function, args=list(args)),
        "value": value,
    }
    with rpc_errors(rpc_url or "the RPC"):
        revert = simulate(w3, call, decoder)
        if revert is not None:
            raise TransactionRevertedError(revert)
        estimate = int(w3.eth.estimate_gas(call))  # type: ignore[arg-type]
        chain_id = int(w3.eth.chain_id)
    gas = estimate * GAS_HEADROOM_NUMERATOR // GAS_HEADROOM_DENOMINATOR + GAS_HEADROOM_FIXED
    return UnsignedTx(
        sender=str(call["from"]),
        to=str(call["to"]),
        data=str(call["data"]),
        value=value,
        chain_id=chain_id,
        gas=gas,
    )


def fetch_receipt(w3: Web3, tx_hash: str) -> MinedTx | None:
    """The receipt of `tx_hash`, or None while it is not mined (unknown hashes too)."""
    try:
        receipt = w3.eth.get_transaction_receipt(HexBytes(tx_hash))
        tx = w3.eth.get_transaction(HexBytes(tx_hash))
    except TransactionNotFound:
        return None
    return MinedTx(
        tx_hash=tx_hash,
        succeeded=int(receipt["status"]) == 1,
        block_number=int(receipt["blockNumber"]),
        gas_used=int(receipt["gasUsed"]),
        gas_limit=int(tx["gas"]),
    )


@dataclass(frozen=True)
class SentTx:
    """A transaction as the node has it (pending or mined): who sent what, at which nonce."""

    tx_hash: str
    sender: str
    to: str  # "" for a contract creation
    data: str  # 0x-prefixed, lowercase
    value: int
    nonce: int

    def same_call(self, expected: UnsignedTx | SentTx) -> bool:
        """Whether this makes the same call as `expected` (gas, fees, nonce are the wallet's)."""
        return (
            self.sender.lower() == expected.sender.lower()
            and self.to.lower() == expected.to.lower()
            and self.data == expected.data.lower()
            and self.value == expected.value
        )


def _sent(tx: Any) -> SentTx:
    return SentTx(
        tx_hash=HexBytes(tx["hash"]).to_0x_hex(),
        sender=str(tx["from"]),
        to=str(tx.get("to") or ""),
        data=HexBytes(tx["input"]).to_0x_hex().lower(),
        value=int(tx["value"]),
        nonce=int(tx["nonce"]),
    )


def fetch_sent(w3: Web3, tx_hash: str) -> SentTx | None:
    """`tx_hash` as the node knows it, or None when it does not (dropped, replaced, made up)."""
    try:
        return _sent(w3.eth.get_transaction(HexBytes(tx_hash)))
    except TransactionNotFound:
        return None


def latest_block_number(w3: Web3) -> int:
    return int(w3.eth.block_number)


def mined_nonce(w3: Web3, sender: str) -> int:
    """How many transactions of `sender` are mined: a nonce below it is used up."""
    return int(w3.eth.get_transaction_count(Web3.to_checksum_address(sender), "latest"))


def mined_from(w3: Web3, sender: str, first_block: int, last_block: int) -> list[SentTx]:
    """`sender`'s transactions mined in blocks first_block..last_block, in order.

    Used to find what a wallet mined instead of the hash it reported (a speed-up or
    a cancel reuses the nonce); the caller bounds the range to the blocks since it
    started following.
    """
    found: list[SentTx] = []
    for number in range(max(first_block, 0), last_block + 1):
        block = w3.eth.get_block(number, full_transactions=True)
        # full_transactions=True: each entry is the transaction itself, never a bare hash.
        transactions: list[Any] = list(block["transactions"])
        found.extend(_sent(tx) for tx in transactions if str(tx["from"]).lower() == sender.lower())
    return found


def replay_failure(w3: Web3, mined: MinedTx, decoder: RevertDecoder) -> DecodedRevert | None:
    """Why a mined transaction failed: replayed with eth_call on its block's state.

    The replay sees the state after the block, so a failure caused by a
    transaction earlier in the same block is reproduced; one that depended on
    the exact position in the block may not be, and then None is returned.
    """
    if mined.succeeded:
        return None
    tx = w3.eth.get_transaction(HexBytes(mined.tx_hash))
    call: dict[str, Any] = {
        "from": tx["from"],
        "to": tx["to"],
        "data": HexBytes(tx["input"]).to_0x_hex(),
        "value": int(tx["value"]),
        "gas": int(tx["gas"]),
    }
    try:
        return simulate(w3, call, decoder, block=mined.block_number)
    except (ValueError, ChainError):
        return None


def ran_out_of_gas(mined: MinedTx) -> bool:
    """A failed transaction that used its whole gas limit most likely ran out of gas."""
    return not mined.succeeded and mined.gas_used >= mined.gas_limit

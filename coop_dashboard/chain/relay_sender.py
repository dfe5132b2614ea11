"""The relayer's funded key on the chain: plan a transaction, send it with a given nonce.

Unlike `transact.Sender` (deployment, seeding), this never waits for a receipt:
`send` returns the hash as soon as the node accepted the transaction, and the
receipt is followed elsewhere, asynchronously. It also never picks its own
nonce: several app workers share this key, so the nonce comes from one
authority shared through the database (services.governance.relay_policy).
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import HexStr
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import TransactionNotFound

from coop_dashboard.chain.client import rpc_errors
from coop_dashboard.chain.tx import (
    GAS_HEADROOM_DENOMINATOR,
    GAS_HEADROOM_FIXED,
    GAS_HEADROOM_NUMERATOR,
)


@dataclass(frozen=True)
class RelayTxPlan:
    """A transaction ready to sign but for its nonce; `max_cost_wei` bounds what it can cost."""

    to: str
    data: str
    gas: int
    max_fee_per_gas: int
    max_priority_fee_per_gas: int
    chain_id: int

    @property
    def max_cost_wei(self) -> int:
        return self.gas * self.max_fee_per_gas


@dataclass(frozen=True)
class SettledTx:
    """What a mined relayed transaction actually cost."""

    succeeded: bool
    block_number: int
    cost_wei: int  # gasUsed * effectiveGasPrice


class RelaySender:
    """One local key that pays the gas of relayed transactions."""

    def __init__(self, w3: Web3, private_key: str) -> None:
        self.w3 = w3
        self._account: LocalAccount = Account.from_key(private_key)
        self.rpc_url = str(getattr(w3.provider, "endpoint_uri", None) or "the RPC endpoint")

    @property
    def address(self) -> str:
        return str(self._account.address)

    def balance_wei(self) -> int:
        with rpc_errors(self.rpc_url):
            return int(self.w3.eth.get_balance(self._account.address))

    def pending_nonce(self) -> int:
        """The next nonce as this node sees it (its pool included)."""
        with rpc_errors(self.rpc_url):
            return int(self.w3.eth.get_transaction_count(self._account.address, "pending"))

    def fee_quote(self) -> tuple[int, int]:
        """(maxFeePerGas, maxPriorityFeePerGas) for a transaction sent now."""
        with rpc_errors(self.rpc_url):
            base_fee = int(self.w3.eth.get_block("latest").get("baseFeePerGas", 0))
            tip = int(self.w3.eth.max_priority_fee)
        # Twice the base fee survives six full blocks of base-fee increases.
        return 2 * base_fee + tip, tip

    def plan(self, to: str, data: str) -> RelayTxPlan:
        """Estimate gas (with the app's usual headroom) and fees for calling `to` with `data`."""
        target = Web3.to_checksum_address(to)
        with rpc_errors(self.rpc_url):
            estimate = int(
                self.w3.eth.estimate_gas(
                    {"from": self._account.address, "to": target, "data": HexBytes(data)}
                )
            )
            chain_id = int(self.w3.eth.chain_id)
        gas = estimate * GAS_HEADROOM_NUMERATOR // GAS_HEADROOM_DENOMINATOR + GAS_HEADROOM_FIXED
        max_fee, tip = self.fee_quote()
        return RelayTxPlan(target, data, gas, max_fee, tip, chain_id)

    def send(self, plan: RelayTxPlan, nonce: int) -> str:
        """Sign `plan` with `nonce` and hand it to the node; the hash (no waiting)."""
        signed = self._account.sign_transaction(
            {
                "to": HexStr(plan.to),
                "data": HexStr(plan.data),
                "value": 0,
                "gas": plan.gas,
                "maxFeePerGas": plan.max_fee_per_gas,
                "maxPriorityFeePerGas": plan.max_priority_fee_per_gas,
                "chainId": plan.chain_id,
                "nonce": nonce,
                "type": 2,
            }
        )
        with rpc_errors(self.rpc_url):
            return self.w3.eth.send_raw_transaction(signed.raw_transaction).to_0x_hex()

    def is_known(self, tx_hash: str) -> bool:
        """Whether the node knows `tx_hash` at all (pending or mined)."""
        with rpc_errors(self.rpc_url):
            try:
                self.w3.eth.get_transaction(HexBytes(tx_hash))
            except TransactionNotFound:
                return False
        return True

    def settled(self, tx_hash: str) -> SettledTx | None:
        """The mined transaction's outcome and cost; None while it is not mined."""
        with rpc_errors(self.rpc_url):
            try:
                receipt = self.w3.eth.get_transaction_receipt(HexBytes(tx_hash))
            except TransactionNotFound:
                return None
        price = int(receipt.get("effectiveGasPrice", 0))
        return SettledTx(
            succeeded=int(receipt["status"]) == 1,
            block_number=int(receipt["blockNumber"]),
            cost_wei=int(receipt["gasUsed"]) * price,
        )

"""Sending transactions from the backend (deployment, seeding, tests).

Users' own writes never go through here: their wallet signs them. This is for
the deployer and for local demo accounts that anvil keeps unlocked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract.contract import ContractConstructor, ContractFunction
from web3.types import TxParams, TxReceipt, Wei

from coop_dashboard.errors import ChainError


@dataclass
class Sender:
    """An account that sends transactions: unlocked on the node, or a local key."""

    w3: Web3
    address: ChecksumAddress
    key: LocalAccount | None = None

    @classmethod
    def unlocked(cls, w3: Web3, address: str) -> Sender:
        return cls(w3, Web3.to_checksum_address(address))

    @classmethod
    def from_private_key(cls, w3: Web3, private_key: str) -> Sender:
        account: LocalAccount = Account.from_key(private_key)
        return cls(w3, account.address, account)

    def send(self, tx: TxParams, *, what: str) -> TxReceipt:
        """Send `tx`, wait for its receipt, raise ChainError if it reverted."""
        tx = dict(tx)  # type: ignore[assignment]
        tx["from"] = self.address
        # An estimate is made against the pending block; the mined block can cost
        # more (e.g. an ERC20Votes checkpoint at a new timestamp), so add headroom.
        if "gas" not in tx:
            tx["gas"] = self.w3.eth.estimate_gas(tx)
        tx["gas"] = tx["gas"] * 6 // 5 + 25_000
        if self.key is None:
            tx_hash = self.w3.eth.send_transaction(tx)
        else:
            tx.setdefault("nonce", self.w3.eth.get_transaction_count(self.address, "pending"))
            tx.setdefault("chainId", self.w3.eth.chain_id)
            if "maxFeePerGas" not in tx and "gasPrice" not in tx:
                base_fee = self.w3.eth.get_block("latest").get("baseFeePerGas", 0)
                tip = self.w3.eth.max_priority_fee
                tx["maxPriorityFeePerGas"] = tip
                tx["maxFeePerGas"] = Wei(2 * base_fee + tip)
            signed = self.key.sign_transaction(tx)  # type: ignore[arg-type]
            tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)
        if receipt["status"] != 1:
            raise ChainError(f"Transaction reverted: {what} ({tx_hash.to_0x_hex()}).")
        return receipt

    def call(self, function: ContractFunction, *, what: str, value: int = 0) -> TxReceipt:
        """Send a contract function call."""
        params: dict[str, Any] = {"from": self.address, "value": value}
        return self.send(function.build_transaction(params), what=what)  # type: ignore[arg-type]

    def deploy(self, constructor: ContractConstructor, *, what: str) -> TxReceipt:
        """Send a contract creation; the receipt holds the new address."""
        tx = constructor.build_transaction({"from": self.address})
        receipt = self.send(tx, what=what)
        if receipt["contractAddress"] is None:
            raise ChainError(f"Deployment of {what} created no contract.")
        return receipt

    def transfer_eth(self, to: str, value_wei: int, *, what: str) -> TxReceipt:
        tx: TxParams = {"to": Web3.to_checksum_address(to), "value": value_wei}  # type: ignore[typeddict-item]
        return self.send(tx, what=what)

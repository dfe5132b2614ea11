"""Signed delegations on the chain side: the votes token's EIP-712 `Delegation(delegatee,
nonce, expiry)`, signer recovery, the facts a relayer checks (nonce, balance), calldata
of `delegateBySig` and its simulation. What the relayer accepts lives in
services.delegates.gasless.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from web3 import Web3

from coop_dashboard.chain.eth_call import eth_call
from coop_dashboard.chain.governance_chain import GovernanceChain
from coop_dashboard.chain.signed_ballots import Eip712Domain, RelaySimulation

_DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
_DELEGATION_TYPE = [
    {"name": "delegatee", "type": "address"},
    {"name": "nonce", "type": "uint256"},
    {"name": "expiry", "type": "uint256"},
]


@dataclass(frozen=True)
class SignedDelegation:
    """What the browser sends back after the wallet signed the typed data."""

    delegator: str
    delegatee: str
    nonce: int
    expiry: int
    signature: bytes  # 65 bytes: r, s, v


def delegation_typed_data(
    domain: Eip712Domain, delegatee: str, nonce: int, expiry: int
) -> dict[str, Any]:
    """The full `eth_signTypedData_v4` payload for a delegation."""
    return {
        "types": {"EIP712Domain": _DOMAIN_TYPE, "Delegation": _DELEGATION_TYPE},
        "primaryType": "Delegation",
        "domain": {
            "name": domain.name,
            "version": domain.version,
            "chainId": domain.chain_id,
            "verifyingContract": domain.verifying_contract,
        },
        "message": {
            "delegatee": Web3.to_checksum_address(delegatee),
            "nonce": nonce,
            "expiry": expiry,
        },
    }


def recover_delegation_signer(signed: SignedDelegation, domain: Eip712Domain) -> str | None:
    """Who signed this delegation (an EOA), or None when the signature is malformed."""
    try:
        typed = delegation_typed_data(domain, signed.delegatee, signed.nonce, signed.expiry)
        signable = encode_typed_data(full_message=typed)
        return str(Account.recover_message(signable, signature=signed.signature))
    except Exception:  # eth_keys/eth_account raise several types for bad signatures
        return None


class DelegationChain:
    """The votes token's side of a signed delegation."""

    def __init__(self, chain: GovernanceChain) -> None:
        self.chain = chain

    @property
    def token_address(self) -> str:
        return str(self.chain.token.address)

    def domain(self) -> Eip712Domain:
        _, name, version, chain_id, verifying, _, _ = self.chain.read(
            lambda: self.chain.token.functions.eip712Domain().call()
        )
        return Eip712Domain(name, version, int(chain_id), Web3.to_checksum_address(verifying))

    def nonce_of(self, account: str) -> int:
        address = Web3.to_checksum_address(account)
        return int(self.chain.read(lambda: self.chain.token.functions.nonces(address).call()))

    def balance_of(self, account: str) -> int:
        address = Web3.to_checksum_address(account)
        return int(self.chain.read(lambda: self.chain.token.functions.balanceOf(address).call()))

    def delegate_of(self, account: str) -> str:
        address = Web3.to_checksum_address(account)
        return str(self.chain.read(lambda: self.chain.token.functions.delegates(address).call()))

    def now(self) -> int:
        return self.chain.latest_timestamp()

    def calldata(self, signed: SignedDelegation) -> str:
        signature = signed.signature
        r, s, v = signature[:32], signature[32:64], signature[64]
        return str(
            self.chain.token.encode_abi(
                "delegateBySig",
                args=[
                    Web3.to_checksum_address(signed.delegatee),
                    signed.nonce,
                    signed.expiry,
                    v if v >= 27 else v + 27,
                    r,
                    s,
                ],
            )
        )

    def simulate(self, signed: SignedDelegation, relayer: str) -> RelaySimulation:
        """`delegateBySig` as an eth_call from `relayer`."""
        tx = {"from": relayer, "to": self.token_address, "data": self.calldata(signed)}
        outcome = eth_call(self.chain.w3, tx)
        if outcome.success:
            return RelaySimulation(True)
        decoded = self.chain.revert_decoder.decode(outcome.revert_data)
        return RelaySimulation(False, decoded, outcome.message)

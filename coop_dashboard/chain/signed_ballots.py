"""Signed ballots on the chain side: EIP-712 typed data, signer recovery, the facts a
relayer checks (voter nonce, power at the snapshot, already voted), calldata, simulation.

A voter signs `Ballot(proposalId, support, voter, nonce)` (or, with a reason,
`ExtendedBallot(..., reason, params)`) in the wallet; the relayer's funded key
(chain.relay_sender) sends `castVoteBySig` / `castVoteWithReasonAndParamsBySig`
and pays the gas. What the relayer accepts lives in services.governance.vote_relay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from web3 import Web3

from coop_dashboard.chain.eth_call import eth_call
from coop_dashboard.chain.governance_chain import GovernanceChain
from coop_dashboard.chain.governance_types import VoteSupport
from coop_dashboard.chain.revert import DecodedRevert

# EIP712Domain as OZ's EIP712 contracts use it (also for delegations and permits).
EIP712_DOMAIN_TYPE = _DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
_BALLOT_TYPE = [
    {"name": "proposalId", "type": "uint256"},
    {"name": "support", "type": "uint8"},
    {"name": "voter", "type": "address"},
    {"name": "nonce", "type": "uint256"},
]
_EXTENDED_BALLOT_TYPE = [
    *_BALLOT_TYPE,
    {"name": "reason", "type": "string"},
    {"name": "params", "type": "bytes"},
]


@dataclass(frozen=True)
class Eip712Domain:
    name: str
    version: str
    chain_id: int
    verifying_contract: str

    def as_typed(self) -> dict[str, Any]:
        """The `domain` of an `eth_signTypedData_v4` payload."""
        return {
            "name": self.name,
            "version": self.version,
            "chainId": self.chain_id,
            "verifyingContract": self.verifying_contract,
        }


@dataclass(frozen=True)
class SignedBallot:
    """What the browser sends back after the wallet signed the typed data."""

    proposal_id: int
    support: int
    voter: str
    nonce: int  # the governor nonce the voter signed over
    signature: bytes
    reason: str = ""  # non-empty: an ExtendedBallot (castVoteWithReasonAndParamsBySig)


def read_domain(chain: GovernanceChain) -> Eip712Domain:
    """The governor's EIP-712 domain, from ERC-5267 `eip712Domain()`."""
    _, name, version, chain_id, verifying_contract, _, _ = chain.read(
        lambda: chain.governor.functions.eip712Domain().call()
    )
    return Eip712Domain(name, version, int(chain_id), Web3.to_checksum_address(verifying_contract))


def ballot_typed_data(
    domain: Eip712Domain,
    proposal_id: int,
    support: int,
    voter: str,
    nonce: int,
    reason: str = "",
) -> dict[str, Any]:
    """The full `eth_signTypedData_v4` payload for a ballot."""
    message: dict[str, Any] = {
        "proposalId": proposal_id,
        "support": support,
        "voter": Web3.to_checksum_address(voter),
        "nonce": nonce,
    }
    primary = "Ballot"
    types: dict[str, Any] = {"EIP712Domain": _DOMAIN_TYPE, "Ballot": _BALLOT_TYPE}
    if reason:
        primary = "ExtendedBallot"
        types = {"EIP712Domain": _DOMAIN_TYPE, "ExtendedBallot": _EXTENDED_BALLOT_TYPE}
        message |= {"reason": reason, "params": "0x"}
    return {
        "types": types,
        "primaryType": primary,
        "domain": {
            "name": domain.name,
            "version": domain.version,
            "chainId": domain.chain_id,
            "verifyingContract": domain.verifying_contract,
        },
        "message": message,
    }


def typed_data_for(ballot: SignedBallot, domain: Eip712Domain) -> dict[str, Any]:
    return ballot_typed_data(
        domain, ballot.proposal_id, ballot.support, ballot.voter, ballot.nonce, ballot.reason
    )


def recover_ballot_signer(ballot: SignedBallot, domain: Eip712Domain) -> str | None:
    """Who signed this ballot (an EOA), or None when the signature is malformed."""
    try:
        signable = encode_typed_data(full_message=typed_data_for(ballot, domain))
        return str(Account.recover_message(signable, signature=ballot.signature))
    except Exception:  # eth_keys/eth_account raise several types for bad signatures
        return None


@dataclass(frozen=True)
class RelaySimulation:
    success: bool
    revert: DecodedRevert | None = None
    message: str = ""


class BallotChain:
    """The governor's side of a signed ballot: what to sign, whether it would count."""

    def __init__(self, chain: GovernanceChain) -> None:
        self.chain = chain

    @property
    def governor_address(self) -> str:
        return str(self.chain.governor.address)

    def domain(self) -> Eip712Domain:
        return read_domain(self.chain)

    def nonce_of(self, voter: str) -> int:
        address = Web3.to_checksum_address(voter)
        return int(self.chain.read(lambda: self.chain.governor.functions.nonces(address).call()))

    def is_contract(self, address: str) -> bool:
        """Contract wallets sign via ERC-1271: only the governor's own check can verify them."""
        checksummed = Web3.to_checksum_address(address)
        return len(self.chain.read(lambda: self.chain.w3.eth.get_code(checksummed))) > 0

    def power_at_snapshot(self, voter: str, proposal_id: int) -> int:
        """The weight `voter`'s ballot would carry (0 also for an unknown proposal)."""
        address = Web3.to_checksum_address(voter)
        governor = self.chain.governor.functions

        def read() -> int:
            snapshot = int(governor.proposalSnapshot(proposal_id).call())
            if snapshot == 0:
                return 0  # no such proposal
            return int(governor.getVotes(address, snapshot).call())

        return self.chain.read(read)

    def has_voted(self, voter: str, proposal_id: int) -> bool:
        address = Web3.to_checksum_address(voter)
        return bool(
            self.chain.read(
                lambda: self.chain.governor.functions.hasVoted(proposal_id, address).call()
            )
        )

    def ballot_request(
        self, voter: str, proposal_id: int, support: VoteSupport, reason: str = ""
    ) -> dict[str, Any]:
        """The typed data the voter's wallet should sign now (with the current nonce)."""
        return ballot_typed_data(
            self.domain(), proposal_id, int(support), voter, self.nonce_of(voter), reason.strip()
        )

    def calldata(self, ballot: SignedBallot) -> str:
        voter = Web3.to_checksum_address(ballot.voter)
        governor = self.chain.governor
        if ballot.reason:
            return governor.encode_abi(
                "castVoteWithReasonAndParamsBySig",
                args=[
                    ballot.proposal_id,
                    ballot.support,
                    voter,
                    ballot.reason,
                    b"",
                    ballot.signature,
                ],
            )
        return governor.encode_abi(
            "castVoteBySig", args=[ballot.proposal_id, ballot.support, voter, ballot.signature]
        )

    def simulate(self, ballot: SignedBallot, relayer: str) -> RelaySimulation:
        """`castVoteBySig` as an eth_call from `relayer`: would it count?"""
        tx = {"from": relayer, "to": self.governor_address, "data": self.calldata(ballot)}
        outcome = eth_call(self.chain.w3, tx)
        if outcome.success:
            return RelaySimulation(True)
        decoded = self.chain.revert_decoder.decode(outcome.revert_data)
        return RelaySimulation(False, decoded, outcome.message)

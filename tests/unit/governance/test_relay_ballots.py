"""Gasless-vote pieces that need no chain: ballot signatures (the rate limit needs a
database: test_relay_rate_limit.py)."""

from __future__ import annotations

from eth_account import Account
from eth_account.signers.local import LocalAccount

from coop_dashboard.chain.signed_ballots import (
    Eip712Domain,
    SignedBallot,
    ballot_typed_data,
    recover_ballot_signer,
)

DOMAIN = Eip712Domain("CoopGovernor", "1", 31337, "0x" + "11" * 20)


def _signed(account: LocalAccount, support: int, reason: str = "", nonce: int = 0) -> SignedBallot:
    typed = ballot_typed_data(DOMAIN, 42, support, account.address, nonce, reason)
    signature = account.sign_typed_data(full_message=typed).signature
    return SignedBallot(42, support, account.address, nonce, bytes(signature), reason)


def test_ballot_signer_is_recovered_for_plain_and_extended_ballots() -> None:
    voter = Account.create()
    assert recover_ballot_signer(_signed(voter, 1), DOMAIN) == voter.address
    assert recover_ballot_signer(_signed(voter, 0, "too expensive"), DOMAIN) == voter.address


def test_tampered_or_foreign_ballots_do_not_recover_to_the_voter() -> None:
    voter, other = Account.create(), Account.create()
    ballot = _signed(voter, 1)
    flipped = SignedBallot(42, 0, voter.address, 0, ballot.signature)
    assert recover_ballot_signer(flipped, DOMAIN) != voter.address
    foreign = _signed(other, 1)
    claimed = SignedBallot(42, 1, voter.address, 0, foreign.signature)
    assert recover_ballot_signer(claimed, DOMAIN) != voter.address
    assert (
        recover_ballot_signer(SignedBallot(42, 1, voter.address, 0, b"\x01" * 10), DOMAIN) is None
    )
    other_chain = Eip712Domain("CoopGovernor", "1", 1, DOMAIN.verifying_contract)
    assert recover_ballot_signer(ballot, other_chain) != voter.address


def test_typed_data_shape_for_the_wallet() -> None:
    typed = ballot_typed_data(DOMAIN, 42, 2, "0x" + "ab" * 20, 3, "why")
    assert typed["primaryType"] == "ExtendedBallot"
    assert typed["message"]["params"] == "0x" and typed["message"]["nonce"] == 3
    assert typed["domain"] == {
        "name": "CoopGovernor",
        "version": "1",
        "chainId": 31337,
        "verifyingContract": DOMAIN.verifying_contract,
    }
    assert ballot_typed_data(DOMAIN, 42, 2, "0x" + "ab" * 20, 3)["primaryType"] == "Ballot"

"""What a person reads about a transaction: before signing, and when it fails."""

from __future__ import annotations

import pytest

from coop_dashboard.chain.revert import DecodedRevert
from coop_dashboard.services.tx_text import (
    chain_name,
    describe_delegation,
    explain_revert,
)

ME = "0xAbCdEf0123456789aBcDeF0123456789AbCd1234"
FRIEND = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"


def test_self_delegation_names_yourself_with_the_short_address() -> None:
    assert describe_delegation(ME.lower(), ME) == "Delegate your votes to yourself (0xAbCd…1234)"


def test_delegation_to_someone_else_names_them() -> None:
    assert describe_delegation(ME, FRIEND) == "Delegate your votes to 0x90F7…b906"


def test_delegating_to_the_zero_address_says_what_it_means() -> None:
    assert describe_delegation(ME, "0x" + "0" * 40).startswith("Stop delegating your votes")


@pytest.mark.parametrize(
    ("chain_id", "expected"),
    [
        (1, "Ethereum (chain 1)"),
        (31337, "Local development chain (chain 31337)"),
        (777, "chain 777"),
    ],
)
def test_chain_names(chain_id: int, expected: str) -> None:
    assert chain_name(chain_id) == expected


@pytest.mark.parametrize(
    ("revert", "expected"),
    [
        (
            DecodedRevert("OwnableUnauthorizedAccount", (FRIEND,)),
            "The contract refused the transaction: only governance may do this, and "
            "0x90F7…b906 is not allowed to.",
        ),
        (
            DecodedRevert("ERC20InsufficientBalance", (ME, 5 * 10**18, 12 * 10**18)),
            "The contract refused the transaction: 0xAbCd…1234 holds 5,000,000,000,000,000,000"
            " base units of the token, 12,000,000,000,000,000,000 base units are needed.",
        ),
        (
            DecodedRevert("GovernorAlreadyCastVote", (ME,)),
            "The contract refused the transaction: 0xAbCd…1234 has already voted on this proposal.",
        ),
        (
            DecodedRevert("Error", ("not allowed",)),
            "The contract refused the transaction: not allowed.",
        ),
        (
            DecodedRevert("Error", ("execution reverted",)),
            "The contract refused the transaction without giving a reason.",
        ),
        (
            DecodedRevert("Panic", ("division by zero",)),
            "The contract failed with an internal error (division by zero).",
        ),
        (
            DecodedRevert("SomethingNew", (FRIEND, 7, b"\x01\x02")),
            "The contract refused the transaction (SomethingNew(0x90F7…b906, 7, 0x0102)).",
        ),
    ],
    ids=["ownable", "balance", "voted", "string", "bare", "panic", "unknown"],
)
def test_reverts_are_explained_in_words(revert: DecodedRevert, expected: str) -> None:
    assert explain_revert(revert) == expected


def test_fractional_votes_are_shown_exactly_enough() -> None:
    revert = DecodedRevert("GovernorInsufficientProposerVotes", (ME, 15 * 10**17, 10_000 * 10**18))
    assert "has 1.5 votes; proposing needs 10,000" in explain_revert(revert)

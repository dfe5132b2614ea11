"""Decoded reverts, explained as clauses (simulations, relayed votes, wallet writes)."""

from __future__ import annotations

from coop_dashboard.chain.revert import DecodedRevert
from coop_dashboard.services.revert_text import explain_revert

VOTER = "0xabCDeF0123456789AbcdEf0123456789aBCDEF01"


def test_known_errors_are_sentences() -> None:
    assert explain_revert(DecodedRevert("GovernorAlreadyCastVote", (VOTER,))) == (
        "0xabCD…EF01 has already voted on this proposal"
    )
    assert (
        explain_revert(
            DecodedRevert(
                "GovernorPreventLateQuorumVoteExtensionTooLarge", (3 * 86_400, 2 * 86_400)
            )
        )
        == "the late-quorum extension (3 days) cannot exceed the voting period (2 days)"
    )
    # state 3 = defeated; expected bitmap bit 1 = active
    assert (
        explain_revert(
            DecodedRevert("GovernorUnexpectedProposalState", (1, 3, (1 << 1).to_bytes(32, "big")))
        )
        == "the proposal is defeated; this needs it active"
    )


def test_unknown_and_undecoded_reverts_still_say_something() -> None:
    assert explain_revert(DecodedRevert("SomethingNew", (1,))) == "it reverted with SomethingNew(1)"
    assert explain_revert(None, "execution reverted") == "it reverted without a reason"
    assert explain_revert(None, "execution reverted: custom") == (
        "it reverted (execution reverted: custom)"
    )
    assert explain_revert(DecodedRevert("Error", ("nope",))) == "it reverted: nope"
    # malformed args never break the explanation
    short = explain_revert(DecodedRevert("GovernorUnexpectedProposalState", ()))
    assert short.startswith("the proposal is in another state")

"""Proposal simulation predicts execution: the same actions really pass or really fail.

Each "would fail" below is a revert the real execution produces; the positive
case is then voted through and executed to show the prediction holds.
"""

from __future__ import annotations

from eth_utils import function_signature_to_4byte_selector

from coop_dashboard.chain.governance_types import ProposalCall
from coop_dashboard.chain.simulate import simulate_execution, storage_layout_matches
from tests.chain.governance.conftest import USD, Coop
from tests.support.governance import pass_proposal


def _call(coop: Coop, *actions: tuple[str, int, bytes]) -> ProposalCall:
    return ProposalCall(
        targets=tuple(a[0] for a in actions),
        values=tuple(a[1] for a in actions),
        calldatas=tuple(a[2] for a in actions),
        description="# Test\n\nsimulated\n",
    )


def _encode(coop: Coop, name: str, function: str, args: list[object]) -> bytes:
    contract = coop.gov.contract(name)
    return bytes.fromhex(contract.encode_abi(function, args=args)[2:])


def test_layout_guard_recognises_the_suite(coop: Coop) -> None:
    assert storage_layout_matches(coop.gov)


def test_valid_actions_including_governor_setters_pass(coop: Coop) -> None:
    recipient = coop.bob.address
    governor = coop.deployment.address("CoopGovernor")
    call = _call(
        coop,
        (governor, 0, _encode(coop, "CoopGovernor", "setVotingPeriod", [3 * 86_400])),
        (governor, 0, _encode(coop, "CoopGovernor", "updateQuorumNumerator", [5])),
        (
            coop.deployment.address("MockStablecoin"),
            0,
            _encode(coop, "MockStablecoin", "transfer", [recipient, 1_000 * USD]),
        ),
        (
            coop.deployment.address("CoopTimelock"),
            0,
            _encode(coop, "CoopTimelock", "updateDelay", [3 * 86_400]),
        ),
        (recipient, 10**18, b""),
    )
    simulation = simulate_execution(coop.gov, call)
    assert simulation.simulated and simulation.ok, simulation

    # ...and the real thing agrees: vote it through and execute it.
    pass_proposal(
        coop.w3,
        coop.deployment,
        coop.alice,
        list(call.targets),
        list(call.values),
        list(call.calldatas),
        call.description,
    )
    assert coop.gov.governor.functions.votingPeriod().call() == 3 * 86_400
    assert coop.gov.governor.functions.quorumNumerator().call() == 5
    assert coop.gov.timelock.functions.getMinDelay().call() == 3 * 86_400


def test_a_plain_call_from_the_timelock_would_wrongly_fail_a_valid_setter(coop: Coop) -> None:
    # Why the override exists: onlyGovernance pops an empty queue -> Panic.
    from coop_dashboard.chain.eth_call import eth_call

    data = "0x" + _encode(coop, "CoopGovernor", "setVotingPeriod", [3 * 86_400]).hex()
    tx = {"from": coop.gov.treasury, "to": coop.gov.governor.address, "data": data}
    outcome = eth_call(coop.w3, tx)
    assert not outcome.success
    assert coop.gov.revert_decoder.decode(outcome.revert_data).name == "Panic"  # type: ignore[union-attr]


def test_invalid_governor_setters_fail_with_the_setters_own_errors(coop: Coop) -> None:
    governor = coop.deployment.address("CoopGovernor")
    cases = {
        "GovernorInvalidVotingPeriod": _encode(coop, "CoopGovernor", "setVotingPeriod", [0]),
        "GovernorInvalidQuorumFraction": _encode(
            coop, "CoopGovernor", "updateQuorumNumerator", [101]
        ),
        "GovernorPreventLateQuorumVoteExtensionTooLarge": _encode(
            coop, "CoopGovernor", "setLateQuorumVoteExtension", [6 * 86_400]
        ),
    }
    for error, data in cases.items():
        simulation = simulate_execution(coop.gov, _call(coop, (governor, 0, data)))
        assert simulation.simulated and not simulation.ok
        (failure,) = simulation.failures
        assert failure.index == 0 and failure.revert is not None
        assert failure.revert.name == error


def test_the_first_failing_action_is_identified_with_effects_of_earlier_ones(coop: Coop) -> None:
    governor = coop.deployment.address("CoopGovernor")
    stable = coop.deployment.address("MockStablecoin")
    call = _call(
        coop,
        # 1. shortens the voting period to 2 days ...
        (governor, 0, _encode(coop, "CoopGovernor", "setVotingPeriod", [2 * 86_400])),
        # 2. ... so a 3-day extension, valid against today's 5 days, now fails
        (governor, 0, _encode(coop, "CoopGovernor", "setLateQuorumVoteExtension", [3 * 86_400])),
        # 3. never reached
        (stable, 0, _encode(coop, "MockStablecoin", "transfer", [coop.bob.address, 1])),
    )
    simulation = simulate_execution(coop.gov, call)
    (failure,) = simulation.failures
    assert failure.index == 1
    assert failure.revert is not None
    assert failure.revert.name == "GovernorPreventLateQuorumVoteExtensionTooLarge"
    assert failure.revert.args == (3 * 86_400, 2 * 86_400)
    assert "Actions after #2 were not checked" in simulation.note


def test_spending_more_than_the_treasury_holds_fails(coop: Coop) -> None:
    stable = coop.deployment.address("MockStablecoin")
    call = _call(
        coop,
        (stable, 0, _encode(coop, "MockStablecoin", "transfer", [coop.bob.address, 30_000 * USD])),
        (stable, 0, _encode(coop, "MockStablecoin", "transfer", [coop.bob.address, 30_000 * USD])),
    )
    (failure,) = simulate_execution(coop.gov, call).failures
    assert failure.index == 1  # each alone fits in 50,000; together they do not
    assert failure.revert is not None and failure.revert.name == "ERC20InsufficientBalance"
    too_much_eth = _call(coop, (coop.bob.address, 11 * 10**18, b""))
    (eth_failure,) = simulate_execution(coop.gov, too_much_eth).failures
    assert eth_failure.revert is not None and eth_failure.revert.name == "FailedCall"


def test_unauthorised_and_unknown_calls_fail(coop: Coop) -> None:
    token = coop.deployment.address("CoopToken")
    mint_to_zero = _encode(coop, "CoopToken", "mint", ["0x" + "00" * 20, 1])
    (failure,) = simulate_execution(coop.gov, _call(coop, (token, 0, mint_to_zero))).failures
    assert failure.revert is not None and failure.revert.name == "CoopTokenZeroRecipient"
    garbage = function_signature_to_4byte_selector("noSuchFunction()")
    (unknown,) = simulate_execution(coop.gov, _call(coop, (token, 0, garbage))).failures
    # The target reverted without data; the timelock reports that as FailedCall().
    assert unknown.revert is not None and unknown.revert.name == "FailedCall"


def test_fallback_without_a_known_layout_checks_what_it_can(coop: Coop) -> None:
    # Used when storage_layout_matches() is False (another governor build): governor
    # calls are reported as not simulated instead of being guessed.
    from coop_dashboard.chain.simulate import _per_action_fallback

    governor = coop.deployment.address("CoopGovernor")
    stable = coop.deployment.address("MockStablecoin")
    call = _call(
        coop,
        (governor, 0, _encode(coop, "CoopGovernor", "setVotingPeriod", [3 * 86_400])),
        (stable, 0, _encode(coop, "MockStablecoin", "transfer", [coop.bob.address, 60_000 * USD])),
    )
    simulation = _per_action_fallback(coop.gov, call)
    assert not simulation.simulated and not simulation.ok
    assert simulation.not_simulated == (0,)
    (failure,) = simulation.failures
    assert failure.index == 1 and failure.revert is not None
    assert failure.revert.name == "ERC20InsufficientBalance"

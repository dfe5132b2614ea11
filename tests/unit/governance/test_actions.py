"""Proposal actions in plain language, decoded with the suite's real ABIs."""

from __future__ import annotations

import random

import pytest
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.governance_types import GovernanceSettings, KnownContract, TokenInfo
from coop_dashboard.services.governance.actions import (
    ActionContext,
    ActionKind,
    decode_action,
    decode_actions,
)

NAMES = ("CoopToken", "CoopTimelock", "CoopGovernor", "DelegateRegistry", "MockStablecoin")
ADDRESS = {name: to_checksum_address(f"0x{index + 1:040x}") for index, name in enumerate(NAMES)}
RECIPIENT = to_checksum_address("0xabcdef0123456789abcdef0123456789abcdef01")
SETTINGS = GovernanceSettings(
    voting_delay=86_400,
    voting_period=5 * 86_400,
    proposal_threshold=10_000 * 10**18,
    quorum_numerator=4,
    quorum_denominator=100,
    late_quorum_extension=86_400,
    timelock_delay=2 * 86_400,
)


def call(signature: str, types: list[str], args: list[object]) -> bytes:
    return function_signature_to_4byte_selector(signature) + encode(types, args)


@pytest.fixture(scope="module")
def context(compiled_artifacts: dict[str, Artifact]) -> ActionContext:
    contracts = [KnownContract(n, ADDRESS[n], compiled_artifacts[n].abi) for n in NAMES]
    tokens: dict[str, TokenInfo] = {
        ADDRESS["CoopToken"]: TokenInfo("COOP", 18),
        ADDRESS["MockStablecoin"]: TokenInfo("cUSD", 6),
    }
    return ActionContext.for_contracts(
        contracts, ADDRESS["CoopTimelock"], tokens, SETTINGS, labels={RECIPIENT: "Ines Duarte"}
    )


def summary(context: ActionContext, target: str, data: bytes, value: int = 0) -> str:
    return decode_action(0, target, value, data, context).summary


def test_erc20_transfer_from_the_treasury(context: ActionContext) -> None:
    data = call("transfer(address,uint256)", ["address", "uint256"], [RECIPIENT, 5_000 * 10**6])
    action = decode_action(0, ADDRESS["MockStablecoin"], 0, data, context)
    assert action.kind is ActionKind.TOKEN_TRANSFER
    assert action.summary == "Transfer 5,000 cUSD from the treasury to Ines Duarte (0xabCD…EF01)"
    assert action.target_label == "cUSD (MockStablecoin)"
    assert action.function == "transfer(address,uint256)"
    assert [(a.name, a.value) for a in action.args] == [
        ("to", RECIPIENT),
        ("value", "5,000,000,000"),
    ]


def test_unlabelled_recipient_is_a_short_address(context: ActionContext) -> None:
    other = to_checksum_address("0x" + "12" * 20)
    data = call("transfer(address,uint256)", ["address", "uint256"], [other, 1])
    assert summary(context, ADDRESS["MockStablecoin"], data) == (
        "Transfer 0.000001 cUSD from the treasury to 0x1212…1212"
    )


def test_erc20_approvals(context: ActionContext) -> None:
    limited = call("approve(address,uint256)", ["address", "uint256"], [RECIPIENT, 10**18])
    assert summary(context, ADDRESS["CoopToken"], limited) == (
        "Allow Ines Duarte (0xabCD…EF01) to spend up to 1 COOP from the treasury"
    )
    unlimited = call("approve(address,uint256)", ["address", "uint256"], [RECIPIENT, 2**256 - 1])
    assert summary(context, ADDRESS["MockStablecoin"], unlimited) == (
        "Allow Ines Duarte (0xabCD…EF01) to spend any amount of the treasury's cUSD"
    )


def test_erc20_on_an_unknown_token_is_still_recognised(context: ActionContext) -> None:
    token = to_checksum_address("0x" + "77" * 20)
    data = call("transfer(address,uint256)", ["address", "uint256"], [RECIPIENT, 1_500])
    action = decode_action(0, token, 0, data, context)
    assert action.kind is ActionKind.TOKEN_TRANSFER
    assert action.summary == (
        "Transfer 1,500 base units of the token at 0x7777…7777 from the treasury "
        "to Ines Duarte (0xabCD…EF01)"
    )


def test_eth_transfer_and_empty_call(context: ActionContext) -> None:
    action = decode_action(0, RECIPIENT, 25 * 10**18, b"", context)
    assert action.kind is ActionKind.ETH_TRANSFER
    assert action.summary == "Send 25 ETH from the treasury to Ines Duarte (0xabCD…EF01)"
    assert decode_action(0, RECIPIENT, 0, b"", context).kind is ActionKind.EMPTY


@pytest.mark.parametrize(
    ("target", "signature", "abi_type", "value", "expected"),
    [
        ("CoopGovernor", "setVotingPeriod(uint32)", "uint32", 3 * 86_400,
         "Set voting period from 5 days to 3 days"),
        ("CoopGovernor", "setVotingDelay(uint48)", "uint48", 5_400,
         "Set voting delay from 1 day to 1 hour 30 minutes"),
        ("CoopGovernor", "setProposalThreshold(uint256)", "uint256", 5_000 * 10**18,
         "Set proposal threshold from 10,000 COOP to 5,000 COOP"),
        ("CoopGovernor", "updateQuorumNumerator(uint256)", "uint256", 5,
         "Set quorum from 4% to 5% of the token supply"),
        ("CoopGovernor", "setLateQuorumVoteExtension(uint48)", "uint48", 43_200,
         "Set late-quorum vote extension from 1 day to 12 hours"),
        ("CoopTimelock", "updateDelay(uint256)", "uint256", 3 * 86_400,
         "Set the timelock delay from 2 days to 3 days"),
        ("CoopGovernor", "setVotingPeriod(uint32)", "uint32", 5 * 86_400,
         "Set voting period to 5 days (unchanged)"),
    ],
)  # fmt: skip
def test_setting_changes_say_old_and_new(
    context: ActionContext, target: str, signature: str, abi_type: str, value: int, expected: str
) -> None:
    action = decode_action(0, ADDRESS[target], 0, call(signature, [abi_type], [value]), context)
    assert action.kind is ActionKind.SETTING_CHANGE
    assert action.summary == expected


def test_setting_changes_without_current_settings(context: ActionContext) -> None:
    from dataclasses import replace

    no_settings = replace(context, settings=None)
    data = call("setVotingPeriod(uint32)", ["uint32"], [2 * 86_400])
    assert summary(no_settings, ADDRESS["CoopGovernor"], data) == "Set voting period to 2 days"
    quorum = call("updateQuorumNumerator(uint256)", ["uint256"], [5])
    assert summary(no_settings, ADDRESS["CoopGovernor"], quorum) == (
        "Set quorum to 5% of the token supply"
    )


def test_token_mint_and_treasury_delegation(context: ActionContext) -> None:
    mint = call("mint(address,uint256)", ["address", "uint256"], [RECIPIENT, 500_000 * 10**18])
    action = decode_action(0, ADDRESS["CoopToken"], 0, mint, context)
    assert action.kind is ActionKind.TOKEN_MINT
    assert action.summary == "Mint 500,000 COOP to Ines Duarte (0xabCD…EF01)"
    delegate = call("delegate(address)", ["address"], [RECIPIENT])
    assert summary(context, ADDRESS["CoopToken"], delegate) == (
        "Delegate the treasury's COOP votes to Ines Duarte (0xabCD…EF01)"
    )


def test_delegate_registry_calls(context: ActionContext) -> None:
    registry = ADDRESS["DelegateRegistry"]
    publish = call(
        "publishStatement(string,bytes32,string[],bool)",
        ["string", "bytes32", "string[]", "bool"],
        ["ipfs://bafkreiabc", b"\x01" * 32, ["treasury", "security"], True],
    )
    action = decode_action(0, registry, 0, publish, context)
    assert action.kind is ActionKind.REGISTRY
    assert action.summary == (
        "Publish the treasury's delegate statement at ipfs://bafkreiabc "
        "(topics: treasury, security; seeking delegation: yes)"
    )
    assert summary(context, registry, call("setSeekingDelegation(bool)", ["bool"], [False])) == (
        "Mark the treasury's delegate statement as no longer seeking delegation"
    )
    assert summary(context, registry, call("clearStatement()", [], [])) == (
        "Remove the treasury's delegate statement"
    )


def test_timelock_role_changes(context: ActionContext) -> None:
    grant = call(
        "grantRole(bytes32,address)",
        ["bytes32", "address"],
        [keccak(text="PROPOSER_ROLE"), RECIPIENT],
    )
    action = decode_action(0, ADDRESS["CoopTimelock"], 0, grant, context)
    assert action.kind is ActionKind.ROLE_CHANGE
    assert action.summary == "Grant the timelock's proposer role to Ines Duarte (0xabCD…EF01)"


def test_governor_relay_is_decoded_as_the_governor_acting(context: ActionContext) -> None:
    inner = call("transfer(address,uint256)", ["address", "uint256"], [RECIPIENT, 7 * 10**6])
    relay = call(
        "relay(address,uint256,bytes)",
        ["address", "uint256", "bytes"],
        [ADDRESS["MockStablecoin"], 0, inner],
    )
    action = decode_action(0, ADDRESS["CoopGovernor"], 0, relay, context)
    assert action.kind is ActionKind.RELAY
    assert action.summary == (
        "Through the governor: Transfer 7 cUSD from the governor to Ines Duarte (0xabCD…EF01)"
    )


def test_deeply_nested_relays_stop_decoding(context: ActionContext) -> None:
    data = call("clearStatement()", [], [])
    target = ADDRESS["DelegateRegistry"]
    for _ in range(50):
        data = call(
            "relay(address,uint256,bytes)", ["address", "uint256", "bytes"], [target, 0, data]
        )
        target = ADDRESS["CoopGovernor"]
    action = decode_action(0, target, 0, data, context)
    assert action.kind is ActionKind.RELAY
    assert action.summary.count("Through the governor") <= 3


def test_other_known_functions_show_their_typed_arguments(context: ActionContext) -> None:
    data = call("updateTimelock(address)", ["address"], [RECIPIENT])
    action = decode_action(0, ADDRESS["CoopGovernor"], 0, data, context)
    assert action.kind is ActionKind.CONTRACT_CALL
    assert action.summary == f"Call updateTimelock on CoopGovernor with newTimelock = {RECIPIENT}"


def test_value_sent_with_a_call_is_mentioned(context: ActionContext) -> None:
    data = call("setVotingDelay(uint48)", ["uint48"], [7_200])
    assert summary(context, ADDRESS["CoopGovernor"], data, value=10**18) == (
        "Set voting delay from 1 day to 2 hours, sending 1 ETH"
    )


def test_unknown_selector_and_unknown_target_show_raw_calldata(context: ActionContext) -> None:
    unknown = bytes.fromhex("deadbeef") + b"\x00" * 32
    on_known = decode_action(0, ADDRESS["CoopGovernor"], 0, unknown, context)
    assert on_known.kind is ActionKind.UNKNOWN_CALL
    assert on_known.summary == "Call an unknown function (selector 0xdeadbeef) on CoopGovernor"
    assert on_known.calldata == "0x" + unknown.hex()
    elsewhere = decode_action(0, RECIPIENT, 0, unknown, context)
    assert elsewhere.kind is ActionKind.UNKNOWN_CALL and elsewhere.warnings


@pytest.mark.parametrize(
    "data",
    [
        b"\x12",
        b"\x12\x34\x56",
        function_signature_to_4byte_selector("transfer(address,uint256)") + b"\x01" * 10,
        # an address word with non-zero padding: not a valid address encoding
        function_signature_to_4byte_selector("transfer(address,uint256)") + b"\xff" * 64,
        # a string whose offset points far beyond the data
        function_signature_to_4byte_selector("publishStatement(string,bytes32,string[],bool)")
        + (2**255).to_bytes(32, "big")
        + b"\x00" * 96,
    ],
)
def test_malformed_calldata_is_reported_not_raised(context: ActionContext, data: bytes) -> None:
    for target in (ADDRESS["MockStablecoin"], ADDRESS["DelegateRegistry"], RECIPIENT):
        action = decode_action(0, target, 0, data, context)
        assert action.kind in (ActionKind.MALFORMED, ActionKind.UNKNOWN_CALL)
        assert action.calldata == "0x" + data.hex()
        assert action.warnings


def test_garbage_inputs_never_raise(context: ActionContext) -> None:
    assert decode_action(0, "not-an-address", 0, b"", context).kind is ActionKind.MALFORMED
    assert decode_action(0, RECIPIENT, 0, "0xzz", context).kind is ActionKind.MALFORMED
    selectors = [bytes.fromhex(s) for s in ("a9059cbb", "095ea7b3", "23b872dd", "c1ba4e59")]
    rng = random.Random(5)
    for _ in range(300):
        data = rng.choice(selectors) + rng.randbytes(rng.randrange(0, 200))
        for target in ADDRESS.values():
            decode_action(0, target, rng.randrange(0, 3), data, context)  # must not raise


def test_decode_actions_keeps_order_and_indexes(context: ActionContext) -> None:
    actions = decode_actions(
        [RECIPIENT, ADDRESS["CoopGovernor"]],
        [10**18, 0],
        ["0x", "0x" + call("setVotingPeriod(uint32)", ["uint32"], [86_400]).hex()],
        context,
    )
    assert [a.index for a in actions] == [0, 1]
    assert actions[1].summary == "Set voting period from 5 days to 1 day"

"""The proposal builder: every input validated with a clear message, exact encodings."""

from __future__ import annotations

import pytest
from eth_abi import decode, encode
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.governance_types import (
    GovernanceSettings,
    KnownContract,
    ProposalCall,
    TokenInfo,
)
from coop_dashboard.services.governance.builder import (
    DESCRIPTION_MAX_BYTES,
    GovernanceParameter,
    GovernanceSuite,
    ProposalAction,
    TreasuryAsset,
    assemble_proposal,
    callable_functions,
    custom_call,
    parameter_change,
    proposal_description,
    proposal_id,
    treasury_transfer,
)
from coop_dashboard.services.governance.validation import InvalidInput

TREASURY = to_checksum_address("0x" + "11" * 20)
RECIPIENT = to_checksum_address("0xabcdef0123456789abcdef0123456789abcdef01")
SETTINGS = GovernanceSettings(86_400, 5 * 86_400, 10_000 * 10**18, 4, 100, 86_400, 2 * 86_400)


@pytest.fixture(scope="module")
def contracts(compiled_artifacts: dict[str, Artifact]) -> dict[str, KnownContract]:
    names = ("CoopToken", "CoopTimelock", "CoopGovernor", "DelegateRegistry", "MockStablecoin")
    return {
        name: KnownContract(
            name, to_checksum_address(f"0x{i + 1:040x}"), compiled_artifacts[name].abi
        )
        for i, name in enumerate(names)
    }


@pytest.fixture(scope="module")
def suite(contracts: dict[str, KnownContract]) -> GovernanceSuite:
    return GovernanceSuite(
        governor=contracts["CoopGovernor"],
        timelock=contracts["CoopTimelock"],
        settings=SETTINGS,
        vote_token=TokenInfo("COOP", 18),
        vote_token_supply=10_000_000 * 10**18,
    )


def problems(error: pytest.ExceptionInfo[InvalidInput]) -> dict[str, str]:
    return {p.field: p.message for p in error.value.problems}


# --- treasury transfers --------------------------------------------------------------------


def test_erc20_transfer_encodes_transfer_to_the_token(contracts: dict[str, KnownContract]) -> None:
    asset = TreasuryAsset("cUSD", 6, 1_250_000 * 10**6, contracts["MockStablecoin"])
    action = treasury_transfer(asset, RECIPIENT.lower(), "5,000.5", treasury=TREASURY)
    assert action.target == contracts["MockStablecoin"].address and action.value == 0
    assert action.calldata[:4] == function_signature_to_4byte_selector("transfer(address,uint256)")
    assert decode(["address", "uint256"], action.calldata[4:]) == (
        RECIPIENT.lower(),
        5_000_500_000,
    )


def test_eth_transfer_is_a_value_call() -> None:
    asset = TreasuryAsset("ETH", 18, 250 * 10**18)
    assert treasury_transfer(asset, RECIPIENT, "25", treasury=TREASURY) == ProposalAction(
        RECIPIENT, 25 * 10**18, b""
    )


@pytest.mark.parametrize(
    ("recipient", "amount", "field", "fragment"),
    [
        ("", "1", "recipient", "enter an address"),
        ("abcdef0123456789abcdef0123456789abcdef01", "1", "recipient", "starts with 0x"),
        ("0xabcdef0123", "1", "recipient", "has 10 hex digits"),
        ("0xabcdef0123456789abcdef0123456789abcdefzz", "1", "recipient", "not hex digits"),
        ("0xABcdef0123456789abcdef0123456789abcdef01", "1", "recipient", "checksum"),
        ("0x0000000000000000000000000000000000000000", "1", "recipient", "zero address"),
        ("alice.eth", "1", "recipient", "names like 'alice.eth' are not supported"),
        (TREASURY, "1", "recipient", "the treasury itself"),
        (RECIPIENT, "", "amount", "enter an amount"),
        (RECIPIENT, "ten", "amount", "is not a number"),
        (RECIPIENT, "0", "amount", "more than 0"),
        (RECIPIENT, "-1", "amount", "cannot be negative"),
        (RECIPIENT, "1.0000001", "amount", "at most 6 decimal places"),
        (RECIPIENT, "1250000.000001", "amount", "the treasury holds only 1,250,000 cUSD"),
    ],
)
def test_transfer_inputs_are_refused_clearly(
    contracts: dict[str, KnownContract], recipient: str, amount: str, field: str, fragment: str
) -> None:
    asset = TreasuryAsset("cUSD", 6, 1_250_000 * 10**6, contracts["MockStablecoin"])
    with pytest.raises(InvalidInput) as caught:
        treasury_transfer(asset, recipient, amount, treasury=TREASURY)
    assert fragment in problems(caught)[field]


def test_all_transfer_problems_are_reported_at_once() -> None:
    with pytest.raises(InvalidInput) as caught:
        treasury_transfer(TreasuryAsset("ETH", 18, 0), "nope", "x", treasury=TREASURY)
    assert set(problems(caught)) == {"recipient", "amount"}


# --- governance parameters --------------------------------------------------------------------


def _single_arg(action: ProposalAction, abi_type: str) -> int:
    (value,) = decode([abi_type], action.calldata[4:])
    return int(value)


@pytest.mark.parametrize(
    ("parameter", "text", "target", "signature", "expected"),
    [
        (GovernanceParameter.VOTING_DELAY, "2 days", "CoopGovernor",
         "setVotingDelay(uint48)", 172_800),
        (GovernanceParameter.VOTING_PERIOD, "3 days", "CoopGovernor",
         "setVotingPeriod(uint32)", 259_200),
        (GovernanceParameter.PROPOSAL_THRESHOLD, "5,000", "CoopGovernor",
         "setProposalThreshold(uint256)", 5_000 * 10**18),
        (GovernanceParameter.QUORUM_PERCENT, "5%", "CoopGovernor",
         "updateQuorumNumerator(uint256)", 5),
        (GovernanceParameter.LATE_QUORUM_EXTENSION, "12h", "CoopGovernor",
         "setLateQuorumVoteExtension(uint48)", 43_200),
        (GovernanceParameter.TIMELOCK_DELAY, "3 days", "CoopTimelock",
         "updateDelay(uint256)", 259_200),
    ],
)  # fmt: skip
def test_parameter_changes_call_the_right_setter(
    suite: GovernanceSuite,
    contracts: dict[str, KnownContract],
    parameter: GovernanceParameter,
    text: str,
    target: str,
    signature: str,
    expected: int,
) -> None:
    action = parameter_change(parameter, text, suite)
    assert action.target == contracts[target].address and action.value == 0
    assert action.calldata[:4] == function_signature_to_4byte_selector(signature)
    assert _single_arg(action, signature.split("(")[1].rstrip(")")) == expected


@pytest.mark.parametrize(
    ("parameter", "text", "fragment"),
    [
        (GovernanceParameter.VOTING_PERIOD, "0", "between 1 hour and 60 days"),
        (GovernanceParameter.VOTING_PERIOD, "90 days", "between 1 hour and 60 days"),
        (GovernanceParameter.VOTING_PERIOD, "5 days", "already the current value"),
        (GovernanceParameter.VOTING_DELAY, "31 days", "between 0 and 30 days"),
        (GovernanceParameter.VOTING_DELAY, "soon", "is not a duration"),
        (GovernanceParameter.LATE_QUORUM_EXTENSION, "6 days", "longer than the voting period"),
        (GovernanceParameter.TIMELOCK_DELAY, "10 minutes", "between 1 hour and 30 days"),
        (GovernanceParameter.QUORUM_PERCENT, "0", "from 1% to 100%"),
        (GovernanceParameter.QUORUM_PERCENT, "101", "from 1% to 100%"),
        (GovernanceParameter.QUORUM_PERCENT, "4.5", "whole percentage"),
        (GovernanceParameter.QUORUM_PERCENT, "4", "already the current value"),
        (GovernanceParameter.PROPOSAL_THRESHOLD, "20,000,000", "cannot exceed the total supply"),
        (GovernanceParameter.PROPOSAL_THRESHOLD, "lots", "is not a number"),
    ],
)
def test_parameter_bounds_are_explained(
    suite: GovernanceSuite, parameter: GovernanceParameter, text: str, fragment: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parameter_change(parameter, text, suite)
    assert fragment in problems(caught)[parameter.value]


# --- custom calls -------------------------------------------------------------------------------


def test_callable_functions_exclude_views(contracts: dict[str, KnownContract]) -> None:
    registry = callable_functions(contracts["DelegateRegistry"])
    assert [f.signature for f in registry] == [
        "clearStatement()",
        "publishStatement(string,bytes32,string[],bool)",
        "setSeekingDelegation(bool)",
    ]
    publish = registry[1]
    assert [(i.name, i.type) for i in publish.inputs] == [
        ("uri", "string"),
        ("digest", "bytes32"),
        ("topics", "string[]"),
        ("seekingDelegation", "bool"),
    ]
    governor = {f.name for f in callable_functions(contracts["CoopGovernor"])}
    assert "propose" in governor and "state" not in governor and "votingPeriod" not in governor


def test_custom_call_parses_typed_arguments(contracts: dict[str, KnownContract]) -> None:
    registry = contracts["DelegateRegistry"]
    action = custom_call(
        registry,
        "publishStatement(string,bytes32,string[],bool)",
        ["ipfs://bafkrei", "0x" + "ab" * 32, '["treasury", "security"]', "yes"],
    )
    assert action.target == registry.address
    selector = function_signature_to_4byte_selector(
        "publishStatement(string,bytes32,string[],bool)"
    )
    assert action.calldata == selector + encode(
        ["string", "bytes32", "string[]", "bool"],
        ["ipfs://bafkrei", b"\xab" * 32, ["treasury", "security"], True],
    )


def test_custom_call_reports_each_bad_argument(contracts: dict[str, KnownContract]) -> None:
    with pytest.raises(InvalidInput) as caught:
        custom_call(
            contracts["DelegateRegistry"],
            "publishStatement(string,bytes32,string[],bool)",
            ["ok", "0xabcd", "not a list", "maybe"],
        )
    found = problems(caught)
    assert set(found) == {"arg1", "arg2", "arg3"}
    assert "bytes32 is exactly 32 bytes (64 hex digits), got 2" in found["arg1"]
    assert found["arg1"].startswith("Argument digest (bytes32):")
    assert "write a list in brackets" in found["arg2"]
    assert "write true or false" in found["arg3"]


def test_custom_call_refuses_value_for_non_payable(contracts: dict[str, KnownContract]) -> None:
    with pytest.raises(InvalidInput) as caught:
        custom_call(contracts["DelegateRegistry"], "clearStatement()", [], "1")
    assert "not payable" in problems(caught)["value"]


def test_custom_call_unknown_function_and_wrong_arity(contracts: dict[str, KnownContract]) -> None:
    with pytest.raises(InvalidInput, match="has no callable nope"):
        custom_call(contracts["CoopToken"], "nope()", [])
    with pytest.raises(InvalidInput, match="takes 2, got 1"):
        custom_call(contracts["CoopToken"], "transfer(address,uint256)", ["0x" + "ab" * 20])
    with pytest.raises(InvalidInput, match="no callable name"):  # views are not offered
        custom_call(contracts["CoopToken"], "name()", [])


# --- description and assembly ----------------------------------------------------------------


def test_description_convention_and_limits() -> None:
    assert proposal_description("  Raise   quorum ", "\nBody text\n\n") == (
        "# Raise quorum\n\nBody text\n"
    )
    assert proposal_description("Title only", "  ") == "# Title only\n"
    with pytest.raises(InvalidInput, match="needs a title"):
        proposal_description("   ", "body")
    with pytest.raises(InvalidInput, match="at most 120 characters"):
        proposal_description("x" * 121, "body")
    with pytest.raises(InvalidInput, match="without leading #"):
        proposal_description("# Title", "body")
    with pytest.raises(InvalidInput, match="at most 20,000 bytes"):
        proposal_description("Title", "é" * (DESCRIPTION_MAX_BYTES // 2))


def test_assemble_proposal_and_its_id() -> None:
    action = ProposalAction(RECIPIENT, 10**18, b"")
    proposer = "0x" + "Cd" * 20
    draft = assemble_proposal([action], "Pay Ines", "For annotation work.", proposer=proposer)
    call = draft.to_call()
    # Bound to its proposer: the Governor refuses the same description from anyone else.
    assert call == ProposalCall(
        (RECIPIENT,),
        (10**18,),
        (b"",),
        "# Pay Ines\n\nFor annotation work.\n\n#proposer=0x" + "cd" * 20,
    )
    expected = keccak(
        encode(
            ["address[]", "uint256[]", "bytes[]", "bytes32"],
            [[RECIPIENT], [10**18], [b""], keccak(text=call.description)],
        )
    )
    assert draft.proposal_id == proposal_id(call) == int.from_bytes(expected, "big")
    with pytest.raises(InvalidInput) as caught:
        assemble_proposal([], "", "", proposer=proposer)
    assert set(problems(caught)) == {"actions", "title"}
    with pytest.raises(InvalidInput, match="at most 10 per proposal"):
        assemble_proposal([action] * 11, "Title", "", proposer=proposer)

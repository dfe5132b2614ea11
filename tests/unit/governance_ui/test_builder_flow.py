"""The builder's form -> pre-flight flow against the seeded demo chain (read-only)."""

from __future__ import annotations

import dataclasses

import pytest
from web3 import Web3

from coop_dashboard.chain.seed import TREASURY_ETH
from coop_dashboard.config import Settings, load_settings
from coop_dashboard.services.governance.builder import MAX_ACTIONS
from coop_dashboard.services.governance.builder_flow import (
    ActionForm,
    BuilderForm,
    add_action,
    check_form,
    contract_names,
    function_views,
    prepare_proposal,
)
from coop_dashboard.services.transactions import WriteRefused
from tests.support.chains import SeededChain

RECIPIENT = "0x" + "5e" * 20
OTHER = "0x" + "7a" * 20


def _transfer(amount: str, asset: str = "ETH", recipient: str = RECIPIENT) -> ActionForm:
    return ActionForm(kind="treasury", asset=asset, recipient=recipient, amount=amount)


@pytest.fixture
def settings(seeded_chain: SeededChain) -> Settings:
    return dataclasses.replace(
        load_settings(),
        rpc_url=seeded_chain.rpc_url,
        chain_id=seeded_chain.chain_id,
        deployment_path=seeded_chain.manifest_path,
    )


def _proposer(chain: SeededChain) -> str:
    return str(chain.w3.eth.accounts[1])  # Amara: above the proposal threshold


def test_every_field_problem_is_reported_at_once(
    settings: Settings, seeded_chain: SeededChain
) -> None:
    form = BuilderForm(editor=_transfer("10000000", recipient="0x12"))
    report = check_form(settings, _proposer(seeded_chain), form)
    assert set(report.field_errors) == {"recipient", "amount", "title"}
    assert "treasury holds only" in report.field_errors["amount"]
    assert not report.ok


def test_a_valid_transfer_passes_the_preflight(
    settings: Settings, seeded_chain: SeededChain
) -> None:
    form = BuilderForm(editor=_transfer("1"), title="Pay", body="Now.")
    report = check_form(settings, _proposer(seeded_chain), form)
    assert report.ok, report.problems
    assert report.actions[0].startswith("✓ ") and "1 ETH" in report.actions[0]


def test_a_proposer_below_the_threshold_is_blocked(
    settings: Settings, seeded_chain: SeededChain
) -> None:
    form = BuilderForm(editor=_transfer("1"), title="Pay")
    report = check_form(settings, "0x" + "99" * 20, form)
    assert not report.ok
    assert any("proposing needs" in p for p in report.problems)


def test_custom_call_arguments_are_typed(settings: Settings, seeded_chain: SeededChain) -> None:
    assert "CoopGovernor" in contract_names(settings)
    functions = {f.signature: f for f in function_views(settings, "CoopGovernor")}
    setter = next(s for s in functions if s.startswith("setVotingPeriod("))
    assert len(functions[setter].argument_labels) == 1
    bad_call = ActionForm(
        kind="custom", contract="CoopGovernor", function=setter, arguments=("soon",)
    )
    bad = BuilderForm(editor=bad_call, title="T")
    assert "arg0" in check_form(settings, _proposer(seeded_chain), bad).field_errors
    good = BuilderForm(editor=dataclasses.replace(bad_call, arguments=("259200",)), title="T")
    report = check_form(settings, _proposer(seeded_chain), good)
    assert report.ok, report.problems
    assert "voting period" in report.actions[0].lower()


# --- several actions ------------------------------------------------------------------------


def test_nothing_added_and_a_blank_editor_asks_for_an_action(
    settings: Settings, seeded_chain: SeededChain
) -> None:
    form = BuilderForm(editor=ActionForm(kind="parameter"), title="Empty")
    report = check_form(settings, _proposer(seeded_chain), form)
    assert report.field_errors == {"actions": "Add at least one action."}


def test_add_action_checks_the_editor_and_summarises_like_the_preflight(
    settings: Settings, seeded_chain: SeededChain
) -> None:
    refused = add_action(settings, _transfer("0", recipient="0x12"), 0)
    assert refused.added is None and set(refused.field_errors) == {"recipient", "amount"}

    added = add_action(settings, _transfer("1"), 0)
    assert added.added is not None and not added.field_errors
    assert added.added.form == _transfer("1")
    form = BuilderForm(editor=_transfer("1"), title="Pay")
    report = check_form(settings, _proposer(seeded_chain), form)
    assert report.actions[0] == f"✓ {added.added.summary}"


def test_added_actions_then_the_editor_keep_their_order_and_the_governors_id(
    settings: Settings, seeded_chain: SeededChain
) -> None:
    added = (_transfer("1.5"), _transfer("250", asset="cUSD", recipient=OTHER))
    period = ActionForm(kind="parameter", parameter="voting_period", value="3 days")
    form = BuilderForm(editor=period, added=added, title="Three things", body="In order.")
    report = check_form(settings, _proposer(seeded_chain), form)
    assert report.ok, report.problems
    assert [line[:2] for line in report.actions] == ["✓ "] * 3
    assert "1.5 ETH" in report.actions[0]
    assert "250 cUSD" in report.actions[1]
    assert "voting period from 5 days to 3 days" in report.actions[2].lower()

    # The id the page shows is the one the Governor will give the proposal.
    prepared = prepare_proposal(settings, _proposer(seeded_chain), form)
    governor = seeded_chain.deployment.contract(seeded_chain.w3, "CoopGovernor")
    function, args = governor.decode_function_input(prepared.tx.data)
    assert function.fn_name == "propose" and prepared.tx.to == governor.address
    targets, values, calldatas, description = (
        args["targets"],
        args["values"],
        args["calldatas"],
        args["description"],
    )
    # Bound to the signer: only they can propose it (no front-running).
    proposer = _proposer(seeded_chain).lower()
    assert description == f"# Three things\n\nIn order.\n\n#proposer={proposer}"
    stable = seeded_chain.deployment.address("MockStablecoin")
    assert [Web3.to_checksum_address(t) for t in targets] == [
        Web3.to_checksum_address(RECIPIENT),
        stable,
        governor.address,
    ]
    assert list(values) == [15 * 10**17, 0, 0]
    description_hash = Web3.keccak(text=description)
    on_chain = governor.functions.hashProposal(targets, values, calldatas, description_hash).call()
    assert report.proposal_id == str(on_chain)


def test_a_blank_editor_is_left_out_when_actions_were_added(
    settings: Settings, seeded_chain: SeededChain
) -> None:
    form = BuilderForm(editor=ActionForm(kind="treasury"), added=(_transfer("1"),), title="One")
    report = check_form(settings, _proposer(seeded_chain), form)
    assert report.ok, report.problems
    assert len(report.actions) == 1


def test_a_failing_second_action_blocks_and_the_rest_is_not_called_ok(
    settings: Settings, seeded_chain: SeededChain
) -> None:
    # Each transfer alone fits the treasury; together the second one cannot be paid.
    most = str(TREASURY_ETH - 10)
    form = BuilderForm(
        editor=_transfer("20"),
        added=(_transfer(most), _transfer("20"), _transfer("1", asset="cUSD")),
        title="Too much",
    )
    proposer = _proposer(seeded_chain)
    report = check_form(settings, proposer, form)
    assert not report.ok
    assert report.actions[0].startswith("✓ ")
    assert report.actions[1].startswith("✗ ")
    assert all(line.startswith("– ") for line in report.actions[2:])
    assert "not checked (action 2 fails before it runs)" in report.actions[2]
    assert any(p.startswith("Action 2 (Send 20 ETH") for p in report.problems)
    with pytest.raises(WriteRefused, match="Action 2"):
        prepare_proposal(settings, proposer, form)


def test_an_added_action_is_checked_again_and_named_by_number(
    settings: Settings, seeded_chain: SeededChain
) -> None:
    # Added actions come back from the browser's session as typed text: never trusted.
    form = BuilderForm(added=(_transfer("1"), _transfer("1", recipient="0xnope")), title="T")
    report = check_form(settings, _proposer(seeded_chain), form)
    assert report.field_errors["actions"].startswith("Action 2: Recipient:")
    with pytest.raises(WriteRefused, match="Action 2: Recipient"):
        prepare_proposal(settings, _proposer(seeded_chain), form)


def test_at_most_max_actions(settings: Settings, seeded_chain: SeededChain) -> None:
    full = tuple(_transfer("1") for _ in range(MAX_ACTIONS))
    refused = add_action(settings, _transfer("1"), len(full))
    assert refused.added is None
    assert refused.field_errors["actions"].startswith(f"A proposal can have at most {MAX_ACTIONS}")

    at_limit = BuilderForm(added=full, title="Ten payments")
    assert check_form(settings, _proposer(seeded_chain), at_limit).ok
    over = dataclasses.replace(at_limit, editor=_transfer("1"))
    report = check_form(settings, _proposer(seeded_chain), over)
    assert report.field_errors == {
        "actions": f"A proposal can have at most {MAX_ACTIONS} actions "
        f"({MAX_ACTIONS + 1} now); remove one first."
    }


def test_an_encoding_error_inside_prepare_proposal_is_a_clear_refusal(
    settings: Settings,
) -> None:
    """web3's ValueError for a malformed sender becomes WriteRefused with its own words
    (the page shows it), not an unexpected error ("Something went wrong")."""
    form = BuilderForm(editor=_transfer("1"), title="Pay")
    with pytest.raises(WriteRefused, match="could not be built: .*not-an-address"):
        prepare_proposal(settings, "not-an-address", form)

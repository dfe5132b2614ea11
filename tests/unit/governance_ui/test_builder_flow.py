"""The builder's form -> pre-flight flow against the seeded demo chain (read-only)."""

from __future__ import annotations

import dataclasses

import pytest

from coop_dashboard.config import Settings, load_settings
from coop_dashboard.services.governance.builder_flow import (
    BuilderForm,
    check_form,
    contract_names,
    function_views,
)
from tests.support.chains import SeededChain

RECIPIENT = "0x" + "5e" * 20


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
    form = BuilderForm(kind="treasury", asset="ETH", recipient="0x12", amount="10000000")
    report = check_form(settings, _proposer(seeded_chain), form)
    assert set(report.field_errors) == {"recipient", "amount", "title"}
    assert "treasury holds only" in report.field_errors["amount"]
    assert not report.ok


def test_a_valid_transfer_passes_the_preflight(
    settings: Settings, seeded_chain: SeededChain
) -> None:
    form = BuilderForm(
        kind="treasury", asset="ETH", recipient=RECIPIENT, amount="1", title="Pay", body="Now."
    )
    report = check_form(settings, _proposer(seeded_chain), form)
    assert report.ok, report.problems
    assert report.actions[0].startswith("✓ ") and "1 ETH" in report.actions[0]


def test_a_proposer_below_the_threshold_is_blocked(
    settings: Settings, seeded_chain: SeededChain
) -> None:
    form = BuilderForm(
        kind="treasury", asset="ETH", recipient=RECIPIENT, amount="1", title="Pay", body=""
    )
    report = check_form(settings, "0x" + "99" * 20, form)
    assert not report.ok
    assert any("proposing needs" in p for p in report.problems)


def test_custom_call_arguments_are_typed(settings: Settings, seeded_chain: SeededChain) -> None:
    assert "CoopGovernor" in contract_names(settings)
    functions = {f.signature: f for f in function_views(settings, "CoopGovernor")}
    setter = next(s for s in functions if s.startswith("setVotingPeriod("))
    assert len(functions[setter].argument_labels) == 1
    bad = BuilderForm(
        kind="custom", contract="CoopGovernor", function=setter, arguments=("soon",), title="T"
    )
    assert "arg0" in check_form(settings, _proposer(seeded_chain), bad).field_errors
    good = dataclasses.replace(bad, arguments=("259200",))
    report = check_form(settings, _proposer(seeded_chain), good)
    assert report.ok, report.problems
    assert "voting period" in report.actions[0].lower()

"""Deployments have a stable manifest shape; the seed produces every proposal state."""

from __future__ import annotations

import json
from pathlib import Path

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import load_manifest, validate_deployment, write_manifest
from coop_dashboard.chain.deploy import TOKEN
from coop_dashboard.chain.seed import MEMBERS, TREASURY_ETH, TREASURY_USD, USD
from coop_dashboard.content.cid import sha256_digest
from coop_dashboard.content.store import LocalContentStore
from tests.support.chains import SeededChain, deploy, start_chain

GOVERNOR_STATES = [
    "pending",
    "active",
    "canceled",
    "defeated",
    "succeeded",
    "queued",
    "expired",
    "executed",
]


def _shape(value: object) -> object:
    """The structure of a JSON value with leaves replaced by their type names."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items() if k != "abi"}
    if isinstance(value, list):
        return [type(value).__name__]
    return type(value).__name__


def test_two_fresh_chains_give_the_same_manifest_shape(
    compiled_artifacts: dict[str, Artifact], tmp_path: Path
) -> None:
    manifests = []
    for index in range(2):
        chain = start_chain()
        try:
            deployment = deploy(chain, compiled_artifacts)
            path = tmp_path / f"deployment-{index}.json"
            write_manifest(deployment, path)
            loaded = load_manifest(path)
            validate_deployment(chain.w3, loaded, chain.rpc_url, chain.chain_id)
            manifests.append(json.loads(path.read_text()))
        finally:
            chain.stop()
    first, second = manifests
    assert _shape(first) == _shape(second)
    assert set(first["contracts"]) == {
        "CoopToken",
        "CoopTimelock",
        "CoopGovernor",
        "DelegateRegistry",
        "DatasetRegistry",
        "DataLicensing",
        "JobBoard",
        "MockStablecoin",
    }
    assert first["parameters"] == second["parameters"]
    for name in first["contracts"]:
        assert first["contracts"][name]["abi"] == second["contracts"][name]["abi"]
        assert first["contracts"][name]["block_number"] >= first["deploy_block"]


def test_seed_produces_every_proposal_state(seeded_chain: SeededChain) -> None:
    governor = seeded_chain.deployment.contract(seeded_chain.w3, "CoopGovernor")
    report = seeded_chain.report
    assert set(report.proposals) == set(GOVERNOR_STATES) - {"expired"}
    for expected, proposal_id in report.proposals.items():
        state = governor.functions.state(proposal_id).call()
        assert GOVERNOR_STATES[state] == expected, (
            f"proposal {expected} is {GOVERNOR_STATES[state]}"
        )
    # Proposals with votes carry reasons and all three kinds of support.
    executed_id = report.proposals["executed"]
    against, for_votes, abstain = governor.functions.proposalVotes(executed_id).call()
    assert against > 0 and for_votes > 0 and abstain > 0
    logs = governor.events.VoteCast().get_logs(from_block=seeded_chain.deployment.deploy_block)
    assert sum(1 for log in logs if log["args"]["reason"]) >= 10


def test_seed_members_treasury_and_statements(seeded_chain: SeededChain) -> None:
    w3, deployment, report = seeded_chain.w3, seeded_chain.deployment, seeded_chain.report
    token = deployment.contract(w3, "CoopToken").functions
    timelock = deployment.address("CoopTimelock")
    assert len(report.members) == len(MEMBERS) == 12

    delegated_to_self = delegated_to_other = undelegated = 0
    for address, spec in zip(report.members, MEMBERS, strict=True):
        assert token.balanceOf(address).call() == spec.tokens * TOKEN
        delegatee = token.delegates(address).call()
        if spec.delegate_to is None:
            undelegated += 1
            assert int(delegatee, 16) == 0
        elif report.members[spec.delegate_to] == address:
            delegated_to_self += 1
        else:
            delegated_to_other += 1
            assert delegatee == report.members[spec.delegate_to]
    assert delegated_to_self >= 3 and delegated_to_other >= 3 and undelegated >= 2

    assert token.balanceOf(deployment.deployer).call() == 0  # the deployer kept nothing
    # the 25 ETH grant succeeded but was never queued: the ETH is all still there
    assert w3.eth.get_balance(timelock) == TREASURY_ETH * 10**18
    stable = deployment.contract(w3, "MockStablecoin").functions
    # the executed demo proposal paid 120,000 cUSD out of the treasury
    assert stable.balanceOf(timelock).call() == (TREASURY_USD - 120_000) * USD

    registry = deployment.contract(w3, "DelegateRegistry").functions
    store = LocalContentStore(seeded_chain.content_dir)
    # Four statements were published; Elif cleared hers, Amara edited hers twice.
    assert len(report.statements) == 3
    assert not registry.hasStatement(report.members[4]).call()
    assert registry.statementOf(report.members[0]).call()[3] == 3
    for address, cid in report.statements.items():
        digest, _seeking, _updated, _version = registry.statementOf(address).call()
        assert digest == sha256_digest(store.get(cid))

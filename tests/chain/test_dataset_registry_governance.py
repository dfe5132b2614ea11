"""Governing the dataset registry through proposals: the builder's dataset actions
(curators, bond settings, delisting) pass, execute through the timelock, read back in
words on the proposal page, and refuse bad input before anything is signed."""

from __future__ import annotations

import pytest
from web3.contract import Contract

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.governance_types import KnownContract, TokenInfo
from coop_dashboard.chain.transact import Sender
from coop_dashboard.content.cid import cid_for_bytes
from coop_dashboard.services.governance.actions import ActionContext, ActionKind, decode_action
from coop_dashboard.services.governance.dataset_actions import (
    DatasetGovernance,
    bond_waiting_period_change,
    curator_change,
    delist_dataset,
    minimum_bond_change,
)
from coop_dashboard.services.governance.validation import InvalidInput
from tests.support.chains import Chain
from tests.support.datasets import BOND, register, sample_registration
from tests.support.governance import pass_proposal

REASON_CID = cid_for_bytes(b"# Why\n\nThe data contains personal information.\n")
DAY = 86_400


def _suite(chain: Chain, deployment: Deployment, curators: frozenset[str]) -> DatasetGovernance:
    info = deployment.contract_info("DatasetRegistry")
    return DatasetGovernance(
        registry=KnownContract(info.name, info.address, info.abi),
        minimum_bond=BOND,
        bond_waiting_period=30 * DAY,
        curators=curators,
    )


def _context(deployment: Deployment) -> ActionContext:
    contracts = [
        KnownContract(info.name, info.address, info.abi) for info in deployment.contracts.values()
    ]
    return ActionContext.for_contracts(
        contracts,
        deployment.address("CoopTimelock"),
        {deployment.address("CoopToken"): TokenInfo("COOP", 18)},
    )


@pytest.fixture
def registry(chain: Chain, deployment: Deployment) -> Contract:
    return deployment.contract(chain.w3, "DatasetRegistry")


def test_a_proposal_manages_curators_bonds_and_delists(
    chain: Chain, deployment: Deployment, registry: Contract
) -> None:
    w3 = chain.w3
    contributor = Sender.unlocked(w3, w3.eth.accounts[3])
    curator = w3.eth.accounts[7]
    bad, _ = register(registry, contributor, sample_registration("bad"), bond=3 * BOND)
    suite = _suite(chain, deployment, frozenset())
    actions = [
        curator_change(suite, curator.lower(), grant=True),
        minimum_bond_change(suite, "0.25"),
        bond_waiting_period_change(suite, "7 days"),
        delist_dataset(suite, f"#{bad}", f"ipfs://{REASON_CID}", status="active"),
    ]
    context = _context(deployment)
    texts = [
        decode_action(i, a.target, a.value, a.calldata, context).summary
        for i, a in enumerate(actions)
    ]
    short = f"{curator[:6]}…{curator[-4:]}"
    assert texts == [
        f"Make {short} a dataset curator",
        "Set the minimum dataset bond to 0.25 ETH",
        "Set the dataset bond waiting period to 7 days",
        f"Delist dataset #{bad} for good (reason: ipfs://{REASON_CID}); "
        "its remaining bond goes to the treasury",
    ]
    decoded = decode_action(3, actions[3].target, 0, actions[3].calldata, context)
    assert decoded.kind is ActionKind.DATASET

    treasury = deployment.address("CoopTimelock")
    before = w3.eth.get_balance(treasury)
    voter = Sender.unlocked(w3, w3.eth.accounts[6])
    pass_proposal(
        w3,
        deployment,
        voter,
        [a.target for a in actions],
        [a.value for a in actions],
        [a.calldata for a in actions],
        "# Dataset governance\n\nA curator, new bond rules, one delisting.",
    )
    functions = registry.functions
    assert functions.hasRole(functions.CURATOR_ROLE().call(), curator).call()
    assert functions.minimumBond().call() == BOND * 5 // 2
    assert functions.bondWaitingPeriod().call() == 7 * DAY
    assert functions.statusOf(bad).call() == 3  # Delisted
    assert w3.eth.get_balance(treasury) == before + 3 * BOND

    revoke = curator_change(
        _suite(chain, deployment, frozenset({curator.lower()})), curator, grant=False
    )
    text = decode_action(0, revoke.target, 0, revoke.calldata, context).summary
    assert text == f"Remove {short} as a dataset curator"


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda s: curator_change(s, "0x" + "77" * 20, grant=True), "curator"),
        (lambda s: curator_change(s, "0x" + "88" * 20, grant=False), "curator"),
        (lambda s: curator_change(s, "not an address", grant=True), "curator"),
        (lambda s: minimum_bond_change(s, "0.1"), "minimum_bond"),
        (lambda s: minimum_bond_change(s, "1001"), "minimum_bond"),
        (lambda s: minimum_bond_change(s, "-1"), "minimum_bond"),
        (lambda s: bond_waiting_period_change(s, "30 days"), "bond_waiting_period"),
        (lambda s: bond_waiting_period_change(s, "731 days"), "bond_waiting_period"),
        (lambda s: delist_dataset(s, "abc", REASON_CID, "active"), "dataset"),
        (lambda s: delist_dataset(s, "0", REASON_CID, "active"), "dataset"),
        (lambda s: delist_dataset(s, "5", REASON_CID, None), "dataset"),
        (lambda s: delist_dataset(s, "5", REASON_CID, "delisted"), "dataset"),
        (lambda s: delist_dataset(s, "5", "", "active"), "reason"),
        (lambda s: delist_dataset(s, "5", "because I said so", "active"), "reason"),
    ],
)
def test_dataset_actions_refuse_bad_input(
    compiled_artifacts: dict[str, Artifact], build: object, field: str
) -> None:
    artifact = compiled_artifacts["DatasetRegistry"]
    suite = DatasetGovernance(
        registry=KnownContract("DatasetRegistry", "0x" + "11" * 20, artifact.abi),
        minimum_bond=BOND,
        bond_waiting_period=30 * DAY,
        curators=frozenset({"0x" + "77" * 20}),
    )
    with pytest.raises(InvalidInput) as refused:
        build(suite)  # type: ignore[operator]
    assert [p.field for p in refused.value.problems] == [field]

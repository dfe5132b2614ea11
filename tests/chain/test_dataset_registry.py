"""DatasetRegistry on anvil: every rule and every refusal, with the suite's real timelock."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from web3.contract import Contract

from coop_dashboard.chain import dataset_registry as limits
from coop_dashboard.chain import devchain
from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.dataset_registry import MAX_PARENTS, STATUSES, TRANSFORMATIONS
from coop_dashboard.chain.deploy import GovernanceParams
from coop_dashboard.chain.revert import DecodedRevert, RevertDecoder
from coop_dashboard.chain.transact import Sender
from coop_dashboard.services.governance.dataset_actions import MAX_BOND_WAITING_PERIOD
from tests.support.chains import CONTRACTS_DIR, Chain
from tests.support.datasets import (
    BOND,
    act_as_governance,
    emitted,
    register,
    sample_registration,
)
from tests.support.reverts import decoder_for, revert_of

DAY = 86_400
WAITING = GovernanceParams().dataset_bond_waiting_period_s
REGISTER_TWO_PARENTS_GAS_LIMIT = 250_000


@pytest.fixture
def registry(chain: Chain, deployment: Deployment) -> Contract:
    return deployment.contract(chain.w3, "DatasetRegistry")


@pytest.fixture
def decoder(compiled_artifacts: dict[str, Artifact]) -> RevertDecoder:
    return decoder_for(compiled_artifacts)


@pytest.fixture
def alice(chain: Chain) -> Sender:
    return Sender.unlocked(chain.w3, chain.w3.eth.accounts[3])


@pytest.fixture
def bob(chain: Chain) -> Sender:
    return Sender.unlocked(chain.w3, chain.w3.eth.accounts[4])


@pytest.fixture
def governance(chain: Chain, deployment: Deployment) -> Sender:
    return act_as_governance(chain.w3, deployment)


@pytest.fixture
def curator(chain: Chain, registry: Contract, governance: Sender) -> Sender:
    account = Sender.unlocked(chain.w3, chain.w3.eth.accounts[7])
    role = registry.functions.CURATOR_ROLE().call()
    governance.call(registry.functions.grantRole(role, account.address), what="grant curator")
    return account


def _refused(
    decoder: RevertDecoder, function: object, who: Sender, value: int = 0
) -> DecodedRevert:
    decoded = revert_of(decoder, function, who.address, value)  # type: ignore[arg-type]
    assert decoded is not None, "the call succeeded"
    return decoded


def _status(registry: Contract, dataset_id: int) -> str:
    return STATUSES[registry.functions.statusOf(dataset_id).call()]


def test_register_source_and_derived_with_events_and_views(
    chain: Chain, registry: Contract, alice: Sender, bob: Sender
) -> None:
    raw = sample_registration("digits")
    first, receipt = register(registry, alice, raw)
    second, _ = register(registry, bob, sample_registration("wine"))
    derived_registration = sample_registration(
        "digits+wine merged", parents=(second, first), transformation="merge"
    )
    derived, receipt = register(registry, alice, derived_registration, bond=3 * BOND)
    assert (first, second, derived) == (1, 2, 3)

    (event,) = emitted(registry, "DatasetRegistered", receipt)
    args = event["args"]
    assert args["contributor"] == alice.address and args["supersedes"] == 0
    assert args["contentDigest"] == derived_registration.content_digest
    assert args["dataCid"] == derived_registration.data_cid
    assert args["cardCid"] == derived_registration.card_cid
    assert args["modality"] == "tabular" and args["tags"] == ["tabular", "demo"]
    block_time = chain.w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    assert args["bond"] == 3 * BOND and args["bondUnlocksAt"] == block_time + WAITING
    (lineage,) = emitted(registry, "LineageRecorded", receipt)
    assert lineage["args"]["parents"] == [1, 2]  # sorted by the caller
    assert lineage["args"]["transformation"] == 6  # merge
    assert lineage["args"]["noteCid"] == derived_registration.transformation_note_cid

    views = registry.functions
    assert views.parentsOf(derived).call() == [1, 2]
    assert views.parentsOf(first).call() == []
    assert views.contributorOf(derived).call() == alice.address
    assert views.ownerOf(derived).call() == alice.address
    assert views.contentDigestOf(derived).call() == derived_registration.content_digest
    bond, unlocks_at, superseded_by, delisted, paused, by_governance = views.datasetOf(
        derived
    ).call()
    assert (bond, unlocks_at, superseded_by) == (3 * BOND, block_time + WAITING, 0)
    assert not (delisted or paused or by_governance)
    assert _status(registry, derived) == "active" and views.isLicensable(derived).call()
    assert views.datasetCount().call() == 3
    assert views.bondsHeld().call() == 5 * BOND
    assert chain.w3.eth.get_balance(registry.address) == 5 * BOND
    assert not views.isLicensable(0).call() and not views.isLicensable(99).call()


def test_register_with_two_parents_fits_the_gas_target(registry: Contract, alice: Sender) -> None:
    first, _ = register(registry, alice, sample_registration("a"))
    second, _ = register(registry, alice, sample_registration("b"))
    _, receipt = register(registry, alice, sample_registration("c", parents=(first, second)))
    assert receipt["gasUsed"] <= REGISTER_TWO_PARENTS_GAS_LIMIT


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"content_digest": b"\0" * 32}, "DatasetRegistryEmptyDigest"),
        ({"data_cid": ""}, "DatasetRegistryInvalidCid"),
        ({"card_cid": ""}, "DatasetRegistryInvalidCid"),
        ({"card_cid": "b" * 129}, "DatasetRegistryInvalidCid"),
        ({"transformation_note_cid": "b" * 129}, "DatasetRegistryInvalidCid"),
        ({"modality": ""}, "DatasetRegistryInvalidModality"),
        ({"modality": "m" * 33}, "DatasetRegistryInvalidModality"),
        ({"tags": tuple(f"t{i}" for i in range(17))}, "DatasetRegistryTooManyTags"),
        ({"tags": ("ok", "")}, "DatasetRegistryInvalidTag"),
        ({"tags": ("x" * 33,)}, "DatasetRegistryInvalidTag"),
        ({"parents": (1,), "transformation": "source"}, "DatasetRegistryTransformationMismatch"),
        ({"transformation": "cleaning"}, "DatasetRegistryTransformationMismatch"),
        ({"parents": (7,), "transformation": "split"}, "DatasetRegistryUnknownDataset"),
        ({"supersedes": 42}, "DatasetRegistryUnknownDataset"),
    ],
)
def test_register_refuses_bad_input(
    registry: Contract,
    decoder: RevertDecoder,
    alice: Sender,
    change: dict[str, object],
    error: str,
) -> None:
    register(registry, alice, sample_registration("parent"))
    bad = replace(sample_registration("bad"), **change)  # type: ignore[arg-type]
    decoded = _refused(decoder, registry.functions.register(bad.as_struct()), alice, BOND)
    assert decoded.name == error


def test_register_refuses_parent_lists_it_cannot_trust(
    registry: Contract, decoder: RevertDecoder, alice: Sender, governance: Sender
) -> None:
    ids = [register(registry, alice, sample_registration(f"p{i}"))[0] for i in range(17)]
    too_many = sample_registration("many", parents=tuple(ids))
    decoded = _refused(decoder, registry.functions.register(too_many.as_struct()), alice, BOND)
    assert decoded.name == "DatasetRegistryTooManyParents"
    assert decoded.args == (17, MAX_PARENTS)
    # Exactly MAX_PARENTS is fine.
    register(registry, alice, sample_registration("sixteen", parents=tuple(ids[:16])))

    repeated = sample_registration("dup", parents=(1, 1)).as_struct()
    unsorted = list(sample_registration("unsorted", parents=(1, 2)).as_struct())
    unsorted[5] = [2, 1]  # as_struct sorts: build the raw struct by hand
    zero = list(sample_registration("zero", parents=(1,)).as_struct())
    zero[5] = [0]
    for struct in (repeated, tuple(unsorted), tuple(zero)):
        decoded = _refused(decoder, registry.functions.register(struct), alice, BOND)
        assert decoded.name == "DatasetRegistryParentsNotSorted"

    governance.call(registry.functions.delist(ids[0], "bafyreason"), what="delist")
    child = sample_registration("of delisted", parents=(ids[0], ids[1]))
    decoded = _refused(decoder, registry.functions.register(child.as_struct()), alice, BOND)
    assert decoded.name == "DatasetRegistryParentDelisted" and decoded.args == (ids[0],)


def test_register_refuses_a_bond_below_the_minimum(
    registry: Contract, decoder: RevertDecoder, alice: Sender, governance: Sender
) -> None:
    function = registry.functions.register(sample_registration("cheap").as_struct())
    decoded = _refused(decoder, function, alice, BOND - 1)
    assert decoded.name == "DatasetRegistryBondTooLow" and decoded.args == (BOND - 1, BOND)
    receipt = governance.call(registry.functions.setMinimumBond(2 * BOND), what="set bond")
    (event,) = emitted(registry, "MinimumBondSet", receipt)
    assert (event["args"]["oldMinimumBond"], event["args"]["newMinimumBond"]) == (BOND, 2 * BOND)
    assert _refused(decoder, function, alice, BOND).name == "DatasetRegistryBondTooLow"
    register(registry, alice, sample_registration("cheap"), bond=2 * BOND)


def test_supersede_only_own_live_datasets_once(
    registry: Contract, decoder: RevertDecoder, alice: Sender, bob: Sender, governance: Sender
) -> None:
    v1, _ = register(registry, alice, sample_registration("v1"))
    by_bob = sample_registration("v2 by bob", supersedes=v1)
    decoded = _refused(decoder, registry.functions.register(by_bob.as_struct()), bob, BOND)
    assert decoded.name == "DatasetRegistryNotContributor" and decoded.args == (v1, bob.address)

    v2, receipt = register(registry, alice, sample_registration("v2", supersedes=v1))
    (event,) = emitted(registry, "DatasetSuperseded", receipt)
    assert (event["args"]["datasetId"], event["args"]["supersededBy"]) == (v1, v2)
    (registered,) = emitted(registry, "DatasetRegistered", receipt)
    assert registered["args"]["supersedes"] == v1
    assert _status(registry, v1) == "superseded" and _status(registry, v2) == "active"
    assert registry.functions.datasetOf(v1).call()[2] == v2
    # A superseded version stays licensable (a job may need exactly that version).
    assert registry.functions.isLicensable(v1).call()

    again = sample_registration("v2 again", supersedes=v1)
    decoded = _refused(decoder, registry.functions.register(again.as_struct()), alice, BOND)
    assert decoded.name == "DatasetRegistryAlreadySuperseded" and decoded.args == (v1, v2)

    governance.call(registry.functions.delist(v2, "bafyreason"), what="delist")
    v3 = sample_registration("v3", supersedes=v2)
    decoded = _refused(decoder, registry.functions.register(v3.as_struct()), alice, BOND)
    assert decoded.name == "DatasetRegistryDelisted"


def test_pause_and_resume_by_contributor_and_governance(
    registry: Contract, decoder: RevertDecoder, alice: Sender, bob: Sender, governance: Sender
) -> None:
    dataset, _ = register(registry, alice, sample_registration("pausable"))
    functions = registry.functions
    decoded = _refused(decoder, functions.pauseLicensing(dataset), bob)
    assert decoded.name == "DatasetRegistryNotContributorOrGovernance"
    assert _refused(decoder, functions.resumeLicensing(dataset), alice).name == (
        "DatasetRegistryNotPaused"
    )

    receipt = alice.call(functions.pauseLicensing(dataset), what="pause")
    (event,) = emitted(registry, "LicensingPaused", receipt)
    assert event["args"]["by"] == alice.address and not event["args"]["byGovernance"]
    assert _status(registry, dataset) == "licensing_paused"
    assert not functions.isLicensable(dataset).call()
    assert _refused(decoder, functions.pauseLicensing(dataset), alice).name == (
        "DatasetRegistryAlreadyPaused"
    )
    assert _refused(decoder, functions.resumeLicensing(dataset), bob).name == (
        "DatasetRegistryNotContributorOrGovernance"
    )
    receipt = alice.call(functions.resumeLicensing(dataset), what="resume")
    (event,) = emitted(registry, "LicensingResumed", receipt)
    assert event["args"]["by"] == alice.address
    assert _status(registry, dataset) == "active"

    # A pause by governance is lifted only by governance.
    receipt = governance.call(functions.pauseLicensing(dataset), what="governance pause")
    (event,) = emitted(registry, "LicensingPaused", receipt)
    assert event["args"]["byGovernance"]
    decoded = _refused(decoder, functions.resumeLicensing(dataset), alice)
    assert decoded.name == "DatasetRegistryPausedByGovernance"
    governance.call(functions.resumeLicensing(dataset), what="governance resume")
    assert functions.isLicensable(dataset).call()


def test_delist_slashes_the_bond_to_the_treasury_and_freezes_the_dataset(
    chain: Chain,
    deployment: Deployment,
    registry: Contract,
    decoder: RevertDecoder,
    alice: Sender,
    curator: Sender,
    governance: Sender,
) -> None:
    w3 = chain.w3
    dataset, _ = register(registry, alice, sample_registration("bad data"), bond=2 * BOND)
    other, _ = register(registry, alice, sample_registration("good data"))
    functions = registry.functions
    decoded = _refused(decoder, functions.delist(dataset, ""), governance)
    assert decoded.name == "DatasetRegistryInvalidCid" and decoded.args == ("reasonCid",)

    treasury = deployment.address("CoopTimelock")
    before = w3.eth.get_balance(treasury)
    receipt = governance.call(functions.delist(dataset, "bafyreasoncid"), what="delist")
    (event,) = emitted(registry, "DatasetDelisted", receipt)
    assert event["args"]["reasonCid"] == "bafyreasoncid"
    assert event["args"]["slashedBond"] == 2 * BOND
    gas_paid = receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert w3.eth.get_balance(treasury) == before + 2 * BOND - gas_paid
    assert w3.eth.get_balance(registry.address) == BOND == functions.bondsHeld().call()
    assert _status(registry, dataset) == "delisted"
    assert not functions.isLicensable(dataset).call()

    devchain.increase_time(w3, WAITING + 1)
    for who, function in (
        (alice, functions.withdrawBond(dataset)),
        (alice, functions.pauseLicensing(dataset)),
        (governance, functions.resumeLicensing(dataset)),
        (curator, functions.attest(dataset, 90, "")),
        (governance, functions.delist(dataset, "bafyagain")),
    ):
        assert _refused(decoder, function, who).name == "DatasetRegistryDelisted"
    alice.call(functions.withdrawBond(other), what="withdraw the other bond")


def test_withdraw_bond_after_the_waiting_period_only_by_the_contributor(
    chain: Chain, registry: Contract, decoder: RevertDecoder, alice: Sender, bob: Sender
) -> None:
    w3 = chain.w3
    dataset, receipt = register(registry, alice, sample_registration("bonded"), bond=3 * BOND)
    unlocks_at = w3.eth.get_block(receipt["blockNumber"])["timestamp"] + WAITING
    functions = registry.functions
    decoded = _refused(decoder, functions.withdrawBond(dataset), alice)
    assert decoded.name == "DatasetRegistryBondLocked" and decoded.args == (dataset, unlocks_at)
    devchain.increase_time(w3, WAITING + 1)
    decoded = _refused(decoder, functions.withdrawBond(dataset), bob)
    assert decoded.name == "DatasetRegistryNotContributor"
    assert _refused(decoder, functions.withdrawBond(99), alice).name == (
        "DatasetRegistryUnknownDataset"
    )

    before = w3.eth.get_balance(alice.address)
    receipt = alice.call(functions.withdrawBond(dataset), what="withdraw")
    (event,) = emitted(registry, "BondWithdrawn", receipt)
    assert (event["args"]["to"], event["args"]["amount"]) == (alice.address, 3 * BOND)
    gas_paid = receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert w3.eth.get_balance(alice.address) == before + 3 * BOND - gas_paid
    assert w3.eth.get_balance(registry.address) == 0 == functions.bondsHeld().call()
    assert _refused(decoder, functions.withdrawBond(dataset), alice).name == (
        "DatasetRegistryNoBond"
    )
    # Withdrawing the bond does not change the dataset's status.
    assert _status(registry, dataset) == "active"


def test_the_bond_goes_with_the_token(
    chain: Chain, registry: Contract, decoder: RevertDecoder, alice: Sender, bob: Sender
) -> None:
    dataset, _ = register(registry, alice, sample_registration("sold"))
    alice.call(
        registry.functions.transferFrom(alice.address, bob.address, dataset), what="transfer"
    )
    assert registry.functions.contributorOf(dataset).call() == bob.address
    devchain.increase_time(chain.w3, WAITING + 1)
    assert _refused(decoder, registry.functions.withdrawBond(dataset), alice).name == (
        "DatasetRegistryNotContributor"
    )
    bob.call(registry.functions.withdrawBond(dataset), what="withdraw as new holder")
    v2 = sample_registration("sold v2", supersedes=dataset)
    decoded = _refused(decoder, registry.functions.register(v2.as_struct()), alice, BOND)
    assert decoded.name == "DatasetRegistryNotContributor"


def test_waiting_period_applies_to_later_registrations(
    chain: Chain,
    registry: Contract,
    decoder: RevertDecoder,
    alice: Sender,
    governance: Sender,
) -> None:
    early, _ = register(registry, alice, sample_registration("early"))
    functions = registry.functions
    too_long = 731 * DAY
    decoded = _refused(decoder, functions.setBondWaitingPeriod(too_long), governance)
    assert decoded.name == "DatasetRegistryWaitingPeriodTooLong"
    receipt = governance.call(functions.setBondWaitingPeriod(2 * DAY), what="set waiting")
    (event,) = emitted(registry, "BondWaitingPeriodSet", receipt)
    assert (event["args"]["oldWaitingPeriod"], event["args"]["newWaitingPeriod"]) == (
        WAITING,
        2 * DAY,
    )
    late, _ = register(registry, alice, sample_registration("late"))
    devchain.increase_time(chain.w3, 2 * DAY + 1)
    alice.call(functions.withdrawBond(late), what="withdraw late")
    assert _refused(decoder, functions.withdrawBond(early), alice).name == (
        "DatasetRegistryBondLocked"
    )


def test_attest_once_then_update_only_with_a_change(
    registry: Contract, decoder: RevertDecoder, alice: Sender, bob: Sender, curator: Sender
) -> None:
    dataset, _ = register(registry, alice, sample_registration("attested"))
    functions = registry.functions
    decoded = _refused(decoder, functions.attest(dataset, 80, "bafynote"), bob)
    assert decoded.name == "AccessControlUnauthorizedAccount"
    assert _refused(decoder, functions.updateAttestation(dataset, 80, ""), bob).name == (
        "AccessControlUnauthorizedAccount"
    )
    decoded = _refused(decoder, functions.attest(dataset, 101, ""), curator)
    assert decoded.name == "DatasetRegistryInvalidScore"
    assert _refused(decoder, functions.attest(99, 50, ""), curator).name == (
        "DatasetRegistryUnknownDataset"
    )
    assert _refused(decoder, functions.updateAttestation(dataset, 50, ""), curator).name == (
        "DatasetRegistryNotAttested"
    )

    receipt = curator.call(functions.attest(dataset, 80, "bafynote"), what="attest")
    (event,) = emitted(registry, "DatasetAttested", receipt)
    assert event["args"]["curator"] == curator.address
    assert (event["args"]["score"], event["args"]["noteCid"]) == (80, "bafynote")
    assert functions.attestorsOf(dataset).call() == [curator.address]
    score, attested_at, _ = functions.attestationOf(dataset, curator.address).call()
    assert score == 80 and attested_at > 0

    # A second attestation is bad input: the curator must say it is an update.
    decoded = _refused(decoder, functions.attest(dataset, 90, "bafynote2"), curator)
    assert decoded.name == "DatasetRegistryAlreadyAttested"
    decoded = _refused(decoder, functions.updateAttestation(dataset, 80, "bafynote"), curator)
    assert decoded.name == "DatasetRegistryAttestationUnchanged"

    receipt = curator.call(functions.updateAttestation(dataset, 80, "bafynew"), what="note")
    (event,) = emitted(registry, "AttestationUpdated", receipt)
    assert (event["args"]["previousScore"], event["args"]["score"]) == (80, 80)
    receipt = curator.call(functions.updateAttestation(dataset, 35, "bafynew"), what="score")
    (event,) = emitted(registry, "AttestationUpdated", receipt)
    assert (event["args"]["previousScore"], event["args"]["score"]) == (80, 35)
    assert functions.attestationOf(dataset, curator.address).call()[0] == 35
    assert functions.attestorsOf(dataset).call() == [curator.address]  # still one


def test_attestations_per_dataset_are_bounded(
    chain: Chain,
    registry: Contract,
    decoder: RevertDecoder,
    alice: Sender,
    governance: Sender,
) -> None:
    dataset, _ = register(registry, alice, sample_registration("popular"))
    role = registry.functions.CURATOR_ROLE().call()
    curators = [Sender.unlocked(chain.w3, a) for a in chain.w3.eth.accounts[2:19]]
    for index, account in enumerate(curators):
        governance.call(registry.functions.grantRole(role, account.address), what="grant")
        function = registry.functions.attest(dataset, 50 + index, "")
        if index < 16:
            account.call(function, what="attest")
        else:
            decoded = _refused(decoder, function, account)
            assert decoded.name == "DatasetRegistryTooManyAttestations"
    assert len(registry.functions.attestorsOf(dataset).call()) == 16


def test_only_governance_manages_curators(
    chain: Chain, deployment: Deployment, registry: Contract, curator: Sender, governance: Sender
) -> None:
    functions = registry.functions
    role = functions.CURATOR_ROLE().call()
    admin = functions.DEFAULT_ADMIN_ROLE().call()
    assert functions.getRoleAdmin(role).call() == admin
    assert functions.hasRole(admin, deployment.address("CoopTimelock")).call()
    assert not functions.hasRole(admin, deployment.deployer).call()
    assert functions.treasury().call() == deployment.address("CoopTimelock")
    governance.call(functions.revokeRole(role, curator.address), what="revoke curator")
    assert not functions.hasRole(role, curator.address).call()


def _solidity_enum(name: str) -> list[str]:
    source = (CONTRACTS_DIR / "src" / "DatasetRegistry.sol").read_text()
    match = re.search(rf"enum {name} \{{([^}}]*)\}}", source)
    assert match is not None, name
    return [member.strip() for member in match.group(1).split(",") if member.strip()]


def test_the_python_enums_follow_the_contract() -> None:
    """The indexer stores names by the chain's enum index: both lists must agree."""
    assert [m.lower() for m in _solidity_enum("Transformation")] == list(TRANSFORMATIONS)
    snake = [re.sub(r"(?<!^)([A-Z])", r"_\1", m).lower() for m in _solidity_enum("Status")]
    assert snake == list(STATUSES)


def test_the_python_limits_follow_the_contract(registry: Contract) -> None:
    functions = registry.functions
    assert functions.MAX_PARENTS().call() == limits.MAX_PARENTS
    assert functions.MAX_TAGS().call() == limits.MAX_TAGS
    assert functions.MAX_LABEL_LENGTH().call() == limits.MAX_LABEL_LENGTH
    assert functions.MAX_CID_LENGTH().call() == limits.MAX_CID_LENGTH
    assert functions.MAX_SCORE().call() == limits.MAX_SCORE
    assert functions.MAX_BOND_WAITING_PERIOD().call() == MAX_BOND_WAITING_PERIOD


def test_a_bond_beyond_96_bits_is_refused(
    chain: Chain, registry: Contract, decoder: RevertDecoder, alice: Sender
) -> None:
    chain.w3.provider.make_request("anvil_setBalance", [alice.address, hex(2**97)])  # type: ignore[arg-type]
    function = registry.functions.register(sample_registration("whale").as_struct())
    decoded = _refused(decoder, function, alice, 2**96)
    assert decoded.name == "DatasetRegistryBondTooHigh"

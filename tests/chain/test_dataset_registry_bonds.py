"""DatasetRegistry's money: re-entry through a malicious receiver, and the invariant
"the contract holds exactly the bonds it still owes" over random action sequences."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3 import Web3
from web3.contract import Contract

from coop_dashboard.chain import devchain
from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.revert import RevertDecoder
from coop_dashboard.chain.transact import Sender
from tests.support.chains import Chain, deploy
from tests.support.datasets import BOND, act_as_governance, register, sample_registration
from tests.support.reverts import decoder_for, revert_of

WAITING = 30 * 86_400


def _deploy_receiver(w3: Web3, artifacts: dict[str, Artifact], registry: str) -> Contract:
    artifact = artifacts["MaliciousBondReceiver"]
    deployer = Sender.unlocked(w3, w3.eth.accounts[0])
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = deployer.deploy(factory.constructor(registry), what="deploy receiver")
    return w3.eth.contract(address=receipt["contractAddress"], abi=artifact.abi)


ACCEPT, REENTER, REJECT = 0, 1, 2


def test_a_reentering_receiver_gets_its_bond_once_and_a_reverting_one_locks_nobody(
    chain: Chain, deployment: Deployment, compiled_artifacts: dict[str, Artifact]
) -> None:
    w3 = chain.w3
    registry = deployment.contract(w3, "DatasetRegistry")
    receiver = _deploy_receiver(w3, compiled_artifacts, registry.address)
    driver = Sender.unlocked(w3, w3.eth.accounts[5])
    honest = Sender.unlocked(w3, w3.eth.accounts[6])

    def register_as_receiver(name: str) -> int:
        registration = sample_registration(name).as_struct()
        driver.call(receiver.functions.register(registration), what="register", value=BOND)
        return int(registry.functions.datasetCount().call())

    first = register_as_receiver("attacker one")
    second = register_as_receiver("attacker two")
    honest_id, _ = register(registry, honest, sample_registration("honest"), bond=2 * BOND)
    devchain.increase_time(w3, WAITING + 1)

    # Re-entering for the same bond, then for its other bond: the guard refuses both.
    for target in (first, second):
        driver.call(receiver.functions.setMode(REENTER, target), what="arm")
        driver.call(receiver.functions.withdraw(target), what="withdraw")
        assert receiver.functions.reentrySuccesses().call() == 0
    assert receiver.functions.reentryAttempts().call() == 2
    assert w3.eth.get_balance(receiver.address) == 2 * BOND
    assert w3.eth.get_balance(registry.address) == 2 * BOND == registry.functions.bondsHeld().call()

    # A receiver that reverts fails only its own withdrawal.
    third = register_as_receiver("attacker three")
    devchain.increase_time(w3, WAITING + 1)
    driver.call(receiver.functions.setMode(REJECT, 0), what="reject")
    decoder = decoder_for(compiled_artifacts)
    decoded = revert_of(decoder, receiver.functions.withdraw(third), driver.address)
    # sendValue passes the receiver's own error up: the withdrawal reverts as a whole.
    assert decoded is not None and decoded.name == "MaliciousBondReceiverRejected"
    honest.call(registry.functions.withdrawBond(honest_id), what="honest withdraws")
    assert registry.functions.datasetOf(third).call()[0] == BOND  # still owed, still there
    assert w3.eth.get_balance(registry.address) == BOND == registry.functions.bondsHeld().call()
    driver.call(receiver.functions.setMode(ACCEPT, 0), what="accept")
    driver.call(receiver.functions.withdraw(third), what="withdraw at last")
    assert w3.eth.get_balance(registry.address) == 0


# ---------------------------------------------------------------- invariant


@dataclass
class Model:
    """What the test expects the registry to owe, per dataset."""

    owed: dict[int, int] = field(default_factory=dict)
    owner: dict[int, str] = field(default_factory=dict)
    delisted: set[int] = field(default_factory=set)
    superseded: set[int] = field(default_factory=set)


Action = tuple[str, int, int]  # (kind, actor or dataset choice, amount choice)

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["register", "supersede", "withdraw", "delist", "wait", "transfer"]),
        st.integers(min_value=0, max_value=1_000),
        st.integers(min_value=0, max_value=4),
    ),
    min_size=1,
    max_size=14,
)


@pytest.fixture(scope="module")
def bond_world(
    chain: Chain, compiled_artifacts: dict[str, Artifact]
) -> Iterator[tuple[Contract, Sender, list[Sender], RevertDecoder]]:
    deployment = deploy(chain, compiled_artifacts)
    registry = deployment.contract(chain.w3, "DatasetRegistry")
    governance = act_as_governance(chain.w3, deployment)
    contributors = [Sender.unlocked(chain.w3, a) for a in chain.w3.eth.accounts[10:14]]
    yield registry, governance, contributors, decoder_for(compiled_artifacts)


def _pick(items: list[int], choice: int) -> int | None:
    return items[choice % len(items)] if items else None


def _apply(
    w3: Web3,
    registry: Contract,
    governance: Sender,
    contributors: list[Sender],
    decoder: RevertDecoder,
    model: Model,
    action: Action,
    step: int,
) -> None:
    kind, choice, amount = action
    ids = sorted(model.owner)
    live = [i for i in ids if i not in model.delisted]
    if kind in ("register", "supersede"):
        who = contributors[choice % len(contributors)]
        supersedes = 0
        if kind == "supersede":
            own = [i for i in live if model.owner[i] == who.address and i not in model.superseded]
            supersedes = _pick(own, choice) or 0
        parents = tuple(sorted(set(live[-2:]))) if live and choice % 2 else ()
        bond = BOND + amount * 10**16
        registration = replace(
            sample_registration(f"d{step}-{choice}", parents=parents), supersedes=supersedes
        )
        dataset, _ = register(registry, who, registration, bond=bond)
        model.owed[dataset] = bond
        model.owner[dataset] = who.address
        if supersedes:
            model.superseded.add(supersedes)
    elif kind == "withdraw":
        dataset = _pick([i for i in live if model.owed[i]], choice)
        if dataset is None:
            return
        owner = Sender.unlocked(w3, model.owner[dataset])
        unlocks_at = registry.functions.datasetOf(dataset).call()[1]
        if devchain.latest_timestamp(w3) + 1 < unlocks_at:
            # Still locked: refused, nothing moves.
            refused = revert_of(decoder, registry.functions.withdrawBond(dataset), owner.address)
            assert refused is not None and refused.name == "DatasetRegistryBondLocked"
            return
        owner.call(registry.functions.withdrawBond(dataset), what="withdraw")
        model.owed[dataset] = 0
    elif kind == "delist":
        dataset = _pick(live, choice)
        if dataset is None:
            return
        governance.call(registry.functions.delist(dataset, "bafyreason"), what="delist")
        model.owed[dataset] = 0
        model.delisted.add(dataset)
    elif kind == "wait":
        devchain.increase_time(w3, (amount + 1) * WAITING // 3)
    elif kind == "transfer":
        dataset = _pick(ids, choice)
        if dataset is None:
            return
        owner = Sender.unlocked(w3, model.owner[dataset])
        to = contributors[(choice + 1) % len(contributors)].address
        owner.call(
            registry.functions.transferFrom(owner.address, to, dataset), what="transfer token"
        )
        model.owner[dataset] = to


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=ACTIONS)
def test_balance_equals_the_bonds_still_owed(
    chain: Chain,
    bond_world: tuple[Contract, Sender, list[Sender], RevertDecoder],
    actions: list[Action],
) -> None:
    w3 = chain.w3
    registry, governance, contributors, decoder = bond_world
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    base_count = int(registry.functions.datasetCount().call())
    assert base_count == 0
    model = Model()
    try:
        for step, action in enumerate(actions):
            _apply(w3, registry, governance, contributors, decoder, model, action, step)
            owed = sum(model.owed.values())
            assert w3.eth.get_balance(registry.address) == owed
            assert registry.functions.bondsHeld().call() == owed
        for dataset, bond in model.owed.items():
            assert registry.functions.datasetOf(dataset).call()[0] == bond
    finally:
        w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]

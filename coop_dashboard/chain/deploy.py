"""Deploy the contract suite, wire its roles, and describe it in a manifest.

After `deploy_suite` the deployer holds no role anywhere: the timelock
administers itself, owns the token's mint, and only the governor may schedule
operations on it. Only governance changes parameters or moves treasury funds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from web3 import Web3

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import DeployedContract, Deployment
from coop_dashboard.chain.transact import Sender
from coop_dashboard.errors import ConfigError

TOKEN = 10**18
DAY = 86_400

# anvil's default chain ids of local development nodes; the mock stablecoin is
# only ever deployed on these.
LOCAL_CHAIN_IDS = frozenset({31337, 1337})


@dataclass(frozen=True)
class GovernanceParams:
    """Initial settings of the suite (all changeable later, by governance only)."""

    token_name: str = "Coop Governance Token"
    token_symbol: str = "COOP"
    initial_supply: int = 10_000_000 * TOKEN
    voting_delay_s: int = 1 * DAY
    voting_period_s: int = 5 * DAY
    proposal_threshold: int = 10_000 * TOKEN
    quorum_percent: int = 4
    late_quorum_extension_s: int = 1 * DAY
    timelock_delay_s: int = 2 * DAY
    # DatasetRegistry: the bond a contributor posts per dataset, and how long it stays locked.
    dataset_minimum_bond: int = TOKEN // 10  # 0.1 ETH (wei)
    dataset_bond_waiting_period_s: int = 30 * DAY
    # DataLicensing: shares of every sale, in basis points (treasury, curators, upstream).
    license_treasury_fee_bps: int = 500
    license_curator_bps: int = 500
    license_royalty_bps: int = 1_000
    # JobBoard: a challenge's bond, the challenger's share of a slashed stake (the rest goes
    # to the treasury) and how long an arbiter has before a challenge escalates to governance.
    job_challenge_bond: int = TOKEN // 20  # 0.05 ETH (wei)
    job_challenger_share_bps: int = 5_000
    job_escalation_period_s: int = 7 * DAY

    def validate(self) -> None:
        if not 0 < self.quorum_percent <= 100:
            raise ConfigError(f"quorum_percent must be 1..100, got {self.quorum_percent}")
        if self.voting_period_s <= 0:
            raise ConfigError("voting_period_s must be positive")
        if self.voting_delay_s < 0 or self.timelock_delay_s < 0:
            raise ConfigError("delays cannot be negative")
        if self.dataset_minimum_bond < 0 or self.dataset_bond_waiting_period_s < 0:
            raise ConfigError("the dataset bond and its waiting period cannot be negative")
        shares = (self.license_treasury_fee_bps, self.license_curator_bps, self.license_royalty_bps)
        if any(not 0 <= share <= 5_000 for share in shares):
            raise ConfigError(f"each license share must be 0..5000 basis points, got {shares}")
        if not 0 <= self.job_challenger_share_bps <= 10_000:
            raise ConfigError("the challenger's share must be 0..10000 basis points")
        if not 0 < self.job_escalation_period_s <= 90 * DAY or self.job_challenge_bond < 0:
            raise ConfigError("the escalation period must be 1 s..90 days, the bond not negative")


def _deploy(
    w3: Web3, sender: Sender, artifact: Artifact, *args: Any
) -> tuple[DeployedContract, int]:
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = sender.deploy(factory.constructor(*args), what=f"deploy {artifact.name}")
    created = receipt["contractAddress"]
    assert created is not None  # Sender.deploy checked it
    address = Web3.to_checksum_address(created)
    block_number = int(receipt["blockNumber"])
    return DeployedContract(artifact.name, address, artifact.abi, block_number), block_number


def _artifact(artifacts: dict[str, Artifact], name: str) -> Artifact:
    try:
        return artifacts[name]
    except KeyError as exc:
        raise ConfigError(f"{name} is not compiled: run `coop compile`.") from exc


def deploy_suite(
    w3: Web3,
    artifacts: dict[str, Artifact],
    sender: Sender,
    params: GovernanceParams | None = None,
    *,
    with_mock_stablecoin: bool | None = None,
) -> Deployment:
    """Deploy and wire the suite; returns the deployment (write it with write_manifest)."""
    params = params or GovernanceParams()
    params.validate()
    chain_id = w3.eth.chain_id
    if with_mock_stablecoin is None:
        with_mock_stablecoin = chain_id in LOCAL_CHAIN_IDS
    deployer = sender.address

    timelock, first_block = _deploy(
        w3,
        sender,
        _artifact(artifacts, "CoopTimelock"),
        params.timelock_delay_s,
        [],
        [],
        deployer,  # temporary admin, renounced below
    )
    token, _ = _deploy(
        w3,
        sender,
        _artifact(artifacts, "CoopToken"),
        params.token_name,
        params.token_symbol,
        deployer,
        params.initial_supply,
        timelock.address,
    )
    governor, _ = _deploy(
        w3,
        sender,
        _artifact(artifacts, "CoopGovernor"),
        token.address,
        timelock.address,
        params.voting_delay_s,
        params.voting_period_s,
        params.proposal_threshold,
        params.quorum_percent,
        params.late_quorum_extension_s,
    )
    registry, _ = _deploy(w3, sender, _artifact(artifacts, "DelegateRegistry"))
    # The timelock administers the registry (curators, bond settings, delisting) and
    # receives slashed bonds; the deployer never holds a role in it.
    datasets, _ = _deploy(
        w3,
        sender,
        _artifact(artifacts, "DatasetRegistry"),
        timelock.address,
        timelock.address,
        params.dataset_minimum_bond,
        params.dataset_bond_waiting_period_s,
    )
    contracts = {c.name: c for c in (token, timelock, governor, registry, datasets)}
    license_currencies: list[str] = []
    if with_mock_stablecoin:
        stablecoin, _ = _deploy(w3, sender, _artifact(artifacts, "MockStablecoin"))
        contracts[stablecoin.name] = stablecoin
        license_currencies.append(stablecoin.address)
    # Licenses: the timelock administers (shares, currencies, revocations) and is credited
    # the treasury fee; cUSD is allowed from the start on local chains.
    licensing, _ = _deploy(
        w3,
        sender,
        _artifact(artifacts, "DataLicensing"),
        datasets.address,
        timelock.address,
        timelock.address,
        params.license_treasury_fee_bps,
        params.license_curator_bps,
        params.license_royalty_bps,
        license_currencies,
    )
    contracts[licensing.name] = licensing
    # Jobs: the timelock administers (arbiters, bond, shares, assets) and is credited the
    # treasury's share of slashed stakes; bounties in ETH or the licensing currencies.
    jobs, _ = _deploy(
        w3,
        sender,
        _artifact(artifacts, "JobBoard"),
        licensing.address,
        timelock.address,
        timelock.address,
        params.job_challenge_bond,
        params.job_challenger_share_bps,
        params.job_escalation_period_s,
        license_currencies,
    )
    contracts[jobs.name] = jobs

    timelock_contract = w3.eth.contract(
        address=Web3.to_checksum_address(timelock.address), abi=timelock.abi
    )
    roles = timelock_contract.functions
    proposer_role = roles.PROPOSER_ROLE().call()
    canceller_role = roles.CANCELLER_ROLE().call()
    executor_role = roles.EXECUTOR_ROLE().call()
    admin_role = roles.DEFAULT_ADMIN_ROLE().call()
    sender.call(roles.grantRole(proposer_role, governor.address), what="grant proposer")
    sender.call(roles.grantRole(canceller_role, governor.address), what="grant canceller")
    # Only the governor executes. Anyone may still execute a ready proposal through
    # Governor.execute, and that path emits ProposalExecuted; an open executor role
    # would let the timelock run it directly, leaving the Governor's state "executed"
    # with no governor event for the dashboard's index to see.
    sender.call(roles.grantRole(executor_role, governor.address), what="grant executor")
    sender.call(roles.renounceRole(admin_role, deployer), what="renounce timelock admin")

    block = w3.eth.get_block(first_block)
    return Deployment(
        chain_id=chain_id,
        deploy_block=first_block,
        deploy_block_hash=block["hash"].to_0x_hex(),
        deployer=deployer,
        contracts=contracts,
        parameters=asdict(params)
        | {
            "initial_supply": str(params.initial_supply),
            "proposal_threshold": str(params.proposal_threshold),
            "dataset_minimum_bond": str(params.dataset_minimum_bond),
            "job_challenge_bond": str(params.job_challenge_bond),
        },
    )

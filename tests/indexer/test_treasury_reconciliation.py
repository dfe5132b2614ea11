"""Treasury movements reconcile to the wei: for every asset, the flows recorded over
any block range equal the chain's balance change over it; every movement has the
category and the proposal the chain says (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3 import Web3

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import Deployment, write_manifest
from coop_dashboard.db.treasury_categories import Category
from coop_dashboard.db.treasury_queries import all_movements, net_flow
from coop_dashboard.evm import ZERO_ADDRESS
from coop_dashboard.indexer.service import run_once
from coop_dashboard.services.treasury.assets import recognised_assets
from coop_dashboard.services.treasury.ledger import holdings
from tests.indexer.conftest import engine_for, indexer_settings
from tests.support.chains import Chain, deploy
from tests.support.treasury_activity import ETH, USD, TreasuryActivity

_ERC20_BALANCE_ABI = [
    {
        "name": "balanceOf",
        "type": "function",
        "stateMutability": "view",
        "inputs": [{"name": "a", "type": "address"}],
        "outputs": [{"name": "", "type": "uint256"}],
    }
]


def _balance(w3: Web3, asset: str, holder: str, block: int) -> int:
    if block < 0:
        return 0
    if asset == "eth":
        return int(w3.eth.get_balance(holder, block_identifier=block))
    address = Web3.to_checksum_address(asset)
    if not w3.eth.get_code(address, block_identifier=block):
        return 0  # the token did not exist yet
    token = w3.eth.contract(address=address, abi=_ERC20_BALANCE_ABI)
    return int(token.functions.balanceOf(holder).call(block_identifier=block))


def _index(chain: Chain, deployment: Deployment, database_url: str, tmp_path: Path) -> None:
    manifest = tmp_path / f"deployment-{deployment.address('CoopTimelock')[-6:]}.json"
    write_manifest(deployment, manifest)
    run_once(indexer_settings(chain.rpc_url, manifest, database_url))


def assert_reconciles(
    w3: Web3, deployment: Deployment, database_url: str, assets: list[str], ranges: int = 12
) -> None:
    """Every block's cumulative flows equal its balance; random ranges through SQL too."""
    engine = engine_for(database_url)
    treasury = deployment.address("CoopTimelock")
    start = deployment.deploy_block
    head = w3.eth.block_number
    movements = all_movements(engine)
    rng = random.Random(12)
    for asset in assets:
        opening = _balance(w3, asset, treasury, start - 1)
        running = opening
        by_block: dict[int, int] = {}
        for item in movements:
            if item.asset == asset:
                by_block[item.block_number] = by_block.get(item.block_number, 0) + item.signed
        for block in range(start, head + 1):
            running += by_block.get(block, 0)
            assert running == _balance(w3, asset, treasury, block), (asset, block)
        for _ in range(ranges):
            first, last = sorted(rng.sample(range(start, head + 1), 2))
            change = _balance(w3, asset, treasury, last) - _balance(w3, asset, treasury, first - 1)
            assert net_flow(engine, asset, first, last) == change, (asset, first, last)


def test_categories_proposals_and_holdings_match_the_chain(
    chain: Chain,
    compiled_artifacts: dict[str, Artifact],
    database_url: str,
    tmp_path: Path,
) -> None:
    deployment = deploy(chain, compiled_artifacts)
    activity = TreasuryActivity(chain.w3, deployment, compiled_artifacts)
    activity.donate_eth(20 * ETH)
    activity.send_coop(1_000 * ETH)
    activity.faucet_usd(50_000 * USD)
    activity.fake_transfer(10**30)
    grant = activity.grant(3 * ETH, 1_200 * USD, "# Grant\n\nA monthly grant.\n")
    slash = activity.slash_bond(ETH // 2)
    _index(chain, deployment, database_url, tmp_path)

    engine = engine_for(database_url)
    movements = all_movements(engine)
    stable = deployment.address("MockStablecoin").lower()
    registry = deployment.address("DatasetRegistry").lower()
    kinds = {(m.asset, m.direction, m.category, m.proposal_id) for m in movements}
    assert ("eth", "out", Category.PROPOSAL_TRANSFER, grant) in kinds
    assert (stable, "out", Category.PROPOSAL_TRANSFER, grant) in kinds
    assert (stable, "in", Category.MINT, None) in kinds
    slashed = [m for m in movements if m.category == Category.BOND_SLASHED]
    assert len(slashed) == 1
    assert (slashed[0].asset, slashed[0].amount, slashed[0].counterparty) == (
        "eth",
        ETH // 2,
        registry,
    )
    assert slashed[0].proposal_id == slash and slashed[0].tx_hash is not None
    donation = next(m for m in movements if m.source == "eth_tx")
    assert (donation.category, donation.proposal_id) == (Category.OTHER, None)

    # Holdings: the chain's balances; the fake token is apart and counts nothing.
    treasury = deployment.address("CoopTimelock")
    head = chain.w3.eth.block_number
    contracts = {name: info.address for name, info in deployment.contracts.items()}
    held, others = holdings(movements, recognised_assets(contracts), {})
    for holding in held:
        assert holding.amount == _balance(chain.w3, holding.asset.key, treasury, head)
    assert activity.fake_token is not None
    assert [(u.token, u.received) for u in others] == [(activity.fake_token.lower(), 10**30)]
    assert all(m.counterparty != ZERO_ADDRESS or m.category == Category.MINT for m in movements)

    assets = ["eth", stable, deployment.address("CoopToken").lower(), activity.fake_token.lower()]
    assert_reconciles(chain.w3, deployment, database_url, assets)


_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("donate"), st.integers(1, 5 * ETH)),
        st.tuples(st.just("coop"), st.integers(1, 10**24)),
        st.tuples(st.just("usd"), st.integers(1, 10**12)),
        st.tuples(st.just("fake"), st.integers(1, 2**200)),
        st.tuples(st.just("grant"), st.integers(0, ETH), st.integers(0, 10**8)),
        st.tuples(st.just("slash"), st.integers(10**17, 2 * ETH)),
    ),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=_STEPS)
def test_random_activity_reconciles(
    chain: Chain,
    compiled_artifacts: dict[str, Artifact],
    make_database_url: object,
    tmp_path: Path,
    steps: list[tuple[object, ...]],
) -> None:
    deployment = deploy(chain, compiled_artifacts)
    activity = TreasuryActivity(chain.w3, deployment, compiled_artifacts)
    activity.donate_eth(10 * ETH)  # what grants pay from
    activity.faucet_usd(10**9)
    for number, step in enumerate(steps):
        kind = step[0]
        if kind == "donate":
            activity.donate_eth(int(step[1]))  # type: ignore[call-overload]
        elif kind == "coop":
            activity.send_coop(int(step[1]))  # type: ignore[call-overload]
        elif kind == "usd":
            activity.faucet_usd(int(step[1]))  # type: ignore[call-overload]
        elif kind == "fake":
            activity.fake_transfer(int(step[1]))  # type: ignore[call-overload]
        elif kind == "grant":
            eth, usd = int(step[1]), int(step[2])  # type: ignore[call-overload]
            if eth or usd:
                activity.grant(eth, usd, f"# Grant {number}\n")
        else:
            activity.slash_bond(int(step[1]))  # type: ignore[call-overload]
    database_url = make_database_url()  # type: ignore[operator]
    _index(chain, deployment, database_url, tmp_path)
    assets = [
        "eth",
        deployment.address("MockStablecoin").lower(),
        deployment.address("CoopToken").lower(),
    ]
    if activity.fake_token:
        assets.append(activity.fake_token.lower())
    assert_reconciles(chain.w3, deployment, database_url, assets, ranges=4)

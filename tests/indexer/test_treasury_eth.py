"""ETH in and out of the treasury: no event reports ETH received by the timelock,
so the indexer reconciles its balance; every movement must add up to the chain's."""

from __future__ import annotations

from pathlib import Path

from web3 import Web3

from coop_dashboard.chain.contracts import Deployment, write_manifest
from coop_dashboard.chain.transact import Sender
from coop_dashboard.db import queries
from coop_dashboard.indexer.service import run_once
from coop_dashboard.indexer.treasury_eth import INTERNAL_LOG_INDEX
from tests.indexer.conftest import engine_for, indexer_settings
from tests.support.chains import Chain
from tests.support.governance import pass_proposal

ETH = 10**18


def _request(w3: Web3, method: str, *params: object) -> None:
    response = w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
    assert "error" not in response, response


def test_eth_inflows_and_outflows_add_up_to_the_balance(
    chain: Chain, deployment: Deployment, database_url: str, tmp_path: Path
) -> None:
    w3 = chain.w3
    manifest = tmp_path / "deployment.json"
    write_manifest(deployment, manifest)
    settings = indexer_settings(chain.rpc_url, manifest, database_url)
    treasury = deployment.address("CoopTimelock")
    donor = Sender.unlocked(w3, w3.eth.accounts[5])
    grantee = w3.eth.accounts[6]

    donation = donor.transfer_eth(treasury, 10 * ETH, what="donate to the treasury")
    _request(w3, "anvil_mine", hex(40))  # empty blocks for the bisection to skip
    # ETH arriving without a transaction to the timelock (as from a contract's call).
    _request(w3, "anvil_setBalance", treasury, hex(w3.eth.get_balance(treasury) + ETH))
    _request(w3, "evm_mine")
    # anvil books a balance it was told to set in the latest or the next block:
    # expect the row where the chain's own history shows the rise.
    latest = w3.eth.block_number
    internal_block = next(
        b
        for b in (latest - 1, latest)
        if w3.eth.get_balance(treasury, b) - w3.eth.get_balance(treasury, b - 1) == ETH
    )
    _request(w3, "anvil_mine", hex(25))
    voter = Sender.unlocked(w3, w3.eth.accounts[7])
    pass_proposal(w3, deployment, voter, [grantee], [3 * ETH], [b""], "# Grant 3 ETH\n")

    run_once(settings)
    engine = engine_for(database_url)
    eth_rows = [m for m in queries.treasury_movements(engine, asset="eth")]
    by_source = {m.source: m for m in eth_rows}
    assert sorted(by_source) == ["eth_internal", "eth_tx", "timelock_call"]
    assert len(eth_rows) == 3

    tx = by_source["eth_tx"]
    assert (tx.direction, tx.amount, tx.counterparty) == ("in", 10 * ETH, donor.address.lower())
    assert tx.block_number == donation["blockNumber"]
    assert tx.tx_hash == donation["transactionHash"].to_0x_hex()

    internal = by_source["eth_internal"]
    assert (internal.direction, internal.amount, internal.counterparty) == ("in", ETH, None)
    assert (internal.block_number, internal.log_index) == (internal_block, INTERNAL_LOG_INDEX)

    grant = by_source["timelock_call"]
    assert (grant.direction, grant.amount, grant.counterparty) == ("out", 3 * ETH, grantee.lower())

    status = queries.index_status(engine)
    assert status is not None
    on_chain = w3.eth.get_balance(treasury, block_identifier=status.block_number)
    assert queries.treasury_holdings(engine)["eth"] == on_chain == 8 * ETH
    days = [d for d in queries.treasury_balance_per_day(engine) if d.asset == "eth"]
    assert days[-1].balance == on_chain

"""A backfill of the demo cooperative gives exactly the rows the chain implies.

Counts follow from the seed (coop_dashboard/chain/seed.py); values are checked
against the contracts themselves with eth_call at the indexed block.
"""

from __future__ import annotations

import httpx
from web3 import Web3

from coop_dashboard.db import delegate_queries, queries
from coop_dashboard.db.proposal_state import PROPOSAL_STATES
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.digest import database_digest, table_digests
from coop_dashboard.indexer.service import run_once
from tests.indexer.conftest import engine_for, indexer_settings
from tests.support.chains import SeededChain

# What the seed creates (see seed.py): 7 proposals, one action each; 18 votes;
# 10 members delegate; 4 publish statements; 1 proposal executed, 1 queued.
EXPECTED_COUNTS = {
    "gov_proposal": 7,
    "gov_proposal_action": 7,
    # created x7, canceled x1, queued x2, executed x1
    "gov_proposal_event": 11,
    "gov_vote": 18,
    # ... and Kavya moves her delegation three times (to Amara, to Bjorn, to nobody)
    "token_delegation": 13,
    "token_voting_power": 14,
    # 4 published, Amara's two edits, Elif's clear
    "delegate_statement": 7,
    # mint + 12 members + COOP and cUSD to the treasury + cUSD paid by the proposal
    "token_transfer": 16,
    # scheduled x2 (executed and queued proposals), executed x1
    "timelock_call": 3,
    # COOP in, ETH in (a plain transfer), cUSD in (mint), cUSD out (the executed proposal)
    "treasury_movement": 4,
    # 12 members + treasury COOP, treasury cUSD, the paid member's cUSD (deployer at zero)
    "token_balance": 15,
    # proposals with votes
    "gov_proposal_tally": 5,
    # every contract of the manifest (DataLicensing and JobBoard included)
    "indexer_contract": 8,
}


def _count_logs(seeded: SeededChain, to_block: int) -> int:
    addresses = [info.address for info in seeded.deployment.contracts.values()]
    reply = httpx.post(
        seeded.rpc_url,
        json={
            "jsonrpc": "2.0",
            "id": 1,
            "method": "eth_getLogs",
            "params": [
                {
                    "address": addresses,
                    "fromBlock": hex(seeded.deployment.deploy_block),
                    "toBlock": hex(to_block),
                }
            ],
        },
    ).json()
    return len(reply["result"])


def test_backfill_of_the_seeded_chain_matches_the_contracts(
    seeded_chain: SeededChain, database_url: str
) -> None:
    settings = indexer_settings(seeded_chain.rpc_url, seeded_chain.manifest_path, database_url)
    run = run_once(settings, IndexerConfig())
    engine = engine_for(database_url)
    status = queries.index_status(engine)
    assert status is not None
    block = status.block_number
    assert run.checkpoint == block

    counts = {name: int(d.split(":")[0]) for name, d in table_digests(engine).items()}
    for table, expected in EXPECTED_COUNTS.items():
        assert counts[table] == expected, table
    assert counts["chain_event"] == _count_logs(seeded_chain, block) == run.events

    w3 = seeded_chain.w3
    deployment = seeded_chain.deployment
    governor = deployment.contract(w3, "CoopGovernor").functions
    token = deployment.contract(w3, "CoopToken").functions
    stablecoin = deployment.contract(w3, "MockStablecoin").functions
    registry = deployment.contract(w3, "DelegateRegistry").functions
    treasury = deployment.address("CoopTimelock")

    summaries = {s.proposal_id: s for s in queries.list_proposals(engine)}
    assert set(summaries) == set(seeded_chain.report.proposals.values())
    for expected_state, proposal_id in seeded_chain.report.proposals.items():
        summary = summaries[proposal_id]
        assert summary.state == expected_state
        on_chain_state = governor.state(proposal_id).call(block_identifier=block)
        assert PROPOSAL_STATES[on_chain_state] == summary.state
        against, for_, abstain = governor.proposalVotes(proposal_id).call(block_identifier=block)
        assert (summary.against_votes, summary.for_votes, summary.abstain_votes) == (
            against,
            for_,
            abstain,
        )
        assert summary.vote_start == governor.proposalSnapshot(proposal_id).call()
        assert summary.deadline == governor.proposalDeadline(proposal_id).call()
        assert (summary.eta or 0) == governor.proposalEta(proposal_id).call()
        if summary.vote_start < status.block_timestamp:
            assert summary.quorum == governor.quorum(summary.vote_start).call(
                block_identifier=block
            )
        for vote in queries.proposal_votes(engine, proposal_id):
            assert governor.hasVoted(proposal_id, Web3.to_checksum_address(vote.voter)).call()
    assert queries.proposal_counts_by_state(engine) == {
        state: int(state in seeded_chain.report.proposals) for state in PROPOSAL_STATES
    }

    holders = {h.account: h.balance for h in queries.token_holders(engine, token.address)}
    for member in seeded_chain.report.members:
        address = member.lower()
        assert holders[address] == token.balanceOf(member).call(block_identifier=block)
        votes = token.getVotes(member).call(block_identifier=block)
        assert queries.voting_power(engine, member) == votes
        card = delegate_queries.delegate_card(engine, member)
        assert (card.voting_power if card is not None else 0) == votes
        delegate = token.delegates(member).call(block_identifier=block)
        if int(delegate, 16):
            delegators = queries.delegators_of(engine, delegate)
            assert address in {d.address for d in delegators}
        statement = registry.statementOf(member).call(block_identifier=block)
        indexed = queries.delegate_statement(engine, member)
        assert (bytes.fromhex(indexed.digest[2:]) if indexed else b"\0" * 32) == statement[0]
    assert queries.member_count(engine) == len(seeded_chain.report.members)

    holdings = queries.treasury_holdings(engine)
    assert holdings["eth"] == w3.eth.get_balance(treasury, block_identifier=block)
    assert holdings[token.address.lower()] == token.balanceOf(treasury).call(block_identifier=block)
    assert holdings[stablecoin.address.lower()] == stablecoin.balanceOf(treasury).call(
        block_identifier=block
    )
    last_days = {}
    for day in queries.treasury_balance_per_day(engine):
        last_days[day.asset] = day.balance
    assert last_days == holdings

    participation = queries.participation_rate(engine)
    assert participation.proposals_counted == 4  # defeated, succeeded, queued, executed
    assert 0 < participation.average_turnout < 1

    # A second run finds nothing new and changes nothing.
    digest = database_digest(engine)
    again = run_once(settings, IndexerConfig())
    assert again.events == 0
    assert database_digest(engine) == digest


def test_indexed_block_number_is_none_before_the_first_batch(
    seeded_chain: SeededChain, database_url: str
) -> None:
    engine = engine_for(database_url)
    assert queries.indexed_block_number(engine) is None  # no tables yet
    run_once(indexer_settings(seeded_chain.rpc_url, seeded_chain.manifest_path, database_url))
    assert queries.indexed_block_number(engine) == seeded_chain.w3.eth.block_number

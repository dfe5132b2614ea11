"""Strings anyone can write on chain (invalid UTF-8, NUL) are indexed like any other text.

Real contracts on anvil, raw transactions built with eth_abi, indexed into SQLite
and PostgreSQL: the proposal is in the feed with its votes counted, the texts
are shown sanitised, and their exact bytes (and the description hash the
Governor knows the proposal by) are kept.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from eth_abi import decode
from eth_utils import keccak
from sqlalchemy import select

from coop_dashboard.chain.contracts import Deployment, write_manifest
from coop_dashboard.chain.transact import Sender
from coop_dashboard.db import queries
from coop_dashboard.db.chain_tables import ChainEvent, DelegateStatementEvent, table_of
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.service import run_once
from coop_dashboard.services.governance.feed import FeedQuery, proposal_feed
from coop_dashboard.services.governance.proposal_writes import prepare_lifecycle
from tests.indexer.conftest import engine_for, indexer_settings
from tests.indexer.hostile_activity import (
    close_voting,
    give_votes,
    open_voting,
    propose_raw,
    publish_statement_raw,
    vote_raw,
)
from tests.support.chains import Chain

DESCRIPTION = b"# Drain treasury \xff\n\nSent by someone who \x00 knows the indexer."
FOR_REASON = b"\xfe\xfe reasons"
AGAINST_REASON = b"no\x00"
URI = b"\x00"
TOPICS = [b"ok", b"\xc3("]


def test_invalid_utf8_and_nul_are_indexed_not_dropped(
    chain: Chain, deployment: Deployment, database_url: str, tmp_path: Path
) -> None:
    w3 = chain.w3
    proposer = Sender.unlocked(w3, w3.eth.accounts[1])
    opponent = Sender.unlocked(w3, w3.eth.accounts[2])
    give_votes(w3, deployment, proposer, 600_000)
    give_votes(w3, deployment, opponent, 200_000)
    proposal = propose_raw(w3, deployment, proposer, DESCRIPTION)
    publish_statement_raw(deployment, opponent, URI, TOPICS)
    open_voting(w3, deployment)
    vote_raw(w3, deployment, proposer, proposal.proposal_id, 1, FOR_REASON)
    vote_raw(w3, deployment, opponent, proposal.proposal_id, 0, AGAINST_REASON)
    close_voting(w3, deployment, proposal.proposal_id)

    manifest = tmp_path / "deployment.json"
    write_manifest(deployment, manifest)
    settings = dataclasses.replace(
        indexer_settings(chain.rpc_url, manifest, database_url), chain_id=chain.chain_id
    )
    run_once(settings, IndexerConfig())
    engine = engine_for(database_url)

    # In the feed, with both votes in its tally.
    feed = proposal_feed(engine, FeedQuery())
    (card,) = [item for item in feed.items if item.proposal_id == proposal.proposal_id]
    assert card.title == "Drain treasury \ufffd"
    assert (card.for_votes, card.against_votes, card.vote_count) == (
        600_000 * 10**18,
        200_000 * 10**18,
        2,
    )
    assert card.state == "succeeded"

    detail = queries.get_proposal(engine, proposal.proposal_id)
    assert detail is not None
    assert detail.description == DESCRIPTION.decode("utf-8", "replace").replace("\x00", "\ufffd")
    assert detail.description_hash == "0x" + keccak(DESCRIPTION).hex()
    reasons = {v.reason for v in queries.proposal_votes(engine, proposal.proposal_id)}
    assert reasons == {"\ufffd\ufffd reasons", "no\ufffd"}

    with engine.connect() as connection:
        statements = table_of(DelegateStatementEvent)
        uri, topics = connection.execute(select(statements.c.uri, statements.c.topics)).one()
        assert uri == "\ufffd" and topics == '["ok", "\\ufffd("]'
        # The exact bytes stay in chain_event: the description decodes from its data.
        events = table_of(ChainEvent)
        data = connection.execute(
            select(events.c.data).where(events.c.event == "ProposalCreated")
        ).scalar_one()
    fields = decode(
        ["uint256", "address", "address[]", "uint256[]", "string[]", "bytes[]"]
        + ["uint256", "uint256", "bytes"],
        bytes.fromhex(data[2:]),
    )
    assert fields[-1] == DESCRIPTION

    # The app can queue it: the Governor knows it by the hash of the exact bytes.
    queue = prepare_lifecycle(settings, proposer.address, proposal.proposal_id, "queue")
    assert queue.tx.to.lower() == deployment.contract_info("CoopGovernor").address.lower()

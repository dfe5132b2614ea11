"""The overview page's data: live balances from the chain, counts from the SQL index."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError

from coop_dashboard.chain.contracts import DeploymentChecks
from coop_dashboard.chain.facts import read_chain_facts
from coop_dashboard.config import Settings
from coop_dashboard.db import delegate_queries, queries
from coop_dashboard.db.engine import get_engine
from coop_dashboard.services import display
from coop_dashboard.services.amounts import format_units
from coop_dashboard.services.chain_access import chain_for
from coop_dashboard.services.governance.feed_snapshot import snapshot_cache
from coop_dashboard.services.index_progress import stall_notice
from coop_dashboard.services.overview_types import PROPOSAL_STATES, OverviewFacts, TokenAmount


@dataclass(frozen=True)
class IndexedCounts:
    member_count: int
    delegate_count: int
    proposals_by_state: dict[str, int]  # keys as in PROPOSAL_STATES
    indexed_block: int | None
    stall: str = ""  # "indexer stalled at block N: reason", or "" when it is not


def read_indexed_counts(database_url: str) -> IndexedCounts:
    """Members, delegates and proposals by state, as far as the indexer has read."""
    engine = get_engine(database_url)
    empty = dict.fromkeys(PROPOSAL_STATES, 0)
    stall = stall_notice(engine)
    indexed_block = queries.indexed_block_number(engine)
    if indexed_block is None:
        return IndexedCounts(0, 0, empty, None, stall)
    try:
        # From the head's feed snapshot (read once per head for the feed anyway), not
        # every proposal's summary again: the overview is re-read at every new block.
        by_state = Counter(row.summary.state for row in snapshot_cache(engine).current(engine).rows)
        members = queries.member_count(engine)
        delegates = delegate_queries.delegates_with_power_count(engine)
    except DBAPIError:
        # The indexer is (re)creating its tables right now: counts on the next read.
        return IndexedCounts(0, 0, empty, None, stall)
    # The index names states in lower case; the page uses the Governor's names.
    return IndexedCounts(
        members,
        delegates,
        {name: by_state.get(name.lower(), 0) for name in PROPOSAL_STATES},
        indexed_block,
        stall,
    )


# One per process: the overview is re-read every couple of seconds by every tab.
_DEPLOYMENT_CHECKS = DeploymentChecks()


def read_overview(settings: Settings) -> OverviewFacts:
    """Read the overview facts; raises a CoopError subclass with a clear message when
    the manifest is missing or wrong (ConfigError, ManifestMismatchError) or the RPC
    is down (RpcUnavailableError)."""
    shared = chain_for(settings)
    deployment, w3 = shared.deployment, shared.w3
    _DEPLOYMENT_CHECKS.check(w3, deployment, settings.rpc_url, settings.chain_id)
    facts = read_chain_facts(w3, deployment, settings.rpc_url)
    counts = read_indexed_counts(settings.database_url)
    treasury = [TokenAmount("ETH", format_units(facts.treasury_eth_wei, 18))]
    treasury += [
        TokenAmount(h.symbol, format_units(h.balance, h.decimals), h.address)
        for h in facts.treasury_erc20
    ]
    return OverviewFacts(
        chain_id=facts.chain_id,
        block_number=facts.block_number,
        block_timestamp=facts.block_timestamp,
        token_name=facts.token_name,
        token_symbol=facts.token_symbol,
        token_supply=format_units(facts.token_supply, facts.token_decimals),
        treasury_address=facts.treasury_address,
        treasury=treasury,
        member_count=counts.member_count,
        delegate_count=counts.delegate_count,
        proposal_count=sum(counts.proposals_by_state.values()),
        proposals_by_state=counts.proposals_by_state,
        contracts={name: info.address for name, info in deployment.contracts.items()},
        indexed_block=counts.indexed_block,
        # The reason may quote the RPC URL, whose path may hold an API key.
        indexer_stall=counts.stall.replace(settings.rpc_url, display.public_url(settings.rpc_url)),
    )

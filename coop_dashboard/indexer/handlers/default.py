"""The handler table for the cooperative's contract suite."""

from __future__ import annotations

from coop_dashboard.db.chain_tables import ChainEvent, ProposalTally, TokenBalance
from coop_dashboard.indexer.handlers.aggregates import ProposalTallies, TokenBalances
from coop_dashboard.indexer.handlers.datasets import register_dataset_registry
from coop_dashboard.indexer.handlers.delegates import register_delegate_registry
from coop_dashboard.indexer.handlers.governor import register_governor
from coop_dashboard.indexer.handlers.jobs import register_job_board
from coop_dashboard.indexer.handlers.licensing import register_data_licensing
from coop_dashboard.indexer.handlers.registry import HandlerRegistry
from coop_dashboard.indexer.handlers.timelock import register_timelock
from coop_dashboard.indexer.handlers.token import (
    register_erc20,
    register_foreign_erc20,
    register_votes_token,
)


def build_default_registry() -> HandlerRegistry:
    """Handlers for every contract of the suite; features extend the result."""
    registry = HandlerRegistry()
    registry.add_event_tables(ChainEvent)
    register_governor(registry)
    register_votes_token(registry)
    register_erc20(registry, "MockStablecoin")
    register_foreign_erc20(registry)
    register_delegate_registry(registry)
    register_timelock(registry)
    register_dataset_registry(registry)
    register_data_licensing(registry)
    register_job_board(registry)
    registry.add_aggregate(TokenBalances(), TokenBalance)
    registry.add_aggregate(ProposalTallies(), ProposalTally)
    return registry

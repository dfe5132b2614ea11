"""The process's shared chain context for the app's settings (see chain.shared)."""

from __future__ import annotations

from coop_dashboard.chain.governance_chain import GovernanceChain
from coop_dashboard.chain.shared import SharedChain, shared_chain
from coop_dashboard.config import Settings


def chain_for(settings: Settings) -> SharedChain:
    """Web3 + manifest + contracts + revert decoder, shared (blocking: a worker thread)."""
    return shared_chain(settings.rpc_url, settings.rpc_timeout_s, settings.deployment_path)


def governance_chain(settings: Settings) -> GovernanceChain:
    return chain_for(settings).governance

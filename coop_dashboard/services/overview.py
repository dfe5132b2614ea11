"""The overview page's data: live facts about the cooperative from the chain."""

from __future__ import annotations

from coop_dashboard.chain.client import make_web3
from coop_dashboard.chain.contracts import load_manifest, validate_deployment
from coop_dashboard.chain.facts import read_chain_facts
from coop_dashboard.config import Settings
from coop_dashboard.services.amounts import format_units
from coop_dashboard.services.overview_types import PROPOSAL_STATES, OverviewFacts, TokenAmount


def read_overview(settings: Settings) -> OverviewFacts:
    """Read the overview facts; raises a CoopError subclass with a clear message when
    the manifest is missing or wrong (ConfigError, ManifestMismatchError) or the RPC
    is down (RpcUnavailableError)."""
    deployment = load_manifest(settings.deployment_path)
    w3 = make_web3(settings.rpc_url, settings.rpc_timeout_s)
    validate_deployment(w3, deployment, settings.rpc_url, settings.chain_id)
    facts = read_chain_facts(w3, deployment, settings.rpc_url)
    by_state = dict.fromkeys(PROPOSAL_STATES, 0)
    for state in facts.proposal_states.values():
        by_state[PROPOSAL_STATES[state]] += 1
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
        member_count=facts.member_count,
        delegate_count=facts.delegate_count,
        proposal_count=len(facts.proposal_states),
        proposals_by_state=by_state,
        contracts={name: info.address for name, info in deployment.contracts.items()},
    )

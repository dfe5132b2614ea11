"""What the decoder and the builder need to know about the suite, read from the chain."""

from __future__ import annotations

from collections.abc import Mapping

from coop_dashboard.chain.governance_chain import GOVERNOR, TIMELOCK, VOTE_TOKEN, GovernanceChain
from coop_dashboard.chain.governance_reads import (
    read_settings,
    read_suite_tokens,
    read_treasury_balances,
)
from coop_dashboard.services.governance.actions import NATIVE, ActionContext
from coop_dashboard.services.governance.builder import GovernanceSuite, TreasuryAsset


def action_context(
    chain: GovernanceChain,
    *,
    with_settings: bool = True,
    labels: Mapping[str, str] | None = None,
) -> ActionContext:
    """Decoder context; `with_settings=False` for executed proposals, whose "current"
    values are already the new ones (so "from X to Y" would be wrong)."""
    return ActionContext.for_contracts(
        chain.known_contracts(),
        treasury=chain.treasury,
        tokens=read_suite_tokens(chain),
        settings=read_settings(chain) if with_settings else None,
        labels=labels,
    )


def treasury_assets(chain: GovernanceChain) -> list[TreasuryAsset]:
    """ETH and each suite ERC20, with the treasury's balance (for the transfer form)."""
    balances = read_treasury_balances(chain)
    contracts = {c.address: c for c in chain.known_contracts()}
    assets = [TreasuryAsset(NATIVE.symbol, NATIVE.decimals, balances[None])]
    for address, info in read_suite_tokens(chain).items():
        assets.append(
            TreasuryAsset(info.symbol, info.decimals, balances[address], contracts[address])
        )
    return assets


def governance_suite(chain: GovernanceChain) -> GovernanceSuite:
    """Contracts + current settings + vote-token supply, for parameter changes."""
    contracts = {c.name: c for c in chain.known_contracts()}
    token = read_suite_tokens(chain)[contracts[VOTE_TOKEN].address]
    supply = int(chain.read(lambda: chain.token.functions.totalSupply().call()))
    return GovernanceSuite(
        governor=contracts[GOVERNOR],
        timelock=contracts[TIMELOCK],
        settings=read_settings(chain),
        vote_token=token,
        vote_token_supply=supply,
    )

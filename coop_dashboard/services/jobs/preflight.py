"""Pre-flight figures from the index: providers able to take the job, what similar jobs paid.

What Akash users ask before posting: how many providers have the record and
the stake to take this job, and what completed jobs in the same asset and
purpose (sharing a dataset) paid. Sentences from db/job_queries.preflight_stats.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from coop_dashboard.config import Settings
from coop_dashboard.db.job_queries import preflight_stats
from coop_dashboard.evm import ZERO_ADDRESS
from coop_dashboard.services.chain_access import chain_for
from coop_dashboard.services.jobs.display import amount_text, eth_text
from coop_dashboard.services.jobs.inputs import JobActionRefused, eth_value


def provider_and_price_lines(
    settings: Settings,
    engine: Engine,
    symbol: str,
    purpose: str,
    minimum_stake: object,
    datasets: Sequence[int],
) -> list[str]:
    """Sentences for the pre-flight box (blocking SQL)."""
    try:
        stake = eth_value(minimum_stake, "Minimum stake")
    except JobActionRefused:
        stake = 0
    if symbol == "ETH":
        asset = ZERO_ADDRESS
    else:
        contract = chain_for(settings).deployment.contracts.get("MockStablecoin")
        asset = contract.address.lower() if contract is not None else "0x" + "ff" * 20
    stats = preflight_stats(
        engine, asset=asset, purpose=purpose, minimum_stake=stake, dataset_ids=datasets
    )
    stake_text = f"a stake of at least {eth_text(stake)}" if stake else "any stake"
    lines = [
        f"{stats.providers_qualified} of {stats.providers_total} providers who ever bid have "
        f"bid with {stake_text}."
    ]
    if stats.similar:
        prices = ", ".join(
            f"#{job.job_id}: {amount_text(symbol, job.price)} of {amount_text(symbol, job.bounty)}"
            for job in stats.similar[:5]
        )
        median = amount_text(symbol, stats.median_price)
        lines.append(
            f"{len(stats.similar)} similar completed jobs paid a median of {median} ({prices})."
        )
    else:
        lines.append(
            f"No completed job in {symbol} for {purpose.replace('_', ' ')} on these datasets yet."
        )
    return lines

"""The signed-in account's part in one job, from the chain: what the page offers it.

Per tab (it depends on who looks), blocking RPC: run in a worker thread. The
page shows the actions that fit; the server checks again when one is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coop_dashboard.config import Settings
from coop_dashboard.db import job_queries
from coop_dashboard.db.engine import get_engine
from coop_dashboard.evm import ZERO_ADDRESS
from coop_dashboard.services.governance.units import exact_units
from coop_dashboard.services.jobs.chain_reads import JobReads
from coop_dashboard.services.jobs.writes import asset_amount_text
from coop_dashboard.services.transactions import ChainContext


@dataclass(frozen=True)
class Credit:
    symbol: str
    text: str  # "0.1 ETH"


@dataclass(frozen=True)
class JobViewer:
    signed_in: bool = False
    is_poster: bool = False
    is_provider: bool = False
    has_bid: bool = False
    is_arbiter: bool = False
    credits: list[Credit] = field(default_factory=list)
    challenge_bond: str = ""  # "0.05" (ETH, as the form's default)
    # The viewer's own passes for the job's datasets and purpose (the chain's word).
    passes: str = ""  # "You hold passes for every dataset" / "You hold no research pass for #2"


def read_job_viewer(settings: Settings, account: str | None, job_id: int) -> JobViewer:
    if not account:
        return JobViewer()
    context = ChainContext.load(settings)
    reads = JobReads(context)
    job = reads.job(job_id)
    credits = []
    assets = [("ETH", ZERO_ADDRESS)]
    if "MockStablecoin" in context.deployment.contracts:
        assets.append(("cUSD", context.deployment.address("MockStablecoin")))
    for symbol, address in assets:
        amount = reads.credit(account, address)
        if amount:
            credits.append(Credit(symbol, asset_amount_text(context, address, amount)))
    bond = reads.challenge_bond()
    datasets = reads.datasets(job_id)
    missing = reads.missing_passes(account, datasets, job.purpose)
    purpose = job.purpose.replace("_", " ")
    passes = (
        f"You hold {purpose} passes for every dataset of this job."
        if not missing
        else f"You hold no {purpose} pass for dataset "
        + ", ".join(f"#{d}" for d in missing)
        + ": a provider needs one for each before its bid can be accepted."
    )
    return JobViewer(
        signed_in=True,
        is_poster=job.poster.lower() == account.lower(),
        is_provider=job.provider.lower() == account.lower(),
        has_bid=reads.bid(job_id, account).active,
        # The index's word (job_role_event): resolving is checked on the chain again.
        is_arbiter=job_queries.is_arbiter(get_engine(settings.database_url), account),
        credits=credits,
        challenge_bond=exact_units(bond, 18),
        passes=passes,
    )

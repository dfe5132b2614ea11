"""The signed-in account's part in one job, from the chain: what the page offers it.

Per tab (it depends on who looks), blocking RPC: run in a worker thread. The
page shows the actions that fit; the server checks again when one is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coop_dashboard.config import Settings
from coop_dashboard.db import job_queries
from coop_dashboard.db.engine import get_engine
from coop_dashboard.services.governance.units import exact_units
from coop_dashboard.services.jobs.asset_labels import asset_label, recognised_labels
from coop_dashboard.services.jobs.chain_reads import JobReads
from coop_dashboard.services.transactions import ChainContext

# Bounded RPC per view: each candidate asset costs a creditOf call (and, for a token
# outside the manifest, its symbol and decimals). Governance allows few assets.
MAX_CREDIT_ASSETS = 24


@dataclass(frozen=True)
class Credit:
    asset: str  # the address withdraw() takes (the zero address for ETH)
    symbol: str  # "ETH", "cUSD", a token's checked symbol or its short address
    text: str  # "0.1 ETH", "12 WETH (token 0xab…cd)", "500 base units of token 0xab…cd"


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


def job_credits(
    context: ChainContext, reads: JobReads, account: str, posted_in: list[str]
) -> list[Credit]:
    """What JobBoard holds for `account`, per asset, as the chain says (creditOf).

    The candidates: ETH (stakes and bonds), the manifest's tokens, and every asset a job
    was posted in (the index's word: a bounty's payment or refund is in the job's asset;
    governance allows assets, so they are few). The amounts are the chain's.
    """
    candidates = dict.fromkeys([*recognised_labels(context), *(a.lower() for a in posted_in)])
    credits = []
    for address in list(candidates)[:MAX_CREDIT_ASSETS]:
        amount = reads.credit(account, address)
        if amount:
            label = asset_label(context, address)
            credits.append(Credit(label.address, label.symbol, label.amount_text(amount)))
    return credits


def read_job_viewer(settings: Settings, account: str | None, job_id: int) -> JobViewer:
    if not account:
        return JobViewer()
    context = ChainContext.load(settings)
    reads = JobReads(context)
    job = reads.job(job_id)
    engine = get_engine(settings.database_url)
    credits = job_credits(context, reads, account, job_queries.job_assets(engine))
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
        is_arbiter=job_queries.is_arbiter(engine, account),
        credits=credits,
        challenge_bond=exact_units(bond, 18),
        passes=passes,
    )

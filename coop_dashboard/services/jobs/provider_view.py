"""A compute provider's profile (/providers/<address>): record, jobs, disputes, earnings.

From the job index (db/job_queries.provider_profile) and the nodes' latest
heartbeat (db/node_queries); blocking SQL, run by the live hub in a thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from coop_dashboard.config import load_settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.job_queries import provider_profile
from coop_dashboard.db.node_queries import provider_last_heartbeat
from coop_dashboard.services.display import short_address
from coop_dashboard.services.jobs.asset_labels import label_of
from coop_dashboard.services.jobs.board_view import JobRow, job_row
from coop_dashboard.services.jobs.display import eth_text, job_link, when
from coop_dashboard.services.jobs.job_view import Line


@dataclass(frozen=True)
class DisputeLine:
    job_id: int
    link: str
    challenger_short: str
    bond: str
    outcome: str  # "Won (provider upheld)", "Lost (found wrong)", "Waiting for resolution"


@dataclass(frozen=True)
class ProviderView:
    loaded: bool = False
    address: str = ""
    address_short: str = ""
    figures: list[Line] = field(default_factory=list)  # completed, failed, disputes, bids
    earnings: list[Line] = field(default_factory=list)  # per asset: earned, credited, withdrawn
    heartbeat: str = ""
    jobs: list[JobRow] = field(default_factory=list)
    disputes: list[DisputeLine] = field(default_factory=list)


def read_provider_view(address: str, engine: Engine | None = None) -> ProviderView:
    """`address` (lowercase, checked by the caller) as a provider."""
    settings = load_settings()
    engine = engine or get_engine(settings.database_url)
    profile = provider_profile(engine, address)
    reputation = profile.reputation
    figures = [
        Line("Jobs completed", str(reputation.jobs_completed)),
        Line("Jobs failed", str(reputation.jobs_failed)),
        Line("Disputes won", str(reputation.disputes_won)),
        Line("Disputes lost", str(reputation.disputes_lost)),
        Line("Bids placed", str(profile.bids_placed)),
    ]
    earnings = []
    for asset in sorted(set(reputation.earned) | set(profile.credits) | set(profile.withdrawn)):
        label = label_of(settings, asset)  # a token's claims read once, then cached
        earnings.append(
            Line(
                label.symbol,
                f"earned {label.amount_text(reputation.earned.get(asset, 0))} · credited "
                f"{label.amount_text(profile.credits.get(asset, 0))} (payments, stakes, bonds) · "
                f"withdrawn {label.amount_text(profile.withdrawn.get(asset, 0))}",
            )
        )
    beat = provider_last_heartbeat(engine, address)
    heartbeat = (
        f"{beat.stage} on job #{beat.job_id} at {when(beat.reported_at)}"
        if beat is not None
        else "No heartbeat reported yet."
    )
    disputes = []
    for dispute in profile.disputes:
        resolution = dispute.resolution
        if resolution is None:
            outcome = "Waiting for resolution"
        elif resolution.provider_upheld:
            outcome = "Won (provider upheld)"
        else:
            outcome = "Lost (found wrong)"
        disputes.append(
            DisputeLine(
                dispute.job_id,
                job_link(dispute.job_id),
                short_address(dispute.challenger),
                eth_text(dispute.bond),
                outcome,
            )
        )
    return ProviderView(
        loaded=True,
        address=profile.address,
        address_short=short_address(profile.address),
        figures=figures,
        earnings=earnings,
        heartbeat=heartbeat,
        jobs=[job_row(settings, job) for job in profile.jobs],
        disputes=disputes,
    )

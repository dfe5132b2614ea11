"""A proposal's treasury impact, as its page shows it: per asset it pays, the holdings
before and after, the runway after, and whether it falls below the runway floor."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from coop_dashboard.config import load_settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.queries import contract_addresses, index_status
from coop_dashboard.services.governance.feed_snapshot import proposal_detail
from coop_dashboard.services.live_data import LiveView
from coop_dashboard.services.treasury.assets import recognised_assets
from coop_dashboard.services.treasury.commitments import proposal_impact
from coop_dashboard.services.treasury.view import amount_text, movements_at


def floor_text(months: int) -> str:
    return (
        f"Runway floor: {months} months of the trailing 90 days' average outflow, for "
        "liquid assets (ETH, cUSD); set by RUNWAY_FLOOR_MONTHS."
    )


@dataclass(frozen=True)
class ImpactRow:
    symbol: str
    before: str
    pays: str
    after: str
    after_exact: str
    runway_after: str
    breaches: bool


@dataclass(frozen=True)
class ImpactView:
    rows: list[ImpactRow] = field(default_factory=list)
    breaches: bool = False
    floor_text: str = ""
    executed: bool = False  # already paid: the holdings shown already include it


def read_proposal_impact(
    proposal_id: int, engine: Engine | None = None, floor_months: int | None = None
) -> ImpactView:
    settings = load_settings()
    engine = engine or get_engine(settings.database_url)
    floor = settings.runway_floor_months if floor_months is None else floor_months
    status = index_status(engine)
    # The summary (only its state is used) from the head's snapshot, as the page's view.
    detail = proposal_detail(engine, proposal_id)
    if status is None or detail is None:
        return ImpactView()
    assets = recognised_assets(contract_addresses(engine))
    movements = movements_at(engine, status.block_number, status.block_hash)
    executed = detail.summary.state == "executed"
    if executed:
        # Already paid: "before" is the treasury without this proposal's movements.
        movements = [m for m in movements if m.proposal_id != proposal_id]
    impacts = proposal_impact(detail.actions, movements, assets, status.block_timestamp, floor)
    rows = [
        ImpactRow(
            i.asset.symbol,
            amount_text(i.before, i.asset),
            amount_text(i.pays, i.asset),
            amount_text(i.after, i.asset),
            str(i.after),
            "—"
            if not i.asset.liquid
            else "no outflow in 90 days"
            if i.runway_after is None
            else f"{i.runway_after:.1f} months",
            i.breaches_floor,
        )
        for i in impacts
    ]
    return ImpactView(
        rows=rows,
        breaches=any(r.breaches for r in rows),
        floor_text=floor_text(floor),
        executed=executed,
    )


def _read(key: str) -> ImpactView:
    return read_proposal_impact(int(key))


# Keyed by the proposal id (decimal text): re-read at every indexed head.
PROPOSAL_IMPACT = LiveView("proposal_treasury_impact", read=_read)

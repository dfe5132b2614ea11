"""Whether a job's datasets can be licensed for its purpose, and who holds passes (index).

For the post form's pre-flight and the job page: per dataset its name and
status, the cheapest active tier for the purpose (or why there is none), and
for each account asked about (the viewer, the accepted provider) whether the
index shows a valid pass. The chain's `hasAccess` decides at acceptance
(services/jobs/writes); this is what a person reads before acting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine

from coop_dashboard.db.dataset_queries import get_dataset
from coop_dashboard.db.licensing_queries import access_pass, dataset_tiers
from coop_dashboard.services.datasets.lineage_graph import STATUS_LABELS, dataset_link
from coop_dashboard.services.display import short_address
from coop_dashboard.services.governance.units import format_duration, format_token_amount

_CURRENCY_DECIMALS = {"ETH": 18, "cUSD": 6}


@dataclass(frozen=True)
class HolderPass:
    label: str  # "You", "Provider 0xab…cd"
    has_pass: bool
    text: str  # "valid pass until 2026-…" / "no pass"


@dataclass(frozen=True)
class DatasetLicense:
    dataset_id: int
    link: str
    name: str
    status: str
    licensable: bool  # an active tier for the purpose, on a dataset that is not delisted
    terms: str  # "0.01 ETH for 30 days" or why it cannot be licensed
    holders: list[HolderPass] = field(default_factory=list)


def _symbol(currency: str) -> str:
    return "ETH" if int(currency, 16) == 0 else "cUSD"


def dataset_licenses(
    engine: Engine,
    dataset_ids: Sequence[int],
    purpose: str,
    holders: Sequence[tuple[str, str]],
    now: int,
) -> list[DatasetLicense]:
    """One row per dataset; `holders` are (label, address) pairs to look passes up for."""
    rows: list[DatasetLicense] = []
    for dataset_id in dataset_ids:
        facts = get_dataset(engine, dataset_id)
        if facts is None:
            rows.append(
                DatasetLicense(
                    dataset_id, dataset_link(dataset_id), f"Dataset #{dataset_id}", "unknown",
                    False, "Not registered (or not indexed yet).",
                )
            )  # fmt: skip
            continue
        status = facts.summary.status
        tiers = [t for t in dataset_tiers(engine, dataset_id) if t.active and t.purpose == purpose]
        if status in ("delisted", "licensing_paused"):
            licensable, terms = False, f"{STATUS_LABELS.get(status, status)}: no new passes."
        elif not tiers:
            licensable = False
            terms = f"No tier for {purpose.replace('_', ' ')}: the contributor must add one."
        else:
            cheapest = min(tiers, key=lambda t: (_symbol(t.currency), t.price))
            symbol = _symbol(cheapest.currency)
            price = format_token_amount(cheapest.price, _CURRENCY_DECIMALS[symbol], symbol)
            licensable, terms = True, f"{price} for {format_duration(cheapest.duration)}"
        passes = []
        for label, address in holders:
            if not address:
                continue
            held = access_pass(engine, address, dataset_id, purpose, now)
            passes.append(
                HolderPass(
                    label or short_address(address),
                    held is not None,
                    "valid pass" if held is not None else "no pass",
                )
            )
        rows.append(
            DatasetLicense(
                dataset_id=dataset_id,
                link=dataset_link(dataset_id),
                name=facts.summary.name or f"Dataset #{dataset_id}",
                status=STATUS_LABELS.get(status, status),
                licensable=licensable,
                terms=terms,
                holders=passes,
            )
        )
    return rows

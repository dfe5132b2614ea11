"""What the post form shows beside its fields: the escrow it takes and the pre-flight.

`read_post_preview` (blocking: SQL; run it in a worker thread) answers what a
poster asks before escrowing money: what leaves the wallet, whether each chosen
dataset can be licensed for the purpose, how many providers have the reputation
and stake to take the job, and what similar jobs paid. Every field of the draft
is browser text: what does not parse yet is simply left out of the preview.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from coop_dashboard.config import Settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.services.governance.units import format_token_amount
from coop_dashboard.services.jobs.dataset_licenses import DatasetLicense, dataset_licenses
from coop_dashboard.services.jobs.inputs import (
    ASSET_DECIMALS,
    JobActionRefused,
    amount_value,
    asset_value,
    dataset_ids_value,
    purpose_value,
)
from coop_dashboard.services.jobs.preflight import provider_and_price_lines

# What the time fields start with: bidding for a day, delivery within a week.
DEFAULT_BIDDING_S = 86_400
DEFAULT_DELIVERY_S = 7 * 86_400


@dataclass(frozen=True)
class PostDraft:
    asset: object = "ETH"
    bounty: object = ""
    purpose: object = "research"
    datasets: object = ""
    minimum_stake: object = ""


@dataclass(frozen=True)
class PostPreview:
    escrow: str = ""  # "Escrows 1.5 ETH from your wallet when the job is posted."
    steps: str = ""  # cUSD: approve, then post
    licenses: list[DatasetLicense] = field(default_factory=list)
    licensable: str = ""  # "2 of 2 datasets can be licensed for research."
    preflight: list[str] = field(default_factory=list)


def _escrow(draft: PostDraft) -> tuple[str, str]:
    try:
        symbol = asset_value(draft.asset)
        amount = amount_value(draft.bounty, ASSET_DECIMALS[symbol], "Bounty")
    except JobActionRefused:
        return "", ""
    text = format_token_amount(amount, ASSET_DECIMALS[symbol], symbol)
    escrow = f"Escrows {text} from your wallet when the job is posted."
    if symbol == "ETH":
        return escrow, "One transaction: the bounty is sent with the post."
    return escrow, (
        f"Two transactions: allow the job board to take {text} (approve), then post. "
        "The first click approves; click Post again once it is mined."
    )


def read_post_preview(settings: Settings, draft: PostDraft, viewer: str) -> PostPreview:
    escrow, steps = _escrow(draft)
    try:
        purpose = purpose_value(draft.purpose)
        datasets = dataset_ids_value(draft.datasets)
    except JobActionRefused:
        return PostPreview(escrow=escrow, steps=steps)
    engine = get_engine(settings.database_url)
    licenses = dataset_licenses(engine, datasets, purpose, [("You", viewer)], int(time.time()))
    ok = sum(1 for row in licenses if row.licensable)
    noun = "dataset" if len(licenses) == 1 else "datasets"
    summary = f"{ok} of {len(licenses)} {noun} can be licensed for {purpose.replace('_', ' ')}."
    return PostPreview(
        escrow=escrow,
        steps=steps,
        licenses=licenses,
        licensable=summary,
        preflight=provider_and_price_lines(
            settings,
            engine,
            asset_value(draft.asset) if draft.asset in ("ETH", "cUSD") else "ETH",
            purpose,
            draft.minimum_stake,
            datasets,
        ),
    )

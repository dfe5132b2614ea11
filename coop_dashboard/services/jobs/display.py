"""How the job pages write amounts, times, statuses and a job's title.

Amounts here are in ETH or cUSD by symbol; an asset named by its address (a
job's bounty, a credit) is labelled by services/jobs/asset_labels (checked
claims, cached), never guessed.
"""

from __future__ import annotations

import time

from coop_dashboard.chain.job_board import STATUSES
from coop_dashboard.content.store import LocalContentStore

# Re-exported: the provenance graph and the job pages link to jobs and models alike.
from coop_dashboard.services.datasets.lineage_graph import job_link as job_link
from coop_dashboard.services.datasets.lineage_graph import model_link as model_link
from coop_dashboard.services.display import format_utc, iso_utc
from coop_dashboard.services.governance.units import format_duration_short, format_token_amount
from coop_dashboard.services.jobs.spec import RECIPES, JobSpec, JobSpecError, parse
from coop_dashboard.services.jobs.stored import read_blob

JOB_STATUSES: tuple[str, ...] = STATUSES
STATUS_LABELS = {
    "open": "Open",
    "in_progress": "In progress",
    "in_review": "In review",
    "challenged": "Challenged",
    "completed": "Completed",
    "failed": "Failed",
    "cancelled": "Cancelled",
}
_DECIMALS = {"ETH": 18, "cUSD": 6}
TITLE_CHARS = 90  # db/job_tables.TITLE_LENGTH holds the saved title
_SPEC_READ_LIMIT = 64 * 1024


def amount_text(symbol: str, amount: int | None) -> str:
    if amount is None:
        return "–"
    if symbol in _DECIMALS:
        return format_token_amount(amount, _DECIMALS[symbol], symbol)
    return f"{amount:,} base units of {symbol}"


def eth_text(amount: int | None) -> str:
    return amount_text("ETH", amount)


def provider_link(address: str) -> str:
    return f"/providers/{address.lower()}"


def when(timestamp: int | None) -> str:
    return format_utc(timestamp) if timestamp else "–"


DEADLINE_LABELS = {
    "open": "Bidding closes",
    "in_progress": "Delivery due",
    "in_review": "Challenge window closes",
    "challenged": "Escalates to governance",
}


def deadline_label(status: str, deadline: int | None) -> str:
    """What the job waits for ("Bidding closes"), "" once it waits for nothing."""
    return "" if deadline is None else DEADLINE_LABELS.get(status, "Next deadline")


def deadline_iso(deadline: int | None) -> str:
    """The deadline for the browser's own ticking countdown ("" when there is none)."""
    return "" if deadline is None else iso_utc(deadline)


def countdown(status: str, deadline: int | None, now: int | None = None) -> str:
    """ "Bidding closes in 2 days 3 hours" (what the job waits for now), "" once over."""
    if deadline is None:
        return ""
    now = int(time.time()) if now is None else now
    what = deadline_label(status, deadline)
    if deadline <= now:
        return f"{what}: passed {format_utc(deadline)}"
    return f"{what} in {format_duration_short(deadline - now)}"


def read_spec(store: LocalContentStore, cid: str) -> tuple[JobSpec | None, str]:
    """The job's spec from the store, parsed as hostile bytes, or (None, why not)."""
    blob = read_blob(store, cid, _SPEC_READ_LIMIT)
    if blob.data is None:
        return None, f"The spec cannot be shown: {blob.problem}"
    try:
        return parse(blob.data), ""
    except JobSpecError as exc:
        return None, f"The spec cannot be shown: {exc}"


def spec_title(spec: JobSpec | None, job_id: int) -> str:
    return unreadable_spec_title(job_id) if spec is None else spec_heading(spec)


def unreadable_spec_title(job_id: int) -> str:
    return f"Training job #{job_id}"


def unread_spec_title(spec_cid: str) -> str:
    """A job whose spec the spec service has not read yet: named by its CID, short."""
    cid = "".join(c for c in spec_cid.removeprefix("ipfs://") if c.isprintable())
    return f"Spec {cid[:12]}…" if len(cid) > 13 else f"Spec {cid}"


def spec_heading(spec: JobSpec) -> str:
    """The spec's one-line title: its description's first line, else recipe and label."""
    first = spec.description.strip().splitlines()[0] if spec.description.strip() else ""
    if not first:
        recipe = RECIPES[spec.recipe].label if spec.recipe in RECIPES else spec.recipe
        first = f"{recipe} predicting {spec.label_column}"
    first = "".join(c for c in first if c.isprintable())
    return first if len(first) <= TITLE_CHARS else first[: TITLE_CHARS - 1] + "…"


def seconds_text(seconds: int) -> str:
    return format_duration_short(seconds) if seconds >= 60 else f"{seconds} seconds"

"""Treasury movements of a date range as CSV (formula cells neutralised)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

from sqlalchemy import Engine

from coop_dashboard.config import load_settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.queries import contract_addresses
from coop_dashboard.db.treasury_categories import Category
from coop_dashboard.db.treasury_queries import Movement, Note, all_movements, notes
from coop_dashboard.errors import CoopError
from coop_dashboard.services.amounts import format_units
from coop_dashboard.services.display import iso_utc
from coop_dashboard.services.governance.export import safe_cell
from coop_dashboard.services.treasury.assets import Asset, recognised_assets, unrecognised_asset
from coop_dashboard.services.treasury.periods import day_of

CSV_HEADER = (
    "block",
    "log_index",
    "time_utc",
    "asset",
    "direction",
    "amount",
    "amount_base_units",
    "category",
    "counterparty",
    "tx",
    "proposal_id",
    "notes",
)


class ExportRefused(CoopError):
    """A range the export cannot serve; the message says why."""


def parse_range(first: str, last: str) -> tuple[date, date]:
    """Inclusive UTC dates from the page's two date fields."""
    if not isinstance(first, str) or not isinstance(last, str) or not first or not last:
        raise ExportRefused("Choose both dates of the range (from and to).")
    try:
        start, end = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        raise ExportRefused("Dates are written YYYY-MM-DD.") from None
    if end < start:
        raise ExportRefused(f"The range is reversed: {end} comes before {start}.")
    return start, end


def movements_csv(
    movements: Sequence[Movement],
    assets: Sequence[Asset],
    notes: dict[tuple[int, int], list[Note]],
    start: date,
    end: date,
) -> str:
    """Every movement of start..end (UTC days, inclusive), oldest first."""
    by_key = {a.key: a for a in assets}
    chosen = [m for m in movements if start <= day_of(m.timestamp) <= end]
    if not chosen:
        raise ExportRefused(f"No treasury movement between {start} and {end}.")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for item in chosen:
        asset = by_key.get(item.asset) or unrecognised_asset(item.asset)
        found = notes.get((item.block_number, item.log_index), [])
        writer.writerow(
            [
                str(item.block_number),
                str(item.log_index),
                iso_utc(item.timestamp),
                asset.symbol if asset.recognised else item.asset,
                item.direction,
                format_units(item.amount, asset.decimals),
                str(item.amount),
                Category(item.category).value,
                item.counterparty or "",
                item.tx_hash or "",
                "" if item.proposal_id is None else str(item.proposal_id),
                safe_cell(" | ".join(f"{n.author}: {n.tag} {n.note}".strip() for n in found)),
            ]
        )
    return buffer.getvalue()


def read_movements_csv(first: str, last: str, engine: Engine | None = None) -> str:
    """The CSV of the range the page asked for, read from the index (blocking)."""
    start, end = parse_range(first, last)
    engine = engine or get_engine(load_settings().database_url)
    assets = recognised_assets(contract_addresses(engine))
    return movements_csv(all_movements(engine), assets, notes(engine), start, end)

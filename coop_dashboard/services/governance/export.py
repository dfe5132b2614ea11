"""A proposal's votes as CSV, safe to open in a spreadsheet.

Reasons are free text chosen by voters: a reason starting with "=" would be a
formula in Excel/LibreOffice/Sheets (CSV injection). Every text cell starting
with = + - @ (or tab / carriage return, which some spreadsheets skip before
parsing) is prefixed with a single quote, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from coop_dashboard.chain.governance_types import VoteSupport
from coop_dashboard.services.display import iso_utc
from coop_dashboard.services.governance.units import exact_units

CSV_HEADER = (
    "voter",
    "support",
    "weight",
    "weight_base_units",
    "reason",
    "block",
    "tx",
    "time_utc",
)
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class VoteRecord:
    voter: str
    support: int  # 0 against, 1 for, 2 abstain
    weight: int  # base units of the vote token
    reason: str
    block_number: int
    tx_hash: str
    timestamp: int  # block timestamp, unix seconds


def safe_cell(value: str) -> str:
    """Neutralise a cell a spreadsheet would evaluate as a formula."""
    return "'" + value if value.startswith(_FORMULA_PREFIXES) else value


def _support_label(support: int) -> str:
    try:
        return VoteSupport(support).label
    except ValueError:
        return f"unknown ({support})"


def votes_to_csv(votes: Iterable[VoteRecord], decimals: int = 18) -> str:
    """CSV text with a header row; weights exact (decimal and base units), times in UTC."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for vote in votes:
        writer.writerow(
            [
                safe_cell(vote.voter),
                _support_label(vote.support),
                exact_units(vote.weight, decimals),
                str(vote.weight),
                safe_cell(vote.reason),
                str(vote.block_number),
                safe_cell(vote.tx_hash),
                iso_utc(vote.timestamp),
            ]
        )
    return buffer.getvalue()

"""A proposal's votes as CSV, safe to open in a spreadsheet.

Reasons are free text chosen by voters: a reason starting with "=" would be a
formula in Excel/LibreOffice/Sheets (CSV injection). Every text cell starting
with = + - @ (or tab / carriage return, which some spreadsheets skip before
parsing) is prefixed with a single quote, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from coop_dashboard.chain.governance_types import VoteSupport
from coop_dashboard.config import Settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.queries import VoteRow, iter_proposal_votes
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
# Votes read and formatted per chunk of the export: each chunk is a short stretch
# of work in a worker thread (a few ms), and the response streams instead of
# holding ~19 MB of text.
CSV_CHUNK_ROWS = 500
# Served by the app's HTTP API (api/exports.py), built in a worker thread there.
VOTES_CSV_ROUTE = "/api/proposals/{proposal_id}/votes.csv"


def votes_csv_path(proposal_id: int) -> str:
    """Where the proposal page sends the browser for `proposal_id`'s votes."""
    return VOTES_CSV_ROUTE.format(proposal_id=proposal_id)


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


def _csv_text(rows: Iterable[Iterable[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def _cells(vote: VoteRecord, decimals: int) -> list[str]:
    return [
        safe_cell(vote.voter),
        _support_label(vote.support),
        exact_units(vote.weight, decimals),
        str(vote.weight),
        safe_cell(vote.reason),
        str(vote.block_number),
        safe_cell(vote.tx_hash),
        iso_utc(vote.timestamp),
    ]


def votes_to_csv(votes: Iterable[VoteRecord], decimals: int = 18) -> str:
    """CSV text with a header row; weights exact (decimal and base units), times in UTC."""
    return _csv_text([CSV_HEADER, *(_cells(vote, decimals) for vote in votes)])


def vote_record(row: VoteRow) -> VoteRecord:
    return VoteRecord(
        row.voter, row.support, row.weight, row.reason, row.block_number, row.tx_hash, row.timestamp
    )


def proposal_votes_csv_chunks(
    settings: Settings, proposal_id: int, decimals: int = 18
) -> Iterator[str]:
    """The same CSV as `votes_to_csv`, oldest vote first, read and written CSV_CHUNK_ROWS
    at a time (blocking: iterate it in a worker thread)."""
    yield _csv_text([CSV_HEADER])
    engine = get_engine(settings.database_url)
    for rows in iter_proposal_votes(engine, proposal_id, CSV_CHUNK_ROWS):
        yield _csv_text(_cells(vote_record(row), decimals) for row in rows)

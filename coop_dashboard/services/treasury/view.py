"""The treasury page's data: one read of the index turned into what the page shows.

The key names what the controls chose (asset charted, period, window, bar
clicked); every figure, total and table row comes from one pass over the
indexed movements, so they agree with each other and with the chain.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine

from coop_dashboard.config import load_settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.queries import contract_addresses, index_status
from coop_dashboard.db.treasury_categories import CATEGORY_LABELS, Category
from coop_dashboard.db.treasury_queries import Movement, Note, all_movements, notes, token_supplies
from coop_dashboard.services.amounts import format_units
from coop_dashboard.services.display import format_decimal, format_utc, short_address
from coop_dashboard.services.plotly_json import EMPTY_FIGURE_JSON
from coop_dashboard.services.treasury.assets import (
    Asset,
    recognised_assets,
    unrecognised_asset,
)
from coop_dashboard.services.treasury.charts import balance_figure, flow_traces, flows_figure
from coop_dashboard.services.treasury.commitments import (
    Commitment,
    escrowed_bounties,
    read_commitments,
    runways,
    total_committed,
)
from coop_dashboard.services.treasury.ledger import (
    balance_series,
    flows_by_category,
    holdings,
    in_bucket,
)
from coop_dashboard.services.treasury.periods import Period, Window, parse_period, parse_window

# The movements table shows the newest this many rows of the filter (the CSV has all).
TABLE_ROWS = 200
SHARE_METHOD = (
    "No price source is configured on this chain, so amounts of different assets are "
    "never added up. Share: the part of each token's supply the treasury holds."
)


@dataclass(frozen=True)
class TreasuryKey:
    asset: str = "ETH"  # the symbol charted
    period: str = Period.MONTH.value
    window: str = Window.YEAR.value
    category: str = ""  # a clicked bar's category ("" = every category)
    bucket: str = ""  # a clicked bar's period start, ISO date ("" = every period)


@dataclass(frozen=True)
class HoldingRow:
    symbol: str
    asset: str
    amount: str
    exact: str  # base units
    share: str


@dataclass(frozen=True)
class UnrecognisedRow:
    token: str
    received: str
    sent: str
    movements: int


@dataclass(frozen=True)
class NoteRow:
    author: str
    author_short: str
    text: str
    tag: str
    when: str


@dataclass(frozen=True)
class MovementRow:
    movement_id: str  # "block:log index"
    block_number: int
    time: str
    symbol: str
    direction: str
    amount: str
    exact: str
    category: str
    counterparty: str
    counterparty_short: str
    tx_hash: str
    proposal_id: str
    notes: list[NoteRow] = field(default_factory=list)


@dataclass(frozen=True)
class CategoryTotal:
    category: str
    label: str
    inflow: str
    outflow: str


@dataclass(frozen=True)
class CommitmentRow:
    proposal_id: str
    title: str
    state: str
    payouts: str  # "3 ETH, 1,200 cUSD"


@dataclass(frozen=True)
class RunwayRow:
    symbol: str
    holdings: str
    committed: str
    escrowed: str
    after: str
    after_exact: str
    monthly_outflow: str
    runway: str


@dataclass(frozen=True)
class TreasuryView:
    indexed: bool = False
    block_number: int = 0
    as_of: str = ""
    holdings: list[HoldingRow] = field(default_factory=list)
    unrecognised: list[UnrecognisedRow] = field(default_factory=list)
    asset_symbols: list[str] = field(default_factory=list)
    asset: str = "ETH"
    period: str = Period.MONTH.value
    window: str = Window.YEAR.value
    # Plotly JSON, not go.Figure: the view is a tab's state var (services/plotly_json.py).
    balance_figure: dict[str, Any] = field(default_factory=lambda: copy.deepcopy(EMPTY_FIGURE_JSON))
    flows_figure: dict[str, Any] = field(default_factory=lambda: copy.deepcopy(EMPTY_FIGURE_JSON))
    flow_traces: list[str] = field(default_factory=list)  # "category:direction" per trace
    category_totals: list[CategoryTotal] = field(default_factory=list)
    filter_text: str = ""
    movements: list[MovementRow] = field(default_factory=list)
    movement_count: int = 0
    commitments: list[CommitmentRow] = field(default_factory=list)
    runways: list[RunwayRow] = field(default_factory=list)


def _share(amount: int, supply: int | None) -> str:
    if not supply:
        return "—"
    return f"{amount * 100 / supply:.2f}% of supply"


def amount_text(amount: int, asset: Asset) -> str:
    if not asset.recognised:
        return f"{amount:,} base units"
    return f"{format_decimal(format_units(amount, asset.decimals))} {asset.symbol}"


def _note_rows(found: list[Note]) -> list[NoteRow]:
    return [
        NoteRow(n.author, short_address(n.author), n.note, n.tag, n.created_at.strftime("%Y-%m-%d"))
        for n in found
    ]


def movement_row(item: Movement, asset: Asset, found: list[Note]) -> MovementRow:
    return MovementRow(
        movement_id=f"{item.block_number}:{item.log_index}",
        block_number=item.block_number,
        time=format_utc(item.timestamp),
        symbol=asset.symbol,
        direction=item.direction,
        amount=amount_text(item.amount, asset),
        exact=str(item.amount),
        category=CATEGORY_LABELS[Category(item.category)],
        counterparty=item.counterparty or "",
        counterparty_short=short_address(item.counterparty) if item.counterparty else "unknown",
        tx_hash=item.tx_hash or "",
        proposal_id="" if item.proposal_id is None else str(item.proposal_id),
        notes=_note_rows(found),
    )


def asset_of(key: str, assets: dict[str, Asset]) -> Asset:
    return assets.get(key) or unrecognised_asset(key)


def build_view(
    key: TreasuryKey,
    movements: list[Movement],
    assets: list[Asset],
    supplies: dict[str, int],
    notes_by_movement: dict[tuple[int, int], list[Note]],
    now: int,
    block_number: int,
    commitments: list[Commitment] | None = None,
    escrowed: dict[str, int] | None = None,
) -> TreasuryView:
    by_key = {a.key: a for a in assets}
    commitments = commitments or []
    committed = total_committed(commitments)
    escrowed = escrowed or {}  # asset key -> bounties held for the treasury's live jobs
    by_symbol = {a.symbol: a for a in assets}
    charted = by_symbol.get(key.asset, assets[0])
    period, window = parse_period(key.period), parse_window(key.window)
    held, others = holdings(movements, assets, supplies)
    series = balance_series(movements, charted.key, period, window, now)
    buckets, flows = flows_by_category(movements, charted.key, period, window, now)
    category = key.category if key.category in Category.__members__.values() else None
    try:
        bucket = date.fromisoformat(key.bucket) if key.bucket else None
    except ValueError:
        bucket = None
    chosen = in_bucket(
        movements, asset=charted.key, category=category, bucket=bucket, period=period
    )
    newest = list(reversed(chosen))[:TABLE_ROWS]
    filter_parts = [charted.symbol]
    if category:
        filter_parts.append(CATEGORY_LABELS[Category(category)])
    if bucket:
        filter_parts.append(f"{period.value} of {bucket.isoformat()}")
    return TreasuryView(
        indexed=True,
        block_number=block_number,
        as_of=format_utc(now) if now else "",
        holdings=[
            HoldingRow(
                h.asset.symbol,
                h.asset.key,
                amount_text(h.amount, h.asset),
                str(h.amount),
                _share(h.amount, h.supply),
            )
            for h in held
        ],
        unrecognised=[
            UnrecognisedRow(u.token, f"{u.received:,}", f"{u.sent:,}", u.movements) for u in others
        ],
        asset_symbols=[a.symbol for a in assets],
        asset=charted.symbol,
        period=period.value,
        window=window.value,
        balance_figure=balance_figure(series, charted),
        flows_figure=flows_figure(buckets, flows, charted),
        flow_traces=[f"{c.value}:{d}" for c, d in flow_traces(flows)],
        category_totals=[
            CategoryTotal(
                f.category.value,
                CATEGORY_LABELS[f.category],
                amount_text(f.total_in, charted),
                amount_text(f.total_out, charted),
            )
            for f in flows
        ],
        filter_text=" · ".join(filter_parts),
        movements=[
            movement_row(
                m,
                asset_of(m.asset, by_key),
                notes_by_movement.get((m.block_number, m.log_index), []),
            )
            for m in newest
        ],
        movement_count=len(chosen),
        commitments=[
            CommitmentRow(
                str(c.proposal_id),
                c.title,
                c.state,
                ", ".join(amount_text(v, asset_of(k, by_key)) for k, v in c.payouts.items()),
            )
            for c in commitments
        ],
        runways=[
            RunwayRow(
                r.asset.symbol,
                amount_text(r.holdings, r.asset),
                amount_text(r.committed, r.asset),
                amount_text(escrowed.get(r.asset.key, 0), r.asset),
                amount_text(r.after, r.asset),
                str(r.after),
                amount_text(r.monthly_outflow, r.asset),
                "no outflow in 90 days" if r.months is None else f"{r.months:.1f} months",
            )
            for r in runways(movements, assets, committed, now)
        ],
    )


# Movements change only with the indexer's checkpoint (rows and checkpoint commit
# together; a rewind changes the hash): every key of the view read at one head
# shares one read of them. (engine url, block, hash) -> rows; the last few heads.
_MOVEMENTS_CACHE: dict[tuple[str, int, str], list[Movement]] = {}
_MOVEMENTS_CACHED_HEADS = 4
_movements_lock = threading.Lock()


def movements_at(engine: Engine, block_number: int, block_hash: str) -> list[Movement]:
    key = (str(engine.url), block_number, block_hash)
    with _movements_lock:
        cached = _MOVEMENTS_CACHE.get(key)
    if cached is not None:
        return cached
    rows = all_movements(engine)
    with _movements_lock:
        _MOVEMENTS_CACHE[key] = rows
        while len(_MOVEMENTS_CACHE) > _MOVEMENTS_CACHED_HEADS:
            del _MOVEMENTS_CACHE[next(iter(_MOVEMENTS_CACHE))]
    return rows


def clicked_bar(traces: list[str], points: object) -> tuple[str, str] | None:
    """(category, bucket start) of a click on the flows chart, from plotly's point data
    as the browser sent it (any shape: a client may send anything); None if not a bar."""
    if not isinstance(points, list) or not points or not isinstance(points[0], dict):
        return None
    trace, x = points[0].get("curveNumber"), points[0].get("x")
    if not isinstance(trace, int) or isinstance(trace, bool) or not 0 <= trace < len(traces):
        return None
    if not isinstance(x, str):
        return None
    try:
        bucket = date.fromisoformat(x[:10])
    except ValueError:
        return None
    category = traces[trace].split(":")[0]
    if category not in {c.value for c in Category}:
        return None
    return category, bucket.isoformat()


def read_treasury_view(key: TreasuryKey, engine: Engine | None = None) -> TreasuryView:
    """The view for `key` from the index (blocking: the live hub runs it in a thread)."""
    engine = engine or get_engine(load_settings().database_url)
    status = index_status(engine)
    if status is None:
        return TreasuryView()
    assets = recognised_assets(contract_addresses(engine))
    movements = movements_at(engine, status.block_number, status.block_hash)
    supplies = token_supplies(engine, [a.key for a in assets if a.key != "eth"])
    return build_view(
        key,
        movements,
        assets,
        supplies,
        notes(engine),
        status.block_timestamp,
        status.block_number,
        read_commitments(engine, assets),
        escrowed_bounties(engine),
    )

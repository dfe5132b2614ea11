"""The job board as the page shows it: one page of job rows per BoardKey, from SQL.

The key holds what the controls chose; `changed_key` builds it from what a
browser sent (anything) and says what it refused; `read_board_view` turns one
page of the index's jobs into display rows (blocking: the live hub runs it in
a worker thread). Paging happens in SQL, so a board of 100k jobs reads one page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy import Engine

from coop_dashboard.config import Settings, load_settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.job_queries import (
    JobQuery,
    JobQueryError,
    JobSummary,
    job_assets,
    list_jobs,
    status_counts,
)
from coop_dashboard.evm import ZERO_ADDRESS
from coop_dashboard.services.chain_access import chain_for
from coop_dashboard.services.display import format_int, short_address
from coop_dashboard.services.jobs.asset_labels import AssetLabel, label_of
from coop_dashboard.services.jobs.display import (
    JOB_STATUSES,
    STATUS_LABELS,
    countdown,
    deadline_iso,
    deadline_label,
    job_link,
    unread_spec_title,
    unreadable_spec_title,
)
from coop_dashboard.services.jobs.inputs import (
    ASSET_DECIMALS,
    ASSETS,
    JobActionRefused,
    amount_value,
)

PAGE_SIZE = 20
SORT_LABELS = {
    "newest": "Newest",
    "bounty_high": "Highest bounty",
    "bounty_low": "Lowest bounty",
    "deadline": "Next deadline",
    "bids": "Most bids",
}
ANY = ""
MAX_SEARCH_LENGTH = 100
_MAX_PAGE = 1_000_000


class BoardInputError(ValueError):
    """A control's value the board does not take (the message says why)."""


@dataclass(frozen=True)
class BoardKey:
    search: str = ""
    status: str = ANY  # "" or one of STATUSES
    dataset: int = 0  # 0: any
    asset: str = ANY  # "", a suite asset's symbol (ASSETS) or another token's lowercase address
    min_bounty: int = 0  # base units of `asset`
    sort: str = "newest"
    page: int = 1


def _text(value: object, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise BoardInputError(f"{what}: not text.")
    if len(value) > limit:
        raise BoardInputError(f"{what}: at most {limit} characters.")
    return value.strip()


def changed_key(
    key: BoardKey, control: str, value: object, tokens: Mapping[str, int | None] | None = None
) -> BoardKey:
    """`key` with one control set to a browser-sent value; BoardInputError if refused.

    `tokens`: the other assets the board offers (BoardView.asset_options: lowercase
    address -> checked decimals, None for base units). Every change but paging goes
    back to page 1.
    """
    tokens = tokens or {}
    if control == "search":
        return replace(key, search=_text(value, "Search", MAX_SEARCH_LENGTH), page=1)
    if control == "status":
        if value != ANY and value not in JOB_STATUSES:
            raise BoardInputError(f"Unknown status {str(value)[:40]!r}.")
        return replace(key, status=str(value), page=1)
    if control == "dataset":
        text = _text(value, "Dataset", 20).lstrip("#")
        if not text:
            return replace(key, dataset=0, page=1)
        if not text.isascii() or not text.isdecimal() or len(text) > 18 or int(text) == 0:
            raise BoardInputError("Dataset: a dataset number such as 3.")
        return replace(key, dataset=int(text), page=1)
    if control == "asset":
        if value != ANY and value not in ASSETS and value not in tokens:
            raise BoardInputError("Asset: one of those jobs were posted in.")
        return replace(key, asset=str(value), min_bounty=0, page=1)
    if control == "min_bounty":
        text = _text(value, "Bounty", 100)
        if not text:
            return replace(key, min_bounty=0, page=1)
        if not key.asset:
            raise BoardInputError("Choose an asset to filter by bounty.")
        decimals = ASSET_DECIMALS.get(key.asset) or tokens.get(key.asset) or 0
        try:
            amount = amount_value(text, decimals, "Bounty", allow_zero=True)
        except JobActionRefused as exc:
            raise BoardInputError(str(exc)) from None
        return replace(key, min_bounty=amount, page=1)
    if control == "sort":
        if value not in SORT_LABELS:
            raise BoardInputError(f"Unknown sort {str(value)[:40]!r}.")
        return replace(key, sort=str(value), page=1)
    if control == "page":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_PAGE:
            raise BoardInputError("Not a page number.")
        return replace(key, page=value)
    raise BoardInputError(f"Unknown control {control[:40]!r}.")


@dataclass(frozen=True)
class JobRow:
    job_id: int
    link: str
    title: str
    status: str
    bounty: str
    purpose: str
    datasets: str  # "#1, #4"
    bids: str  # "3 bids"
    next_deadline: str  # "bidding closes in 2 days"
    poster_short: str
    deadline_label: str = ""  # "Bidding closes"
    deadline_iso: str = ""  # for the browser's ticking countdown


@dataclass(frozen=True)
class StatusTab:
    status: str  # "" for every status
    label: str  # "Open (4)"


@dataclass(frozen=True)
class AssetOption:
    """An asset the board's filter offers: one a job was posted in (from the index)."""

    value: str  # "ETH", "cUSD", or a token's lowercase address
    label: str  # "ETH", "EVILJ (0x12ab…cd34)", "0x12ab…cd34 (base units)"
    decimals: int | None  # what a minimum bounty is written in (None: base units)


@dataclass(frozen=True)
class BoardView:
    loaded: bool = False
    rows: list[JobRow] = field(default_factory=list)
    tabs: list[StatusTab] = field(default_factory=list)
    asset_options: list[AssetOption] = field(default_factory=list)
    total: int = 0
    total_text: str = "0 jobs"
    page: int = 1
    pages: int = 1
    notice: str = ""


def _asset_address(settings: Settings, symbol: str) -> str | None:
    if not symbol:
        return None
    if symbol.startswith("0x"):
        return symbol  # a token's address, from the offered options
    if symbol == "ETH":
        return ZERO_ADDRESS
    contract = ASSETS.get(symbol)
    deployment = chain_for(settings).deployment
    if contract is None or contract not in deployment.contracts:
        return "0x" + "ff" * 20  # nothing is posted in an asset this chain does not have
    return deployment.address(contract).lower()


def _query(settings: Settings, key: BoardKey) -> JobQuery:
    return JobQuery(
        search=key.search,
        statuses=(key.status,) if key.status else (),
        dataset_id=key.dataset or None,
        asset=_asset_address(settings, key.asset),
        min_bounty=key.min_bounty or None,
        sort=key.sort,
        page=key.page,
        page_size=PAGE_SIZE,
    )


def board_title(job: JobSummary) -> str:
    """The row's title from the index (job_spec), never from the content store."""
    if not job.spec_read:
        return unread_spec_title(job.spec_cid)
    return job.spec_title or unreadable_spec_title(job.job_id)


def asset_option(label: AssetLabel) -> AssetOption:
    if label.recognised:
        # The suite's bounty assets by symbol (the key's own values); another manifest
        # token (COOP) by its address.
        value = label.symbol if label.symbol in ASSETS else label.address
        return AssetOption(value, label.symbol, label.decimals)
    short = short_address(label.address)
    if label.decimals is None:
        return AssetOption(label.address, f"{short} (base units)", None)
    return AssetOption(label.address, f"{label.symbol} ({short})", label.decimals)


def asset_options(settings: Settings, engine: Engine) -> list[AssetOption]:
    """Every asset a job was posted in (the index), named by its checked label."""
    return [asset_option(label_of(settings, asset)) for asset in job_assets(engine)]


def job_row(settings: Settings, job: JobSummary) -> JobRow:
    label = label_of(settings, job.asset)  # a token's claims read once, then cached
    bids = f"{format_int(job.bid_count)} bid" + ("" if job.bid_count == 1 else "s")
    return JobRow(
        job_id=job.job_id,
        link=job_link(job.job_id),
        title=board_title(job),
        status=job.status,
        bounty=label.amount_text(job.bounty),
        purpose=job.purpose.replace("_", " "),
        datasets=", ".join(f"#{d}" for d in job.dataset_ids),
        bids=bids,
        next_deadline=countdown(job.status, job.next_deadline),
        poster_short=short_address(job.poster),
        deadline_label=deadline_label(job.status, job.next_deadline),
        deadline_iso=deadline_iso(job.next_deadline),
    )


def read_board_view(key: BoardKey, engine: Engine | None = None) -> BoardView:
    """The board page for `key` (a refused query comes back as a notice, not raised)."""
    settings = load_settings()
    engine = engine or get_engine(settings.database_url)
    counts = status_counts(engine)
    total_jobs = sum(counts.values())
    tabs = [StatusTab("", f"All ({format_int(total_jobs)})")] + [
        StatusTab(status, f"{STATUS_LABELS[status]} ({format_int(counts.get(status, 0))})")
        for status in JOB_STATUSES
    ]
    options = asset_options(settings, engine)
    try:
        found = list_jobs(engine, _query(settings, key))
    except JobQueryError as refused:
        return BoardView(loaded=True, tabs=tabs, asset_options=options, notice=str(refused))
    return BoardView(
        loaded=True,
        rows=[job_row(settings, job) for job in found.rows],
        tabs=tabs,
        asset_options=options,
        total=found.total,
        total_text=f"{format_int(found.total)} job" + ("" if found.total == 1 else "s"),
        page=found.page,
        pages=found.pages,
    )

"""What the overview page displays, built from `OverviewFacts` and from errors.

The page only binds these strings; every number comes with its exact value so
the UI can show `1,250,000.5` while keeping `1250000.5` in an attribute.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from coop_dashboard.config import Settings, load_settings
from coop_dashboard.errors import (
    ChainError,
    ConfigError,
    CoopError,
    ManifestMismatchError,
    RpcUnavailableError,
)
from coop_dashboard.services import display
from coop_dashboard.services.overview import read_overview
from coop_dashboard.services.overview_types import PROPOSAL_STATES, OverviewFacts

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Figure:
    """A number as shown (`display`) and as read from the chain (`exact`)."""

    display: str = "-"
    exact: str = ""


@dataclass(frozen=True)
class AssetRow:
    symbol: str
    amount: Figure
    address: str  # "" for the chain's native coin


@dataclass(frozen=True)
class StateRow:
    state: str
    count: Figure
    share_percent: int  # of all proposals, for the bar width


@dataclass(frozen=True)
class ContractRow:
    name: str
    address: str


@dataclass(frozen=True)
class OverviewView:
    """Everything the overview page shows, as display-ready values."""

    chain_id: Figure = field(default_factory=Figure)
    block_number: Figure = field(default_factory=Figure)
    block_time_utc: str = ""
    block_time_iso: str = ""
    token_name: str = ""
    token_symbol: str = ""
    token_supply: Figure = field(default_factory=Figure)
    treasury_address: str = ""
    treasury: list[AssetRow] = field(default_factory=list)
    member_count: Figure = field(default_factory=Figure)
    delegate_count: Figure = field(default_factory=Figure)
    proposal_count: Figure = field(default_factory=Figure)
    proposals_by_state: list[StateRow] = field(default_factory=list)
    contracts: list[ContractRow] = field(default_factory=list)
    indexer_stall: str = ""  # shown as a warning while not empty


@dataclass(frozen=True)
class ErrorNotice:
    """A failure explained to a person: a short title and a sentence to act on."""

    title: str
    message: str


def _count(value: int) -> Figure:
    return Figure(display=display.format_int(value), exact=str(value))


def _amount(value: str) -> Figure:
    return Figure(display=display.format_decimal(value), exact=value)


def overview_view(facts: OverviewFacts) -> OverviewView:
    """The page's values for `facts`."""
    # Every governor state gets a row, in the enum's order, so the layout is stable.
    states = list(PROPOSAL_STATES) + sorted(set(facts.proposals_by_state) - set(PROPOSAL_STATES))
    total = sum(facts.proposals_by_state.values())
    return OverviewView(
        chain_id=Figure(display=str(facts.chain_id), exact=str(facts.chain_id)),
        block_number=_count(facts.block_number),
        block_time_utc=display.format_utc(facts.block_timestamp),
        block_time_iso=display.iso_utc(facts.block_timestamp),
        token_name=facts.token_name,
        token_symbol=facts.token_symbol,
        token_supply=_amount(facts.token_supply),
        treasury_address=facts.treasury_address,
        treasury=[
            AssetRow(symbol=asset.symbol, amount=_amount(asset.amount), address=asset.address or "")
            for asset in facts.treasury
        ],
        member_count=_count(facts.member_count),
        delegate_count=_count(facts.delegate_count),
        proposal_count=_count(facts.proposal_count),
        proposals_by_state=[
            StateRow(
                state=state,
                count=_count(facts.proposals_by_state.get(state, 0)),
                share_percent=(
                    round(100 * facts.proposals_by_state.get(state, 0) / total) if total else 0
                ),
            )
            for state in states
        ],
        contracts=[
            ContractRow(name=display.humanize_identifier(name), address=address)
            for name, address in facts.contracts.items()
        ],
        indexer_stall=facts.indexer_stall,
    )


def error_notice(error: CoopError, rpc_url: str) -> ErrorNotice:
    """How the page explains `error`; `rpc_url` is named because it is what to check.

    The page is public: an RPC URL's secret parts (API keys) never reach it.
    """
    detail = str(error).strip() or type(error).__name__
    shown_url = display.public_url(rpc_url) if rpc_url else ""
    if rpc_url:
        detail = detail.replace(rpc_url, shown_url)
    if isinstance(error, RpcUnavailableError):
        message = detail
        if shown_url not in detail:
            message = f"The chain at {shown_url or 'RPC_URL'} is unreachable: {detail}"
        return ErrorNotice(title="Chain unreachable", message=message)
    if isinstance(error, ManifestMismatchError):
        return ErrorNotice(title="Deployment does not match the chain", message=detail)
    if isinstance(error, ConfigError):
        return ErrorNotice(title="Configuration problem", message=detail)
    if isinstance(error, ChainError):
        return ErrorNotice(title="Chain error", message=detail)
    return ErrorNotice(title="Could not read the cooperative's state", message=detail)


def unexpected_error_notice(error: BaseException) -> ErrorNotice:
    """A bug, not a condition to act on: say so without leaking internals."""
    return ErrorNotice(
        title="Unexpected error",
        message=(
            f"Reading the overview failed unexpectedly ({type(error).__name__}). "
            "The details are in the server log; the page keeps retrying."
        ),
    )


@dataclass(frozen=True)
class OverviewRead:
    """One attempt to read the overview: the view, or the notice saying why not."""

    view: OverviewView
    notice: ErrorNotice | None
    rpc_url: str  # display-safe (see display.public_url)
    read_at: int  # unix seconds


def read_overview_view(
    read: Callable[[Settings], OverviewFacts] = read_overview,
    settings_loader: Callable[[], Settings] = load_settings,
) -> OverviewRead:
    """Read the facts and turn them, or the failure, into what the page shows. Never raises."""
    rpc_url = ""
    notice: ErrorNotice | None = None
    view = OverviewView()
    try:
        settings = settings_loader()
        rpc_url = settings.rpc_url
        view = overview_view(read(settings))
    except CoopError as error:
        notice = error_notice(error, rpc_url)
    except Exception as error:
        # A bug must not stop the page's refreshes or reach it as a traceback.
        logger.exception("reading the overview failed")
        notice = unexpected_error_notice(error)
    shown_url = display.public_url(rpc_url) if rpc_url else ""
    return OverviewRead(view=view, notice=notice, rpc_url=shown_url, read_at=int(time.time()))

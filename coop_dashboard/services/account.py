"""A member's own account: what the header and the account page show, and delegation writes."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from coop_dashboard.chain.member import read_member
from coop_dashboard.config import Settings, load_settings
from coop_dashboard.errors import CoopError
from coop_dashboard.evm import ZERO_ADDRESS
from coop_dashboard.services import display
from coop_dashboard.services.address_input import parse_address_input
from coop_dashboard.services.amounts import format_units
from coop_dashboard.services.overview_view import ErrorNotice, Figure, error_notice
from coop_dashboard.services.transactions import ChainContext, PreparedWrite, prepare_call
from coop_dashboard.services.tx_text import describe_delegation, same_address

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccountView:
    """One member's standing, display-ready (every figure keeps its exact value)."""

    address: str = ""
    token_symbol: str = ""
    balance: Figure = field(default_factory=Figure)
    votes: Figure = field(default_factory=Figure)
    eth_balance: Figure = field(default_factory=Figure)
    delegate: str = ""  # "" when the member never delegated
    delegates_to_self: bool = False
    block_number: Figure = field(default_factory=Figure)  # the block the figures are from


@dataclass(frozen=True)
class AccountRead:
    """One attempt to read an account: the view, or the notice saying why not."""

    view: AccountView
    notice: ErrorNotice | None
    read_at: int


def _amount(base_units: int, decimals: int) -> Figure:
    exact = format_units(base_units, decimals)
    return Figure(display=display.format_decimal(exact), exact=exact)


def read_account_view(address: str, settings: Settings | None = None) -> AccountRead:
    """`address`'s balance, voting power and delegate, or a notice. Never raises."""
    notice: ErrorNotice | None = None
    view = AccountView(address=address)
    rpc_url = ""
    try:
        settings = settings or load_settings()
        rpc_url = settings.rpc_url
        context = ChainContext.load(settings)
        facts = read_member(context.w3, context.deployment, address, rpc_url)
        delegate = "" if same_address(facts.delegate, ZERO_ADDRESS) else facts.delegate
        view = AccountView(
            address=facts.address,
            token_symbol=facts.token_symbol,
            balance=_amount(facts.balance, facts.token_decimals),
            votes=_amount(facts.votes, facts.token_decimals),
            eth_balance=_amount(facts.eth_balance, 18),
            delegate=delegate,
            delegates_to_self=bool(delegate) and same_address(delegate, facts.address),
            block_number=Figure(
                display=display.format_int(facts.block_number), exact=str(facts.block_number)
            ),
        )
    except CoopError as error:
        notice = error_notice(error, rpc_url)
    except Exception as error:
        logger.exception("reading an account failed")
        notice = ErrorNotice(
            title="Unexpected error",
            message=(
                f"Reading your account failed unexpectedly ({type(error).__name__}). "
                "The details are in the server log."
            ),
        )
    return AccountRead(view=view, notice=notice, read_at=int(time.time()))


def prepare_delegation(settings: Settings, signer: str, delegatee_input: str) -> PreparedWrite:
    """`CoopToken.delegate(delegatee)` from `signer`, checked and simulated.

    Raises AddressInputError for a malformed address, WriteRefused when the call
    would revert, other CoopErrors when the chain cannot be reached.
    """
    delegatee = parse_address_input(delegatee_input)
    context = ChainContext.load(settings)
    return prepare_call(
        context,
        description=describe_delegation(signer, delegatee),
        sender=signer,
        contract="CoopToken",
        function="delegate",
        args=[delegatee],
    )

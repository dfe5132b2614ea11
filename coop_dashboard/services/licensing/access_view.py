"""The "My access" page (/access) of one account, read from the index (blocking: the live
hub runs it in a thread, once per indexed head for every tab of that account).

Passes: every pass the account holds, valid, expired (renewable) or revoked (with
governance's reason). Earnings: what each dataset earned the account, from whom
(the buyers of its own sales, the sales of derived datasets that paid it a
royalty, curation and treasury fees), and per currency what it can withdraw now.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import Engine

from coop_dashboard.config import load_settings
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.dataset_queries import get_dataset
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.licensing_ledger import credits_of
from coop_dashboard.db.licensing_queries import balances_of, passes_of
from coop_dashboard.db.queries import contract_addresses, index_status
from coop_dashboard.services.display import format_utc, short_address
from coop_dashboard.services.licensing.currencies import currency_of, known_currencies
from coop_dashboard.services.licensing.passes import PassView, pass_view

SOURCE_LABELS = {
    "sale": "Sales",
    "upstream_royalty": "Upstream royalties",
    "curation": "Curation",
    "treasury_fee": "Treasury fee",
}
_MAX_BUYERS_SHOWN = 4


@dataclass(frozen=True)
class EarningView:
    dataset_id: int
    dataset_name: str
    dataset_link: str
    source_label: str
    origin: str  # from whom
    amount_text: str
    credits: int


@dataclass(frozen=True)
class BalanceView:
    currency: str  # address (what withdraw takes)
    symbol: str
    credited_text: str
    withdrawn_text: str
    withdrawable_text: str
    can_withdraw: bool


@dataclass(frozen=True)
class AccessView:
    loaded: bool = False
    account: str = ""
    as_of: str = ""
    passes: list[PassView] = field(default_factory=list)
    earnings: list[EarningView] = field(default_factory=list)
    balances: list[BalanceView] = field(default_factory=list)


def _origin(source: str, sale_dataset_id: int, buyers: set[str]) -> str:
    shown = sorted(buyers)[:_MAX_BUYERS_SHOWN]
    who = ", ".join(short_address(b) for b in shown)
    if len(buyers) > len(shown):
        who += f" and {len(buyers) - len(shown)} more"
    if source == "sale":
        return f"Bought by {who}" if who else "Sales"
    if source == "upstream_royalty":
        return f"Sales of derived dataset #{sale_dataset_id}" + (
            f" (bought by {who})" if who else ""
        )
    return f"Sales of dataset #{sale_dataset_id}"


def read_access_view(account: str, engine: Engine | None = None) -> AccessView:
    settings = load_settings()
    engine = engine or get_engine(settings.database_url)
    status = index_status(engine)
    now = status.block_timestamp if status is not None else 0
    known = known_currencies(contract_addresses(engine))
    store = LocalContentStore(settings.content_dir)

    @cache
    def name_of(dataset_id: int) -> str:
        facts = get_dataset(engine, dataset_id)
        return (facts.summary.name if facts is not None else None) or f"Dataset #{dataset_id}"

    passes = [
        pass_view(row, now, name_of(row.dataset_id), known, store)
        for row in passes_of(engine, account)
    ]
    grouped: dict[tuple[int, str, int, str], list[int]] = defaultdict(lambda: [0, 0])
    buyers: dict[tuple[int, str, int, str], set[str]] = defaultdict(set)
    for credit in credits_of(engine, account):
        key = (credit.earning_dataset_id, credit.source, credit.sale_dataset_id, credit.currency)
        grouped[key][0] += credit.amount
        grouped[key][1] += 1
        buyers[key].update(credit.buyers)
    earnings = [
        EarningView(
            dataset_id=earning,
            dataset_name=name_of(earning),
            dataset_link=f"/datasets/{earning}",
            source_label=SOURCE_LABELS.get(source, source),
            origin=_origin(source, sale, buyers[(earning, source, sale, currency)]),
            amount_text=currency_of(currency, known).amount(total),
            credits=count,
        )
        for (earning, source, sale, currency), (total, count) in sorted(grouped.items())
    ]
    balances = []
    for row in balances_of(engine, account):
        currency = currency_of(row.currency, known)
        balances.append(
            BalanceView(
                currency=row.currency,
                symbol=currency.symbol,
                credited_text=currency.amount(row.credited),
                withdrawn_text=currency.amount(row.withdrawn),
                withdrawable_text=currency.amount(row.withdrawable),
                can_withdraw=row.withdrawable > 0,
            )
        )
    return AccessView(
        loaded=True,
        account=account,
        as_of=format_utc(now) if now else "",
        passes=passes,
        earnings=earnings,
        balances=balances,
    )

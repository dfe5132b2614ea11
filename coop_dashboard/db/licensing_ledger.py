"""Licensing reads for the people-facing pages: allowed currencies and each credit with
where it came from (one function per question; the tables are db/licensing_tables.py).

A credit's RevenueCredited event names the dataset sold and the dataset whose role
earned it, but not the buyer: the buyer is in the same transaction's
LicensePurchased (one purchase per sale transaction from the app and the seed; a
contract buying several times in one transaction gets each of its buyers listed).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Engine, select

from coop_dashboard.db.chain_tables import GovernanceSettingChange, table_of
from coop_dashboard.db.licensing_tables import LicenseCredit, LicensePurchase

CURRENCY_ALLOWED_SETTING = "license_currency_allowed"  # indexer/handlers/licensing.py


@dataclass(frozen=True)
class CreditRow:
    """One share of one sale credited to an account."""

    sale_dataset_id: int
    earning_dataset_id: int
    currency: str
    source: str
    amount: int
    buyers: tuple[str, ...]  # who paid (LicensePurchased.buyer of the same transaction)
    block_timestamp: int


def allowed_currencies(engine: Engine) -> list[str]:
    """Currencies (lowercase addresses) DataLicensing allows now, by its CurrencyAllowedSet
    events in the index (ETH's is emitted at deployment like any other)."""
    g = table_of(GovernanceSettingChange)
    statement = (
        select(g.c.new_value)
        .where(g.c.setting == CURRENCY_ALLOWED_SETTING)
        .order_by(g.c.block_number, g.c.log_index)
    )
    allowed: dict[str, bool] = {}
    with engine.connect() as connection:
        for (value,) in connection.execute(statement):
            currency, _, flag = str(value).partition(" ")
            allowed[currency.lower()] = flag == "true"
    return sorted(currency for currency, on in allowed.items() if on)


def credits_of(engine: Engine, account: str) -> list[CreditRow]:
    """Every credit to `account`, oldest first, with the buyers of the sale that made it."""
    c, p = table_of(LicenseCredit), table_of(LicensePurchase)
    with engine.connect() as connection:
        credits = connection.execute(
            select(c)
            .where(c.c.account == account.lower())
            .order_by(c.c.block_number, c.c.log_index)
        ).all()
        hashes = sorted({row.tx_hash for row in credits})
        buyers: dict[tuple[str, int], list[str]] = defaultdict(list)
        for start in range(0, len(hashes), 500):
            statement = select(p.c.tx_hash, p.c.dataset_id, p.c.buyer).where(
                p.c.tx_hash.in_(hashes[start : start + 500])
            )
            for tx_hash, dataset_id, buyer in connection.execute(statement):
                buyers[(tx_hash, int(dataset_id))].append(buyer)
    return [
        CreditRow(
            sale_dataset_id=int(row.sale_dataset_id),
            earning_dataset_id=int(row.earning_dataset_id),
            currency=row.currency,
            source=row.source,
            amount=int(row.amount),
            buyers=tuple(dict.fromkeys(buyers.get((row.tx_hash, int(row.sale_dataset_id)), []))),
            block_timestamp=int(row.block_timestamp),
        )
        for row in credits
    ]

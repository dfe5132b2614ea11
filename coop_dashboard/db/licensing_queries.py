"""Read queries of licenses, over the licensing tables. One function per question.

Every function takes an Engine and returns frozen dataclasses; addresses are
lowercase in and out; `now` is unix seconds (the caller's clock, usually the
latest block's time). A dataset has at most 16 tiers and a holder few passes,
so the present is folded from the event rows in Python, in block order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, insert, select

from coop_dashboard.db.chain_tables import GovernanceSettingChange, table_of
from coop_dashboard.db.licensing_tables import (
    SHARES_SETTING,
    LicenseAccessLog,
    LicenseCredit,
    LicenseDeclaration,
    LicensePassEvent,
    LicensePurchase,
    LicenseTierEvent,
    LicenseWithdrawal,
)

MAX_LOG_ROWS = 500
ACCESS_VIAS = ("browser", "api")


@dataclass(frozen=True)
class TierRow:
    dataset_id: int
    tier_index: int
    active: bool
    currency: str
    price: int
    duration: int
    purpose: str
    use: str
    attribution: bool
    share_alike: bool
    set_at: int


@dataclass(frozen=True)
class DeclaredClass:
    use: str
    attribution: bool
    share_alike: bool
    declared_at: int


@dataclass(frozen=True)
class PassRow:
    token_id: str
    holder: str
    dataset_id: int
    purpose: str
    tier_index: int
    currency: str
    price: int  # of the latest purchase
    first_bought_at: int
    expires_at: int
    revoked: bool
    revoked_reason_cid: str | None
    purchases: int

    def valid_at(self, now: int) -> bool:
        """Valid: not revoked and not yet expired (the contract's `hasAccess`)."""
        return not self.revoked and self.expires_at > now


@dataclass(frozen=True)
class EarningRow:
    """What `account` was credited in `currency` from `source`, in total."""

    currency: str
    source: str
    amount: int
    credits: int


@dataclass(frozen=True)
class BalanceRow:
    currency: str
    credited: int
    withdrawn: int

    @property
    def withdrawable(self) -> int:
        return self.credited - self.withdrawn


@dataclass(frozen=True)
class DatasetEarningRow:
    """What a dataset's role earned (its sales, or royalties from descendants' sales)."""

    currency: str
    source: str
    sale_dataset_id: int
    account: str
    amount: int


@dataclass(frozen=True)
class AccessLogRow:
    dataset_id: int
    account: str
    token_id: str | None
    purpose: str | None
    via: str
    byte_start: int
    byte_end: int
    served_at: int


def dataset_tiers(engine: Engine, dataset_id: int) -> list[TierRow]:
    """The tiers of `dataset_id` as they stand now, by index (inactive ones included)."""
    t = table_of(LicenseTierEvent)
    statement = (
        select(t).where(t.c.dataset_id == dataset_id).order_by(t.c.block_number, t.c.log_index)
    )
    tiers: dict[int, TierRow] = {}
    with engine.connect() as connection:
        for row in connection.execute(statement):
            index = int(row.tier_index)
            if row.kind == "set":
                tiers[index] = TierRow(
                    dataset_id=dataset_id,
                    tier_index=index,
                    active=True,
                    currency=row.currency,
                    price=int(row.price),
                    duration=int(row.duration),
                    purpose=row.purpose,
                    use=row.use,
                    attribution=bool(row.attribution),
                    share_alike=bool(row.share_alike),
                    set_at=int(row.block_timestamp),
                )
            elif index in tiers:
                old = tiers[index]
                tiers[index] = TierRow(**{**old.__dict__, "active": bool(row.active)})
    return [tiers[index] for index in sorted(tiers)]


def declared_class(engine: Engine, dataset_id: int) -> DeclaredClass | None:
    """The class `dataset_id`'s contributor last declared for derived datasets, if any."""
    d = table_of(LicenseDeclaration)
    statement = (
        select(d)
        .where(d.c.dataset_id == dataset_id)
        .order_by(d.c.block_number.desc(), d.c.log_index.desc())
        .limit(1)
    )
    with engine.connect() as connection:
        row = connection.execute(statement).first()
    if row is None:
        return None
    return DeclaredClass(row.use, bool(row.attribution), bool(row.share_alike), row.block_timestamp)


def _passes(engine: Engine, *conditions: Any) -> list[PassRow]:
    p, e = table_of(LicensePurchase), table_of(LicensePassEvent)
    with engine.connect() as connection:
        purchases = connection.execute(
            select(p).where(*conditions).order_by(p.c.block_number, p.c.log_index)
        ).all()
        tokens = sorted({row.token_id for row in purchases})
        revocations: dict[str, str | None] = {}
        for start in range(0, len(tokens), 500):
            chunk = tokens[start : start + 500]
            statement = select(e.c.token_id, e.c.reason_cid).where(
                e.c.token_id.in_(chunk), e.c.kind == "revoked"
            )
            for token_id, reason in connection.execute(statement):
                revocations[token_id] = reason
    grouped: dict[str, list[Any]] = defaultdict(list)
    for row in purchases:
        grouped[row.token_id].append(row)
    passes: list[PassRow] = []
    for token_id, rows in grouped.items():
        first, last = rows[0], rows[-1]
        passes.append(
            PassRow(
                token_id=token_id,
                holder=last.holder,
                dataset_id=int(last.dataset_id),
                purpose=last.purpose,
                tier_index=int(last.tier_index),
                currency=last.currency,
                price=int(last.price),
                first_bought_at=int(first.block_timestamp),
                # Every purchase extends the pass: the latest one carries its expiry.
                expires_at=int(last.expires_at),
                revoked=token_id in revocations,
                revoked_reason_cid=revocations.get(token_id),
                purchases=len(rows),
            )
        )
    return sorted(passes, key=lambda row: (row.dataset_id, row.purpose))


def passes_of(engine: Engine, holder: str) -> list[PassRow]:
    """Every pass `holder` holds (valid or not: see PassRow.valid_at)."""
    p = table_of(LicensePurchase)
    return _passes(engine, p.c.holder == holder.lower())


def dataset_passes(engine: Engine, dataset_id: int) -> list[PassRow]:
    """Every pass to `dataset_id` (for its contributor and governance)."""
    p = table_of(LicensePurchase)
    return _passes(engine, p.c.dataset_id == dataset_id)


def access_pass(
    engine: Engine, holder: str, dataset_id: int, purpose: str | None, now: int
) -> PassRow | None:
    """The pass that gives `holder` access to `dataset_id` now (for `purpose`, or for any
    purpose when None), or None: the index's answer to the contract's `hasAccess`."""
    p = table_of(LicensePurchase)
    conditions = [p.c.holder == holder.lower(), p.c.dataset_id == dataset_id]
    if purpose is not None:
        conditions.append(p.c.purpose == purpose)
    valid = [row for row in _passes(engine, *conditions) if row.valid_at(now)]
    return max(valid, key=lambda row: row.expires_at) if valid else None


def earnings_of(engine: Engine, account: str) -> list[EarningRow]:
    """What `account` was credited, per currency and source (sale, treasury_fee,
    curation, upstream_royalty)."""
    c = table_of(LicenseCredit)
    statement = (
        select(c.c.currency, c.c.source, c.c.amount)
        .where(c.c.account == account.lower())
        .order_by(c.c.currency, c.c.source)
    )
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    with engine.connect() as connection:
        # Summed in Python: amounts are uint256 text columns on both engines.
        for currency, source, amount in connection.execute(statement):
            total = totals[(currency, source)]
            total[0] += int(amount)
            total[1] += 1
    return [EarningRow(cur, src, amount, n) for (cur, src), (amount, n) in sorted(totals.items())]


def balances_of(engine: Engine, account: str) -> list[BalanceRow]:
    """Per currency: credited, withdrawn, and so what `account` can withdraw now."""
    c, w = table_of(LicenseCredit), table_of(LicenseWithdrawal)
    credited: dict[str, int] = defaultdict(int)
    withdrawn: dict[str, int] = defaultdict(int)
    with engine.connect() as connection:
        for currency, amount in connection.execute(
            select(c.c.currency, c.c.amount).where(c.c.account == account.lower())
        ):
            credited[currency] += int(amount)
        for currency, amount in connection.execute(
            select(w.c.currency, w.c.amount).where(w.c.account == account.lower())
        ):
            withdrawn[currency] += int(amount)
    currencies = sorted(set(credited) | set(withdrawn))
    return [BalanceRow(cur, credited[cur], withdrawn[cur]) for cur in currencies]


def dataset_earnings(engine: Engine, dataset_id: int) -> list[DatasetEarningRow]:
    """What `dataset_id` earned: its own sales' contributor shares and the royalties its
    contributor received from descendants' sales, per currency, source, sale and account."""
    c = table_of(LicenseCredit)
    statement = (
        select(c.c.currency, c.c.source, c.c.sale_dataset_id, c.c.account, c.c.amount)
        .where(c.c.earning_dataset_id == dataset_id, c.c.source.in_(("sale", "upstream_royalty")))
        .order_by(c.c.block_number, c.c.log_index)
    )
    totals: dict[tuple[str, str, int, str], int] = defaultdict(int)
    with engine.connect() as connection:
        for currency, source, sale, account, amount in connection.execute(statement):
            totals[(currency, source, int(sale), account)] += int(amount)
    return [
        DatasetEarningRow(currency, source, sale, account, amount)
        for (currency, source, sale, account), amount in sorted(totals.items())
    ]


def license_shares(engine: Engine) -> tuple[int, int, int] | None:
    """The shares of a sale now (treasury fee, curators, upstream royalty; basis points),
    from the last SharesSet the index holds (None before DataLicensing is indexed)."""
    g = table_of(GovernanceSettingChange)
    statement = (
        select(g.c.new_value)
        .where(g.c.setting == SHARES_SETTING)
        .order_by(g.c.block_number.desc(), g.c.log_index.desc())
        .limit(1)
    )
    with engine.connect() as connection:
        value = connection.execute(statement).scalar_one_or_none()
    if value is None:
        return None
    treasury_fee, curators, royalty = (int(part) for part in str(value).split("/"))
    return treasury_fee, curators, royalty


def sales_count(engine: Engine, dataset_id: int) -> int:
    """How many purchases (renewals included) `dataset_id` had."""
    p = table_of(LicensePurchase)
    with engine.connect() as connection:
        count = connection.execute(
            select(func.count()).select_from(p).where(p.c.dataset_id == dataset_id)
        ).scalar_one()
    return int(count)


def record_access(engine: Engine, entry: AccessLogRow) -> None:
    """Log one served download (the token-gated route calls this after its checks)."""
    if entry.via not in ACCESS_VIAS:
        raise ValueError(f"unknown access channel {entry.via!r}")
    if not 0 <= entry.byte_start <= entry.byte_end:
        raise ValueError("the served byte range is not valid")
    a = table_of(LicenseAccessLog)
    values = dict(entry.__dict__) | {"account": entry.account.lower()}
    with engine.begin() as connection:
        connection.execute(insert(a).values(**values))


def access_log(engine: Engine, dataset_id: int, limit: int = MAX_LOG_ROWS) -> list[AccessLogRow]:
    """The latest served downloads of `dataset_id`, newest first (contributor and governance)."""
    a = table_of(LicenseAccessLog)
    statement = (
        select(a)
        .where(a.c.dataset_id == dataset_id)
        .order_by(a.c.served_at.desc(), a.c.id.desc())
        .limit(max(1, min(limit, MAX_LOG_ROWS)))
    )
    with engine.connect() as connection:
        return [
            AccessLogRow(
                dataset_id=int(row.dataset_id),
                account=row.account,
                token_id=row.token_id,
                purpose=row.purpose,
                via=row.via,
                byte_start=int(row.byte_start),
                byte_end=int(row.byte_end),
                served_at=int(row.served_at),
            )
            for row in connection.execute(statement)
        ]

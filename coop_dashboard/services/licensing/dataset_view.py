"""The licensing section of a dataset's page, read from the index (blocking: the live hub
runs these in a thread).

`read_licensing_section(dataset_id)` is the same for everyone: the tiers with
their terms and, for each, the split one purchase would make now (computed by the
contract's rule, chain/data_licensing.sale_split, from the indexed shares,
curators and lineage), and what each parent allows a derived tier to offer.
`read_licensing_account((dataset_id, account))` is what the signed-in account sees
besides: its passes to the dataset, whether it sets the tiers, and the access log
when it is the contributor or takes part in governance (voting power of at least
the proposal threshold: whoever could propose a revocation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import Engine

from coop_dashboard.chain.data_licensing import USES, LicenseClass, Shares, sale_split
from coop_dashboard.config import load_settings
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.dataset_queries import dataset_attestations, get_dataset
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.licensing_queries import (
    access_log,
    dataset_passes,
    dataset_tiers,
    declared_class,
    license_shares,
    sales_count,
)
from coop_dashboard.db.queries import (
    contract_addresses,
    current_setting,
    index_status,
    voting_power,
)
from coop_dashboard.services.display import format_int, format_utc, short_address
from coop_dashboard.services.governance.units import format_duration
from coop_dashboard.services.licensing.currencies import currency_of, known_currencies
from coop_dashboard.services.licensing.inputs import PURPOSE_LABELS, class_label
from coop_dashboard.services.licensing.passes import PassView, pass_view
from coop_dashboard.services.licensing.writes import LICENSABLE, offered_currencies

ROLE_LABELS = {
    "treasury_fee": "Treasury fee",
    "curation": "Curator",
    "upstream_royalty": "Upstream royalty",
    "sale": "Contributor",
}
TIMELOCK = "CoopTimelock"


@dataclass(frozen=True)
class SplitRow:
    account: str
    account_short: str
    role: str
    dataset_id: int  # whose role earns it (an ancestor for royalties)
    amount_text: str


@dataclass(frozen=True)
class TierView:
    index: int
    number: int
    active: bool
    price_text: str
    currency_symbol: str
    duration_text: str
    purpose: str
    purpose_label: str
    class_text: str
    split: list[SplitRow] = field(default_factory=list)


@dataclass(frozen=True)
class LicensingView:
    loaded: bool = False
    dataset_id: int = 0
    licensable: bool = False
    closed_reason: str = ""  # why nothing can be bought now
    accepts_tiers: bool = False  # not delisted: its contributor may set tiers
    contributor: str = ""
    tiers: list[TierView] = field(default_factory=list)
    shares_text: str = ""
    parent_limits: list[str] = field(default_factory=list)
    currencies: list[str] = field(default_factory=list)  # symbols a new tier may use
    sales: int = 0


@dataclass(frozen=True)
class AccessLogView:
    account: str
    account_short: str
    when: str
    purpose_label: str
    bytes_text: str
    via: str


@dataclass(frozen=True)
class LicensingAccountView:
    account: str = ""
    is_contributor: bool = False
    can_read_log: bool = False
    passes: list[PassView] = field(default_factory=list)
    has_valid_pass: bool = False
    log: list[AccessLogView] = field(default_factory=list)
    holders: list[PassView] = field(default_factory=list)  # every pass (contributor, governance)


def allowed_class_from_index(engine: Engine, dataset_id: int) -> LicenseClass:
    """DataLicensing.allowedClassOf computed from the index: the declared class, else the
    most permissive combination of the active tiers, else academic + attribution +
    share-alike (nothing known)."""
    declared = declared_class(engine, dataset_id)
    if declared is not None:
        return LicenseClass(declared.use, declared.attribution, declared.share_alike)
    use, attribution, share_alike = "academic", True, True
    for tier in dataset_tiers(engine, dataset_id):
        if not tier.active or tier.use not in USES:
            continue
        if USES.index(tier.use) < USES.index(use):
            use = tier.use
        attribution = attribution and tier.attribution
        share_alike = share_alike and tier.share_alike
    return LicenseClass(use, attribution, share_alike)


def _percent(bps: int) -> str:
    return f"{bps / 100:g}%"


def read_licensing_section(dataset_id: int, engine: Engine | None = None) -> LicensingView:
    engine = engine or get_engine(load_settings().database_url)
    facts = get_dataset(engine, dataset_id)
    if facts is None:
        return LicensingView(loaded=True, dataset_id=dataset_id)
    contracts = contract_addresses(engine)
    known = known_currencies(contracts)
    shares_bps = license_shares(engine)
    shares = Shares(*shares_bps) if shares_bps is not None else None
    treasury = contracts.get(TIMELOCK, "")

    @cache
    def contributor_of(node: int) -> str:
        found = get_dataset(engine, node)
        return found.contributor if found is not None else ""

    @cache
    def parents_of(node: int) -> list[int]:
        found = get_dataset(engine, node)
        return list(found.parents) if found is not None else []

    curators = [row.curator for row in dataset_attestations(engine, dataset_id)]
    tiers: list[TierView] = []
    for tier in dataset_tiers(engine, dataset_id):
        currency = currency_of(tier.currency, known)
        split: list[SplitRow] = []
        if shares is not None:
            for item in sale_split(
                tier.price, shares, dataset_id, treasury, contributor_of, parents_of, curators
            ):
                role = ROLE_LABELS.get(item.source, item.source)
                if item.source == "upstream_royalty":
                    role = f"Royalty: dataset #{item.earning_dataset_id}"
                split.append(
                    SplitRow(
                        item.account,
                        "Treasury" if item.account == treasury else short_address(item.account),
                        role,
                        item.earning_dataset_id,
                        currency.amount(item.amount),
                    )
                )
        tiers.append(
            TierView(
                index=tier.tier_index,
                number=tier.tier_index + 1,
                active=tier.active,
                price_text=currency.amount(tier.price),
                currency_symbol=currency.symbol,
                duration_text=format_duration(tier.duration),
                purpose=tier.purpose,
                purpose_label=PURPOSE_LABELS.get(tier.purpose, tier.purpose),
                class_text=class_label(
                    LicenseClass(tier.use, tier.attribution, tier.share_alike)
                    if tier.use in USES
                    else LicenseClass()
                ),
                split=split,
            )
        )
    status = facts.summary.status
    closed = ""
    if status == "delisted":
        closed = "Delisted: no licenses can be bought; passes already sold stay valid."
    elif status not in LICENSABLE:
        closed = "Licensing is paused: nothing can be bought until it resumes."
    limits = [
        f"Parent #{parent} allows at most: {class_label(allowed_class_from_index(engine, parent))}."
        for parent in facts.parents
    ]
    shares_text = (
        f"Each sale: {_percent(shares.treasury_fee_bps)} to the treasury, "
        f"{_percent(shares.curator_bps)} shared by the curators who attested, "
        f"{_percent(shares.royalty_bps)} upstream to the parents (each passing "
        f"{_percent(shares.royalty_bps)} of its share on), the rest to the contributor."
        if shares is not None
        else ""
    )
    settings = load_settings()
    return LicensingView(
        loaded=True,
        dataset_id=dataset_id,
        licensable=status in LICENSABLE,
        closed_reason=closed,
        accepts_tiers=status != "delisted",
        contributor=facts.contributor,
        tiers=tiers,
        shares_text=shares_text,
        parent_limits=limits,
        currencies=[c.symbol for c in offered_currencies(settings).values()],
        sales=sales_count(engine, dataset_id),
    )


def can_read_access_log(engine: Engine, account: str, contributor: str) -> bool:
    """The contributor, or a member with at least the proposal threshold of voting power."""
    if account.lower() == contributor.lower():
        return True
    threshold = current_setting(engine, "proposal_threshold") or 1
    return voting_power(engine, account) >= max(threshold, 1)


def read_licensing_account(
    key: tuple[int, str], engine: Engine | None = None
) -> LicensingAccountView:
    dataset_id, account = key
    settings = load_settings()
    engine = engine or get_engine(settings.database_url)
    facts = get_dataset(engine, dataset_id)
    if facts is None or not account:
        return LicensingAccountView(account=account)
    status = index_status(engine)
    now = status.block_timestamp if status is not None else 0
    known = known_currencies(contract_addresses(engine))
    store = LocalContentStore(settings.content_dir)
    name = facts.summary.name or f"Dataset #{dataset_id}"
    every = dataset_passes(engine, dataset_id)
    mine = [pass_view(row, now, name, known, store) for row in every if row.holder == account]
    is_contributor = facts.contributor.lower() == account
    readable = can_read_access_log(engine, account, facts.contributor)
    log: list[AccessLogView] = []
    holders: list[PassView] = []
    if readable:
        log = [
            AccessLogView(
                account=row.account,
                account_short=short_address(row.account),
                when=format_utc(row.served_at),
                purpose_label=(
                    PURPOSE_LABELS.get(row.purpose, row.purpose) if row.purpose else "contributor"
                ),
                bytes_text=f"bytes {format_int(row.byte_start)}-{format_int(row.byte_end)}",
                via=row.via,
            )
            for row in access_log(engine, dataset_id, 100)
        ]
        holders = [pass_view(row, now, name, known, store) for row in every]
    return LicensingAccountView(
        account=account,
        is_contributor=is_contributor,
        can_read_log=readable,
        passes=mine,
        has_valid_pass=any(p.state == "valid" for p in mine),
        log=log,
        holders=holders,
    )

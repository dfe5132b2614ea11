"""Tables of DataLicensing: what the indexer derives from its events, and the access log.

Event tables follow chain_tables' conventions (block_number + log_index in the
primary key, lowercase addresses, a rewind deletes rows above the fork). The
present (current tiers, passes and their validity, balances) is computed by
db/licensing_queries.py from these rows: a dataset has at most 16 tiers and a
holder few passes, so nothing needs recomputing per batch.

A pass is keyed by (holder, dataset_id, purpose): its token id is a function of
them (chain/data_licensing.pass_id) and is kept as 0x-hex text for display.

`license_access_log` is written by the app when it serves a licensed file (the
token-gated download route): it is not an indexer table and no rewind touches it.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, Text
from sqlmodel import Field, SQLModel

from coop_dashboard.db.chain_tables import ADDRESS_LENGTH, HASH_LENGTH
from coop_dashboard.db.uint256 import Uint256

_TABLE_OPTIONS = {"extend_existing": True, "sqlite_with_rowid": False}
NAME_LENGTH = 24  # the longest Purpose / Use / Source name, with room
TOKEN_ID_LENGTH = 66  # 0x + 64 hex digits
# gov_setting_change.setting of SharesSet: "treasury/curators/royalty" in basis points.
SHARES_SETTING = "license_shares_bps"


class LicenseTierEvent(SQLModel, table=True):
    """A tier set (TierSet: every term) or switched on / off (TierActiveSet: `active` only)."""

    __tablename__ = "license_tier_event"
    __table_args__ = (
        Index("ix_license_tier_event_dataset", "dataset_id", "tier_index", "block_number"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    dataset_id: int = Field(sa_type=BigInteger)
    tier_index: int = Field(sa_type=BigInteger)
    kind: str = Field(max_length=8)  # "set" or "active"
    active: bool = Field(sa_type=Boolean)
    currency: str | None = Field(default=None, max_length=ADDRESS_LENGTH)
    price: int | None = Field(default=None, sa_type=Uint256)
    duration: int | None = Field(default=None, sa_type=BigInteger)
    purpose: str | None = Field(default=None, max_length=NAME_LENGTH)
    use: str | None = Field(default=None, max_length=NAME_LENGTH)
    attribution: bool | None = Field(default=None, sa_type=Boolean)
    share_alike: bool | None = Field(default=None, sa_type=Boolean)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class LicenseDeclaration(SQLModel, table=True):
    """A contributor declared what datasets derived from theirs may offer (LicenseDeclared)."""

    __tablename__ = "license_declaration"
    __table_args__ = (
        Index("ix_license_declaration_dataset", "dataset_id", "block_number"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    dataset_id: int = Field(sa_type=BigInteger)
    use: str = Field(max_length=NAME_LENGTH)
    attribution: bool = Field(sa_type=Boolean)
    share_alike: bool = Field(sa_type=Boolean)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class LicensePurchase(SQLModel, table=True):
    """A purchase (LicensePurchased): a pass minted or extended to `expires_at`."""

    __tablename__ = "license_purchase"
    __table_args__ = (
        Index("ix_license_purchase_holder", "holder", "dataset_id", "purpose"),
        Index("ix_license_purchase_dataset", "dataset_id", "block_number"),
        Index("ix_license_purchase_buyer", "buyer"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    token_id: str = Field(max_length=TOKEN_ID_LENGTH)
    dataset_id: int = Field(sa_type=BigInteger)
    holder: str = Field(max_length=ADDRESS_LENGTH)
    buyer: str = Field(max_length=ADDRESS_LENGTH)
    tier_index: int = Field(sa_type=BigInteger)
    purpose: str = Field(max_length=NAME_LENGTH)
    currency: str = Field(max_length=ADDRESS_LENGTH)
    price: int = Field(sa_type=Uint256)
    expires_at: int = Field(sa_type=BigInteger)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class LicensePassEvent(SQLModel, table=True):
    """A pass renewed (PassRenewed) or revoked by governance (PassRevoked, with its reason)."""

    __tablename__ = "license_pass_event"
    __table_args__ = (
        Index("ix_license_pass_event_token", "token_id", "block_number"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    token_id: str = Field(max_length=TOKEN_ID_LENGTH)
    holder: str = Field(max_length=ADDRESS_LENGTH)
    dataset_id: int = Field(sa_type=BigInteger)
    purpose: str = Field(max_length=NAME_LENGTH)
    kind: str = Field(max_length=8)  # "renewed" or "revoked"
    previous_expires_at: int | None = Field(default=None, sa_type=BigInteger)
    expires_at: int | None = Field(default=None, sa_type=BigInteger)
    # As the chain holds it (sanitised: indexer/chain_text.py).
    reason_cid: str | None = Field(default=None, sa_type=Text)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class LicenseCredit(SQLModel, table=True):
    """One share of a sale credited to an account (RevenueCredited)."""

    __tablename__ = "license_credit"
    __table_args__ = (
        Index("ix_license_credit_account", "account", "currency", "source"),
        Index("ix_license_credit_earning", "earning_dataset_id", "source"),
        Index("ix_license_credit_sale", "sale_dataset_id"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    sale_dataset_id: int = Field(sa_type=BigInteger)  # the dataset sold
    earning_dataset_id: int = Field(sa_type=BigInteger)  # whose role earned it (an ancestor)
    account: str = Field(max_length=ADDRESS_LENGTH)
    currency: str = Field(max_length=ADDRESS_LENGTH)
    source: str = Field(max_length=NAME_LENGTH)  # chain/data_licensing.SOURCES
    amount: int = Field(sa_type=Uint256)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class LicenseWithdrawal(SQLModel, table=True):
    """An account withdrew its credits in one currency (Withdrawn)."""

    __tablename__ = "license_withdrawal"
    __table_args__ = (
        Index("ix_license_withdrawal_account", "account", "currency"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    account: str = Field(max_length=ADDRESS_LENGTH)
    currency: str = Field(max_length=ADDRESS_LENGTH)
    amount: int = Field(sa_type=Uint256)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class LicenseAccessLog(SQLModel, table=True):
    """A licensed file served (written by the download route, not by the indexer)."""

    __tablename__ = "license_access_log"
    __table_args__ = (
        Index("ix_license_access_log_dataset", "dataset_id", "served_at"),
        Index("ix_license_access_log_account", "account", "served_at"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(sa_type=BigInteger)
    account: str = Field(max_length=ADDRESS_LENGTH)
    # The pass that allowed it (None: the contributor's own access).
    token_id: str | None = Field(default=None, max_length=TOKEN_ID_LENGTH)
    purpose: str | None = Field(default=None, max_length=NAME_LENGTH)
    via: str = Field(max_length=8)  # "browser" or "api"
    byte_start: int = Field(sa_type=BigInteger)
    byte_end: int = Field(sa_type=BigInteger)  # exclusive
    served_at: int = Field(sa_type=BigInteger)  # unix seconds


LICENSING_EVENT_TABLES: tuple[type[SQLModel], ...] = (
    LicenseTierEvent,
    LicenseDeclaration,
    LicensePurchase,
    LicensePassEvent,
    LicenseCredit,
    LicenseWithdrawal,
)

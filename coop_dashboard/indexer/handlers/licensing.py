"""DataLicensing events -> licensing tables (indexer event tables only).

Every row is derived from one log alone, so a rewind is the registry's generic
one (rows above the fork deleted); the present (tiers, pass validity, balances)
is read from these rows by db/licensing_queries.py. Settings go to
gov_setting_change like every contract's: the three shares of a sale as one
"treasury/curators/royalty" value, a currency's allowance as "<currency> <bool>".
"""

from __future__ import annotations

from coop_dashboard.chain.data_licensing import (
    purpose_name,
    source_name,
    split_pass_id,
    use_name,
)
from coop_dashboard.db.chain_tables import GovernanceSettingChange
from coop_dashboard.db.licensing_tables import (
    LICENSING_EVENT_TABLES,
    SHARES_SETTING,
    LicenseCredit,
    LicenseDeclaration,
    LicensePassEvent,
    LicensePurchase,
    LicenseTierEvent,
    LicenseWithdrawal,
)
from coop_dashboard.indexer.decoders import DecodedLog
from coop_dashboard.indexer.handlers.registry import (
    HandlerContext,
    HandlerRegistry,
    Row,
    RowSink,
    log_fields,
)

CONTRACT = "DataLicensing"


def token_hex(token_id: int) -> str:
    """A pass token id as the tables keep it (0x + 64 hex digits)."""
    return f"0x{token_id:064x}"


def _pass_fields(token_id: int) -> Row:
    holder, dataset_id, purpose = split_pass_id(token_id)
    return {
        "token_id": token_hex(token_id),
        "holder": holder,
        "dataset_id": dataset_id,
        "purpose": purpose_name(purpose),
    }


def on_tier_set(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    sink.add(
        LicenseTierEvent,
        log_fields(log)
        | {
            "dataset_id": int(args["datasetId"]),
            "tier_index": int(args["tierIndex"]),
            "kind": "set",
            "active": True,  # setTier offers the tier at once
            "currency": args["currency"],
            "price": int(args["price"]),
            "duration": int(args["duration"]),
            "purpose": purpose_name(int(args["purpose"])),
            "use": use_name(int(args["use"])),
            "attribution": bool(args["attribution"]),
            "share_alike": bool(args["shareAlike"]),
        },
    )


def on_tier_active_set(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    sink.add(
        LicenseTierEvent,
        log_fields(log)
        | {
            "dataset_id": int(args["datasetId"]),
            "tier_index": int(args["tierIndex"]),
            "kind": "active",
            "active": bool(args["active"]),
        },
    )


def on_license_declared(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    sink.add(
        LicenseDeclaration,
        log_fields(log)
        | {
            "dataset_id": int(args["datasetId"]),
            "use": use_name(int(args["use"])),
            "attribution": bool(args["attribution"]),
            "share_alike": bool(args["shareAlike"]),
        },
    )


def on_license_purchased(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    sink.add(
        LicensePurchase,
        log_fields(log)
        | _pass_fields(int(args["tokenId"]))
        | {
            "holder": args["holder"],
            "dataset_id": int(args["datasetId"]),
            "buyer": args["buyer"],
            "tier_index": int(args["tierIndex"]),
            "purpose": purpose_name(int(args["purpose"])),
            "currency": args["currency"],
            "price": int(args["price"]),
            "expires_at": int(args["expiresAt"]),
        },
    )


def on_pass_renewed(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    sink.add(
        LicensePassEvent,
        log_fields(log)
        | _pass_fields(int(args["tokenId"]))
        | {
            "kind": "renewed",
            "previous_expires_at": int(args["previousExpiresAt"]),
            "expires_at": int(args["expiresAt"]),
        },
    )


def on_pass_revoked(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    sink.add(
        LicensePassEvent,
        log_fields(log)
        | _pass_fields(int(args["tokenId"]))
        | {"kind": "revoked", "reason_cid": args["reasonCid"]},
    )


def on_revenue_credited(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    sink.add(
        LicenseCredit,
        log_fields(log)
        | {
            "sale_dataset_id": int(args["saleDatasetId"]),
            "earning_dataset_id": int(args["earningDatasetId"]),
            "account": args["account"],
            "currency": args["currency"],
            "source": source_name(int(args["source"])),
            "amount": int(args["amount"]),
        },
    )


def on_withdrawn(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    sink.add(
        LicenseWithdrawal,
        log_fields(log)
        | {"account": args["account"], "currency": args["currency"], "amount": int(args["amount"])},
    )


def _setting(log: DecodedLog, sink: RowSink, setting: str, old: str, new: str) -> None:
    sink.add(
        GovernanceSettingChange,
        log_fields(log)
        | {"contract": log.address, "setting": setting, "old_value": old, "new_value": new},
    )


def on_shares_set(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    old = f"{args['oldTreasuryFeeBps']}/{args['oldCuratorBps']}/{args['oldRoyaltyBps']}"
    new = f"{args['treasuryFeeBps']}/{args['curatorBps']}/{args['royaltyBps']}"
    _setting(log, sink, SHARES_SETTING, old, new)


def on_currency_allowed_set(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    currency = args["currency"]
    old = f"{currency} {str(bool(args['oldAllowed'])).lower()}"
    new = f"{currency} {str(bool(args['allowed'])).lower()}"
    _setting(log, sink, "license_currency_allowed", old, new)


def register_data_licensing(registry: HandlerRegistry, contract: str = CONTRACT) -> None:
    registry.register(contract, "TierSet", on_tier_set)
    registry.register(contract, "TierActiveSet", on_tier_active_set)
    registry.register(contract, "LicenseDeclared", on_license_declared)
    registry.register(contract, "LicensePurchased", on_license_purchased)
    registry.register(contract, "PassRenewed", on_pass_renewed)
    registry.register(contract, "PassRevoked", on_pass_revoked)
    registry.register(contract, "RevenueCredited", on_revenue_credited)
    registry.register(contract, "Withdrawn", on_withdrawn)
    registry.register(contract, "SharesSet", on_shares_set)
    registry.register(contract, "CurrencyAllowedSet", on_currency_allowed_set)
    registry.add_event_tables(*LICENSING_EVENT_TABLES, GovernanceSettingChange)

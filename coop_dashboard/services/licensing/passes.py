"""A pass as people read it: dataset, purpose, tier, expiry, and valid / expired / revoked
(with governance's reason, read verified from the content store)."""

from __future__ import annotations

from dataclasses import dataclass

from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.licensing_queries import PassRow
from coop_dashboard.services.datasets.page_view import read_text_blob
from coop_dashboard.services.display import format_utc
from coop_dashboard.services.licensing.currencies import Currency, currency_of
from coop_dashboard.services.licensing.inputs import PURPOSE_LABELS

VALID, EXPIRED, REVOKED = "valid", "expired", "revoked"
STATE_LABELS = {VALID: "Valid", EXPIRED: "Expired", REVOKED: "Revoked"}
STATE_SCHEMES = {VALID: "green", EXPIRED: "amber", REVOKED: "red"}


@dataclass(frozen=True)
class PassView:
    token_id: str
    holder: str
    dataset_id: int
    dataset_name: str
    dataset_link: str
    purpose: str
    purpose_label: str
    tier_number: int
    price_text: str  # of the latest purchase
    bought_text: str
    expires_text: str
    state: str
    state_label: str
    state_scheme: str
    reason: str  # why it was revoked ("" otherwise)
    renewable: bool
    purchases: int


def pass_view(
    row: PassRow,
    now: int,
    dataset_name: str,
    known: dict[str, Currency],
    store: LocalContentStore,
) -> PassView:
    state = REVOKED if row.revoked else (VALID if row.expires_at > now else EXPIRED)
    reason = ""
    if row.revoked:
        reason = read_text_blob(store, row.revoked_reason_cid or "") or "No reason was given."
    return PassView(
        token_id=row.token_id,
        holder=row.holder,
        dataset_id=row.dataset_id,
        dataset_name=dataset_name,
        dataset_link=f"/datasets/{row.dataset_id}",
        purpose=row.purpose,
        purpose_label=PURPOSE_LABELS.get(row.purpose, row.purpose),
        tier_number=row.tier_index + 1,
        price_text=currency_of(row.currency, known).amount(row.price),
        bought_text=format_utc(row.first_bought_at),
        expires_text=format_utc(row.expires_at),
        state=state,
        state_label=STATE_LABELS[state],
        state_scheme=STATE_SCHEMES[state],
        reason=reason,
        renewable=not row.revoked,
        purchases=row.purchases,
    )

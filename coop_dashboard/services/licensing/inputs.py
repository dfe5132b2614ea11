"""What a browser sends to the licensing handlers, checked before anything else runs.

Every Reflex event handler can be called with any arguments (a forged websocket
message needs no page), so nothing here trusts a type: ids must be small decimal
integers, names must be among the contract's, switches real booleans, amounts
exact decimal text. Each refusal is a LicensingRefused with a sentence for people.
The chain-dependent checks (allowed currency, the parents' classes, allowances)
come after these, in the prepare_* functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from coop_dashboard.chain.data_licensing import PURPOSES, USES, LicenseClass, TierTerms
from coop_dashboard.errors import CoopError
from coop_dashboard.services.address_input import AddressInputError, parse_address_input
from coop_dashboard.services.governance.units import parse_token_amount
from coop_dashboard.services.licensing.currencies import Currency
from coop_dashboard.services.transactions import WriteRefused

MAX_ID_DIGITS = 18
MAX_DURATION_DAYS = 3_650  # DataLicensing.MAX_DURATION
MAX_TIERS = 16
PURPOSE_LABELS = {
    "research": "Research",
    "commercial_training": "Commercial training",
    "evaluation": "Evaluation",
    "other": "Other",
}
USE_LABELS = {"all": "Any use", "non_commercial": "Non-commercial", "academic": "Academic only"}


class LicensingRefused(WriteRefused):
    """The licensing action cannot be sent (the message says why); nothing was sent."""


@dataclass(frozen=True)
class TierForm:
    """A tier as typed in the page (all text / switches, as the browser sends them)."""

    price: object = ""
    currency: object = ""  # a symbol offered by the page ("ETH", "cUSD")
    duration_days: object = "30"
    purpose: object = "research"
    use: object = "all"
    attribution: object = True
    share_alike: object = False


def parse_id(value: object, what: str) -> int:
    """A positive id (dataset number) from an int or decimal text."""
    if isinstance(value, bool):
        raise LicensingRefused(f"The {what} is not a number.")
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdecimal() and len(text) <= MAX_ID_DIGITS):
            raise LicensingRefused(f"The {what} is not a number.")
        value = int(text)
    if not isinstance(value, int) or not 0 < value < 1 << 64:
        raise LicensingRefused(f"The {what} is not a valid number.")
    return value


def parse_tier_index(value: object) -> int:
    """A tier index 0..MAX_TIERS-1 from an int or decimal text."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdecimal():
        value = int(value.strip()) if len(value.strip()) <= 3 else -1
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MAX_TIERS:
        raise LicensingRefused("There is no such tier.")
    return value


def parse_token_id(value: object) -> int:
    """A pass token id as 0x-hex text (as the page shows it)."""
    if not isinstance(value, str) or not value.startswith("0x") or not 3 <= len(value) <= 66:
        raise LicensingRefused("That is not a pass id.")
    try:
        token_id = int(value, 16)
    except ValueError:
        raise LicensingRefused("That is not a pass id.") from None
    if token_id <= 0:
        raise LicensingRefused("That is not a pass id.")
    return token_id


def parse_holder(value: object, signer: str) -> str:
    """Who gets the pass: the signer when left empty, else a typed address (checked)."""
    if not isinstance(value, str):
        raise LicensingRefused("The holder must be an address.")
    if not value.strip():
        return signer
    try:
        return parse_address_input(value)
    except AddressInputError as exc:
        raise LicensingRefused(f"Holder: {exc}") from None


def parse_currency_choice(value: object, offered: dict[str, Currency]) -> Currency:
    """The currency picked among those the page offers (by symbol or address)."""
    if not isinstance(value, str) or not value.strip():
        raise LicensingRefused("Choose the currency of the price.")
    wanted = value.strip()
    for currency in offered.values():
        if wanted in (currency.symbol, currency.address):
            return currency
    listed = ", ".join(c.symbol for c in offered.values())
    raise LicensingRefused(
        f"{wanted[:42]!r} is not a currency governance allows for licenses (allowed: {listed})."
    )


def _switch(value: object, label: str) -> bool:
    if not isinstance(value, bool):
        raise LicensingRefused(f"{label} must be on or off.")
    return value


def parse_tier_form(form: TierForm, offered: dict[str, Currency]) -> TierTerms:
    """The tier's terms, or LicensingRefused naming the first field that is wrong."""
    currency = parse_currency_choice(form.currency, offered)
    if not isinstance(form.price, str):
        raise LicensingRefused("Price: enter an amount.")
    try:
        price = parse_token_amount(form.price, currency.decimals, "price", "Price")
    except CoopError as exc:
        raise LicensingRefused(str(exc)) from None
    if price == 0:
        raise LicensingRefused(
            "Price: a paid tier needs a price above zero (DataLicensing sells no free passes)."
        )
    days_text = form.duration_days
    if isinstance(days_text, int) and not isinstance(days_text, bool):
        days_text = str(days_text)
    if not isinstance(days_text, str) or not days_text.strip().isdecimal():
        raise LicensingRefused("Duration: enter a whole number of days.")
    days = int(days_text.strip()) if len(days_text.strip()) <= 5 else MAX_DURATION_DAYS + 1
    if not 1 <= days <= MAX_DURATION_DAYS:
        raise LicensingRefused(f"Duration: from 1 to {MAX_DURATION_DAYS:,} days.")
    if form.purpose not in PURPOSES:
        raise LicensingRefused(
            "Purpose: choose research, commercial training, evaluation or other."
        )
    if form.use not in USES:
        raise LicensingRefused("Use: choose any use, non-commercial or academic only.")
    license_class = LicenseClass(
        use=str(form.use),
        attribution=_switch(form.attribution, "Attribution required"),
        share_alike=_switch(form.share_alike, "Share-alike"),
    )
    if form.purpose == "commercial_training" and license_class.use != "all":
        raise LicensingRefused(
            "A commercial-training tier must allow commercial use: set Use to any use."
        )
    return TierTerms(
        price=price,
        currency=currency.address,
        duration_s=days * 86_400,
        purpose=str(form.purpose),
        license_class=license_class,
    )


def within(license_class: LicenseClass, allowed: LicenseClass) -> bool:
    """Whether `license_class` is no more permissive than `allowed` (DataLicensing._within):
    its use no wider, attribution kept when required, share-alike kept when required."""
    if USES.index(license_class.use) < USES.index(allowed.use):
        return False
    if allowed.attribution and not license_class.attribution:
        return False
    return not (allowed.share_alike and not license_class.share_alike)


def class_label(license_class: LicenseClass) -> str:
    """ "Non-commercial, attribution, share-alike"."""
    parts = [USE_LABELS.get(license_class.use, license_class.use)]
    parts.append("attribution" if license_class.attribution else "no attribution")
    if license_class.share_alike:
        parts.append("share-alike")
    return ", ".join(parts)


def incompatibility(
    license_class: LicenseClass, parents: list[tuple[int, LicenseClass]]
) -> str | None:
    """Why the class is more permissive than a parent allows, or None when it fits them all."""
    for parent_id, allowed in parents:
        if within(license_class, allowed):
            continue
        if USES.index(license_class.use) < USES.index(allowed.use):
            what = f"{USE_LABELS[license_class.use].lower()} is wider than its"
            detail = USE_LABELS[allowed.use].lower()
        elif allowed.attribution and not license_class.attribution:
            what, detail = "dropping attribution breaks its", "attribution required"
        else:
            what, detail = "dropping share-alike breaks its", "share-alike"
        return (
            f"This tier is more permissive than parent dataset #{parent_id} allows: {what} "
            f"terms ({detail}). Parent #{parent_id} allows at most: {class_label(allowed)}."
        )
    return None

"""Buying and renewing a license: the transactions a member signs, checked before the
wallet opens (blocking SQL and RPC: the states run these in a worker thread).

What the browser sends is parsed first (services/licensing/inputs.py); then what the
contract would refuse is refused with a sentence (a delisted or paused dataset, a tier
not offered, a disallowed currency, a revoked pass, a price the wallet cannot pay),
and the call is simulated on the chain last.

An ERC20 price is paid in one transaction when the token has EIP-2612 permit
(cUSD): `purchase_permit` / `renewal_permit` give the typed data the wallet
signs, and `prepare_purchase` / `prepare_renewal` with that signature build
`buyWithPermit` / `renewWithPermit` after checking it is the signer's own,
unused, unexpired permit for at least the price. A token without permit needs
the buyer's allowance first: `approve(DataLicensing, price)` is its own step,
and the page asks for the purchase itself once that approval is mined.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coop_dashboard.auth.addresses import checksum_address
from coop_dashboard.chain.data_licensing import (
    LICENSING_CONTRACT,
    PURPOSES,
    Permit,
    pass_id,
    permit_struct,
    permit_typed_data,
    recover_permit_signer,
)
from coop_dashboard.config import Settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.licensing_queries import passes_of
from coop_dashboard.db.queries import contract_addresses
from coop_dashboard.services.display import short_address
from coop_dashboard.services.licensing.chain_reads import LicensingChain, StoredTier
from coop_dashboard.services.licensing.currencies import Currency, currency_of, known_currencies
from coop_dashboard.services.licensing.inputs import (
    PURPOSE_LABELS,
    LicensingRefused,
    parse_holder,
    parse_id,
    parse_tier_index,
    parse_token_id,
)
from coop_dashboard.services.licensing.writes import (
    dataset_facts,
    require_licensable,
    tier_or_refuse,
)
from coop_dashboard.services.transactions import ChainContext, PreparedWrite, prepare_call

# How long a permit the wallet signs stays usable (on the chain's clock).
PERMIT_TTL_S = 3_600


@dataclass(frozen=True)
class PurchaseStep:
    """The next transaction of a purchase: the approval, or the purchase itself."""

    write: PreparedWrite
    is_approval: bool


@dataclass(frozen=True)
class _Purchase:
    """A checked purchase or renewal: the tier it pays for and the call that makes it."""

    chain: LicensingChain
    tier: StoredTier
    description: str
    function: str  # "buy" or "renew"; "<function>WithPermit" when paid with a permit
    args: list[object]


@dataclass(frozen=True)
class PermitRequest:
    """What the wallet signs (EIP-712 Permit, uint fields as strings) to pay in one
    transaction, and what the page keeps to send with the signature."""

    typed_data: dict[str, Any]
    value: int
    deadline: int


@dataclass(frozen=True)
class SignedPermit:
    """The permit the browser says its wallet signed (checked on the server before use)."""

    value: int
    deadline: int
    signature: str  # 0x-hex, 65 bytes


def _currency_checked(
    settings: Settings, chain: LicensingChain, signer: str, tier: StoredTier
) -> Currency:
    """The tier's currency, refused when governance disallowed it or the signer cannot pay."""
    known = known_currencies(contract_addresses(get_engine(settings.database_url)))
    currency = currency_of(tier.currency, known)
    if not chain.currency_allowed(tier.currency):
        raise LicensingRefused(f"Governance no longer allows {currency.symbol} for licenses.")
    price = currency.amount(tier.price)
    if currency.is_eth:
        if chain.eth_balance(signer) < tier.price:
            raise LicensingRefused(f"Your wallet holds less than the price ({price}).")
        return currency
    if not currency.manifest_name:
        raise LicensingRefused(
            f"This tier is priced in a token outside the suite ({currency.address}); "
            "buy it with a script that approves that token."
        )
    if chain.token_balance(currency.manifest_name, signer) < tier.price:
        raise LicensingRefused(f"Your wallet holds less than the price ({price}).")
    return currency


def _permit_args(
    chain: LicensingChain, currency: Currency, signer: str, tier: StoredTier, permit: SignedPermit
) -> tuple[int, int, int, bytes, bytes]:
    """The PermitSignature struct, after checking the permit is the signer's own, unused,
    unexpired and covers the price (the contract would refuse it otherwise)."""
    try:
        raw = bytes.fromhex(permit.signature.removeprefix("0x"))
    except (ValueError, AttributeError):
        raw = b""
    if len(raw) != 65 or not isinstance(permit.value, int) or not isinstance(permit.deadline, int):
        raise LicensingRefused("The wallet's permit signature is malformed; nothing was sent.")
    if permit.value < tier.price:
        raise LicensingRefused(
            f"The price is now {currency.amount(tier.price)}, more than you signed for "
            f"({currency.amount(max(permit.value, 0))}). Try again to sign the new price."
        )
    if permit.deadline <= chain.now():
        raise LicensingRefused("The signed permit has expired. Try again to sign a new one.")
    domain = chain.permit_domain(currency.manifest_name)
    if domain is None:
        raise LicensingRefused(f"{currency.symbol} does not take permits; approve it instead.")
    nonce = chain.permit_nonce(currency.manifest_name, signer)
    signed = Permit(signer, chain.address, permit.value, nonce, permit.deadline)
    recovered = recover_permit_signer(domain, signed, raw)
    if recovered is None or recovered.lower() != signer.lower():
        raise LicensingRefused(
            "The permit was not signed by your account for this payment (or was already "
            "used). Try again to sign a new one."
        )
    return permit_struct(signed, raw)


def _pay(
    settings: Settings,
    signer: str,
    purchase: _Purchase,
    permit: SignedPermit | None = None,
) -> PurchaseStep:
    """The purchase call with its payment: ETH as value; an ERC20 with the signer's permit
    (one transaction), or approved first when there is no permit."""
    chain, tier, description = purchase.chain, purchase.tier, purchase.description
    currency = _currency_checked(settings, chain, signer, tier)
    price = currency.amount(tier.price)
    context = ChainContext.load(settings)
    if currency.is_eth:
        write = prepare_call(
            context,
            description=f"{description} for {price}",
            sender=signer,
            contract=LICENSING_CONTRACT,
            function=purchase.function,
            args=purchase.args,
            value=tier.price,
        )
        return PurchaseStep(write, is_approval=False)
    if permit is not None:
        write = prepare_call(
            context,
            description=f"{description} for {price} (paid with your signed permit)",
            sender=signer,
            contract=LICENSING_CONTRACT,
            function=f"{purchase.function}WithPermit",
            args=[*purchase.args, _permit_args(chain, currency, signer, tier, permit)],
        )
        return PurchaseStep(write, is_approval=False)
    if chain.allowance(currency.manifest_name, signer) < tier.price:
        write = prepare_call(
            context,
            description=(
                f"Step 1 of 2: allow the licensing contract to take {price} ({description.lower()})"
            ),
            sender=signer,
            contract=currency.manifest_name,
            function="approve",
            args=[checksum_address(chain.address), tier.price],
        )
        return PurchaseStep(write, is_approval=True)
    write = prepare_call(
        context,
        description=f"{description} for {price} (approved)",
        sender=signer,
        contract=LICENSING_CONTRACT,
        function=purchase.function,
        args=purchase.args,
    )
    return PurchaseStep(write, is_approval=False)


def _permit_request(settings: Settings, signer: str, purchase: _Purchase) -> PermitRequest | None:
    """The permit to sign for this purchase, or None when it goes without one: an ETH
    price, an allowance that already covers it, a token without EIP-2612 permit."""
    chain, tier = purchase.chain, purchase.tier
    currency = _currency_checked(settings, chain, signer, tier)
    if currency.is_eth or chain.allowance(currency.manifest_name, signer) >= tier.price:
        return None
    domain = chain.permit_domain(currency.manifest_name)
    if domain is None:
        return None
    deadline = chain.now() + PERMIT_TTL_S
    nonce = chain.permit_nonce(currency.manifest_name, signer)
    typed = permit_typed_data(domain, Permit(signer, chain.address, tier.price, nonce, deadline))
    # eth_signTypedData_v4 takes uint fields as decimal strings (wallets differ on numbers).
    typed["message"] = {
        **typed["message"],
        "value": str(tier.price),
        "nonce": str(nonce),
        "deadline": str(deadline),
    }
    typed["domain"] = {**typed["domain"], "chainId": str(typed["domain"]["chainId"])}
    return PermitRequest(typed, tier.price, deadline)


def _purchase_of(
    settings: Settings, signer: str, dataset_id: object, tier_index: object, holder: object
) -> _Purchase:
    """`buy(dataset, tier, holder)` after every check of what the browser sent."""
    dataset = parse_id(dataset_id, "dataset number")
    index = parse_tier_index(tier_index)
    recipient = parse_holder(holder, signer)
    facts = dataset_facts(settings, dataset)
    require_licensable(facts)
    chain = LicensingChain(settings)
    tier = tier_or_refuse(chain, dataset, index)
    purpose = PURPOSES[tier.purpose_index] if tier.purpose_index < len(PURPOSES) else "other"
    token = f"0x{pass_id(recipient, dataset, purpose):064x}"
    engine = get_engine(settings.database_url)
    if any(row.token_id == token and row.revoked for row in passes_of(engine, recipient)):
        raise LicensingRefused(
            f"{short_address(recipient)}'s pass to dataset #{dataset} for "
            f"{PURPOSE_LABELS[purpose].lower()} was revoked by governance: it cannot be "
            "bought again or renewed."
        )
    whom = "" if recipient.lower() == signer.lower() else f" for {short_address(recipient)}"
    return _Purchase(
        chain,
        tier,
        description=f"Buy tier {index + 1} of dataset #{dataset}{whom}",
        function="buy",
        args=[dataset, index, checksum_address(recipient)],
    )


def _renewal_of(settings: Settings, token_id: object) -> _Purchase:
    """`renew(pass)` at its tier's current terms after every check."""
    token = parse_token_id(token_id)
    token_hex = f"0x{token:064x}"
    engine = get_engine(settings.database_url)
    holder = f"0x{token >> 96:040x}"
    row = next((p for p in passes_of(engine, holder) if p.token_id == token_hex), None)
    if row is None:
        raise LicensingRefused("There is no such pass in the index.")
    if row.revoked:
        raise LicensingRefused(
            f"This pass to dataset #{row.dataset_id} was revoked by governance: "
            "a revoked pass cannot be renewed."
        )
    require_licensable(dataset_facts(settings, row.dataset_id))
    chain = LicensingChain(settings)
    tier = tier_or_refuse(chain, row.dataset_id, row.tier_index)
    return _Purchase(
        chain,
        tier,
        description=f"Renew the pass to dataset #{row.dataset_id}",
        function="renew",
        args=[token],
    )


def prepare_purchase(
    settings: Settings,
    signer: str,
    dataset_id: object,
    tier_index: object,
    holder: object,
    permit: SignedPermit | None = None,
) -> PurchaseStep:
    """`buy(dataset, tier, holder)` (`buyWithPermit` with a signed permit, or the approval
    it needs first), after every check."""
    return _pay(
        settings, signer, _purchase_of(settings, signer, dataset_id, tier_index, holder), permit
    )


def purchase_permit(
    settings: Settings, signer: str, dataset_id: object, tier_index: object, holder: object
) -> PermitRequest | None:
    """The permit the signer's wallet signs to buy in one transaction (None: no permit)."""
    return _permit_request(
        settings, signer, _purchase_of(settings, signer, dataset_id, tier_index, holder)
    )


def prepare_renewal(
    settings: Settings, signer: str, token_id: object, permit: SignedPermit | None = None
) -> PurchaseStep:
    """`renew(pass)` (`renewWithPermit` with a signed permit, or the approval first)."""
    return _pay(settings, signer, _renewal_of(settings, token_id), permit)


def renewal_permit(settings: Settings, signer: str, token_id: object) -> PermitRequest | None:
    """The permit the signer's wallet signs to renew in one transaction (None: no permit)."""
    return _permit_request(settings, signer, _renewal_of(settings, token_id))

"""The licensing transactions a member signs, each checked here before the wallet opens:
a contributor's tiers (set, withdrawn from sale, offered again) and withdrawals of
earnings. Purchases and renewals are services/licensing/purchases.py.

Blocking (SQL, RPC): the states run these in a worker thread through
state/tx.start_write. Inputs come from the browser and are parsed first
(services/licensing/inputs.py); then what the contract would refuse is refused
here with a sentence (not the contributor, a delisted dataset, a disallowed
currency, a tier more permissive than a parent allows, nothing to withdraw),
and the call is simulated on the chain last.
"""

from __future__ import annotations

from dataclasses import replace

from coop_dashboard.auth.addresses import checksum_address
from coop_dashboard.chain.data_licensing import LICENSING_CONTRACT
from coop_dashboard.config import Settings
from coop_dashboard.db.dataset_queries import DatasetFacts, get_dataset
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.licensing_ledger import allowed_currencies
from coop_dashboard.db.queries import contract_addresses
from coop_dashboard.services.display import short_address
from coop_dashboard.services.licensing.chain_reads import LicensingChain, StoredTier
from coop_dashboard.services.licensing.currencies import Currency, currency_of, known_currencies
from coop_dashboard.services.licensing.inputs import (
    PURPOSE_LABELS,
    LicensingRefused,
    TierForm,
    incompatibility,
    parse_id,
    parse_tier_form,
    parse_tier_index,
)
from coop_dashboard.services.transactions import ChainContext, PreparedWrite, prepare_call

LICENSABLE = ("active", "superseded")


def offered_currencies(settings: Settings) -> dict[str, Currency]:
    """The currencies a tier may be priced in now (allowed by governance, known to the suite)."""
    engine = get_engine(settings.database_url)
    known = known_currencies(contract_addresses(engine))
    return {
        address: currency_of(address, known)
        for address in allowed_currencies(engine)
        if address in known
    }


def dataset_facts(settings: Settings, dataset_id: int) -> DatasetFacts:
    facts = get_dataset(get_engine(settings.database_url), dataset_id)
    if facts is None:
        raise LicensingRefused(f"Dataset #{dataset_id} is not registered (or not indexed yet).")
    return facts


def require_licensable(facts: DatasetFacts) -> None:
    status = facts.summary.status
    dataset_id = facts.summary.dataset_id
    if status == "delisted":
        raise LicensingRefused(f"Dataset #{dataset_id} is delisted: it cannot be licensed.")
    if status not in LICENSABLE:
        raise LicensingRefused(
            f"Licensing of dataset #{dataset_id} is paused: nothing can be bought now."
        )


def prepare_set_tier(
    settings: Settings, signer: str, dataset_id: object, tier_index: object, form: TierForm
) -> PreparedWrite:
    """`setTier(dataset, index, terms)` from the dataset's contributor, after every check.
    `tier_index` "" (or None) adds a tier; an index replaces that tier."""
    dataset = parse_id(dataset_id, "dataset number")
    facts = dataset_facts(settings, dataset)
    if facts.contributor.lower() != signer.lower():
        raise LicensingRefused(
            f"Only dataset #{dataset}'s contributor ({short_address(facts.contributor)}) "
            "sets its tiers."
        )
    if facts.summary.status == "delisted":
        raise LicensingRefused(f"Dataset #{dataset} is delisted: it cannot offer tiers.")
    terms = parse_tier_form(form, offered_currencies(settings))
    terms = replace(terms, currency=checksum_address(terms.currency))  # web3 takes EIP-55 only
    chain = LicensingChain(settings)
    if not chain.currency_allowed(terms.currency):
        raise LicensingRefused("Governance no longer allows this currency for licenses.")
    parents = [(parent, chain.allowed_class(parent)) for parent in facts.parents]
    problem = incompatibility(terms.license_class, parents)
    if problem is not None:
        raise LicensingRefused(problem)
    count = chain.tier_count(dataset)
    index = count if tier_index in ("", None) else parse_tier_index(tier_index)
    if index > count:
        raise LicensingRefused("There is no such tier.")
    if index == count and count >= 16:
        raise LicensingRefused(f"Dataset #{dataset} already has 16 tiers; change one instead.")
    known = known_currencies(contract_addresses(get_engine(settings.database_url)))
    price = currency_of(terms.currency, known).amount(terms.price)
    days = terms.duration_s // 86_400
    verb = "Add a tier to" if index == count else f"Change tier {index + 1} of"
    return prepare_call(
        ChainContext.load(settings),
        description=(
            f"{verb} dataset #{dataset}: {PURPOSE_LABELS[terms.purpose].lower()} for "
            f"{days:,} days at {price}"
        ),
        sender=signer,
        contract=LICENSING_CONTRACT,
        function="setTier",
        args=[dataset, index, terms.as_struct()],
    )


def prepare_set_tier_active(
    settings: Settings, signer: str, dataset_id: object, tier_index: object, active: object
) -> PreparedWrite:
    """`setTierActive(dataset, index, active)` from the dataset's contributor: withdraw a
    tier from sale (passes sold stay valid) or offer it again, which the contract checks
    like a new tier (currency still allowed, no more permissive than a parent allows)."""
    if not isinstance(active, bool):
        raise LicensingRefused("Say whether the tier is offered (true or false).")
    dataset = parse_id(dataset_id, "dataset number")
    index = parse_tier_index(tier_index)
    facts = dataset_facts(settings, dataset)
    if facts.contributor.lower() != signer.lower():
        raise LicensingRefused(
            f"Only dataset #{dataset}'s contributor ({short_address(facts.contributor)}) "
            "withdraws or offers its tiers."
        )
    chain = LicensingChain(settings)
    tier = chain.tier(dataset, index)
    if tier is None:
        raise LicensingRefused(f"Dataset #{dataset} has no tier {index + 1}.")
    if tier.active == active:
        state = "offered" if active else "withdrawn from sale"
        raise LicensingRefused(f"Tier {index + 1} of dataset #{dataset} is already {state}.")
    if active:
        if facts.summary.status == "delisted":
            raise LicensingRefused(f"Dataset #{dataset} is delisted: it cannot offer tiers.")
        if not chain.currency_allowed(tier.currency):
            raise LicensingRefused(
                f"Governance no longer allows this tier's currency: tier {index + 1} cannot "
                "be offered again (offer a tier in another currency)."
            )
        parents = [(parent, chain.allowed_class(parent)) for parent in facts.parents]
        problem = incompatibility(tier.license_class, parents)
        if problem is not None:
            raise LicensingRefused(problem)
    verb = "Offer again" if active else "Withdraw from sale"
    return prepare_call(
        ChainContext.load(settings),
        description=f"{verb} tier {index + 1} of dataset #{dataset}",
        sender=signer,
        contract=LICENSING_CONTRACT,
        function="setTierActive",
        args=[dataset, index, active],
    )


def tier_or_refuse(chain: LicensingChain, dataset_id: int, tier_index: int) -> StoredTier:
    tier = chain.tier(dataset_id, tier_index)
    if tier is None:
        raise LicensingRefused(f"Dataset #{dataset_id} has no tier {tier_index + 1}.")
    if not tier.active:
        raise LicensingRefused(
            f"Tier {tier_index + 1} of dataset #{dataset_id} is not offered any more."
        )
    return tier


def prepare_withdrawal(settings: Settings, signer: str, currency: object) -> PreparedWrite:
    """`withdraw(currency)`: everything credited to the signer in it (refused when nothing)."""
    if not isinstance(currency, str):
        raise LicensingRefused("Choose a currency to withdraw.")
    try:
        address = checksum_address(currency).lower()
    except Exception:
        raise LicensingRefused("That is not a currency address.") from None
    known = known_currencies(contract_addresses(get_engine(settings.database_url)))
    chosen = currency_of(address, known)
    amount = LicensingChain(settings).credit(signer, address)
    if amount == 0:
        raise LicensingRefused(f"You have nothing to withdraw in {chosen.symbol}.")
    return prepare_call(
        ChainContext.load(settings),
        description=f"Withdraw your license earnings: {chosen.amount(amount)}",
        sender=signer,
        contract=LICENSING_CONTRACT,
        function="withdraw",
        args=[checksum_address(address)],
    )

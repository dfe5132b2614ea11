"""DataLicensing's vocabulary on the Python side: its enums, pass ids and tier terms,
and the EIP-2612 permit a buyer signs for `buyWithPermit` / `renewWithPermit`.

The tuples mirror `DataLicensing.Purpose`, `Use` and `Source` (order matters: the
chain carries their index). The indexer stores the names; tests and the seed build
`TierTerms` tuples from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ABIFunctionNotFound, BadFunctionCallOutput, ContractLogicError

from coop_dashboard.chain.signed_ballots import EIP712_DOMAIN_TYPE, Eip712Domain
from coop_dashboard.evm import ZERO_ADDRESS

LICENSING_CONTRACT = "DataLicensing"
ETH_CURRENCY = ZERO_ADDRESS  # DataLicensing's currency address for ether

# DataLicensing.Purpose, by index.
PURPOSES: tuple[str, ...] = ("research", "commercial_training", "evaluation", "other")
# DataLicensing.Use, by index, most permissive first.
USES: tuple[str, ...] = ("all", "non_commercial", "academic")
# DataLicensing.Source (where a credit came from), by index.
SOURCES: tuple[str, ...] = ("sale", "treasury_fee", "curation", "upstream_royalty")

BPS = 10_000
MAX_ROYALTY_DEPTH = 4
MAX_UPSTREAM_CREDITS = 32
MAX_TIERS = 16
MAX_CID_LENGTH = 128


def _name(names: tuple[str, ...], index: int) -> str:
    return names[index] if 0 <= index < len(names) else "unknown"


def purpose_name(index: int) -> str:
    """The name of a Purpose index ("unknown" for an index this code does not know)."""
    return _name(PURPOSES, index)


def use_name(index: int) -> str:
    """The name of a Use index ("unknown" for an index this code does not know)."""
    return _name(USES, index)


def source_name(index: int) -> str:
    """The name of a Source index ("unknown" for an index this code does not know)."""
    return _name(SOURCES, index)


def pass_id(holder: str, dataset_id: int, purpose: str) -> int:
    """The pass token id of (holder, dataset, purpose), as `DataLicensing.passId`."""
    return (int(holder, 16) << 96) | (dataset_id << 8) | PURPOSES.index(purpose)


def split_pass_id(token_id: int) -> tuple[str, int, int]:
    """(holder as 0x-hex, dataset id, purpose index) encoded in a pass token id."""
    holder = token_id >> 96
    return f"0x{holder:040x}", (token_id >> 8) & ((1 << 88) - 1), token_id & 0xFF


@dataclass(frozen=True)
class LicenseClass:
    """Who may use the data (`use`) and on what terms."""

    use: str = "all"
    attribution: bool = True
    share_alike: bool = False

    def as_struct(self) -> tuple[int, bool, bool]:
        return (USES.index(self.use), self.attribution, self.share_alike)


@dataclass(frozen=True)
class TierTerms:
    """What `DataLicensing.setTier` takes (its `TierTerms` struct)."""

    price: int
    currency: str = ETH_CURRENCY
    duration_s: int = 30 * 86_400
    purpose: str = "research"
    license_class: LicenseClass = LicenseClass()

    def as_struct(self) -> tuple[object, ...]:
        return (
            self.price,
            self.currency,
            self.duration_s,
            PURPOSES.index(self.purpose),
            self.license_class.as_struct(),
        )


@dataclass(frozen=True)
class Shares:
    """The basis points of a sale governance set (DataLicensing.SharesSet)."""

    treasury_fee_bps: int
    curator_bps: int
    royalty_bps: int


@dataclass(frozen=True)
class SplitShare:
    """One credit a sale makes: `amount` to `account` as `source`, through `earning_dataset_id`."""

    account: str
    source: str
    earning_dataset_id: int
    amount: int


def sale_split(
    price: int,
    shares: Shares,
    dataset_id: int,
    treasury: str,
    contributor_of: Callable[[int], str],
    parents_of: Callable[[int], list[int]],
    curators: list[str],
) -> list[SplitShare]:
    """The credits a sale of `dataset_id` at `price` makes, by the contract's rule (for the
    page's "who gets what" and the tests): treasury fee, equal curator shares, the upstream
    royalty split equally among parents, each ancestor passing `royalty_bps` of its share on
    (MAX_ROYALTY_DEPTH generations, MAX_UPSTREAM_CREDITS credits), the rest to the contributor.
    """
    split: list[SplitShare] = []
    fee = price * shares.treasury_fee_bps // BPS
    split.append(SplitShare(treasury, "treasury_fee", dataset_id, fee))
    distributed = fee
    pool = price * shares.curator_bps // BPS
    if pool and curators and pool // len(curators):
        each = pool // len(curators)
        split.extend(SplitShare(c, "curation", dataset_id, each) for c in curators)
        distributed += each * len(curators)
    budget = [0]

    def upstream(child: int, amount: int, depth: int) -> int:
        parents = parents_of(child)
        if not parents or amount // len(parents) == 0:
            return 0
        share = amount // len(parents)
        paid = 0
        for parent in parents:
            if budget[0] >= MAX_UPSTREAM_CREDITS:
                break
            budget[0] += 1
            kept = share
            if depth < MAX_ROYALTY_DEPTH:
                passed = share * shares.royalty_bps // BPS
                if passed:
                    kept = share - upstream(parent, passed, depth + 1)
            split.append(SplitShare(contributor_of(parent), "upstream_royalty", parent, kept))
            paid += share
        return paid

    royalty = price * shares.royalty_bps // BPS
    if royalty:
        distributed += upstream(dataset_id, royalty, 1)
    split.append(SplitShare(contributor_of(dataset_id), "sale", dataset_id, price - distributed))
    return [item for item in split if item.amount]


def has_access(licensing: Contract, account: str, dataset_id: int, purpose: str) -> bool:
    """`DataLicensing.hasAccess` at the latest block: the chain's word on a pass, which an
    index that lags (a revocation or expiry not yet indexed) must never override."""
    if purpose not in PURPOSES:
        return False
    checksummed = Web3.to_checksum_address(account)
    return bool(
        licensing.functions.hasAccess(checksummed, dataset_id, PURPOSES.index(purpose)).call()
    )


_PERMIT_TYPE = [
    {"name": "owner", "type": "address"},
    {"name": "spender", "type": "address"},
    {"name": "value", "type": "uint256"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]


@dataclass(frozen=True)
class Permit:
    """An EIP-2612 permit: `owner` lets `spender` take `value` until `deadline`."""

    owner: str
    spender: str
    value: int
    nonce: int
    deadline: int


def permit_typed_data(domain: Eip712Domain, permit: Permit) -> dict[str, Any]:
    """The full `eth_signTypedData_v4` payload of an ERC20Permit `Permit`."""
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN_TYPE, "Permit": _PERMIT_TYPE},
        "primaryType": "Permit",
        "domain": domain.as_typed(),
        "message": {
            "owner": Web3.to_checksum_address(permit.owner),
            "spender": Web3.to_checksum_address(permit.spender),
            "value": permit.value,
            "nonce": permit.nonce,
            "deadline": permit.deadline,
        },
    }


def recover_permit_signer(domain: Eip712Domain, permit: Permit, signature: bytes) -> str | None:
    """Who signed `permit` (an EOA), or None when the signature is malformed."""
    try:
        signable = encode_typed_data(full_message=permit_typed_data(domain, permit))
        return str(Account.recover_message(signable, signature=signature))
    except Exception:  # eth_keys/eth_account raise several types for bad signatures
        return None


def permit_struct(permit: Permit, signature: bytes) -> tuple[int, int, int, bytes, bytes]:
    """`DataLicensing.PermitSignature` (value, deadline, v, r, s) from a 65-byte r|s|v."""
    if len(signature) != 65:
        raise ValueError("a permit signature is 65 bytes")
    v = signature[64]
    return (
        permit.value,
        permit.deadline,
        v if v >= 27 else v + 27,
        signature[:32],
        signature[32:64],
    )


def token_domain(token: Contract) -> Eip712Domain | None:
    """An ERC20's EIP-712 domain by ERC-5267 `eip712Domain()`, or None when it has none
    (then it has no permit this code can sign for)."""
    try:
        _, name, version, chain_id, verifying, _, _ = token.functions.eip712Domain().call()
        token.functions.nonces(ZERO_ADDRESS).call()  # EIP-2612's nonces() answers too
    except (ABIFunctionNotFound, BadFunctionCallOutput, ContractLogicError):
        return None  # no such function in its ABI or its code: no permit
    return Eip712Domain(str(name), str(version), int(chain_id), Web3.to_checksum_address(verifying))

"""What the licensing writes read from the chain before the wallet opens (blocking RPC).

The index says what the page shows; these reads are the chain's word on what
the contract will check at once: a parent's allowed class, a currency's
allowance, an ERC20 allowance, a credit. Calling the contract's own views keeps
the page's verdict identical to the contract's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coop_dashboard.auth.addresses import checksum_address
from coop_dashboard.chain.client import rpc_errors
from coop_dashboard.chain.data_licensing import (
    LICENSING_CONTRACT,
    USES,
    LicenseClass,
    token_domain,
)
from coop_dashboard.chain.signed_ballots import Eip712Domain
from coop_dashboard.config import Settings
from coop_dashboard.services.chain_access import chain_for


@dataclass(frozen=True)
class StoredTier:
    currency: str  # lowercase
    duration_s: int
    purpose_index: int
    active: bool
    price: int
    license_class: LicenseClass = LicenseClass()


class LicensingChain:
    """DataLicensing (and the ERC20s it is paid in) on the configured chain."""

    def __init__(self, settings: Settings) -> None:
        shared = chain_for(settings)
        self.settings = settings
        self.w3 = shared.w3
        self.deployment = shared.deployment
        self.licensing = shared.deployment.contract(shared.w3, LICENSING_CONTRACT)
        self.address = str(self.licensing.address)

    def _call(self, function: Any) -> Any:
        with rpc_errors(self.settings.rpc_url):
            return function.call()

    def allowed_class(self, dataset_id: int) -> LicenseClass:
        use, attribution, share_alike = self._call(
            self.licensing.functions.allowedClassOf(dataset_id)
        )
        return LicenseClass(USES[int(use)], bool(attribution), bool(share_alike))

    def currency_allowed(self, currency: str) -> bool:
        return bool(
            self._call(self.licensing.functions.isCurrencyAllowed(checksum_address(currency)))
        )

    def tier(self, dataset_id: int, tier_index: int) -> StoredTier | None:
        if tier_index >= int(self._call(self.licensing.functions.tierCount(dataset_id))):
            return None
        stored = self._call(self.licensing.functions.tierOf(dataset_id, tier_index))
        return StoredTier(
            currency=str(stored[0]).lower(),
            duration_s=int(stored[1]),
            purpose_index=int(stored[2]),
            active=bool(stored[6]),
            price=int(stored[7]),
            license_class=LicenseClass(
                USES[int(stored[3])] if int(stored[3]) < len(USES) else "academic",
                bool(stored[4]),
                bool(stored[5]),
            ),
        )

    def tier_count(self, dataset_id: int) -> int:
        return int(self._call(self.licensing.functions.tierCount(dataset_id)))

    def credit(self, account: str, currency: str) -> int:
        return int(
            self._call(
                self.licensing.functions.creditOf(
                    checksum_address(account), checksum_address(currency)
                )
            )
        )

    def allowance(self, token_name: str, owner: str) -> int:
        token = self.deployment.contract(self.w3, token_name)
        return int(self._call(token.functions.allowance(checksum_address(owner), self.address)))

    def token_balance(self, token_name: str, owner: str) -> int:
        token = self.deployment.contract(self.w3, token_name)
        return int(self._call(token.functions.balanceOf(checksum_address(owner))))

    def eth_balance(self, owner: str) -> int:
        with rpc_errors(self.settings.rpc_url):
            return int(self.w3.eth.get_balance(checksum_address(owner)))  # type: ignore[arg-type]

    def permit_domain(self, token_name: str) -> Eip712Domain | None:
        """The token's EIP-712 domain when it has EIP-2612 permit, else None."""
        token = self.deployment.contract(self.w3, token_name)
        with rpc_errors(self.settings.rpc_url):
            return token_domain(token)

    def permit_nonce(self, token_name: str, owner: str) -> int:
        token = self.deployment.contract(self.w3, token_name)
        return int(self._call(token.functions.nonces(checksum_address(owner))))

    def now(self) -> int:
        """The latest block's timestamp: permit deadlines are judged by the chain's clock."""
        with rpc_errors(self.settings.rpc_url):
            return int(self.w3.eth.get_block("latest")["timestamp"])

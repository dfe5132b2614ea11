"""A browser wallet for tests: EIP-1193 in the page, keys and signing in this process.

`TestWallet` answers what MetaMask would: accounts after a connect, the chain
it is on, `personal_sign` / `eth_signTypedData_v4` with its key, and
`eth_sendTransaction` by signing locally and sending the raw transaction
(`eth_sendRawTransaction`), exactly like a real wallet. Reads are forwarded to
the node. Tests can make it reject (4001), sit on another chain, switch
accounts, or act as a contract wallet (EIP-1271: the account is a contract,
signatures come from its owner's key).
"""

from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data
from eth_account.signers.local import LocalAccount
from playwright.sync_api import Page

# anvil's well-known development mnemonic: account i is m/44'/60'/0'/0/i.
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"
PROVIDER_JS = (Path(__file__).parent / "wallet_provider.js").read_text()
BINDING = "__coopTestWalletRequest"

Account.enable_unaudited_hdwallet_features()


def anvil_key(index: int) -> LocalAccount:
    """The key of anvil's default account `index` (0 is the deployer, 1..12 the seeded members)."""
    account: LocalAccount = Account.from_mnemonic(
        ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}"
    )
    return account


class WalletRpcError(Exception):
    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data


@dataclass
class TestWallet:
    """One wallet extension. Install it (alone or with others) with `install_wallets`."""

    __test__ = False  # a helper, not a pytest test class

    rpc_url: str
    chain_id: int  # the chain the wallet is on now
    keys: list[LocalAccount]
    name: str = "Test Wallet"
    rdns: str = "org.coop.testwallet"
    legacy: bool = False  # also set window.ethereum
    selected: int = 0
    authorized: bool = False
    known_chains: set[int] = field(default_factory=set)
    rejecting: set[str] = field(default_factory=set)  # methods answered with 4001
    contract_account: str | None = None  # EIP-1271 mode: this is the account
    requests: list[tuple[str, list[Any]]] = field(default_factory=list)
    added_chains: list[dict[str, Any]] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)  # hashes of transactions it sent
    page: Page | None = None
    _ids: itertools.count[int] = field(default_factory=itertools.count)
    id: str = field(init=False)

    def __post_init__(self) -> None:
        self.known_chains.add(self.chain_id)
        self.id = f"{self.rdns}-{uuid.uuid4().hex[:8]}"

    # ---------- what the wallet shows ----------
    @property
    def signer(self) -> LocalAccount:
        return self.keys[self.selected]

    @property
    def address(self) -> str:
        return self.contract_account or str(self.signer.address)

    def count(self, method: str) -> int:
        return sum(1 for name, _ in self.requests if name == method)

    # ---------- test controls ----------
    def switch_account(self, index: int) -> None:
        """Select another key, as a person does in the wallet; the page is told."""
        self.selected = index
        self.contract_account = None
        if self.authorized:
            self.emit("accountsChanged", [self.address.lower()])

    def use_contract_wallet(self, contract_address: str, owner: LocalAccount) -> None:
        """From now on the account is `contract_address`; `owner` signs for it."""
        self.keys = [owner, *self.keys]
        self.selected = 0
        self.contract_account = contract_address

    def hang(self, *methods: str) -> None:
        """Leave these requests unanswered in the current page (a popup left open)."""
        assert self.page is not None, "install the wallet first"
        self.page.evaluate(
            "(methods) => { window.__coopTestWalletHangs = methods; }", list(methods)
        )

    def emit(self, event: str, value: Any) -> None:
        assert self.page is not None, "install the wallet first"
        self.page.evaluate(
            "([id, event, value]) => window.__coopTestWallets.emit(id, event, value)",
            [self.id, event, value],
        )

    # ---------- EIP-1193 ----------
    def handle(self, method: str, params: list[Any]) -> dict[str, Any]:
        self.requests.append((method, params))
        events: list[list[Any]] = []
        try:
            if method in self.rejecting:
                raise WalletRpcError(4001, "User rejected the request.")
            result = self._answer(method, params, events)
        except WalletRpcError as exc:
            error: dict[str, Any] = {"code": exc.code, "message": exc.message}
            if exc.data is not None:
                error["data"] = exc.data
            return {"error": error, "events": events}
        return {"result": result, "events": events}

    def _answer(self, method: str, params: list[Any], events: list[list[Any]]) -> Any:
        if method == "eth_requestAccounts":
            self.authorized = True
            return [self.address.lower()]
        if method == "eth_accounts":
            return [self.address.lower()] if self.authorized else []
        if method == "eth_chainId":
            return hex(self.chain_id)
        if method == "net_version":
            return str(self.chain_id)
        if method == "wallet_switchEthereumChain":
            target = int(params[0]["chainId"], 16)
            if target not in self.known_chains:
                raise WalletRpcError(4902, f"Unrecognized chain ID {params[0]['chainId']}.")
            if target != self.chain_id:
                self.chain_id = target
                events.append(["chainChanged", hex(target)])
            return None
        if method == "wallet_addEthereumChain":
            self.added_chains.append(params[0])
            self.known_chains.add(int(params[0]["chainId"], 16))
            return None
        self._require_authorized()
        if method == "personal_sign":
            return self._personal_sign(params)
        if method == "eth_signTypedData_v4":
            self._require_own(params[0])
            typed = json.loads(params[1]) if isinstance(params[1], str) else params[1]
            return self.signer.sign_message(
                encode_typed_data(full_message=typed)
            ).signature.to_0x_hex()
        if method == "eth_sendTransaction":
            return self._send_transaction(params[0])
        return self._forward(method, params)

    def _require_authorized(self) -> None:
        if not self.authorized:
            raise WalletRpcError(4100, "The requested account has not been authorized.")

    def _require_own(self, address: str) -> None:
        if address.lower() != self.address.lower():
            raise WalletRpcError(4100, f"{address} is not an account of this wallet.")

    def _personal_sign(self, params: list[Any]) -> str:
        data, address = params[0], params[1]
        self._require_own(address)
        message = bytes.fromhex(data[2:]) if data.startswith("0x") else data.encode()
        # A contract wallet's owner signs; the contract vouches for it (EIP-1271).
        return self.signer.sign_message(encode_defunct(primitive=message)).signature.to_0x_hex()

    def _send_transaction(self, tx: dict[str, Any]) -> str:
        if self.contract_account is not None:
            raise WalletRpcError(4200, "This test contract wallet cannot send transactions.")
        self._require_own(tx["from"])
        node_chain = int(self._forward("eth_chainId", []), 16)
        if self.chain_id != node_chain:
            raise WalletRpcError(4901, "The wallet is on another chain.")
        if "chainId" in tx and int(tx["chainId"], 16) != self.chain_id:
            raise WalletRpcError(-32602, "Invalid chainId: it must match the wallet's chain.")
        call = {k: tx[k] for k in ("from", "to", "data", "value") if k in tx}
        gas = (
            int(tx["gas"], 16) if "gas" in tx else int(self._forward("eth_estimateGas", [call]), 16)
        )
        base_fee = int(
            self._forward("eth_getBlockByNumber", ["latest", False])["baseFeePerGas"], 16
        )
        tip = int(self._forward("eth_maxPriorityFeePerGas", []), 16)
        unsigned = {
            "type": 2,
            "chainId": self.chain_id,
            "nonce": int(self._forward("eth_getTransactionCount", [tx["from"], "pending"]), 16),
            "to": tx["to"],
            "data": tx.get("data", "0x"),
            "value": int(tx.get("value", "0x0"), 16),
            "gas": gas,
            "maxPriorityFeePerGas": tip,
            "maxFeePerGas": 2 * base_fee + tip,
        }
        signed = self.signer.sign_transaction(unsigned)
        tx_hash = str(self._forward("eth_sendRawTransaction", [signed.raw_transaction.to_0x_hex()]))
        self.sent.append(tx_hash)
        return tx_hash

    def _forward(self, method: str, params: list[Any]) -> Any:
        body = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
        reply = httpx.post(self.rpc_url, json=body, timeout=30).json()
        if "error" in reply:
            error = reply["error"]
            raise WalletRpcError(
                error.get("code", -32603), error.get("message", ""), error.get("data")
            )
        return reply["result"]


def install_wallets(page: Page, *wallets: TestWallet) -> None:
    """Inject `wallets` into every document `page` loads (before the app's scripts run)."""
    by_id = {wallet.id: wallet for wallet in wallets}

    def request(wallet_id: str, method: str, params: list[Any]) -> dict[str, Any]:
        return by_id[wallet_id].handle(method, params)

    page.expose_function(BINDING, request)
    infos = [
        {"id": w.id, "uuid": str(uuid.uuid4()), "name": w.name, "rdns": w.rdns, "legacy": w.legacy}
        for w in wallets
    ]
    page.add_init_script(PROVIDER_JS.replace("__WALLETS__", json.dumps(infos)))
    for wallet in wallets:
        wallet.page = page

"""Synthetic activity on a local anvil: many accounts transferring, delegating and voting.

For the indexer's benchmark and its crash tests. Transactions go out as raw
`eth_sendTransaction` JSON-RPC batches from auto-impersonated accounts with
automine off, then one `evm_mine` per full block: ~10x faster than web3.py's
send-and-wait. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.rpc import RpcClient

TOKEN = 10**18
# Fixed gas per transaction: with automine off, estimation would run against
# the last mined block and fail for transactions depending on pending ones.
GAS = 400_000
TXS_PER_BLOCK = 300  # ~ 25M gas of votes/transfers, under the 30M block limit (default)
SEND_BATCH = 200  # eth_sendTransaction requests per HTTP round trip


@dataclass
class LoadReport:
    accounts: list[str]
    proposals: list[int]
    transactions: int = 0
    expected_logs: int = 0  # estimate while generating; count real logs with eth_getLogs
    first_block: int = 0
    last_block: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def _selector(signature: str) -> str:
    return keccak(text=signature)[:4].hex()


def _word(value: int | str) -> str:
    if isinstance(value, str):
        return value.lower().removeprefix("0x").rjust(64, "0")
    return f"{value:064x}"


class LoadGenerator:
    """Sends generated activity to a deployment on a local anvil."""

    def __init__(
        self,
        rpc_url: str,
        deployment: Deployment,
        seed: int = 7,
        txs_per_block: int = TXS_PER_BLOCK,
    ) -> None:
        self.txs_per_block = txs_per_block
        self.rpc = RpcClient(rpc_url, timeout_s=120)  # big batches of transactions
        self.deployment = deployment
        self.random = random.Random(seed)
        self.token = deployment.address("CoopToken")
        self.governor = deployment.address("CoopGovernor")
        self.deployer = deployment.deployer
        self._pending: list[tuple[str, list[Any]]] = []
        self._in_block = 0
        self._nonces: dict[str, int] = {}
        self.report = LoadReport(accounts=[], proposals=[])

    def close(self) -> None:
        self.rpc.close()

    # -- sending -----------------------------------------------------------------------

    def _send(self, sender: str, to: str, data: str, kind: str, logs: int, value: int = 0) -> None:
        nonce = self._nonces.get(sender)
        if nonce is None:
            # anvil numbers pending transactions from the mined state only: count ourselves.
            nonce = int(self.rpc.call("eth_getTransactionCount", [sender, "latest"]), 16)
        self._nonces[sender] = nonce + 1
        tx = {
            "from": sender,
            "to": to,
            "data": "0x" + data,
            "gas": hex(GAS),
            "nonce": hex(nonce),
            "value": hex(value),
        }
        self._pending.append(("eth_sendTransaction", [tx]))
        self.report.transactions += 1
        self.report.expected_logs += logs
        self.report.by_kind[kind] = self.report.by_kind.get(kind, 0) + 1
        self._in_block += 1
        if len(self._pending) >= SEND_BATCH:
            self._flush()
        if self._in_block >= self.txs_per_block:
            self.mine()

    def _flush(self) -> None:
        if self._pending:
            self.rpc.batch(self._pending)
            self._pending = []

    def mine(self) -> None:
        self._flush()
        if self._in_block:
            self.rpc.call("evm_mine", [])
            self._in_block = 0

    def advance_time(self, seconds: int) -> None:
        self.mine()
        self.rpc.call("evm_increaseTime", [seconds])
        self.rpc.call("evm_mine", [])

    # -- calls -------------------------------------------------------------------------

    def transfer(self, sender: str, to: str, amount: int, logs: int = 3) -> None:
        data = _selector("transfer(address,uint256)") + _word(to) + _word(amount)
        self._send(sender, self.token, data, "transfer", logs)

    def delegate(self, sender: str, delegatee: str, logs: int = 3) -> None:
        data = _selector("delegate(address)") + _word(delegatee)
        self._send(sender, self.token, data, "delegate", logs)

    def propose(self, description: str) -> int:
        """A proposal calling nothing of consequence (the token's `decimals()`)."""
        call = bytes.fromhex(_selector("decimals()"))
        arguments = encode(
            ["address[]", "uint256[]", "bytes[]", "string"],
            [[self.token], [0], [call], description],
        )
        data = _selector("propose(address[],uint256[],bytes[],string)") + arguments.hex()
        self._send(self.deployer, self.governor, data, "propose", 1)
        return _proposal_id(self.token, call, description)

    def send_eth(self, sender: str, to: str, value: int) -> None:
        """A plain ETH transfer (no log: the indexer finds treasury inflows by balance)."""
        self._send(sender, to, "", "eth", 0, value=value)

    def faucet(self, sender: str, stablecoin: str, to: str, amount: int) -> None:
        """MockStablecoin.mint: a Transfer and a FaucetMinted log."""
        data = _selector("mint(address,uint256)") + _word(to) + _word(amount)
        self._send(sender, stablecoin, data, "faucet", 2)

    def vote(self, voter: str, proposal_id: int, support: int) -> None:
        data = _selector("castVote(uint256,uint8)") + _word(proposal_id) + _word(support)
        self._send(voter, self.governor, data, "vote", 1)

    # -- scenario ----------------------------------------------------------------------

    def begin(self) -> None:
        """Any address may send (anvil impersonates it); blocks are mined by `mine`."""
        self.report.first_block = int(self.rpc.call("eth_blockNumber", []), 16) + 1
        self.rpc.call("anvil_autoImpersonateAccount", [True])
        self.rpc.call("evm_setAutomine", [False])

    def resume(self, previous: LoadReport) -> None:
        """Continue the activity of an earlier generator (same accounts and proposals)."""
        self.begin()
        self.report.accounts = list(previous.accounts)
        self.report.proposals = list(previous.proposals)

    def setup(self, accounts: int, proposals: int) -> None:
        """Fund `accounts` new addresses with ETH and COOP, self-delegate, open proposals."""
        self.begin()
        addresses: list[str] = [
            to_checksum_address("0x" + keccak(text=f"coop-load-{i}")[-20:].hex())
            for i in range(accounts)
        ]
        self.rpc.batch([("anvil_setBalance", [a, hex(10**21)]) for a in addresses])
        self.report.accounts = addresses
        self.delegate(self.deployer, self.deployer, logs=2)
        for address in addresses:
            self.transfer(self.deployer, address, 1_000 * TOKEN, logs=2)
        self.mine()
        for address in addresses:
            self.delegate(address, address, logs=2)
        self.advance_time(2)
        for index in range(proposals):
            self.report.proposals.append(self.propose(f"# Load proposal {index}\n"))
        self.advance_time(2)

    def activity(self, target_logs: int, treasury_share: float = 0.0) -> None:
        """Random transfers, re-delegations and votes until ~`target_logs` logs exist.

        With `treasury_share` > 0, that fraction of transactions fund the
        treasury instead: plain ETH transfers and stablecoin faucet mints.
        """
        accounts = self.report.accounts
        unvoted = [(a, p) for p in self.report.proposals for a in accounts]
        self.random.shuffle(unvoted)
        treasury = self.deployment.address("CoopTimelock")
        stablecoin = self.deployment.contracts.get("MockStablecoin")
        while self.report.expected_logs < target_logs:
            if treasury_share and self.random.random() < treasury_share:
                sender = self.random.choice(accounts)
                if stablecoin is not None and self.random.random() < 0.5:
                    self.faucet(sender, stablecoin.address, treasury, 10**6)
                else:
                    self.send_eth(sender, treasury, self.random.randint(1, 10**6) * 10**9)
                continue
            roll = self.random.random()
            if roll < 0.35 and unvoted:
                voter, proposal = unvoted.pop()
                self.vote(voter, proposal, self.random.choice((0, 1, 1, 2)))
            elif roll < 0.8:
                sender, receiver = self.random.sample(accounts, 2)
                self.transfer(sender, receiver, self.random.randint(1, 10**6) * 10**9)
            else:
                delegator, delegatee = self.random.sample(accounts, 2)
                self.delegate(delegator, delegatee)
        self.mine()
        self.report.last_block = int(self.rpc.call("eth_blockNumber", []), 16)

    def finish(self) -> LoadReport:
        self.mine()
        self.rpc.call("evm_setAutomine", [True])
        self.report.last_block = int(self.rpc.call("eth_blockNumber", []), 16)
        return self.report


def _proposal_id(token: str, call: bytes, description: str) -> int:
    """Governor.hashProposal([token], [0], [call], keccak(description))."""
    encoded = encode(
        ["address[]", "uint256[]", "bytes[]", "bytes32"],
        [[token], [0], [call], keccak(text=description)],
    )
    return int.from_bytes(keccak(encoded), "big")


def generate_load(
    rpc_url: str,
    deployment: Deployment,
    *,
    target_logs: int,
    accounts: int = 400,
    proposals: int = 40,
    seed: int = 7,
    treasury_share: float = 0.0,
    txs_per_block: int = TXS_PER_BLOCK,
) -> LoadReport:
    """Create about `target_logs` logs of mixed activity on the deployment's chain."""
    generator = LoadGenerator(rpc_url, deployment, seed, txs_per_block)
    try:
        generator.setup(accounts, proposals)
        generator.activity(target_logs, treasury_share)
        return generator.finish()
    finally:
        generator.close()

"""Treasury activity on a real deployment: donations, token transfers, faucet mints,
grants and bond slashes through executed proposals, and a fake token naming the treasury."""

from __future__ import annotations

from dataclasses import dataclass, field

from web3 import Web3

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.transact import Sender
from coop_dashboard.content.cid import cid_for_bytes
from tests.support.datasets import register, sample_registration
from tests.support.governance import pass_proposal

ETH = 10**18
USD = 10**6
REASON_CID = "ipfs://" + cid_for_bytes(b"# Delisted\n\nThe data was not what it claimed.\n")


@dataclass
class TreasuryActivity:
    """Drives the treasury of one deployment; remembers what a fake token is."""

    w3: Web3
    deployment: Deployment
    artifacts: dict[str, Artifact]
    fake_token: str | None = None
    proposals: list[int] = field(default_factory=list)
    _datasets: int = 0

    @property
    def treasury(self) -> str:
        return self.deployment.address("CoopTimelock")

    def _sender(self, index: int) -> Sender:
        return Sender.unlocked(self.w3, self.w3.eth.accounts[index])

    def donate_eth(self, amount: int) -> None:
        self._sender(5).transfer_eth(self.treasury, amount, what="donate ETH")

    def send_coop(self, amount: int) -> None:
        token = self.deployment.contract(self.w3, "CoopToken").functions
        deployer = Sender.unlocked(self.w3, self.deployment.deployer)
        deployer.call(token.transfer(self.treasury, amount), what="COOP to the treasury")

    def faucet_usd(self, amount: int) -> None:
        stable = self.deployment.contract(self.w3, "MockStablecoin").functions
        self._sender(4).call(stable.mint(self.treasury, amount), what="cUSD minted to the treasury")

    def fake_transfer(self, amount: int) -> None:
        """A token outside the manifest 'paying' the treasury (it mints to it)."""
        if self.fake_token is None:
            artifact = self.artifacts["MockStablecoin"]
            contract = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
            receipt = self._sender(8).deploy(contract.constructor(), what="deploy a fake token")
            self.fake_token = str(receipt["contractAddress"])
        fake = self.w3.eth.contract(
            address=Web3.to_checksum_address(self.fake_token),
            abi=self.artifacts["MockStablecoin"].abi,
        )
        self._sender(8).call(fake.functions.mint(self.treasury, amount), what="fake payment")

    def grant(self, eth: int, usd: int, description: str) -> int:
        """An executed proposal paying `eth` wei and `usd` cUSD base units to a grantee."""
        grantee = self.w3.eth.accounts[6]
        stable = self.deployment.contract(self.w3, "MockStablecoin")
        targets, values, calldatas = [], [], []
        if eth:
            targets.append(grantee)
            values.append(eth)
            calldatas.append(b"")
        if usd:
            targets.append(stable.address)
            values.append(0)
            calldatas.append(bytes.fromhex(stable.encode_abi("transfer", [grantee, usd])[2:]))
        proposal = pass_proposal(
            self.w3, self.deployment, self._sender(7), targets, values, calldatas, description
        )
        self.proposals.append(proposal)
        return proposal

    def slash_bond(self, bond: int) -> int:
        """Register a dataset with `bond`, then delist it by an executed proposal."""
        registry = self.deployment.contract(self.w3, "DatasetRegistry")
        self._datasets += 1
        dataset, _ = register(
            registry, self._sender(3), sample_registration(f"slashed-{self._datasets}"), bond=bond
        )
        calldata = bytes.fromhex(registry.encode_abi("delist", [dataset, REASON_CID])[2:])
        proposal = pass_proposal(
            self.w3,
            self.deployment,
            self._sender(7),
            [registry.address],
            [0],
            [calldata],
            f"# Delist dataset {dataset}\n",
        )
        self.proposals.append(proposal)
        return proposal

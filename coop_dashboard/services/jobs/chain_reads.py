"""The chain's word on a job, for the checks before the wallet opens.

The index may lag a block or two behind a click; whether a bid may be accepted,
a result challenged or a job finalized is decided by the contract, so the
checks read the contract (blocking RPC: call from a worker thread).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coop_dashboard.auth.addresses import checksum_address
from coop_dashboard.chain.client import rpc_errors
from coop_dashboard.chain.data_licensing import LICENSING_CONTRACT, PURPOSES, has_access
from coop_dashboard.chain.job_board import JOB_BOARD_CONTRACT, status_name
from coop_dashboard.evm import ZERO_ADDRESS
from coop_dashboard.services.jobs.inputs import ASSETS, JobActionRefused
from coop_dashboard.services.transactions import ChainContext


@dataclass(frozen=True)
class JobOnChain:
    """`JobBoard.jobOf` with the status by name."""

    job_id: int
    poster: str
    bidding_deadline: int
    delivery_deadline: int
    status: str
    purpose: str
    asset: str
    challenge_window: int
    challenge_ends_at: int
    provider: str
    stake: int
    minimum_stake: int
    bounty: int
    price: int


@dataclass(frozen=True)
class BidOnChain:
    price: int
    delivery_time: int
    stake: int
    active: bool


@dataclass(frozen=True)
class ChallengeOnChain:
    challenger: str
    escalates_at: int
    bond: int


class JobReads:
    """JobBoard, DataLicensing and ERC20 views through one chain context."""

    def __init__(self, context: ChainContext) -> None:
        self.context = context
        self.board = context.deployment.contract(context.w3, JOB_BOARD_CONTRACT)
        self._url = context.settings.rpc_url

    def _call(self, function: Any) -> Any:
        with rpc_errors(self._url):
            return function.call()

    def now(self) -> int:
        """The latest block's timestamp: the clock the contract's deadlines run on."""
        with rpc_errors(self._url):
            return int(self.context.w3.eth.get_block("latest")["timestamp"])

    def job(self, job_id: int) -> JobOnChain:
        """The job, or JobActionRefused when no such job was posted."""
        if job_id > int(self._call(self.board.functions.jobCount())):
            raise JobActionRefused(f"There is no job #{job_id}.")
        raw = self._call(self.board.functions.jobOf(job_id))
        return JobOnChain(
            job_id=job_id,
            poster=str(raw[0]),
            bidding_deadline=int(raw[1]),
            delivery_deadline=int(raw[2]),
            status=status_name(int(raw[3])),
            purpose=PURPOSES[int(raw[4])] if int(raw[4]) < len(PURPOSES) else "other",
            asset=str(raw[5]),
            challenge_window=int(raw[6]),
            challenge_ends_at=int(raw[7]),
            provider=str(raw[8]),
            stake=int(raw[9]),
            minimum_stake=int(raw[10]),
            bounty=int(raw[11]),
            price=int(raw[12]),
        )

    def bid(self, job_id: int, provider: str) -> BidOnChain:
        raw = self._call(self.board.functions.bidOf(job_id, provider))
        return BidOnChain(int(raw[0]), int(raw[1]), int(raw[2]), bool(raw[3]))

    def challenge(self, job_id: int) -> ChallengeOnChain:
        raw = self._call(self.board.functions.challengeOf(job_id))
        return ChallengeOnChain(str(raw[0]), int(raw[1]), int(raw[2]))

    def datasets(self, job_id: int) -> list[int]:
        return [int(d) for d in self._call(self.board.functions.datasetsOf(job_id))]

    def dataset_count(self) -> int:
        licensing = self.context.deployment.contract(self.context.w3, LICENSING_CONTRACT)
        registry_address = self._call(licensing.functions.registry())
        registry = self.context.deployment.contract(self.context.w3, "DatasetRegistry")
        if str(registry.address).lower() != str(registry_address).lower():
            return 0  # a manifest out of step with the chain: nothing is known
        return int(self._call(registry.functions.datasetCount()))

    def missing_passes(self, provider: str, dataset_ids: list[int], purpose: str) -> list[int]:
        """The datasets `provider` holds no valid pass to for `purpose` (the chain's word)."""
        licensing = self.context.deployment.contract(self.context.w3, LICENSING_CONTRACT)
        with rpc_errors(self._url):
            return [d for d in dataset_ids if not has_access(licensing, provider, d, purpose)]

    def challenge_bond(self) -> int:
        return int(self._call(self.board.functions.challengeBond()))

    def is_arbiter(self, account: str) -> bool:
        role = self._call(self.board.functions.ARBITER_ROLE())
        return bool(self._call(self.board.functions.hasRole(role, account)))

    def credit(self, account: str, asset: str) -> int:
        """What the board holds for `account` in `asset` (addresses in any letter case)."""
        holder, token = checksum_address(account), checksum_address(asset)
        return int(self._call(self.board.functions.creditOf(holder, token)))

    def eth_balance(self, account: str) -> int:
        with rpc_errors(self._url):
            return int(self.context.w3.eth.get_balance(account))  # type: ignore[arg-type]

    def asset_address(self, symbol: str) -> str:
        """The bounty asset's address (ETH: the zero address); refused when not deployed."""
        contract = ASSETS.get(symbol)
        if contract is None:
            return ZERO_ADDRESS
        if contract not in self.context.deployment.contracts:
            raise JobActionRefused(f"{symbol} is not deployed on this chain.")
        return self.context.deployment.address(contract)

    def token_balance_and_allowance(self, token: str, owner: str) -> tuple[int, int]:
        """`owner`'s balance of the suite token at `token` and what the board may take of it."""
        name = next(
            (n for n, c in self.context.deployment.contracts.items() if c.address == token), ""
        )
        if name not in ASSETS.values():
            raise JobActionRefused("The bounty's token is not one of the suite's.")
        erc20 = self.context.deployment.contract(self.context.w3, name)
        balance = int(self._call(erc20.functions.balanceOf(owner)))
        allowance = int(self._call(erc20.functions.allowance(owner, self.board.address)))
        return balance, allowance

    def asset_allowed(self, asset: str) -> bool:
        return bool(self._call(self.board.functions.isAssetAllowed(asset)))

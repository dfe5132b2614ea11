"""JobBoard as the compute nodes see it: jobs from events, a job's state, and the
transactions a provider or a verifier sends with its own key.

The nodes (coop_dashboard/nodes) run without the app's index: everything they act
on is read from the chain here. CIDs come from the events (the contract keeps
only digests of some of them); amounts stay integers (wei, millionths).
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractLogicError, Web3Exception

from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.data_licensing import (
    ETH_CURRENCY,
    LICENSING_CONTRACT,
    PURPOSES,
    has_access,
)
from coop_dashboard.chain.dataset_registry import REGISTRY_CONTRACT
from coop_dashboard.chain.job_board import JOB_BOARD_CONTRACT, status_name
from coop_dashboard.chain.transact import Sender
from coop_dashboard.chain.tx import revert_data_of, revert_decoder
from coop_dashboard.errors import ChainError

# Blocks per eth_getLogs request when scanning for new jobs.
_LOG_CHUNK = 5_000
# ERC20 decimals() alone: a bounty asset may be any token governance allowed.
_DECIMALS_ABI = [
    {
        "type": "function",
        "name": "decimals",
        "stateMutability": "view",
        "inputs": [],
        "outputs": [{"name": "", "type": "uint8"}],
    }
]


@dataclass(frozen=True)
class PostedJob:
    """A job as JobPosted announced it."""

    job_id: int
    poster: str
    spec_cid: str
    dataset_ids: tuple[int, ...]
    purpose: str
    asset: str
    bounty: int
    bidding_deadline: int
    delivery_deadline: int
    minimum_stake: int


@dataclass(frozen=True)
class JobState:
    """What `jobOf` says now."""

    status: str
    provider: str  # the accepted provider (zero address before acceptance)
    bidding_deadline: int
    price: int
    delivery_deadline: int
    challenge_ends_at: int


@dataclass(frozen=True)
class SubmittedResult:
    """A ResultSubmitted event: what the provider claims."""

    job_id: int
    provider: str
    checkpoint_cid: str
    metrics_cid: str
    claimed_units: int
    challenge_ends_at: int
    block: int


@dataclass(frozen=True)
class DatasetData:
    """Where a dataset's bytes are and what they hash to (DatasetRegistered)."""

    dataset_id: int
    data_cid: str
    content_digest: bytes


class JobBoardNode:
    """One node's view of the suite and its signing account."""

    def __init__(self, w3: Web3, deployment: Deployment, sender: Sender) -> None:
        self.w3 = w3
        self.sender = sender
        self.board: Contract = deployment.contract(w3, JOB_BOARD_CONTRACT)
        self.registry: Contract = deployment.contract(w3, REGISTRY_CONTRACT)
        self.licensing: Contract = deployment.contract(w3, LICENSING_CONTRACT)
        self.first_block = deployment.deploy_block
        self.decoder = revert_decoder(deployment)

    @classmethod
    def with_key(cls, w3: Web3, deployment: Deployment, private_key: str) -> JobBoardNode:
        return cls(w3, deployment, Sender.from_private_key(w3, private_key))

    @property
    def address(self) -> ChecksumAddress:
        return self.sender.address

    # --- reads ----------------------------------------------------------------------

    def head(self) -> int:
        return int(self.w3.eth.block_number)

    def chain_time(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def balance(self) -> int:
        return int(self.w3.eth.get_balance(self.address))

    def posted_jobs(self, from_block: int, to_block: int) -> list[PostedJob]:
        """JobPosted events in [from_block, to_block], oldest first."""
        jobs: list[PostedJob] = []
        start = max(from_block, self.first_block)
        while start <= to_block:
            end = min(to_block, start + _LOG_CHUNK - 1)
            logs = self.board.events.JobPosted().get_logs(from_block=start, to_block=end)
            jobs.extend(_posted(log) for log in logs)
            start = end + 1
        return jobs

    def posted_job(self, job_id: int) -> PostedJob | None:
        """The JobPosted event of `job_id` (None: no such job)."""
        logs = self.board.events.JobPosted().get_logs(
            from_block=self.first_block, argument_filters={"jobId": job_id}
        )
        return _posted(logs[0]) if logs else None

    def job_state(self, job_id: int) -> JobState:
        job = self.board.functions.jobOf(job_id).call()
        return JobState(
            status=status_name(int(job[3])),
            provider=str(job[8]),
            bidding_deadline=int(job[1]),
            price=int(job[12]),
            delivery_deadline=int(job[2]),
            challenge_ends_at=int(job[7]),
        )

    def has_bid(self, job_id: int) -> bool:
        """Whether this node has an active bid on `job_id`."""
        return bool(self.board.functions.bidOf(job_id, self.address).call()[3])

    def submitted_results(self, from_block: int, to_block: int) -> list[SubmittedResult]:
        """ResultSubmitted events in [from_block, to_block], oldest first."""
        found: list[SubmittedResult] = []
        start = max(from_block, self.first_block)
        while start <= to_block:
            end = min(to_block, start + _LOG_CHUNK - 1)
            logs = self.board.events.ResultSubmitted().get_logs(from_block=start, to_block=end)
            found.extend(_result(log) for log in logs)
            start = end + 1
        return found

    def result_of(self, job_id: int) -> SubmittedResult | None:
        """The latest ResultSubmitted of `job_id`, or None."""
        logs = self.board.events.ResultSubmitted().get_logs(
            from_block=self.first_block, argument_filters={"jobId": job_id}
        )
        return _result(logs[-1]) if logs else None

    def dataset_data(self, dataset_id: int) -> DatasetData:
        logs = self.registry.events.DatasetRegistered().get_logs(
            from_block=self.first_block, argument_filters={"datasetId": dataset_id}
        )
        if not logs:
            raise ChainError(f"Dataset {dataset_id} is not registered.")
        args = logs[-1]["args"]
        return DatasetData(dataset_id, str(args["dataCid"]), bytes(args["contentDigest"]))

    def holds_pass(self, dataset_id: int, purpose: str) -> bool:
        return has_access(self.licensing, self.address, dataset_id, purpose)

    # --- writes (each waits for its receipt; ChainError if it reverts) ----------------

    def _send(self, function: ContractFunction, what: str, value: int = 0) -> str:
        """Send `function`; a revert (in the estimate or mined) is a ChainError naming
        the contract's custom error, so a node can log why and move on."""
        try:
            receipt = self.sender.call(function, what=what, value=value)
        except (ContractLogicError, Web3Exception) as error:
            data = revert_data_of(error)
            decoded = self.decoder.decode(data) if data else None
            raise ChainError(f"{what} reverted: {decoded or error}") from error
        return str(receipt["transactionHash"].to_0x_hex())

    def place_bid(self, job_id: int, price: int, delivery_time: int, stake: int) -> str:
        function = self.board.functions.placeBid(job_id, price, delivery_time)
        return self._send(function, f"bid on job {job_id}", stake)

    def withdraw_bid(self, job_id: int) -> str:
        """Take back this node's bid (not accepted); its stake becomes a credit."""
        return self._send(self.board.functions.withdrawBid(job_id), f"withdraw the bid on {job_id}")

    def submit_result(
        self, job_id: int, checkpoint_cid: str, metrics_cid: str, claimed_units: int
    ) -> str:
        function = self.board.functions.submitResult(
            job_id, checkpoint_cid, metrics_cid, claimed_units
        )
        return self._send(function, f"submit the result of job {job_id}")

    def challenge_bond(self) -> int:
        return int(self.board.functions.challengeBond().call())

    def challenge(self, job_id: int, evidence_cid: str, bond: int) -> str:
        function = self.board.functions.challengeResult(job_id, evidence_cid)
        return self._send(function, f"challenge job {job_id}", bond)

    def finalize(self, job_id: int) -> str:
        return self._send(self.board.functions.finalizeJob(job_id), f"finalize job {job_id}")

    def credit(self, asset: str = ETH_CURRENCY) -> int:
        """What this account may withdraw from the board in `asset` (ETH by default)."""
        checksummed = Web3.to_checksum_address(asset)
        return int(self.board.functions.creditOf(self.address, checksummed).call())

    def withdraw_credit(self, asset: str = ETH_CURRENCY) -> str:
        """Move this account's credit in `asset` from the board to its own address."""
        function = self.board.functions.withdraw(Web3.to_checksum_address(asset))
        return self._send(function, f"withdraw the credit in {asset}")

    def token_decimals(self, asset: str) -> int:
        """An ERC20's `decimals()` (ETH: 18), to read an operator's whole-token minimum."""
        if asset.lower() == ETH_CURRENCY.lower():
            return 18
        token = self.w3.eth.contract(address=Web3.to_checksum_address(asset), abi=_DECIMALS_ABI)
        try:
            return int(token.functions.decimals().call())
        except (ContractLogicError, Web3Exception) as error:
            raise ChainError(f"{asset} does not answer decimals(): {error}") from error


def _posted(log: object) -> PostedJob:
    args = log["args"]  # type: ignore[index]
    purpose = int(args["purpose"])
    return PostedJob(
        job_id=int(args["jobId"]),
        poster=str(args["poster"]),
        spec_cid=str(args["specCid"]),
        dataset_ids=tuple(int(d) for d in args["datasetIds"]),
        purpose=PURPOSES[purpose] if purpose < len(PURPOSES) else "unknown",
        asset=str(args["asset"]),
        bounty=int(args["bounty"]),
        bidding_deadline=int(args["biddingDeadline"]),
        delivery_deadline=int(args["deliveryDeadline"]),
        minimum_stake=int(args["minimumStake"]),
    )


def _result(log: object) -> SubmittedResult:
    args = log["args"]  # type: ignore[index]
    return SubmittedResult(
        job_id=int(args["jobId"]),
        provider=str(args["provider"]),
        checkpoint_cid=str(args["checkpointCid"]),
        metrics_cid=str(args["metricsCid"]),
        claimed_units=int(args["claimedScore"]),
        challenge_ends_at=int(args["challengeEndsAt"]),
        block=int(log["blockNumber"]),  # type: ignore[index]
    )


def job_facts(w3: Web3, deployment: Deployment, job_id: int) -> tuple[JobState, int] | None:
    """(jobOf now, the claimed score on chain) of `job_id`, or None for no such job.

    What the HTTP API checks a node's report against; a job without a result
    claims 0."""
    board = deployment.contract(w3, JOB_BOARD_CONTRACT)
    if not 1 <= job_id <= int(board.functions.jobCount().call()):
        return None
    job = board.functions.jobOf(job_id).call()
    state = JobState(
        status=status_name(int(job[3])),
        provider=str(job[8]),
        bidding_deadline=int(job[1]),
        price=int(job[12]),
        delivery_deadline=int(job[2]),
        challenge_ends_at=int(job[7]),
    )
    result = board.functions.resultOf(job_id).call()
    return state, int(result[2])

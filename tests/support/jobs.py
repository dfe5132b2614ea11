"""JobBoard in tests: a world with licensed datasets, job terms, and the walk of a job."""

from __future__ import annotations

from dataclasses import dataclass

from web3 import Web3
from web3.contract import Contract
from web3.types import TxReceipt

from coop_dashboard.chain import devchain
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.data_licensing import ETH_CURRENCY, TierTerms
from coop_dashboard.chain.job_board import JobTerms, status_name
from coop_dashboard.chain.transact import Sender
from coop_dashboard.content.cid import cid_for_bytes
from tests.support.datasets import emitted
from tests.support.licensing import buy, register_dataset, set_tier

ETHER = 10**18
BOUNTY = ETHER
STAKE = ETHER // 10
CHALLENGE_BOND = ETHER // 20  # the deployment's default
HOUR = 3_600
DAY = 86_400
WINDOW = 2 * DAY


def cid(text: str) -> str:
    return cid_for_bytes(text.encode())


@dataclass
class JobWorld:
    """A fresh suite with two datasets licensable for research in ETH."""

    w3: Web3
    deployment: Deployment
    board: Contract
    licensing: Contract
    datasets: tuple[int, int]
    tier: int

    def license(self, provider: Sender, purpose: str = "research") -> None:
        """Buy `provider` a pass to both datasets for `purpose` (its own tier)."""
        for dataset in self.datasets:
            tier = self.tier if purpose == "research" else self._tier_for(dataset, purpose)
            buy(self.w3, self.deployment, self.licensing, provider, dataset, tier)

    def _tier_for(self, dataset: int, purpose: str) -> int:
        contributor = Sender.unlocked(self.w3, self.w3.eth.accounts[1])
        return set_tier(
            self.licensing, contributor, dataset, TierTerms(price=ETHER // 100, purpose=purpose)
        )

    def terms(
        self,
        *,
        bounty: int = BOUNTY,
        asset: str = ETH_CURRENCY,
        bidding_in: int = DAY,
        delivery_in: int = 7 * DAY,
        minimum_stake: int = STAKE,
        window: int = WINDOW,
        datasets: tuple[int, ...] | None = None,
        spec: str = "spec",
    ) -> tuple[object, ...]:
        """A JobTerms struct with deadlines relative to the chain's time now."""
        now = devchain.latest_timestamp(self.w3)
        return JobTerms(
            spec_cid=cid(spec),
            dataset_ids=self.datasets if datasets is None else datasets,
            bounty=bounty,
            bidding_deadline=now + bidding_in,
            delivery_deadline=now + delivery_in,
            minimum_stake=minimum_stake,
            challenge_window_s=window,
            asset=asset,
        ).as_struct()

    def post(self, poster: Sender, terms: tuple[object, ...] | None = None) -> int:
        terms = terms or self.terms()
        value = int(terms[4]) if terms[3] == ETH_CURRENCY else 0  # type: ignore[call-overload]
        receipt = poster.call(self.board.functions.postJob(terms), what="post", value=value)
        (event,) = emitted(self.board, "JobPosted", receipt)
        return int(event["args"]["jobId"])

    def bid(
        self, provider: Sender, job: int, price: int = BOUNTY // 2, stake: int = STAKE
    ) -> TxReceipt:
        deadline = self.board.functions.jobOf(job).call()[2]
        return provider.call(
            self.board.functions.placeBid(job, price, deadline), what="bid", value=stake
        )

    def in_review(self, poster: Sender, provider: Sender, price: int = BOUNTY // 2) -> int:
        """A job posted, bid on, accepted and its result submitted."""
        job = self.post(poster)
        self.bid(provider, job, price)
        poster.call(self.board.functions.acceptBid(job, provider.address), what="accept")
        provider.call(
            self.board.functions.submitResult(job, cid("ckpt"), cid("metrics"), 9_100),
            what="submit",
        )
        return job

    def status(self, job: int) -> str:
        return status_name(self.board.functions.jobOf(job).call()[3])


def job_world(w3: Web3, deployment: Deployment) -> JobWorld:
    """Register two datasets (by account 1) and offer each a research tier in ETH."""
    licensing = deployment.contract(w3, "DataLicensing")
    registry = deployment.contract(w3, "DatasetRegistry")
    contributor = Sender.unlocked(w3, w3.eth.accounts[1])
    first = register_dataset(registry, contributor, "job data one")
    second = register_dataset(registry, contributor, "job data two")
    tier = 0
    for dataset in (first, second):
        tier = set_tier(licensing, contributor, dataset, TierTerms(price=ETHER // 100))
    return JobWorld(
        w3, deployment, deployment.contract(w3, "JobBoard"), licensing, (first, second), tier
    )

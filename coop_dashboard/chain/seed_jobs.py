"""The demo's training jobs: one in every status, with a model really trained.

Runs after seed_licensing (it needs the dataset ids by key) and only for `coop
seed` (cli.py). What it stores comes from above, as seed_datasets' files do
(chain/ imports nothing above it; tests/unit/test_import_rules.py): `JobContent`
(coop_dashboard/demo/job_content.py) builds the JobSpec documents and trains the
completed jobs' model with the compute nodes' own code (a seeded scikit-learn
logistic regression on the handwritten digits, deterministic, ~4 s), so the
model the demo shows loads and re-scores like any worker's.

The story, on the chain's clock (the rest of seed_demo then moves it ~9 days,
so live deadlines are weeks ahead):
- an executed proposal appoints Elif Yilmaz arbiter and funds two cUSD jobs
  from the treasury ("Fund a training job": approve + postJob by the timelock);
- three compute providers (anvil #14, Jonas's; #16; #17) buy research passes;
- completed (two bids, the loser withdraws; finalized: model #1), upheld (a
  challenge the arbiter rejects: model #2), failed by a challenge upheld (an
  inflated score: the stake slashed), failed by a missed delivery, cancelled;
- a second executed proposal cancels the treasury's smaller job and withdraws
  the treasury's JobBoard credits: its bounty back (cUSD, "Job bounties
  refunded") and its share of the two slashed stakes (ETH, "Job stakes slashed");
- live: challenged (escalated by the end of the seed), in review, in progress,
  open with bids (ETH), and the treasury's cUSD job with a bid.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coop_dashboard.chain import devchain
from coop_dashboard.chain.data_licensing import ETH_CURRENCY, LICENSING_CONTRACT
from coop_dashboard.chain.job_board import JOB_BOARD_CONTRACT, JobTerms
from coop_dashboard.chain.seed_datasets import _pass
from coop_dashboard.chain.transact import Sender

if TYPE_CHECKING:
    from coop_dashboard.chain.seed import _Seeder

ETHER = 10**18
USD = 10**6
DAY = 86_400
# Members (seed.MEMBERS indexes) and compute providers (anvil accounts without tokens).
_AMARA, _BJORN, _CHEN, _DANA, _ELIF, _GRACE, _INES = 0, 1, 2, 3, 4, 6, 8
PROVIDER_ACCOUNTS = (14, 16, 17)
TREASURY_JOB_BOUNTY = 5_000 * USD
# The treasury's second job, cancelled by the second proposal (its bounty comes back).
TREASURY_CANCELLED_BOUNTY = 1_000 * USD
STAKE = ETHER // 10
CHALLENGE_WINDOW = 2 * DAY
# Live jobs outlast the ~9 days the rest of the seed moves the clock.
LIVE_BIDDING = 40 * DAY
LIVE_DELIVERY = 80 * DAY
LIVE_WINDOW = 30 * DAY  # the longest JobBoard allows


@dataclass(frozen=True)
class TrainedModel:
    """A checkpoint and its metrics document, and the score it reaches (millionths)."""

    model: bytes
    metrics: bytes
    score_units: int


@dataclass(frozen=True)
class JobContent:
    """The documents the demo's jobs store, built above chain/ and handed in
    (coop_dashboard/demo/job_content.demo_job_content)."""

    digits_spec: Callable[[int], bytes]  # the digits' dataset id -> a JobSpec's bytes
    wine_spec: Callable[[int], bytes]  # the wine training split's id -> a JobSpec's bytes
    # The digits' dataset id and data bytes -> the model the digits spec trains.
    train_digits: Callable[[int, bytes], TrainedModel]


@dataclass
class JobsReport:
    """What the jobs seed made (job ids by status key), for tests and the CLI summary."""

    jobs: dict[str, int] = field(default_factory=dict)
    models: list[int] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)
    arbiter: str = ""
    score_units: int = 0  # the trained model's score (millionths)


@dataclass(frozen=True)
class _Result:
    checkpoint_cid: str
    metrics_cid: str
    score_units: int


class _JobSeeder:
    def __init__(self, seeder: _Seeder, datasets: Mapping[str, int], content: JobContent) -> None:
        self.seeder = seeder
        self.content = content
        self.w3 = seeder.w3
        self.board = seeder.deployment.contract(self.w3, JOB_BOARD_CONTRACT)
        self.f = self.board.functions
        self.licensing = seeder.deployment.contract(self.w3, LICENSING_CONTRACT)
        self.datasets = datasets
        self.providers = [
            Sender.unlocked(self.w3, self.w3.eth.accounts[i]) for i in PROVIDER_ACCOUNTS
        ]
        self.members = seeder.members
        self.report = JobsReport(providers=[p.address for p in self.providers])

    # ------------------------------------------------------------ content

    def spec_cid(self, kind: str) -> str:
        """The stored JobSpec of a demo job kind: the digits baseline or the wine network."""
        if kind == "digits":
            spec = self.content.digits_spec(self.datasets["digits"])
        else:
            spec = self.content.wine_spec(self.datasets["wine-train"])
        return self.seeder.store.put(spec)

    def trained(self) -> _Result:
        """The digits job's model (same spec + bytes = same model)."""
        digits = self.datasets["digits"]
        registry = self.seeder.deployment.contract(self.w3, "DatasetRegistry")
        data_cid = self._data_cid(registry, digits)
        model = self.content.train_digits(digits, self.seeder.store.get(data_cid))
        store = self.seeder.store
        return _Result(store.put(model.model), store.put(model.metrics), model.score_units)

    def _data_cid(self, registry: Any, dataset_id: int) -> str:
        event = registry.events.DatasetRegistered()
        for log in event.get_logs(from_block=0, argument_filters={"datasetId": dataset_id}):
            return str(log["args"]["dataCid"])
        raise LookupError(f"dataset {dataset_id} has no registration event")

    def document(self, text: str) -> str:
        return self.seeder.store.put(text.encode())

    # ------------------------------------------------------------ actions

    def terms(
        self,
        spec_cid: str,
        datasets: tuple[int, ...],
        *,
        bounty: int = ETHER,
        bidding: int = 2 * DAY,
        delivery: int = 5 * DAY,
        window: int = CHALLENGE_WINDOW,
        asset: str = ETH_CURRENCY,
    ) -> JobTerms:
        now = devchain.latest_timestamp(self.w3)
        return JobTerms(
            spec_cid=spec_cid,
            dataset_ids=datasets,
            bounty=bounty,
            bidding_deadline=now + bidding,
            delivery_deadline=now + delivery,
            minimum_stake=STAKE,
            challenge_window_s=window,
            asset=asset,
        )

    def post(self, poster: Sender, terms: JobTerms, what: str) -> int:
        poster.call(self.f.postJob(terms.as_struct()), what=f"post {what}", value=terms.value)
        return int(self.f.jobCount().call())

    def bid(self, provider: Sender, job: int, price: int, what: str) -> None:
        delivery = int(self.f.jobOf(job).call()[2])
        provider.call(self.f.placeBid(job, price, delivery), what=f"bid on {what}", value=STAKE)

    def accept(self, poster: Sender, job: int, provider: Sender) -> None:
        poster.call(self.f.acceptBid(job, provider.address), what=f"accept a bid on job {job}")

    def submit(self, provider: Sender, job: int, result: _Result, claimed: int) -> None:
        provider.call(
            self.f.submitResult(job, result.checkpoint_cid, result.metrics_cid, claimed),
            what=f"submit job {job}",
        )

    def challenge(self, challenger: Sender, job: int, evidence: str) -> None:
        bond = int(self.f.challengeBond().call())
        challenger.call(
            self.f.challengeResult(job, self.document(evidence)),
            what=f"challenge job {job}",
            value=bond,
        )

    def license_providers(self) -> None:
        """Research passes to the digits and the wine training split for every provider."""
        functions = self.licensing.functions
        for provider in self.providers:
            for key in ("digits", "wine-train"):
                dataset = self.datasets[key]
                if functions.hasAccess(provider.address, dataset, 0).call():
                    continue
                tier = self._research_tier(dataset)
                price = int(functions.tierOf(dataset, tier).call()[7])
                provider.call(
                    functions.buy(dataset, tier, provider.address),
                    what=f"research pass to {key}",
                    value=price,
                )

    def _research_tier(self, dataset: int) -> int:
        functions = self.licensing.functions
        for index in range(int(functions.tierCount(dataset).call())):
            stored = functions.tierOf(dataset, index).call()
            if str(stored[0]).lower() == ETH_CURRENCY and int(stored[2]) == 0 and stored[6]:
                return index
        raise LookupError(f"dataset {dataset} offers no active research tier in ETH")


def _fund_and_appoint(jobs: _JobSeeder) -> tuple[int, int]:
    """The executed proposal: the treasury funds two cUSD jobs and Elif becomes arbiter.
    Returns (the job kept open, the job the second proposal cancels)."""
    seeder, board = jobs.seeder, jobs.board
    stablecoin = seeder.stablecoin
    arbiter = jobs.members[_ELIF].address
    spec = jobs.spec_cid("wine")
    digits_spec = jobs.spec_cid("digits")

    def treasury_terms(spec_cid: str, dataset: str, bounty: int) -> JobTerms:
        return jobs.terms(
            spec_cid,
            (jobs.datasets[dataset],),
            bounty=bounty,
            bidding=LIVE_BIDDING + 10 * DAY,  # the proposal itself takes ~8 days
            delivery=LIVE_DELIVERY + 10 * DAY,
            window=7 * DAY,
            asset=str(stablecoin.address),
        )

    rerun = treasury_terms(digits_spec, "digits", TREASURY_CANCELLED_BOUNTY)
    terms = treasury_terms(spec, "wine-train", TREASURY_JOB_BOUNTY)
    role = jobs.f.ARBITER_ROLE().call()
    escrow = TREASURY_JOB_BOUNTY + TREASURY_CANCELLED_BOUNTY
    _pass(
        seeder,
        [str(stablecoin.address), *[str(board.address)] * 3],
        [
            seeder._encode(stablecoin, "approve", [board.address, escrow]),
            seeder._encode(board, "postJob", [rerun.as_struct()]),
            seeder._encode(board, "postJob", [terms.as_struct()]),
            seeder._encode(board, "grantRole", [role, arbiter]),
        ],
        "# Fund training jobs; appoint an arbiter\n\n"
        f"Post a 5,000 cUSD job from the treasury: a small neural network for the wine "
        f"cultivars (spec ipfs://{spec}), and a 1,000 cUSD re-run of the digits baseline "
        f"(spec ipfs://{digits_spec}). Elif Yilmaz resolves challenged results "
        "(ARBITER_ROLE); after the escalation period only governance does.\n",
    )
    jobs.report.arbiter = arbiter
    count = int(jobs.f.jobCount().call())
    return count, count - 1


def _cancel_and_collect(jobs: _JobSeeder, rerun: int) -> None:
    """The second executed proposal: cancel the treasury's digits re-run (members ran the
    baseline themselves) and withdraw the treasury's JobBoard credits: that bounty (cUSD)
    and its share of the stakes slashed so far (ETH)."""
    seeder, board = jobs.seeder, jobs.board
    stablecoin = str(seeder.stablecoin.address)
    _pass(
        seeder,
        [str(board.address)] * 3,
        [
            seeder._encode(board, "cancelJob", [rerun]),
            seeder._encode(board, "withdraw", [stablecoin]),
            seeder._encode(board, "withdraw", [ETH_CURRENCY]),
        ],
        "# Cancel the digits re-run; collect the treasury's job credits\n\n"
        f"Members trained the digits baseline themselves: cancel job #{rerun} (its "
        "1,000 cUSD come back) and withdraw what JobBoard credits the treasury, that "
        "bounty and its share of the stakes slashed for a failed challenge and a missed "
        "delivery.\n",
    )


def seed_jobs(seeder: _Seeder, datasets: Mapping[str, int], content: JobContent) -> JobsReport:
    jobs = _JobSeeder(seeder, datasets, content)
    report = jobs.report
    treasury_job, treasury_rerun = _fund_and_appoint(jobs)
    jobs.license_providers()
    p1, p2, p3 = jobs.providers
    amara, bjorn, chen = jobs.members[_AMARA], jobs.members[_BJORN], jobs.members[_CHEN]
    dana, grace, ines = jobs.members[_DANA], jobs.members[_GRACE], jobs.members[_INES]
    arbiter = jobs.members[_ELIF]
    digits = (datasets["digits"],)
    wine = (datasets["wine-train"],)
    digits_spec, wine_spec = jobs.spec_cid("digits"), jobs.spec_cid("wine")
    result = jobs.trained()
    report.score_units = result.score_units
    f = jobs.f

    # Completed: two bids, the cheaper one accepted, the other withdrawn; finalized later.
    completed = jobs.post(amara, jobs.terms(digits_spec, digits), "the digits baseline")
    jobs.bid(p1, completed, 6 * ETHER // 10, "the digits baseline")
    jobs.bid(p2, completed, 7 * ETHER // 10, "the digits baseline")
    jobs.accept(amara, completed, p1)
    p2.call(f.withdrawBid(completed), what="withdraw a losing bid")
    jobs.submit(p1, completed, result, result.score_units)
    # Upheld: a challenge the arbiter rejects (the result re-scores as claimed).
    upheld = jobs.post(bjorn, jobs.terms(digits_spec, digits), "a second digits run")
    jobs.bid(p3, upheld, ETHER // 2, "a second digits run")
    jobs.accept(bjorn, upheld, p3)
    jobs.submit(p3, upheld, result, result.score_units)
    jobs.challenge(dana, upheld, "# The score looks too good\n\nPlease re-run it.\n")
    arbiter.call(
        f.resolveChallenge(upheld, True, jobs.document("# Upheld\n\nRe-scored as claimed.\n")),
        what="uphold the provider",
    )
    # Failed by a challenge: an inflated claim, caught by a re-run.
    inflated = min(1_000_000, result.score_units + 40_000)
    slashed = jobs.post(grace, jobs.terms(digits_spec, digits), "a digits job, inflated")
    jobs.bid(p2, slashed, ETHER // 2, "a digits job, inflated")
    jobs.accept(grace, slashed, p2)
    jobs.submit(p2, slashed, result, inflated)
    evidence = (
        "# Re-run disagrees\n\nThe checkpoint scores "
        f"{result.score_units / 1e6:.4f}, not the {inflated / 1e6:.4f} claimed "
        "(tolerance 0.005).\n"
    )
    jobs.challenge(chen, slashed, evidence)
    arbiter.call(
        f.resolveChallenge(slashed, False, jobs.document("# Provider wrong\n\nSlashed.\n")),
        what="slash the provider",
    )
    # Failed by a missed delivery; cancelled before acceptance.
    missed = jobs.post(ines, jobs.terms(wine_spec, wine, bounty=ETHER // 2), "a wine job")
    jobs.bid(p3, missed, ETHER // 4, "a wine job")
    jobs.accept(ines, missed, p3)
    cancelled = jobs.post(dana, jobs.terms(wine_spec, wine, bounty=ETHER // 4), "a wine job")
    jobs.bid(p1, cancelled, ETHER // 5, "a wine job")
    dana.call(f.cancelJob(cancelled), what="cancel a job")
    devchain.increase_time(jobs.w3, 5 * DAY + 1)
    bjorn.call(f.finalizeJob(completed), what="finalize the digits baseline")
    ines.call(f.refundMissedDelivery(missed), what="refund a missed delivery")
    _cancel_and_collect(jobs, treasury_rerun)

    # Live jobs, with deadlines weeks ahead.
    def live(spec: str, datasets_: tuple[int, ...], bounty: int = ETHER) -> JobTerms:
        return jobs.terms(
            spec,
            datasets_,
            bounty=bounty,
            bidding=LIVE_BIDDING,
            delivery=LIVE_DELIVERY,
            window=LIVE_WINDOW,
        )

    challenged = jobs.post(amara, live(digits_spec, digits), "a contested digits job")
    jobs.bid(p3, challenged, ETHER // 2, "a contested digits job")
    jobs.accept(amara, challenged, p3)
    jobs.submit(p3, challenged, result, result.score_units)
    jobs.challenge(chen, challenged, "# Holdout leak?\n\nThe split may overlap training.\n")
    in_review = jobs.post(bjorn, live(digits_spec, digits), "a digits job in review")
    jobs.bid(p1, in_review, ETHER // 2, "a digits job in review")
    jobs.accept(bjorn, in_review, p1)
    jobs.submit(p1, in_review, result, result.score_units)
    in_progress = jobs.post(grace, live(wine_spec, wine), "a wine job in progress")
    jobs.bid(p2, in_progress, 8 * ETHER // 10, "a wine job in progress")
    jobs.accept(grace, in_progress, p2)
    open_job = jobs.post(amara, live(wine_spec, wine, bounty=2 * ETHER), "an open wine job")
    jobs.bid(p1, open_job, 3 * ETHER // 2, "an open wine job")
    jobs.bid(p3, open_job, 6 * ETHER // 5, "an open wine job")
    jobs.bid(p2, treasury_job, 4_000 * USD, "the treasury's job")
    # The first provider takes its earnings out; the rest stay credited for the pages.
    p1.call(f.withdraw(ETH_CURRENCY), what="withdraw job earnings")

    report.jobs = {
        "completed": completed,
        "upheld": upheld,
        "slashed": slashed,
        "missed": missed,
        "cancelled": cancelled,
        "challenged": challenged,
        "in_review": in_review,
        "in_progress": in_progress,
        "open": open_job,
        "treasury": treasury_job,
        "treasury_cancelled": treasury_rerun,
    }
    report.models = [int(f.modelOfJob(upheld).call()), int(f.modelOfJob(completed).call())]
    return report

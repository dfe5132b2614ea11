"""The demo's training jobs: one in every status, with a model really trained.

Runs after seed_licensing (it needs the dataset ids by key) and only for `coop
seed` (cli.py). Specs are JobSpec documents (services/jobs/spec.py) in the
content store; the completed jobs' checkpoint and metrics are made by the
compute nodes' own training code (nodes/training.py: a seeded scikit-learn
logistic regression on the handwritten digits, deterministic, ~4 s), so the
model the demo shows loads and re-scores like any worker's. Those two imports
are lazy: the seed is the one place below services/ that builds the demo's
content, as seed_datasets' files come from services/datasets/demo.py.

The story, on the chain's clock (the rest of seed_demo then moves it ~9 days,
so live deadlines are weeks ahead):
- an executed proposal appoints Elif Yilmaz arbiter and funds a cUSD job from
  the treasury ("Fund a training job": approve + postJob by the timelock);
- three compute providers (anvil #14, Jonas's; #16; #17) buy research passes;
- completed (two bids, the loser withdraws; finalized: model #1), upheld (a
  challenge the arbiter rejects: model #2), failed by a challenge upheld (an
  inflated score: the stake slashed), failed by a missed delivery, cancelled;
- live: challenged (escalated by the end of the seed), in review, in progress,
  open with bids (ETH), and the treasury's cUSD job with a bid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
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
STAKE = ETHER // 10
CHALLENGE_WINDOW = 2 * DAY
# Live jobs outlast the ~9 days the rest of the seed moves the clock.
LIVE_BIDDING = 40 * DAY
LIVE_DELIVERY = 80 * DAY
LIVE_WINDOW = 30 * DAY  # the longest JobBoard allows


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
    def __init__(self, seeder: _Seeder, datasets: Mapping[str, int]) -> None:
        self.seeder = seeder
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
        """The stored JobSpec of a demo job kind: the nodes' digits baseline, or their wine
        network evaluated on a holdout of the training split (the wine test split offers no
        pass: a provider could not be accepted for a job naming it)."""
        from coop_dashboard.nodes.demo_specs import digits_logistic, wine_mlp
        from coop_dashboard.services.jobs.spec import Evaluation

        if kind == "digits":
            spec = digits_logistic(self.datasets["digits"])
        else:
            train = self.datasets["wine-train"]
            spec = replace(wine_mlp(train, train), evaluation=Evaluation("holdout", 0.2))
        return self.seeder.store.put(spec.to_json())

    def trained(self) -> _Result:
        """The digits job's model, trained by the nodes' code (same spec + bytes = same model)."""
        from coop_dashboard.nodes.demo_specs import digits_logistic
        from coop_dashboard.nodes.training import train_for_spec
        from coop_dashboard.services.jobs.spec import score_units

        digits = self.datasets["digits"]
        registry = self.seeder.deployment.contract(self.w3, "DatasetRegistry")
        data_cid = self._data_cid(registry, digits)
        result = train_for_spec(digits_logistic(digits), {digits: self.seeder.store.get(data_cid)})
        store = self.seeder.store
        return _Result(
            store.put(result.model_bytes),
            store.put(result.metrics_bytes()),
            score_units(result.score),
        )

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


def _fund_and_appoint(jobs: _JobSeeder) -> int:
    """The executed proposal: the treasury funds a cUSD job and Elif becomes arbiter."""
    seeder, board = jobs.seeder, jobs.board
    stablecoin = seeder.stablecoin
    arbiter = jobs.members[_ELIF].address
    spec = jobs.spec_cid("wine")
    terms = jobs.terms(
        spec,
        (jobs.datasets["wine-train"],),
        bounty=TREASURY_JOB_BOUNTY,
        bidding=LIVE_BIDDING + 10 * DAY,  # the proposal itself takes ~8 days
        delivery=LIVE_DELIVERY + 10 * DAY,
        window=7 * DAY,
        asset=str(stablecoin.address),
    )
    role = jobs.f.ARBITER_ROLE().call()
    _pass(
        seeder,
        [str(stablecoin.address), str(board.address), str(board.address)],
        [
            seeder._encode(stablecoin, "approve", [board.address, TREASURY_JOB_BOUNTY]),
            seeder._encode(board, "postJob", [terms.as_struct()]),
            seeder._encode(board, "grantRole", [role, arbiter]),
        ],
        "# Fund a training job; appoint an arbiter\n\n"
        f"Post a 5,000 cUSD job from the treasury: a small neural network for the wine "
        f"cultivars (spec ipfs://{spec}). Elif Yilmaz resolves challenged results "
        "(ARBITER_ROLE); after the escalation period only governance does.\n",
    )
    jobs.report.arbiter = arbiter
    return int(jobs.f.jobCount().call())


def seed_jobs(seeder: _Seeder, datasets: Mapping[str, int]) -> JobsReport:
    jobs = _JobSeeder(seeder, datasets)
    report = jobs.report
    treasury_job = _fund_and_appoint(jobs)
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
    }
    report.models = [int(f.modelOfJob(upheld).call()), int(f.modelOfJob(completed).call())]
    return report

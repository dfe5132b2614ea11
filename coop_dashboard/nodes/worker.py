"""`coop worker`: a compute provider that bids on jobs it can do and delivers them.

Each `step()`: read new JobPosted events, judge each job (spec reachable and
valid, recipe and datasets allowed, evaluation data inside the job's datasets,
price, deadlines, passes held, capacity) and bid on the good ones, logging the
reason for each refusal; then move every job it won along the journal's steps:
download (gated route, checked against the chain's CID and digest) -> train and
evaluate -> store checkpoint and metrics -> submit on chain -> finalize after the
challenge window -> withdraw its credits (the price in the bounty's asset, ETH
or an allowed ERC20, and the stake in ETH). A step already in the journal is not done again; before
submitting, the chain is asked whether this node's result is already there.

Dishonest modes (for tests and demonstrations only): "inflate" claims more than
the evaluation gave; "other_data" trains on shuffled labels and claims the target.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coop_dashboard.chain.job_nodes import JobBoardNode, PostedJob
from coop_dashboard.errors import ChainError, CoopError
from coop_dashboard.nodes.app_client import AppClient, NodeHttpError
from coop_dashboard.nodes.journal import Journal
from coop_dashboard.nodes.training import metrics_json, train_for_spec
from coop_dashboard.services.jobs.spec import JobSpec, JobSpecError, parse, score_units

log = logging.getLogger("coop.worker")
ETH = "0x" + "00" * 20  # JobBoard's asset address for ether
DISHONEST_MODES = ("", "inflate", "other_data")
_HEARTBEAT_EVERY_S = 1.0
_TICK_S = 5.0


@dataclass(frozen=True)
class WorkerConfig:
    """What the operator decides: which jobs to take and on what terms."""

    min_price: int = 0  # wei: ETH jobs whose bounty is below this are refused
    # (asset address, smallest units): the minimum bounty in an ERC20; an allowed
    # token not listed here is taken at any price, as ETH is with min_price 0
    min_prices: tuple[tuple[str, int], ...] = ()
    bid_share_bps: int = 10_000  # the price asked, as a share of the bounty
    recipes: tuple[str, ...] = ()  # allowed recipes; empty: any known recipe
    datasets: tuple[int, ...] = ()  # allowed datasets; empty: any
    max_concurrent: int = 1  # jobs bid on or in progress at once
    dishonest: str = ""
    finalize: bool = True  # finalize its own jobs once their window closed
    from_head: bool = False  # a new journal starts at the chain's head, not at the board's start
    withdraw: bool = True  # move its credits off the board once a job is completed

    def minimum_for(self, asset: str) -> int:
        """The smallest bounty taken in `asset` (ETH: min_price)."""
        if asset.lower() == ETH:
            return self.min_price
        return dict((a.lower(), units) for a, units in self.min_prices).get(asset.lower(), 0)


@dataclass
class Worker:
    node: JobBoardNode
    app: AppClient
    journal: Journal
    config: WorkerConfig = field(default_factory=WorkerConfig)

    # --- the loop ---------------------------------------------------------------------

    def step(self) -> None:
        """One pass: new jobs judged and bid on, won jobs advanced."""
        head = self.node.head()
        if self.config.from_head and self.journal.last_block < 0:
            self.journal.scanned(head)  # a new node takes jobs posted from now on
        if head > self.journal.last_block:
            for job in self.node.posted_jobs(self.journal.last_block + 1, head):
                if self.journal.job(job.job_id) is None:
                    self.consider(job)
            self.journal.scanned(head)
        for job_id, entry in sorted(self.journal.jobs().items()):
            if entry.get("stage") in ("bid", "accepted", "downloaded", "trained", "stored"):
                self.advance(job_id)
            elif entry.get("stage") == "submitted" and self.config.finalize:
                self.try_finalize(job_id)

    def run(self, poll_s: float = 2.0, stop_after_s: float | None = None) -> None:
        started = time.monotonic()
        while stop_after_s is None or time.monotonic() - started < stop_after_s:
            try:
                self.step()
            except CoopError as error:
                log.warning("step failed, will retry: %s", error)
            except Exception:  # a node keeps running through an RPC or app outage
                log.exception("step failed unexpectedly, will retry")
            time.sleep(poll_s)

    # --- bidding ----------------------------------------------------------------------

    def refusal(self, job: PostedJob) -> str | JobSpec:
        """The reason not to bid on `job`, or its spec when it can be done."""
        status = self.node.job_state(job.job_id).status
        if status != "open":
            return f"the job is {status.replace('_', ' ')}, not open for bids"
        try:  # AppUnavailableError goes up: the app being down decides nothing
            raw = self.app.fetch_content(job.spec_cid, "The spec")
        except NodeHttpError as error:
            return f"spec unreachable: {error}"
        try:
            spec = parse(raw)
        except JobSpecError as error:
            return f"bad spec: {error}"
        if self.config.recipes and spec.recipe not in self.config.recipes:
            return f"recipe {spec.recipe} is not one this worker runs"
        outside = [d for d in spec.all_datasets if d not in job.dataset_ids]
        if outside:
            return (
                f"missing evaluation data: dataset(s) {outside} are not among the job's "
                "datasets, so no pass for this job covers them"
            )
        if self.config.datasets and any(d not in self.config.datasets for d in job.dataset_ids):
            return "the job uses datasets this worker does not take"
        minimum = self.config.minimum_for(job.asset)
        if job.bounty < minimum:
            unit = "wei" if job.asset.lower() == ETH else f"units of {job.asset}"
            return f"bounty {job.bounty} {unit} is below this worker's minimum {minimum}"
        if self.node.chain_time() >= job.bidding_deadline:
            return "bidding has closed"
        active = [e for e in self.journal.jobs().values() if e.get("stage") not in _FINISHED]
        if len(active) >= self.config.max_concurrent:
            return f"at capacity ({len(active)} job(s) bid on or in progress)"
        missing = [d for d in job.dataset_ids if not self.node.holds_pass(d, job.purpose)]
        if missing:
            return f"no valid {job.purpose} pass for dataset(s) {missing}"
        if self.node.balance() < job.minimum_stake:
            return "not enough ETH for the stake"
        return spec

    def consider(self, job: PostedJob) -> None:
        judged = self.refusal(job)
        if isinstance(judged, str):
            log.info("job %d refused: %s", job.job_id, judged)
            self.journal.update(job.job_id, stage="refused", reason=judged)
            return
        minimum = self.config.minimum_for(job.asset)
        price = max(minimum, job.bounty * self.config.bid_share_bps // 10_000)
        price = min(price, job.bounty)
        try:
            tx = self.node.place_bid(job.job_id, price, job.delivery_deadline, job.minimum_stake)
        except ChainError as error:  # e.g. bidding closed or the job taken meanwhile
            log.info("job %d: bid refused by the chain: %s", job.job_id, error)
            self.journal.update(job.job_id, stage="refused", reason=f"bid reverted: {error}")
            return
        log.info("job %d: bid %d wei, stake %d (%s)", job.job_id, price, job.minimum_stake, tx)
        self.journal.update(
            job.job_id,
            stage="bid",
            spec_cid=job.spec_cid,
            datasets=list(job.dataset_ids),
            purpose=job.purpose,
            asset=job.asset,
            bid_tx=tx,
        )

    # --- delivering -------------------------------------------------------------------

    def _withdraw_bid(self, job_id: int, why: str) -> None:
        """Another provider won (or nobody did): take the stake back."""
        tx = ""
        if self.node.has_bid(job_id):
            try:
                tx = self.node.withdraw_bid(job_id)
            except ChainError as error:
                log.warning("job %d: the bid could not be withdrawn: %s", job_id, error)
        log.info("job %d: not ours (%s); bid withdrawn %s", job_id, why, tx)
        self.journal.update(job_id, stage="lost", reason=why, withdraw_tx=tx)

    def _beat(
        self, job_id: int, stage: str, done: int = 0, total: int = 0, detail: str = ""
    ) -> None:
        try:
            self.app.heartbeat(job_id, stage, done, total, detail)
        except CoopError as error:  # progress display only: never stops the work
            log.warning("job %d: heartbeat not stored: %s", job_id, error)

    def advance(self, job_id: int) -> None:
        entry = self.journal.job(job_id) or {}
        state = self.node.job_state(job_id)
        mine = state.provider.lower() == self.node.address.lower()
        if entry["stage"] == "bid":
            still_open = state.status == "open"
            if still_open and self.node.chain_time() <= state.bidding_deadline:
                return  # the poster may still accept it
            if not (mine and state.status == "in_progress"):
                why = "bidding closed unaccepted" if still_open else f"job {state.status}"
                self._withdraw_bid(job_id, why)
                return
            log.info("job %d: bid accepted, deliver by %d", job_id, state.delivery_deadline)
            entry = self.journal.update(job_id, stage="accepted")
            self._beat(job_id, "accepted", detail="bid accepted")
        if state.status != "in_progress" or not mine:
            if self._already_submitted(job_id):
                return
            log.warning("job %d is %s; stopping work on it", job_id, state.status)
            self.journal.update(job_id, stage="abandoned", reason=state.status)
            return
        spec = parse(self.app.fetch_content(entry["spec_cid"], "The spec"))
        if entry["stage"] == "accepted":
            self._download(job_id, spec)
            entry = self.journal.job(job_id) or {}
        if entry["stage"] == "downloaded":
            self._train(job_id, spec)
            entry = self.journal.job(job_id) or {}
        if entry["stage"] == "trained":
            self._store(job_id)
            entry = self.journal.job(job_id) or {}
        if entry["stage"] == "stored":
            self._submit(job_id)

    def _download(self, job_id: int, spec: JobSpec) -> None:
        files: dict[str, str] = {}
        for index, dataset_id in enumerate(spec.all_datasets):
            self._beat(
                job_id, "downloading", index, len(spec.all_datasets), f"dataset {dataset_id}"
            )
            facts = self.node.dataset_data(dataset_id)
            data = self.app.download_dataset(dataset_id, facts.data_cid, facts.content_digest)
            self.journal.keep(f"job{job_id}-dataset{dataset_id}.csv", data)
            files[str(dataset_id)] = facts.data_cid
            log.info(
                "job %d: dataset %d downloaded (%d bytes, CID verified)",
                job_id,
                dataset_id,
                len(data),
            )
        self.journal.update(job_id, stage="downloaded", data=files)

    def _data(self, job_id: int, spec: JobSpec) -> dict[int, bytes]:
        return {
            d: self.journal.file(f"job{job_id}-dataset{d}.csv").read_bytes()
            for d in spec.all_datasets
        }

    def _train(self, job_id: int, spec: JobSpec) -> None:
        data = self._data(job_id, spec)
        if self.config.dishonest == "other_data":
            data = {d: _shuffled_labels(raw, spec) for d, raw in data.items()}
        log.info("job %d: training %s (seed %d)", job_id, spec.recipe, spec.seed)
        self._beat(job_id, "training", 0, 0, f"{spec.recipe} started")
        last = [0.0]

        def progress(stage: str, done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= _HEARTBEAT_EVERY_S or done == total:
                last[0] = now
                log.info("job %d: %s %d/%d", job_id, stage, done, total)
                self._beat(job_id, "training", done, total, f"{stage} {done}/{total}")

        stop = threading.Event()
        started = time.monotonic()

        def tick() -> None:
            # Recipes without an iteration callback (MLP, forests, logistic regression)
            # still show they are alive: elapsed seconds when nothing else was reported.
            while not stop.wait(_TICK_S):
                if time.monotonic() - last[0] >= _TICK_S:
                    elapsed = int(time.monotonic() - started)
                    log.info("job %d: training %s, %d s", job_id, spec.recipe, elapsed)
                    self._beat(job_id, "training", 0, 0, f"{spec.recipe}: {elapsed} s")

        ticker = threading.Thread(target=tick, name=f"job{job_id}-ticker", daemon=True)
        ticker.start()
        try:
            trained = train_for_spec(spec, data, progress)
        finally:
            stop.set()
            ticker.join()
        claimed = trained.score
        if self.config.dishonest == "inflate":
            claimed = min(1.0, trained.score + 0.2)
        elif self.config.dishonest == "other_data":
            claimed = max(trained.score, spec.target_score)
        metrics = dict(trained.metrics, claimed_score=claimed)
        self.journal.keep(f"job{job_id}-model.skops", trained.model_bytes)
        self.journal.keep(f"job{job_id}-metrics.json", metrics_json(metrics))
        log.info("job %d: trained, %s %.6f", job_id, spec.metric, trained.score)
        self._beat(job_id, "evaluating", 1, 1, f"{spec.metric} {trained.score:.4f}")
        self.journal.update(job_id, stage="trained", claimed_units=score_units(claimed))

    def _store(self, job_id: int) -> None:
        self._beat(job_id, "uploading", 0, 2, "checkpoint and metrics")
        model = self.journal.file(f"job{job_id}-model.skops").read_bytes()
        metrics = self.journal.file(f"job{job_id}-metrics.json").read_bytes()
        checkpoint_cid = self.app.store(model, "checkpoint")
        metrics_cid = self.app.store(metrics, "metrics")
        log.info("job %d: stored checkpoint %s, metrics %s", job_id, checkpoint_cid, metrics_cid)
        self.journal.update(
            job_id, stage="stored", checkpoint_cid=checkpoint_cid, metrics_cid=metrics_cid
        )

    def _already_submitted(self, job_id: int) -> bool:
        result = self.node.result_of(job_id)
        if result is not None and result.provider.lower() == self.node.address.lower():
            self.journal.update(
                job_id, stage="submitted", challenge_ends_at=result.challenge_ends_at
            )
            return True
        return False

    def _submit(self, job_id: int) -> None:
        if self._already_submitted(job_id):  # sent before a crash, journal not yet written
            log.info("job %d: the result is already on chain; not submitting again", job_id)
            return
        entry = self.journal.job(job_id) or {}
        self._beat(job_id, "submitting")
        tx = self.node.submit_result(
            job_id, entry["checkpoint_cid"], entry["metrics_cid"], entry["claimed_units"]
        )
        result = self.node.result_of(job_id)
        ends = result.challenge_ends_at if result else 0
        log.info("job %d: result submitted (%s), challenge window until %d", job_id, tx, ends)
        self.journal.update(job_id, stage="submitted", submit_tx=tx, challenge_ends_at=ends)
        self._beat(job_id, "submitted", detail=f"claimed {entry['claimed_units'] / 1e6:.4f}")

    def try_finalize(self, job_id: int) -> None:
        state = self.node.job_state(job_id)
        if state.status in ("completed", "failed"):
            log.info("job %d: %s", job_id, state.status)
            self.journal.update(job_id, stage=state.status)
        elif state.status == "in_review" and self.node.chain_time() >= state.challenge_ends_at:
            tx = self.node.finalize(job_id)
            log.info("job %d: finalized (%s)", job_id, tx)
            self.journal.update(job_id, stage="completed", finalize_tx=tx)
        else:
            return
        if state.status != "failed" and self.config.withdraw:
            self._withdraw_credits(job_id)

    def _withdraw_credits(self, job_id: int) -> None:
        """The price (in the job's asset) and the returned stake (ETH) to this node's
        address. A failed withdrawal is logged and left as a credit: it stays the
        node's and `withdraw` can be sent again by hand."""
        entry = self.journal.job(job_id) or {}
        withdrawn: dict[str, str] = {}
        for asset in dict.fromkeys([ETH, str(entry.get("asset", ETH)).lower()]):
            amount = self.node.credit(asset)
            if amount == 0:
                continue
            try:
                tx = self.node.withdraw_credit(asset)
            except ChainError as error:
                log.warning("job %d: credit in %s not withdrawn: %s", job_id, asset, error)
                continue
            withdrawn[asset] = tx
            log.info("job %d: withdrew %d from the board in %s (%s)", job_id, amount, asset, tx)
        self.journal.update(job_id, withdrawn=withdrawn)


_FINISHED = ("refused", "lost", "abandoned", "submitted", "completed", "failed")


def _shuffled_labels(raw: bytes, spec: JobSpec) -> bytes:
    """The same rows with the label column permuted (the dishonest 'other data')."""
    lines = raw.decode().splitlines()
    header = lines[0].split(",")
    at = header.index(spec.label_column)
    rows = [line.split(",") for line in lines[1:] if line]
    labels = [row[at] for row in rows]
    order = np.random.default_rng(spec.seed + 1).permutation(len(labels))
    for row, index in zip(rows, order, strict=True):
        row[at] = labels[int(index)]
    return ("\n".join([lines[0], *(",".join(r) for r in rows)]) + "\n").encode()


def describe(entry: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(entry.items()))

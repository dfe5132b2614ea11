"""`coop verify`: a verifier that re-checks every submitted result.

For each ResultSubmitted it fetches the spec and the checkpoint (verified against
their CIDs), downloads the job's data with its own passes, re-runs the spec's
evaluation on the checkpoint and, when the spec asks verifiers to, re-trains from
scratch. A claim that does not reproduce within the spec's tolerance (or a
checkpoint that cannot be fetched or loaded) is challenged on chain with the
verifier's metrics as evidence; every verdict is published to the app so the job
page shows claim and reproduction side by side.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any

from coop_dashboard.chain.job_nodes import JobBoardNode, SubmittedResult
from coop_dashboard.errors import ChainError, CoopError
from coop_dashboard.nodes.app_client import AppClient, NodeHttpError
from coop_dashboard.nodes.journal import Journal
from coop_dashboard.nodes.training import evaluate_checkpoint, metrics_json, train_for_spec
from coop_dashboard.services.jobs.spec import JobSpec, JobSpecError, parse, score_units

log = logging.getLogger("coop.verify")


@dataclass(frozen=True)
class VerifierConfig:
    retrain: bool = True  # re-train when the spec says verifiers do
    challenge: bool = True  # send challenges (off: only publish verdicts)
    from_head: bool = False  # a new journal starts at the chain's head (skip history)


@dataclass(frozen=True)
class Verdict:
    """What a verifier found about one result (scores in millionths)."""

    job_id: int
    claimed_units: int
    reproduced_units: int | None  # None: the checkpoint could not be evaluated
    retrained_units: int | None
    tolerance_units: int
    reason: str
    evaluation: dict[str, Any]

    @property
    def agrees(self) -> bool:
        if self.reproduced_units is None:
            return False
        scores = [self.reproduced_units]
        if self.retrained_units is not None:
            scores.append(self.retrained_units)
        return all(abs(s - self.claimed_units) <= self.tolerance_units for s in scores)


def judge(
    spec: JobSpec,
    data: dict[int, bytes],
    result: SubmittedResult,
    checkpoint: bytes | None,
    retrain: bool,
) -> Verdict:
    """Re-evaluate (and re-train if asked) and compare with the claim."""
    reproduced: int | None = None
    evaluation: dict[str, Any] = {}
    reason = ""
    if checkpoint is None:
        reason = "the checkpoint could not be fetched from its CID"
    else:
        try:
            evaluation = evaluate_checkpoint(spec, data, checkpoint)
            reproduced = score_units(float(evaluation["score"]))
        except CoopError as error:
            reason = f"the checkpoint could not be evaluated: {error}"
    retrained: int | None = None
    if retrain and spec.verifiers_retrain:
        retrained = score_units(train_for_spec(spec, data).score)
    verdict = Verdict(
        result.job_id,
        result.claimed_units,
        reproduced,
        retrained,
        spec.tolerance_units,
        reason,
        evaluation,
    )
    if not reason:
        verdict = replace(verdict, reason=_reason(verdict, spec))
    return verdict


def _reason(verdict: Verdict, spec: JobSpec) -> str:
    claimed = verdict.claimed_units / 1e6
    parts = [f"claimed {spec.metric} {claimed:.6f}"]
    if verdict.reproduced_units is not None:
        parts.append(f"re-evaluated {verdict.reproduced_units / 1e6:.6f}")
    if verdict.retrained_units is not None:
        parts.append(f"re-trained {verdict.retrained_units / 1e6:.6f}")
    outcome = "within" if verdict.agrees else "outside"
    return f"{', '.join(parts)}: {outcome} the tolerance {spec.tolerance:g}"


@dataclass
class Verifier:
    node: JobBoardNode
    app: AppClient
    journal: Journal
    config: VerifierConfig = field(default_factory=VerifierConfig)

    def step(self) -> None:
        head = self.node.head()
        if self.config.from_head and self.journal.last_block < 0:
            self.journal.scanned(head)
        if head > self.journal.last_block:
            for result in self.node.submitted_results(self.journal.last_block + 1, head):
                if result.provider.lower() == self.node.address.lower():
                    continue
                self.journal.update(result.job_id, stage="pending", block=result.block)
            self.journal.scanned(head)
        for job_id, entry in sorted(self.journal.jobs().items()):
            if entry.get("stage") == "pending":
                self.check(job_id)

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

    def check(self, job_id: int) -> Verdict | None:
        result = self.node.result_of(job_id)
        posted = self.node.posted_job(job_id)
        if result is None or posted is None:
            self.journal.update(job_id, stage="skipped", reason="no result on chain")
            return None
        try:
            spec = parse(self.app.fetch_content(posted.spec_cid, "The spec"))
        except (NodeHttpError, JobSpecError) as error:
            log.warning("job %d: cannot read the spec: %s", job_id, error)
            self.journal.update(job_id, stage="skipped", reason=str(error))
            return None
        data: dict[int, bytes] = {}
        for dataset_id in spec.all_datasets:
            facts = self.node.dataset_data(dataset_id)
            try:
                data[dataset_id] = self.app.download_dataset(
                    dataset_id, facts.data_cid, facts.content_digest
                )
            except NodeHttpError as error:
                log.warning("job %d: cannot check without the data: %s", job_id, error)
                self.journal.update(job_id, stage="skipped", reason=str(error))
                return None
        try:
            checkpoint: bytes | None = self.app.fetch_content(
                result.checkpoint_cid, "The checkpoint"
            )
        except NodeHttpError as error:
            log.warning("job %d: %s", job_id, error)
            checkpoint = None
        log.info("job %d: re-evaluating %s", job_id, result.checkpoint_cid)
        verdict = judge(spec, data, result, checkpoint, self.config.retrain)
        log.info("job %d: %s", job_id, verdict.reason)
        evidence = {
            "job_id": job_id,
            "verifier": self.node.address,
            "checkpoint_cid": result.checkpoint_cid,
            "metric": spec.metric,
            "claimed_units": verdict.claimed_units,
            "reproduced_units": verdict.reproduced_units,
            "retrained_units": verdict.retrained_units,
            "tolerance_units": verdict.tolerance_units,
            "agrees": verdict.agrees,
            "reason": verdict.reason,
            "evaluation": verdict.evaluation,
        }
        evidence_cid = self.app.store(metrics_json(evidence), "verifier metrics")
        stage = "agreed" if verdict.agrees else "disagreed"
        if not verdict.agrees and self.config.challenge:
            stage = self._challenge(job_id, evidence_cid)
        self.app.publish_reproduction(
            {
                "job_id": job_id,
                "reproduced_units": verdict.reproduced_units or 0,
                "retrained_units": verdict.retrained_units,
                "agrees": verdict.agrees,
                "metrics_cid": evidence_cid,
            }
        )
        self.journal.update(job_id, stage=stage, evidence_cid=evidence_cid, reason=verdict.reason)
        return verdict

    def _challenge(self, job_id: int, evidence_cid: str) -> str:
        state = self.node.job_state(job_id)
        if state.status != "in_review" or self.node.chain_time() >= state.challenge_ends_at:
            log.warning("job %d is %s: too late to challenge", job_id, state.status)
            return "disagreed"
        try:
            tx = self.node.challenge(job_id, evidence_cid, self.node.challenge_bond())
        except ChainError as error:  # someone challenged first, or the window just closed
            log.warning("job %d: the challenge was refused: %s", job_id, error)
            return "disagreed"
        log.info("job %d: challenged with evidence %s (%s)", job_id, evidence_cid, tx)
        return "challenged"

"""One job as its page shows it: display rows built from the job index (and the store).

`read_job_page` (blocking: SQL and files; the live hub runs it in a worker
thread) turns the index's record of a job into text the page shows as is: the
spec rendered from its CID (parsed as hostile bytes by services/jobs/spec and
shown as plain text, never as markup), the datasets with their license status
for the job's purpose (the accepted provider's passes), bids with the bidder's
reputation, the timeline, the result with its metrics, the challenge with its
evidence and resolution, and the payouts.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from sqlalchemy import Engine

from coop_dashboard.config import Settings, load_settings
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.job_queries import Reputation, TimelineEntry, job_detail
from coop_dashboard.db.node_queries import latest_heartbeat, reproductions_of
from coop_dashboard.db.queries import index_status
from coop_dashboard.services.display import iso_utc, short_address
from coop_dashboard.services.jobs.asset_labels import AssetLabel, label_of
from coop_dashboard.services.jobs.dataset_licenses import DatasetLicense, dataset_licenses
from coop_dashboard.services.jobs.display import (
    countdown,
    deadline_iso,
    deadline_label,
    eth_text,
    model_link,
    provider_link,
    read_spec,
    seconds_text,
    spec_title,
    when,
)
from coop_dashboard.services.jobs.spec import METRIC_LABELS, RECIPES, JobSpec, score_from_units
from coop_dashboard.services.jobs.stored import read_blob, read_text


@dataclass(frozen=True)
class Line:
    label: str
    value: str


@dataclass(frozen=True)
class SpecView:
    readable: bool = False
    problem: str = ""  # why the spec could not be shown
    description: str = ""
    lines: list[Line] = field(default_factory=list)  # recipe, params, label, metric, target...
    cid: str = ""
    link: str = ""


@dataclass(frozen=True)
class BidRow:
    provider: str
    provider_short: str
    provider_link: str
    price: str
    delivery: str
    stake: str
    reputation: str  # "3 completed · 1 failed · disputes 1 won / 0 lost"
    state: str  # "open", "withdrawn", "accepted"
    # JobBoard.acceptBid's clock rule holds for this bid now (the poster's Accept button).
    acceptable: bool = False


@dataclass(frozen=True)
class TimelineRow:
    when: str
    what: str
    tx_hash: str


@dataclass(frozen=True)
class PayoutRow:
    account: str
    account_short: str
    account_link: str
    reason: str
    amount: str


@dataclass(frozen=True)
class ResultView:
    submitted: bool = False
    checkpoint_cid: str = ""
    checkpoint_link: str = ""
    metrics_cid: str = ""
    metrics_link: str = ""
    claimed_score: str = ""
    target: str = ""
    submitted_at: str = ""
    challenge_ends: str = ""
    metrics: list[Line] = field(default_factory=list)
    metrics_problem: str = ""


@dataclass(frozen=True)
class ChallengeView:
    challenged: bool = False
    challenger: str = ""
    challenger_short: str = ""
    bond: str = ""
    evidence_cid: str = ""
    evidence: str = ""
    escalates_at: str = ""
    resolved: bool = False
    resolution: str = ""  # "Provider upheld by 0xab…cd" / "Provider found wrong (governance)"
    reason: str = ""


@dataclass(frozen=True)
class JobPageView:
    loaded: bool = False
    found: bool = True
    job_id: int = 0
    title: str = ""
    status: str = ""
    poster: str = ""
    poster_short: str = ""
    provider: str = ""
    provider_short: str = ""
    provider_link: str = ""
    asset: str = "ETH"
    bounty: str = ""
    price: str = ""
    minimum_stake: str = ""
    purpose: str = ""
    bidding_deadline: str = ""
    bidding_deadline_iso: str = ""
    delivery_deadline: str = ""
    delivery_deadline_iso: str = ""
    challenge_window: str = ""
    next_deadline: str = ""  # "Bidding closes in 2 days 3 hours"
    deadline_label: str = ""  # "Bidding closes": the page ticks a countdown to deadline_iso
    deadline_iso: str = ""
    spec: SpecView = field(default_factory=SpecView)
    datasets: list[DatasetLicense] = field(default_factory=list)
    bids: list[BidRow] = field(default_factory=list)
    timeline: list[TimelineRow] = field(default_factory=list)
    result: ResultView = field(default_factory=ResultView)
    challenge: ChallengeView = field(default_factory=ChallengeView)
    payouts: list[PayoutRow] = field(default_factory=list)
    model_id: int = 0
    model_link: str = ""
    work_notes: list[Line] = field(default_factory=list)  # worker heartbeat, verifier re-run
    # What the contract's clock allows now (the poster's forms show only then): reopening
    # (JobBoard.reopenJob) and, for a job in progress, refunding a missed delivery.
    reopen_allowed: bool = False
    delivery_missed: bool = False
    # The same chain-clock rule for the other forms: bids (placeBid), a result (submitResult)
    # and a challenge (challengeResult) are offered only while the contract would take them.
    bidding_open: bool = False
    challenge_open: bool = False


# ------------------------------------------------------------------ reading

_TEXT_LIMIT = 20_000  # evidence, reasons: plain text shown as is
_METRICS_LIMIT = 64 * 1024
_MAX_METRIC_LINES = 30


def reputation_text(reputation: Reputation) -> str:
    return (
        f"{reputation.jobs_completed} completed · {reputation.jobs_failed} failed · "
        f"disputes {reputation.disputes_won} won / {reputation.disputes_lost} lost"
    )


def _fraction(units: int | None) -> str:
    return "–" if units is None else f"{score_from_units(units):.6f}".rstrip("0").rstrip(".")


def spec_view(store: LocalContentStore, cid: str) -> SpecView:
    spec, problem = read_spec(store, cid)
    link = f"/ipfs/{cid}"
    if spec is None:
        return SpecView(problem=problem, cid=cid, link=link)
    recipe = RECIPES[spec.recipe].label if spec.recipe in RECIPES else spec.recipe
    params = ", ".join(f"{name} = {value}" for name, value in spec.resolved_params().items())
    evaluation = (
        f"Holdout: {spec.evaluation.test_share:.0%} of the rows (seed {spec.seed})"
        if spec.evaluation.kind == "holdout"
        else f"Dataset #{spec.evaluation.dataset_id}"
    )
    lines = [
        Line("Task", spec.task),
        Line("Recipe", recipe),
        Line("Parameters", params or "defaults"),
        Line("Training datasets", ", ".join(f"#{d}" for d in spec.training_datasets)),
        Line("Label column", spec.label_column),
        Line("Ignored columns", ", ".join(spec.ignore_columns) or "none"),
        Line("Evaluation", evaluation),
        Line("Metric", METRIC_LABELS.get(spec.metric, spec.metric)),
        Line("Target score", f"{spec.target_score:g}"),
        Line("Tolerance of a re-run", f"{spec.tolerance:g}"),
        Line("Verifiers re-train", "yes" if spec.verifiers_retrain else "no"),
    ]
    return SpecView(True, "", spec.description, lines, cid, link)


def metrics_lines(store: LocalContentStore, cid: str) -> tuple[list[Line], str]:
    blob = read_blob(store, cid, _METRICS_LIMIT)
    if blob.data is None:
        return [], f"Metrics: {blob.problem}"
    try:
        document = json.loads(blob.data)
    except (ValueError, RecursionError):
        return [], "Metrics: not JSON."
    if not isinstance(document, dict):
        return [], "Metrics: not a JSON object."
    lines = []
    for key, value in list(document.items())[:_MAX_METRIC_LINES]:
        if isinstance(value, bool | int | float | str):
            shown = str(value)
        else:
            shown = json.dumps(value)[:200]
        lines.append(Line(str(key)[:80], shown[:200]))
    return lines, ""


def delivery_missed(status: str, delivery_deadline: int, now: int) -> bool:
    """A provider missed its delivery (JobBoard._slashMissedDelivery's rule)."""
    return status == "in_progress" and now > delivery_deadline


def reopen_allowed(status: str, bidding_deadline: int, delivery_deadline: int, now: int) -> bool:
    """JobBoard.reopenJob's rule, besides "only the poster": bidding closed without an
    accepted bid, or the accepted provider missed its delivery.

    `now` is the chain's clock at the indexed head (the latest block's time, as the
    server's check in services/jobs/writes.prepare_reopen reads it), never the server's
    own clock: a local chain's time may run far ahead of the wall clock. Each indexed
    head re-reads the page, so the form appears with the first block past the deadline.
    """
    if status == "open":
        return now > bidding_deadline
    return delivery_missed(status, delivery_deadline, now)


def bidding_open(status: str, bidding_deadline: int, now: int) -> bool:
    """JobBoard.placeBid's clock rule: an open job up to and at its bidding deadline.

    Like reopen_allowed, `now` is the chain's clock at the indexed head (0: nothing
    indexed yet, so no form is offered before the page knows the chain's time)."""
    return status == "open" and 0 < now <= bidding_deadline


def bid_acceptable(
    status: str, bid_state: str, bidding_deadline: int, delivery_time: int, now: int
) -> bool:
    """JobBoard.acceptBid's clock rule: bidding still open and the bid's delivery time
    still ahead (the contract refuses a bid whose delivery time has passed)."""
    return (
        bid_state == "active"
        and bidding_open(status, bidding_deadline, now)
        and delivery_time > now
    )


def challenge_open(status: str, challenge_ends_at: int | None, now: int) -> bool:
    """JobBoard.challengeResult's clock rule: a job in review before its window ends."""
    return status == "in_review" and challenge_ends_at is not None and 0 < now < challenge_ends_at


def price_unit(label: AssetLabel) -> str:
    """What the bid form's price is written in: "ETH", "EVILJ", or "base units of 0x12…"."""
    return label.symbol if label.decimals is not None else f"base units of {label.symbol}"


def timeline_row(settings: Settings, job_asset: AssetLabel, entry: TimelineEntry) -> TimelineRow:
    # Stakes and bonds are ETH whatever the bounty's asset; a credit names its own asset
    # (a refunded bounty in the job's, a returned stake in ETH).
    in_eth = entry.kind in ("bid_withdrawn", "challenged", "slashed")
    label: AssetLabel | None = job_asset
    if entry.kind == "credited":
        label = label_of(settings, entry.asset) if entry.asset else None
    amount = ""
    if entry.amount is not None and label is not None:
        amount = " " + (eth_text(entry.amount) if in_eth else label.amount_text(entry.amount))
    # Who the entry names: the sender, except for what happened to a provider or an account.
    word = {"credited": "to", "failed": "provider", "finalized": "provider", "slashed": "of"}
    actor = f" {word.get(entry.kind, 'by')} {short_address(entry.actor)}" if entry.actor else ""
    return TimelineRow(when(entry.timestamp), f"{entry.detail}{amount}{actor}", entry.tx_hash)


def _work_notes(engine: Engine, job_id: int) -> list[Line]:
    notes = []
    beat = latest_heartbeat(engine, job_id)
    if beat is not None:
        progress = f" {beat.done}/{beat.total}" if beat.total else ""
        notes.append(
            Line(
                "Worker heartbeat",
                f"{beat.stage}{progress} at {when(beat.reported_at)}"
                + (f": {beat.detail[:200]}" if beat.detail else ""),
            )
        )
    for run in reproductions_of(engine, job_id):
        verdict = "agrees" if run.agrees else "DISAGREES"
        retrained = (
            f", re-trained {_fraction(run.retrained_units)}"
            if run.retrained_units is not None
            else ""
        )
        notes.append(
            Line(
                f"Verifier {short_address(run.verifier)}",
                f"re-ran {_fraction(run.reproduced_units)}{retrained} vs claimed "
                f"{_fraction(run.claimed_units)}: {verdict} ({when(run.reported_at)})",
            )
        )
    return notes


def read_job_page(job_id: int, engine: Engine | None = None) -> JobPageView:
    settings = load_settings()
    engine = engine or get_engine(settings.database_url)
    detail = job_detail(engine, job_id)
    if detail is None:
        return JobPageView(loaded=True, found=False, job_id=job_id)
    job = detail.summary
    head = index_status(engine)
    chain_now = head.block_timestamp if head is not None else 0
    store = LocalContentStore(settings.content_dir)
    label = label_of(settings, job.asset)  # a token's claims read once, then cached
    spec = spec_view(store, job.spec_cid)
    provider = job.provider or ""
    holders = [("Provider", provider)] if provider else []
    datasets = dataset_licenses(engine, job.dataset_ids, job.purpose, holders, int(time.time()))
    bids = [
        BidRow(
            provider=bid.provider,
            provider_short=short_address(bid.provider),
            provider_link=provider_link(bid.provider),
            price=label.amount_text(bid.price),
            delivery=when(bid.delivery_time),
            stake=eth_text(bid.stake),
            reputation=reputation_text(bid.reputation),
            state="open" if bid.state == "active" else bid.state,
            acceptable=bid_acceptable(
                job.status, bid.state, job.bidding_deadline, bid.delivery_time, chain_now
            ),
        )
        for bid in detail.bids
    ]
    result = ResultView()
    if detail.results:
        last = detail.results[-1]
        metrics, problem = metrics_lines(store, last.metrics_cid)
        parsed, _ = read_spec(store, job.spec_cid)
        result = ResultView(
            submitted=True,
            checkpoint_cid=last.checkpoint_cid,
            checkpoint_link=f"/ipfs/{last.checkpoint_cid}",
            metrics_cid=last.metrics_cid,
            metrics_link=f"/ipfs/{last.metrics_cid}",
            claimed_score=_fraction(last.claimed_score),
            target=f"{parsed.target_score:g}" if parsed is not None else "–",
            submitted_at=when(last.submitted_at),
            challenge_ends=when(last.challenge_ends_at),
            metrics=metrics,
            metrics_problem=problem,
        )
    challenge = ChallengeView()
    if detail.challenges:
        last_challenge = detail.challenges[-1]
        resolution = last_challenge.resolution
        resolved_text = reason = ""
        if resolution is not None:
            verdict = "Provider upheld" if resolution.provider_upheld else "Provider found wrong"
            by = "governance" if resolution.by_governance else short_address(resolution.resolver)
            resolved_text = f"{verdict} by {by} at {when(resolution.resolved_at)}"
            reason = read_text(store, resolution.reason_cid, _TEXT_LIMIT)
        challenge = ChallengeView(
            challenged=True,
            challenger=last_challenge.challenger,
            challenger_short=short_address(last_challenge.challenger),
            bond=eth_text(last_challenge.bond),
            evidence_cid=last_challenge.evidence_cid,
            evidence=read_text(store, last_challenge.evidence_cid, _TEXT_LIMIT),
            escalates_at=when(last_challenge.escalates_at),
            resolved=resolution is not None,
            resolution=resolved_text,
            reason=reason,
        )
    payouts = [
        PayoutRow(
            account=credit.account,
            account_short=short_address(credit.account),
            account_link=provider_link(credit.account),
            reason=CREDIT_REASON_LABELS.get(credit.reason, credit.reason),
            amount=label_of(settings, credit.asset).amount_text(credit.amount),
        )
        for credit in detail.credits
    ]
    return JobPageView(
        loaded=True,
        found=True,
        job_id=job.job_id,
        title=spec_title(spec_or_none(store, job.spec_cid), job.job_id),
        status=job.status,
        poster=job.poster,
        poster_short=short_address(job.poster),
        provider=provider,
        provider_short=short_address(provider) if provider else "",
        provider_link=provider_link(provider) if provider else "",
        asset=price_unit(label),
        bounty=label.amount_text(job.bounty),
        price=f"Price {label.amount_text(job.price)}" if job.price is not None else "",
        minimum_stake=eth_text(detail.minimum_stake),
        purpose=job.purpose.replace("_", " "),
        bidding_deadline=when(job.bidding_deadline),
        bidding_deadline_iso=iso_utc(job.bidding_deadline),
        delivery_deadline=when(job.delivery_deadline),
        delivery_deadline_iso=iso_utc(job.delivery_deadline),
        challenge_window=seconds_text(detail.challenge_window),
        next_deadline=countdown(job.status, job.next_deadline),
        deadline_label=deadline_label(job.status, job.next_deadline),
        deadline_iso=deadline_iso(job.next_deadline),
        spec=spec,
        datasets=datasets,
        bids=bids,
        timeline=[timeline_row(settings, label, entry) for entry in detail.timeline],
        result=result,
        challenge=challenge,
        payouts=payouts,
        model_id=job.model_id or 0,
        model_link=model_link(job.model_id) if job.model_id else "",
        work_notes=_work_notes(engine, job.job_id),
        reopen_allowed=reopen_allowed(
            job.status, job.bidding_deadline, job.delivery_deadline, chain_now
        ),
        delivery_missed=delivery_missed(job.status, job.delivery_deadline, chain_now),
        bidding_open=bidding_open(job.status, job.bidding_deadline, chain_now),
        challenge_open=challenge_open(job.status, detail.challenge_ends_at, chain_now),
    )


def spec_or_none(store: LocalContentStore, cid: str) -> JobSpec | None:
    return read_spec(store, cid)[0]


CREDIT_REASON_LABELS = {
    "payment": "Payment (price)",
    "bounty_refund": "Bounty refund",
    "stake_returned": "Stake returned",
    "bond_returned": "Challenge bond returned",
    "challenge_bond": "Challenger's bond (to provider)",
    "challenge_reward": "Challenge reward (share of slash)",
    "slash": "Slashed stake (to treasury)",
}

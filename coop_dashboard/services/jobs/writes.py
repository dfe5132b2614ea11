"""Every job action as a transaction for the wallet, refused first when it would fail.

Each `prepare_*` (blocking: RPC and files; run in a worker thread) takes what a
browser sent (anything), checks it against the chain's current word on the job
and names what is wrong in a sentence (JobActionRefused) before the wallet
opens; the simulation in `prepare_call` is the last guard. Texts (challenge
evidence, a resolution's reasoning) go to the content store only after the
chain's simulation of the call with their CID passed.
"""

from __future__ import annotations

from dataclasses import dataclass

from coop_dashboard.chain.job_board import (
    JOB_BOARD_CONTRACT,
    MAX_CHALLENGE_WINDOW_S,
    MAX_JOB_DURATION_S,
    JobTerms,
)
from coop_dashboard.config import Settings
from coop_dashboard.content.cid import cid_for_bytes
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.evm import ZERO_ADDRESS
from coop_dashboard.services.display import format_utc, short_address
from coop_dashboard.services.governance.units import format_duration, format_token_amount
from coop_dashboard.services.jobs.asset_labels import asset_label
from coop_dashboard.services.jobs.chain_reads import JobOnChain, JobReads
from coop_dashboard.services.jobs.inputs import (
    ASSET_DECIMALS,
    ETH_DECIMALS,
    MAX_TEXT_CHARS,
    JobActionRefused,
    address_value,
    amount_value,
    asset_value,
    cid_value,
    dataset_ids_value,
    duration_value,
    eth_value,
    flag_value,
    fraction_value,
    job_id_value,
    purpose_value,
    score_value,
    text_value,
    utc_time_value,
)
from coop_dashboard.services.jobs.spec import Evaluation, JobSpec, JobSpecError, validate
from coop_dashboard.services.transactions import ChainContext, PreparedWrite, prepare_call

STATUS_WORDS = {
    "open": "open for bids",
    "in_progress": "in progress",
    "in_review": "in review",
    "challenged": "challenged",
    "completed": "completed",
    "failed": "failed",
    "cancelled": "cancelled",
}


def eth_text(amount: int) -> str:
    return format_token_amount(amount, ETH_DECIMALS, "ETH")


def asset_amount_text(context: ChainContext, asset: str, amount: int) -> str:
    return asset_label(context, asset).amount_text(amount)


def _status_refusal(job: JobOnChain, wanted: str, action: str) -> JobActionRefused:
    return JobActionRefused(
        f"Job #{job.job_id} is {STATUS_WORDS.get(job.status, job.status)}: "
        f"{action} only while it is {STATUS_WORDS[wanted]}."
    )


def _require_status(job: JobOnChain, wanted: str, action: str) -> None:
    if job.status != wanted:
        raise _status_refusal(job, wanted, action)


def _require_poster(job: JobOnChain, signer: str, action: str) -> None:
    if job.poster.lower() != signer.lower():
        raise JobActionRefused(
            f"Only the poster of job #{job.job_id} ({short_address(job.poster)}) may {action}."
        )


def _require_eth(reads: JobReads, signer: str, amount: int, what: str) -> None:
    balance = reads.eth_balance(signer)
    if amount > balance:
        raise JobActionRefused(
            f"{what} of {eth_text(amount)} is more than your balance ({eth_text(balance)})."
        )


def _call(
    context: ChainContext,
    signer: str,
    description: str,
    function: str,
    args: list[object],
    value: int = 0,
) -> PreparedWrite:
    return prepare_call(
        context,
        description=description,
        sender=signer,
        contract=JOB_BOARD_CONTRACT,
        function=function,
        args=args,
        value=value,
    )


def _stored_text(settings: Settings, data: bytes) -> None:
    stored = LocalContentStore(settings.content_dir).put(data)
    if stored != cid_for_bytes(data):
        raise JobActionRefused("The text could not be stored under its CID.")


def _text_blob(value: object, label: str) -> bytes:
    text = text_value(value, label, MAX_TEXT_CHARS)
    if not text:
        raise JobActionRefused(f"{label}: write why (it is stored with the transaction).")
    return text.encode()


# ---------------------------------------------------------------------- post


@dataclass(frozen=True)
class PostForm:
    """The post form as a browser sent it (each field anything; checked in `post_terms`).

    The spec is built here from a few fields (recipe, label, metric, target,
    tolerance, holdout share) rather than pasted: the poster cannot post a spec
    the worker, verifier and pages would refuse to read.
    """

    description: object = ""
    recipe: object = "logistic_regression"
    datasets: object = ""
    label_column: object = ""
    metric: object = "accuracy"
    target_score: object = ""
    tolerance: object = "0.01"
    test_share: object = "0.2"
    purpose: object = "research"
    asset: object = "ETH"
    bounty: object = ""
    bidding_deadline: object = ""
    delivery_deadline: object = ""
    minimum_stake: object = ""
    challenge_window: object = "2 days"


@dataclass(frozen=True)
class CheckedPost:
    terms: JobTerms
    spec: JobSpec
    spec_bytes: bytes
    symbol: str
    escrow_text: str  # "Escrows 1.5 ETH" (what leaves the poster's wallet)


def spec_from_form(form: PostForm) -> JobSpec:
    """The form's spec, validated by the spec's own rules (JobActionRefused if not)."""
    recipe = form.recipe if isinstance(form.recipe, str) else ""
    metric = form.metric if isinstance(form.metric, str) else ""
    test_share = fraction_value(form.test_share, "Holdout share")
    spec = JobSpec(
        recipe=recipe,
        training_datasets=dataset_ids_value(form.datasets),
        label_column=text_value(form.label_column, "Label column", 200),
        evaluation=Evaluation("holdout", test_share=test_share),
        metric=metric,
        target_score=fraction_value(form.target_score, "Target score"),
        tolerance=fraction_value(form.tolerance, "Tolerance"),
        description=text_value(form.description, "Description", 2_000),
    )
    try:
        validate(spec)
    except JobSpecError as exc:
        raise JobActionRefused(f"Spec: {exc}") from None
    return spec


def post_terms(reads: JobReads, signer: str, form: PostForm) -> CheckedPost:
    """The form as JobTerms, or JobActionRefused naming the first field that is wrong."""
    spec = spec_from_form(form)
    spec_bytes = spec.to_json()
    datasets = spec.all_datasets
    purpose = purpose_value(form.purpose)
    symbol = asset_value(form.asset)
    bounty = amount_value(form.bounty, ASSET_DECIMALS[symbol], "Bounty")
    bidding = utc_time_value(form.bidding_deadline, "Bidding deadline")
    delivery = utc_time_value(form.delivery_deadline, "Delivery deadline")
    minimum_stake = eth_value(form.minimum_stake, "Minimum stake")
    if minimum_stake >= 2**96:
        raise JobActionRefused("Minimum stake: too large.")
    window = duration_value(form.challenge_window, "Challenge window")
    now = reads.now()
    if bidding <= now:
        raise JobActionRefused(
            f"Bidding deadline: {format_utc(bidding)} has passed (chain time {format_utc(now)})."
        )
    if delivery <= bidding:
        raise JobActionRefused("Delivery deadline: must come after the bidding deadline.")
    if delivery > now + MAX_JOB_DURATION_S:
        raise JobActionRefused("Delivery deadline: at most a year from now.")
    if not 0 < window <= MAX_CHALLENGE_WINDOW_S:
        raise JobActionRefused(
            f"Challenge window: more than 0 and at most {format_duration(MAX_CHALLENGE_WINDOW_S)}."
        )
    known = reads.dataset_count()
    unknown = [d for d in datasets if d > known]
    if unknown:
        raise JobActionRefused(f"Datasets: #{unknown[0]} is not registered.")
    asset = reads.asset_address(symbol)
    if not reads.asset_allowed(asset):
        raise JobActionRefused(f"{symbol} is not allowed for bounties (governance allows assets).")
    amount = format_token_amount(bounty, ASSET_DECIMALS[symbol], symbol)
    if asset == ZERO_ADDRESS:
        _require_eth(reads, signer, bounty, "The bounty")
    else:
        balance, allowance = reads.token_balance_and_allowance(asset, signer)
        if bounty > balance:
            held = format_token_amount(balance, ASSET_DECIMALS[symbol], symbol)
            raise JobActionRefused(f"The bounty of {amount} is more than your balance ({held}).")
        if bounty > allowance:
            allowed = format_token_amount(allowance, ASSET_DECIMALS[symbol], symbol)
            raise JobActionRefused(
                f"Approve the job board to take {amount} first (it may take {allowed} now)."
            )
    terms = JobTerms(
        spec_cid=cid_for_bytes(spec_bytes),
        dataset_ids=datasets,
        bounty=bounty,
        bidding_deadline=bidding,
        delivery_deadline=delivery,
        minimum_stake=minimum_stake,
        challenge_window_s=window,
        purpose=purpose,
        asset=asset,
    )
    return CheckedPost(terms, spec, spec_bytes, symbol, f"Escrows {amount}")


def needs_approval(settings: Settings, signer: str, form: PostForm) -> int:
    """How much more cUSD the board must be allowed to take for this form (0: none)."""
    reads = JobReads(ChainContext.load(settings))
    symbol = asset_value(form.asset)
    if symbol == "ETH":
        return 0
    bounty = amount_value(form.bounty, ASSET_DECIMALS[symbol], "Bounty")
    _, allowance = reads.token_balance_and_allowance(reads.asset_address(symbol), signer)
    return 0 if allowance >= bounty else bounty


def prepare_approve(settings: Settings, signer: str, form: PostForm) -> PreparedWrite:
    """`approve(JobBoard, bounty)` on the bounty's token, the first of cUSD's two steps."""
    context = ChainContext.load(settings)
    reads = JobReads(context)
    symbol = asset_value(form.asset)
    if symbol == "ETH":
        raise JobActionRefused("An ETH bounty is sent with the post: nothing to approve.")
    bounty = amount_value(form.bounty, ASSET_DECIMALS[symbol], "Bounty")
    token = reads.asset_address(symbol)
    balance, _ = reads.token_balance_and_allowance(token, signer)
    amount = format_token_amount(bounty, ASSET_DECIMALS[symbol], symbol)
    if bounty > balance:
        held = format_token_amount(balance, ASSET_DECIMALS[symbol], symbol)
        raise JobActionRefused(f"The bounty of {amount} is more than your balance ({held}).")
    return prepare_call(
        context,
        description=f"Allow the job board to take {amount} for your job's bounty",
        sender=signer,
        contract="MockStablecoin",
        function="approve",
        args=[reads.board.address, bounty],
    )


def prepare_post(settings: Settings, signer: str, form: PostForm) -> PreparedWrite:
    context = ChainContext.load(settings)
    checked = post_terms(JobReads(context), signer, form)
    terms = checked.terms
    write = _call(
        context,
        signer,
        f"Post a training job on {len(terms.dataset_ids)} dataset(s) for "
        f"{terms.purpose.replace('_', ' ')}: {checked.escrow_text.lower()}",
        "postJob",
        [terms.as_struct()],
        value=terms.value,
    )
    _stored_text(settings, checked.spec_bytes)
    return write


# ---------------------------------------------------------------------- bids


def prepare_bid(
    settings: Settings, signer: str, job_id: object, price: object, delivery: object, stake: object
) -> PreparedWrite:
    context = ChainContext.load(settings)
    reads = JobReads(context)
    job = reads.job(job_id_value(job_id))
    _require_status(job, "open", "bids are placed")
    # The token's checked decimals (read once, cached); base units when it claims none.
    label = asset_label(context, job.asset)
    price_units = amount_value(price, label.decimals or 0, "Price")
    delivery_time = utc_time_value(delivery, "Delivery time")
    stake_wei = eth_value(stake, "Stake")
    now = reads.now()
    if now > job.bidding_deadline:
        raise JobActionRefused(
            f"Bidding on job #{job.job_id} closed at {format_utc(job.bidding_deadline)}."
        )
    if price_units > job.bounty:
        raise JobActionRefused(
            f"Price: {asset_amount_text(context, job.asset, price_units)} is more than the bounty "
            f"({asset_amount_text(context, job.asset, job.bounty)})."
        )
    if delivery_time <= now or delivery_time > job.delivery_deadline:
        raise JobActionRefused(
            f"Delivery time: after now and by the job's delivery deadline "
            f"({format_utc(job.delivery_deadline)})."
        )
    if stake_wei < job.minimum_stake:
        raise JobActionRefused(
            f"Stake: {eth_text(stake_wei)} is under the job's minimum "
            f"({eth_text(job.minimum_stake)})."
        )
    if stake_wei >= 2**96:
        raise JobActionRefused("Stake: too large.")
    _require_eth(reads, signer, stake_wei, "The stake")
    if reads.bid(job.job_id, signer).active:
        raise JobActionRefused(f"You already bid on job #{job.job_id}; withdraw it to bid again.")
    return _call(
        context,
        signer,
        f"Bid {asset_amount_text(context, job.asset, price_units)} on job #{job.job_id}, "
        f"staking {eth_text(stake_wei)}",
        "placeBid",
        [job.job_id, price_units, delivery_time],
        value=stake_wei,
    )


def prepare_withdraw_bid(settings: Settings, signer: str, job_id: object) -> PreparedWrite:
    context = ChainContext.load(settings)
    reads = JobReads(context)
    job = reads.job(job_id_value(job_id))
    bid = reads.bid(job.job_id, signer)
    if not bid.active:
        raise JobActionRefused(f"You have no open bid on job #{job.job_id}.")
    return _call(
        context,
        signer,
        f"Withdraw your bid on job #{job.job_id} (its stake of {eth_text(bid.stake)} is credited)",
        "withdrawBid",
        [job.job_id],
    )


def prepare_accept(
    settings: Settings, signer: str, job_id: object, provider: object
) -> PreparedWrite:
    context = ChainContext.load(settings)
    reads = JobReads(context)
    job = reads.job(job_id_value(job_id))
    bidder = address_value(provider, "Provider")
    _require_status(job, "open", "a bid is accepted")
    _require_poster(job, signer, "accept a bid")
    now = reads.now()
    if now > job.bidding_deadline:
        raise JobActionRefused(
            f"Bidding on job #{job.job_id} closed at {format_utc(job.bidding_deadline)}: "
            "too late to accept; reopen the job with new deadlines."
        )
    bid = reads.bid(job.job_id, bidder)
    if not bid.active:
        raise JobActionRefused(f"{short_address(bidder)} has no open bid on job #{job.job_id}.")
    if bid.delivery_time <= now or bid.delivery_time > job.delivery_deadline:
        raise JobActionRefused(
            f"The bid promises delivery at {format_utc(bid.delivery_time)}, which the job's "
            "deadlines no longer allow."
        )
    missing = reads.missing_passes(bidder, reads.datasets(job.job_id), job.purpose)
    if missing:
        names = ", ".join(f"#{d}" for d in missing)
        raise JobActionRefused(
            f"{short_address(bidder)} holds no valid {job.purpose.replace('_', ' ')} pass for "
            f"dataset {names}: the provider (or you, for them) must buy it before acceptance."
        )
    return _call(
        context,
        signer,
        f"Accept {short_address(bidder)}'s bid on job #{job.job_id} "
        f"({asset_amount_text(context, job.asset, bid.price)})",
        "acceptBid",
        [job.job_id, bidder],
    )


def prepare_cancel(settings: Settings, signer: str, job_id: object) -> PreparedWrite:
    context = ChainContext.load(settings)
    job = JobReads(context).job(job_id_value(job_id))
    _require_status(job, "open", "a job is cancelled")
    _require_poster(job, signer, "cancel it")
    return _call(
        context,
        signer,
        f"Cancel job #{job.job_id} (its bounty of "
        f"{asset_amount_text(context, job.asset, job.bounty)} is credited back to you)",
        "cancelJob",
        [job.job_id],
    )


def prepare_reopen(
    settings: Settings, signer: str, job_id: object, bidding: object, delivery: object
) -> PreparedWrite:
    context = ChainContext.load(settings)
    reads = JobReads(context)
    job = reads.job(job_id_value(job_id))
    _require_poster(job, signer, "reopen it")
    bidding_at = utc_time_value(bidding, "Bidding deadline")
    delivery_at = utc_time_value(delivery, "Delivery deadline")
    now = reads.now()
    if job.status == "open":
        if now <= job.bidding_deadline:
            raise JobActionRefused(
                f"Bidding on job #{job.job_id} is still open (until "
                f"{format_utc(job.bidding_deadline)}): nothing to reopen."
            )
    elif job.status == "in_progress":
        if now <= job.delivery_deadline:
            raise JobActionRefused(
                f"The provider has until {format_utc(job.delivery_deadline)} to deliver."
            )
    else:
        raise JobActionRefused(
            f"Job #{job.job_id} is {STATUS_WORDS.get(job.status, job.status)}: only a job whose "
            "bidding closed without acceptance, or whose delivery was missed, reopens."
        )
    if bidding_at <= now:
        raise JobActionRefused("Bidding deadline: must be in the future.")
    if delivery_at <= bidding_at:
        raise JobActionRefused("Delivery deadline: must come after the bidding deadline.")
    if delivery_at > now + MAX_JOB_DURATION_S:
        raise JobActionRefused("Delivery deadline: at most a year from now.")
    return _call(
        context,
        signer,
        f"Reopen job #{job.job_id} for bids until {format_utc(bidding_at)}",
        "reopenJob",
        [job.job_id, bidding_at, delivery_at],
    )


def prepare_refund_missed(settings: Settings, signer: str, job_id: object) -> PreparedWrite:
    context = ChainContext.load(settings)
    reads = JobReads(context)
    job = reads.job(job_id_value(job_id))
    _require_status(job, "in_progress", "a missed delivery is refunded")
    _require_poster(job, signer, "claim the refund")
    if reads.now() <= job.delivery_deadline:
        raise JobActionRefused(
            f"The provider has until {format_utc(job.delivery_deadline)} to deliver."
        )
    return _call(
        context,
        signer,
        f"Refund job #{job.job_id}: the provider missed its delivery; its stake of "
        f"{eth_text(job.stake)} is slashed to the treasury",
        "refundMissedDelivery",
        [job.job_id],
    )


# ------------------------------------------------------------------- results


def prepare_submit(
    settings: Settings,
    signer: str,
    job_id: object,
    checkpoint_cid: object,
    metrics_cid: object,
    score: object,
) -> PreparedWrite:
    context = ChainContext.load(settings)
    reads = JobReads(context)
    job = reads.job(job_id_value(job_id))
    checkpoint = cid_value(checkpoint_cid, "Checkpoint")
    metrics = cid_value(metrics_cid, "Metrics")
    claimed = score_value(score)
    _require_status(job, "in_progress", "a result is submitted")
    if job.provider.lower() != signer.lower():
        raise JobActionRefused(
            f"Only job #{job.job_id}'s provider ({short_address(job.provider)}) submits its result."
        )
    if reads.now() > job.delivery_deadline:
        raise JobActionRefused(
            f"The delivery deadline of job #{job.job_id} ({format_utc(job.delivery_deadline)}) "
            "has passed."
        )
    return _call(
        context,
        signer,
        f"Submit the result of job #{job.job_id} (claimed score {claimed:,})",
        "submitResult",
        [job.job_id, checkpoint, metrics, claimed],
    )


def prepare_challenge(
    settings: Settings, signer: str, job_id: object, evidence: object, bond: object
) -> PreparedWrite:
    context = ChainContext.load(settings)
    reads = JobReads(context)
    job = reads.job(job_id_value(job_id))
    data = _text_blob(evidence, "Evidence")
    bond_wei = eth_value(bond, "Bond")
    _require_status(job, "in_review", "a result is challenged")
    if reads.now() >= job.challenge_ends_at:
        raise JobActionRefused(
            f"The challenge window of job #{job.job_id} closed at "
            f"{format_utc(job.challenge_ends_at)}."
        )
    if job.provider.lower() == signer.lower():
        raise JobActionRefused("A provider cannot challenge its own result.")
    minimum = reads.challenge_bond()
    if bond_wei < minimum:
        raise JobActionRefused(
            f"Bond: {eth_text(bond_wei)} is under the challenge bond ({eth_text(minimum)})."
        )
    if bond_wei >= 2**96:
        raise JobActionRefused("Bond: too large.")
    _require_eth(reads, signer, bond_wei, "The bond")
    write = _call(
        context,
        signer,
        f"Challenge the result of job #{job.job_id} with a bond of {eth_text(bond_wei)}",
        "challengeResult",
        [job.job_id, cid_for_bytes(data)],
        value=bond_wei,
    )
    _stored_text(settings, data)
    return write


def prepare_resolve(
    settings: Settings, signer: str, job_id: object, upheld: object, reason: object
) -> PreparedWrite:
    context = ChainContext.load(settings)
    reads = JobReads(context)
    job = reads.job(job_id_value(job_id))
    provider_upheld = flag_value(upheld, "Decision")
    data = _text_blob(reason, "Reasoning")
    _require_status(job, "challenged", "a challenge is resolved")
    challenge = reads.challenge(job.job_id)
    if reads.now() >= challenge.escalates_at:
        raise JobActionRefused(
            f"The challenge of job #{job.job_id} escalated to governance at "
            f"{format_utc(challenge.escalates_at)}: only a proposal resolves it now."
        )
    if not reads.is_arbiter(signer):
        raise JobActionRefused(
            "Only arbiters resolve challenges (governance grants the arbiter role)."
        )
    verdict = "uphold the provider" if provider_upheld else "find the provider wrong"
    write = _call(
        context,
        signer,
        f"Resolve the challenge of job #{job.job_id}: {verdict}",
        "resolveChallenge",
        [job.job_id, provider_upheld, cid_for_bytes(data)],
    )
    _stored_text(settings, data)
    return write


def prepare_finalize(settings: Settings, signer: str, job_id: object) -> PreparedWrite:
    context = ChainContext.load(settings)
    reads = JobReads(context)
    job = reads.job(job_id_value(job_id))
    if job.status == "completed":
        raise JobActionRefused(f"Job #{job.job_id} is already finalized.")
    _require_status(job, "in_review", "a job is finalized")
    if reads.now() < job.challenge_ends_at:
        raise JobActionRefused(
            f"The challenge window of job #{job.job_id} is open until "
            f"{format_utc(job.challenge_ends_at)}: finalize after it closes."
        )
    return _call(
        context,
        signer,
        f"Finalize job #{job.job_id}: pay the provider "
        f"{asset_amount_text(context, job.asset, job.price)} and record its model",
        "finalizeJob",
        [job.job_id],
    )


def prepare_withdraw(settings: Settings, signer: str, asset: object) -> PreparedWrite:
    """Withdraw the signer's whole credit in `asset` (an address, as the browser sent it:
    any asset the board may hold for it; ETH is the zero address)."""
    context = ChainContext.load(settings)
    reads = JobReads(context)
    address = address_value(asset, "Asset")
    credit = reads.credit(signer, address)
    label = asset_label(context, address)
    if credit == 0:
        raise JobActionRefused(f"The job board holds no {label.symbol} for you.")
    return _call(
        context,
        signer,
        f"Withdraw {label.amount_text(credit)} from the job board",
        "withdraw",
        [address],
    )

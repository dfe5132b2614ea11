"""Proposal action "Fund a training job": the timelock posts a job with the treasury's bounty.

An ETH bounty is one call (`JobBoard.postJob` carrying the bounty as value); a
cUSD bounty is two, in order: `approve(JobBoard, bounty)` on the token, then
`postJob`. The spec is one already in the content store (its CID typed in the
builder), read and parsed here as hostile bytes; its datasets are the job's.
Deadlines are absolute and must lie after the proposal's earliest execution
(voting delay + voting period + timelock delay from now), or the contract
would refuse them when the proposal executes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coop_dashboard.chain.data_licensing import PURPOSES
from coop_dashboard.chain.governance_types import KnownContract
from coop_dashboard.chain.job_board import (
    MAX_CHALLENGE_WINDOW_S,
    MAX_JOB_DURATION_S,
    JobTerms,
)
from coop_dashboard.content.cid import is_cid
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.services.display import format_utc
from coop_dashboard.services.governance.builder import (
    ProposalAction,
    TreasuryAsset,
    contract_action,
)
from coop_dashboard.services.governance.units import (
    format_duration,
    format_token_amount,
    parse_duration,
    parse_token_amount,
)
from coop_dashboard.services.governance.validation import ProblemCollector, refuse
from coop_dashboard.services.jobs.inputs import JobActionRefused, utc_time_value
from coop_dashboard.services.jobs.spec import MAX_SPEC_BYTES, JobSpec, JobSpecError, parse
from coop_dashboard.services.jobs.stored import read_blob

FUND_JOB_LABEL = "Fund a training job"


@dataclass(frozen=True)
class JobFundingForm:
    """The builder's fields for this action, as typed."""

    spec_cid: str = ""
    asset: str = "ETH"
    bounty: str = ""
    purpose: str = "research"
    bidding_deadline: str = ""  # "2026-12-20T12:00", UTC
    delivery_deadline: str = ""
    minimum_stake: str = ""  # ETH
    challenge_window: str = "2 days"


def stored_spec(content_dir: Path, cid_text: str) -> JobSpec:
    """The spec stored under `cid_text`, parsed; refused (field "job_spec") when it is not."""
    cid = cid_text.strip().removeprefix("ipfs://")
    if not cid:
        raise refuse("job_spec", "Spec: give the CID of the job's spec (stored beforehand).")
    if len(cid) > 128 or not is_cid(cid):
        raise refuse("job_spec", "Spec: not a CID (it looks like bafk... or bafy...).")
    blob = read_blob(LocalContentStore(content_dir), cid, MAX_SPEC_BYTES)
    if blob.data is None:
        raise refuse("job_spec", f"Spec: {blob.problem}")
    try:
        return parse(blob.data)
    except JobSpecError as exc:
        raise refuse("job_spec", f"Spec: {exc}") from None


def _deadline(text: str, field: str, label: str) -> int | None:
    try:
        return utc_time_value(text, label)
    except JobActionRefused as exc:
        raise refuse(field, str(exc)) from None


def fund_job(
    board: KnownContract,
    asset: TreasuryAsset | None,
    form: JobFundingForm,
    spec: JobSpec | None,
    *,
    earliest_execution: int,
) -> list[ProposalAction]:
    """The calls that post the job from the treasury (approve first for an ERC20)."""
    problems = ProblemCollector()
    if asset is None:
        problems.add("job_asset", "Asset: choose one the treasury holds.")
    bounty = None
    if asset is not None:
        bounty = problems.check(
            lambda: parse_token_amount(form.bounty, asset.decimals, "job_bounty", "Bounty")
        )
        if bounty is not None and bounty == 0:
            problems.add("job_bounty", "Bounty: must be more than 0.")
        elif bounty is not None and bounty > asset.balance:
            held = format_token_amount(asset.balance, asset.decimals, asset.symbol)
            problems.add("job_bounty", f"Bounty: more than the treasury holds ({held}).")
    if form.purpose not in PURPOSES:
        problems.add("job_purpose", f"Purpose: one of {', '.join(PURPOSES)}.")
    stake = problems.check(
        lambda: parse_token_amount(form.minimum_stake, 18, "job_minimum_stake", "Minimum stake")
    )
    if stake is not None and not 0 < stake < 2**96:
        problems.add("job_minimum_stake", "Minimum stake: more than 0 ETH.")
    window = problems.check(
        lambda: parse_duration(form.challenge_window, "job_challenge_window", "Challenge window")
    )
    if window is not None and not 0 < window <= MAX_CHALLENGE_WINDOW_S:
        longest = format_duration(MAX_CHALLENGE_WINDOW_S)
        problems.add("job_challenge_window", f"Challenge window: at most {longest}.")
    bidding = problems.check(
        lambda: _deadline(form.bidding_deadline, "job_bidding_deadline", "Bidding deadline")
    )
    delivery = problems.check(
        lambda: _deadline(form.delivery_deadline, "job_delivery_deadline", "Delivery deadline")
    )
    if bidding is not None and bidding <= earliest_execution:
        problems.add(
            "job_bidding_deadline",
            "Bidding deadline: must fall after the proposal can execute "
            f"({format_utc(earliest_execution)} at the earliest).",
        )
    if bidding is not None and delivery is not None and delivery <= bidding:
        problems.add(
            "job_delivery_deadline", "Delivery deadline: must come after the bidding deadline."
        )
    if delivery is not None and delivery > earliest_execution + MAX_JOB_DURATION_S:
        problems.add("job_delivery_deadline", "Delivery deadline: at most a year out.")
    problems.raise_if_any()
    assert asset is not None and bounty is not None and spec is not None
    assert stake is not None and window is not None
    assert bidding is not None and delivery is not None
    token = asset.token
    terms = JobTerms(
        spec_cid=form.spec_cid.strip().removeprefix("ipfs://"),
        dataset_ids=spec.all_datasets,
        bounty=bounty,
        bidding_deadline=bidding,
        delivery_deadline=delivery,
        minimum_stake=stake,
        challenge_window_s=window,
        purpose=form.purpose,
        asset=token.address if token is not None else "0x" + "00" * 20,
    )
    post = contract_action(board, "postJob", [terms.as_struct()], value=terms.value)
    if token is None:
        return [post]
    return [contract_action(token, "approve", [board.address, bounty]), post]

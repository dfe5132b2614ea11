"""Everything the proposal page shows, read from SQL (+ the chain only to name the actions).

The description is sanitized markdown, the actions are decoded into plain
language when the chain can be reached (raw calldata otherwise), the timeline
comes from indexed transitions, the votes from indexed VoteCast events.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import plotly.graph_objects as go
from sqlalchemy import Engine

from coop_dashboard.chain.governance_types import LifecycleFacts, ProposalState
from coop_dashboard.chain.proposal_text import strip_proposer_suffix
from coop_dashboard.config import Settings
from coop_dashboard.db.queries import (
    ProposalDetail,
    VoteRow,
    get_proposal,
    index_status,
    proposal_votes,
)
from coop_dashboard.errors import CoopError
from coop_dashboard.services.chain_access import governance_chain
from coop_dashboard.services.display import format_utc
from coop_dashboard.services.governance.actions import decode_actions
from coop_dashboard.services.governance.charts import VotePoint, cumulative_votes_figure
from coop_dashboard.services.governance.context import action_context
from coop_dashboard.services.governance.feed_snapshot import (
    FeedSnapshot,
    proposal_detail,
    snapshot_cache,
)
from coop_dashboard.services.governance.feed_view import (
    TOKEN_DECIMALS,
    ProposalCard,
    proposal_card,
)
from coop_dashboard.services.governance.markdown import render_markdown
from coop_dashboard.services.governance.units import format_token_amount

logger = logging.getLogger(__name__)

SUPPORT_LABELS = {0: "Against", 1: "For", 2: "Abstain"}
# The page lists this many votes (heaviest first); the CSV has them all.
VOTES_SHOWN = 200


@dataclass(frozen=True)
class ActionLine:
    index: int = 0
    summary: str = ""
    target: str = ""
    function: str = ""
    calldata: str = ""
    value: str = ""


@dataclass(frozen=True)
class TimelineEntry:
    label: str = ""
    when: str = ""  # UTC
    done: bool = False  # in the past on the chain clock


@dataclass(frozen=True)
class VoteLine:
    voter: str = ""
    support: str = ""
    weight: str = ""
    weight_exact: str = ""
    reason: str = ""
    tx_hash: str = ""


@dataclass(frozen=True)
class ProposalView:
    card: ProposalCard = field(default_factory=ProposalCard)
    description_html: str = ""
    actions: list[ActionLine] = field(default_factory=list)
    actions_decoded: bool = False
    timeline: list[TimelineEntry] = field(default_factory=list)
    votes: list[VoteLine] = field(default_factory=list)
    vote_total: int = 0
    state: str = ""  # lowercase governor state
    proposer: str = ""
    eta: int | None = None
    now: int = 0
    timelock_delay: int | None = None  # seconds, as indexed (the timelock emits every change)


def _timeline(detail: ProposalDetail, now: int) -> list[TimelineEntry]:
    summary = detail.summary
    entries = [
        TimelineEntry("Created", format_utc(summary.created_at), True),
        TimelineEntry("Voting starts", format_utc(summary.vote_start), summary.vote_start < now),
        TimelineEntry("Voting ends", format_utc(summary.deadline), summary.deadline < now),
    ]
    labels = {"queued": "Queued", "executed": "Executed", "canceled": "Canceled"}
    for transition in detail.transitions:
        if transition.kind == "queued":
            entries.append(TimelineEntry("Queued", format_utc(transition.timestamp), True))
            if transition.eta:
                entries.append(
                    TimelineEntry(
                        "Executable from (timelock ETA)",
                        format_utc(transition.eta),
                        transition.eta <= now,
                    )
                )
        elif transition.kind in labels:
            entries.append(
                TimelineEntry(labels[transition.kind], format_utc(transition.timestamp), True)
            )
        elif transition.kind == "extended" and transition.extended_deadline:
            entries.append(
                TimelineEntry(
                    "Deadline extended (late quorum) to",
                    format_utc(transition.extended_deadline),
                    True,
                )
            )
    return entries


def _raw_actions(detail: ProposalDetail) -> list[ActionLine]:
    return [
        ActionLine(
            index=a.index,
            summary=f"Call {a.signature or 'contract'} on {a.target}",
            target=a.target,
            function=a.signature,
            calldata=a.calldata,
            value=format_token_amount(a.value, 18, "ETH"),
        )
        for a in detail.actions
    ]


def _decoded_actions(settings: Settings, detail: ProposalDetail) -> list[ActionLine] | None:
    """Plain-language actions, or None when the chain cannot be asked for names and settings."""
    try:
        chain = governance_chain(settings)
        # An executed proposal's "current" settings are already its new values.
        context = action_context(chain, with_settings=detail.summary.state != "executed")
        decoded = decode_actions(
            [a.target for a in detail.actions],
            [a.value for a in detail.actions],
            [a.calldata for a in detail.actions],
            context,
        )
    except (CoopError, OSError, ValueError) as exc:
        logger.info("actions shown raw: %s", exc)
        return None
    return [
        ActionLine(
            index=d.index,
            summary=d.summary,
            target=d.target_label,
            function=d.function or "",
            calldata=d.calldata,
            value=format_token_amount(d.value, 18, "ETH"),
        )
        for d in decoded
    ]


def vote_line(vote: VoteRow) -> VoteLine:
    return VoteLine(
        voter=vote.voter,
        support=SUPPORT_LABELS.get(vote.support, str(vote.support)),
        weight=format_token_amount(vote.weight, TOKEN_DECIMALS),
        weight_exact=str(vote.weight),
        reason=vote.reason,
        tx_hash=vote.tx_hash,
    )


def heaviest_votes(votes: Iterable[VoteRow], limit: int) -> list[VoteRow]:
    """The `limit` heaviest votes in `proposal_votes(order="weight")`'s order: weight
    descending, then block number, then log index."""
    return heapq.nsmallest(limit, votes, key=lambda v: (-v.weight, v.block_number, v.log_index))


def read_proposal_view(
    engine: Engine,
    settings: Settings,
    proposal_id: int,
    *,
    decode: bool = True,
    votes: Sequence[VoteRow] | None = None,
    snapshot: FeedSnapshot | None = None,
) -> ProposalView | None:
    """The page's view of one proposal; None when the index does not know it.

    `votes`: all the proposal's votes when the caller read them anyway (the page's
    chart does): the list shown is cut from them instead of read again. `snapshot`:
    the indexed head's feed snapshot when the caller has it; its summary of the
    proposal (see `proposal_detail`), its clock and its timelock delay are the view's.
    """
    snapshot = snapshot if snapshot is not None else snapshot_cache(engine).current(engine)
    detail = proposal_detail(engine, proposal_id, snapshot)
    if detail is None:
        return None
    # The indexed chain's clock at the snapshot's head (the clock its summaries' states
    # were computed with), read with it instead of once more per view.
    now = snapshot.now
    shown = (
        proposal_votes(engine, proposal_id, order="weight", limit=VOTES_SHOWN)
        if votes is None
        else heaviest_votes(votes, VOTES_SHOWN)
    )
    actions = _decoded_actions(settings, detail) if decode and detail.actions else None
    return ProposalView(
        card=proposal_card(detail.summary, now),
        description_html=render_markdown(strip_proposer_suffix(detail.description)).html,
        actions=actions if actions is not None else _raw_actions(detail),
        actions_decoded=actions is not None,
        timeline=_timeline(detail, now),
        votes=[vote_line(v) for v in shown],
        vote_total=detail.summary.vote_count,
        state=detail.summary.state,
        proposer=detail.summary.proposer,
        eta=detail.summary.eta,
        now=now,
        timelock_delay=snapshot.timelock_min_delay,
    )


def lifecycle_facts(view: ProposalView) -> LifecycleFacts | None:
    """What queue / execute / cancel depend on, from the indexed view (None before it loads).

    The eligibility rules (services.governance.eligibility) then say what the page
    offers and why not, the same rules the chain tests check against the Governor.
    """
    try:
        state = ProposalState[view.state.upper()]
    except KeyError:
        return None
    return LifecycleFacts(
        proposal_id=int(view.card.proposal_id or 0),
        state=state,
        proposer=view.proposer,
        eta=view.eta or 0,
        needs_queuing=True,  # GovernorTimelockControl: every proposal goes through the timelock
        timelock_delay=view.timelock_delay or 0,
        clock=view.now,
    )


def votes_figure(engine: Engine, proposal_id: int) -> go.Figure:
    """Cumulative for / against / abstain over time, with the quorum line."""
    detail = get_proposal(engine, proposal_id)
    votes = proposal_votes(engine, proposal_id, order="time")
    points = [VotePoint(v.timestamp, v.support, v.weight) for v in votes]
    if detail is None:
        return cumulative_votes_figure(points)
    status = index_status(engine)
    return cumulative_votes_figure(
        points,
        start=detail.summary.vote_start,
        end=detail.summary.deadline,
        # The chain's clock as far as indexed: an open vote's lines stop there.
        now=status.block_timestamp if status else None,
        quorum=detail.summary.quorum,
    )

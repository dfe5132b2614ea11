"""A delegate's profile (/delegates/<address>) as a live view: statement checked against
its digest, every version, power over time, voting record, delegators, own delegate.

Blocking I/O (SQL, the content store, a bounded https fetch): the live hub reads
it from a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from sqlalchemy import Engine

from coop_dashboard.auth.addresses import checksum_address
from coop_dashboard.config import load_settings
from coop_dashboard.db import delegate_queries as dq
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.queries import index_status
from coop_dashboard.errors import AuthError
from coop_dashboard.services.delegates.directory import (
    DelegateRow,
    delegate_row,
    empty_row,
    token_text,
)
from coop_dashboard.services.delegates.statement import (
    StatementCheck,
    classify_uri,
    load_statement,
    statement_diff,
    statement_name,
)
from coop_dashboard.services.display import short_address
from coop_dashboard.services.governance.markdown import render_markdown
from coop_dashboard.services.live_data import LiveView
from coop_dashboard.services.plotly_json import figure_json

SUPPORT_LABELS = {0: "Against", 1: "For", 2: "Abstain"}
STATUS_LABELS = {"verified": "Verified", "mismatch": "Mismatch", "unavailable": "Unavailable"}


@dataclass(frozen=True)
class VersionRow:
    label: str = ""  # "v2 · 2026-01-05" or "cleared · ..."
    version: int = 0
    kind: str = ""
    uri: str = ""
    href: str = ""  # "" when the URI is neither ipfs:// nor https://
    digest: str = ""
    topics: str = ""
    when: str = ""


@dataclass(frozen=True)
class RecordLine:
    proposal_id: str = ""
    title: str = ""
    outcome: str = ""
    choice: str = ""  # "For" / "Against" / "Abstain" / "Did not vote"
    voted: bool = False
    weight: str = ""
    reason: str = ""
    timing: str = ""  # when in the window: "day 2 of 5 (31%)"
    href: str = ""


@dataclass(frozen=True)
class DelegatorLine:
    address: str = ""
    short: str = ""
    amount: str = ""
    since: str = ""
    href: str = ""


@dataclass(frozen=True)
class ProfileView:
    found: bool = False
    address: str = ""
    short: str = ""
    card: DelegateRow = field(default_factory=DelegateRow)
    has_statement: bool = False
    status: str = ""  # verified | mismatch | unavailable | ""
    status_label: str = ""
    status_note: str = ""
    statement_html: str = ""
    uri: str = ""
    uri_href: str = ""
    digest: str = ""
    versions: list[VersionRow] = field(default_factory=list)
    record: list[RecordLine] = field(default_factory=list)
    delegators: list[DelegatorLine] = field(default_factory=list)
    delegates_to: str = ""
    delegates_to_href: str = ""
    power_steps: list[tuple[int, int]] = field(default_factory=list)  # (timestamp, votes)


def _date(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def current_delegate(member: str) -> str | None:
    """Whom `member` delegates to now, per the index (None: nobody)."""
    engine = get_engine(load_settings().database_url)
    found = dq.delegation_of(engine, member)
    return found.delegate if found else None


def _timing(voted_at: int, start: int, end: int) -> str:
    if end <= start:
        return _date(voted_at)
    share = min(1.0, max(0.0, (voted_at - start) / (end - start)))
    return f"{_date(voted_at)} ({share * 100:.0f}% into the vote)"


def _record(engine: Engine, address: str) -> list[RecordLine]:
    lines = []
    for row in dq.voting_record(engine, address):
        voted = row.support is not None
        lines.append(
            RecordLine(
                proposal_id=str(row.proposal_id),
                title=row.title,
                outcome=row.state.capitalize(),
                choice=SUPPORT_LABELS.get(row.support, "Other")
                if row.support is not None
                else "Did not vote",
                voted=voted,
                weight=token_text(row.weight) if voted else token_text(row.power_at_snapshot),
                reason=row.reason,
                timing=_timing(row.voted_at, row.vote_start, row.deadline)
                if row.voted_at is not None
                else "",
                href=f"/proposals/{row.proposal_id}",
            )
        )
    return lines


def _versions(engine: Engine, address: str) -> list[VersionRow]:
    rows = []
    for version in dq.statement_versions(engine, address):
        when = _date(version.timestamp)
        if version.kind == "cleared":
            rows.append(VersionRow(f"cleared · {when}", version.version, "cleared", when=when))
            continue
        rows.append(
            VersionRow(
                label=f"v{version.version} · {when}",
                version=version.version,
                kind="published",
                uri=version.uri,
                href=classify_uri(version.uri).href,
                digest=version.digest,
                topics=", ".join(version.topics),
                when=when,
            )
        )
    return rows


def read_profile(address: str) -> ProfileView:
    settings = load_settings()
    engine = get_engine(settings.database_url)
    card = dq.delegate_card(engine, address)
    steps = dq.power_history(engine, address)
    versions = _versions(engine, address)
    if card is None and not steps and not versions:
        return ProfileView(
            found=False, address=address, short=short_address(address), card=empty_row(address)
        )
    check, html = _checked_statement(engine, card, settings.content_dir)
    own = dq.delegation_of(engine, address)
    delegators = [
        DelegatorLine(
            address=row.address,
            short=short_address(row.address),
            amount=token_text(row.balance),
            since=_date(row.since),
            href=f"/delegates/{row.address}",
        )
        for row in dq.delegators(engine, address)
    ]
    has_statement = bool(card and card.has_statement)
    return ProfileView(
        found=True,
        address=address,
        short=short_address(address),
        card=delegate_row(card) if card else empty_row(address),
        has_statement=has_statement,
        status=check.status if has_statement else "",
        status_label=STATUS_LABELS[check.status] if has_statement else "",
        status_note=check.note,
        statement_html=html,
        uri=card.statement_uri or "" if card else "",
        uri_href=classify_uri(card.statement_uri).href if card and card.statement_uri else "",
        digest=card.statement_digest or "" if card else "",
        versions=versions,
        record=_record(engine, address),
        delegators=delegators,
        delegates_to=own.delegate if own else "",
        delegates_to_href=f"/delegates/{own.delegate}" if own else "",
        power_steps=[(step.timestamp, step.votes) for step in steps],
    )


def _checked_statement(
    engine: Engine, card: dq.DelegateCard | None, content_dir: Path
) -> tuple[StatementCheck, str]:
    """The statement fetched and checked now, and its sanitized HTML when verified."""
    if card is None or not card.has_statement or not card.statement_uri:
        return StatementCheck("unavailable", "", ""), ""
    digest = card.statement_digest or ""
    check = load_statement(card.statement_uri, digest, content_dir)
    if check.status != "verified":
        return check, ""
    if not card.name:
        dq.save_document_facts(engine, dq.DocumentFacts(digest, statement_name(check.text)))
    return check, render_markdown(check.text).html


def recheck_statement(view: ProfileView) -> ProfileView:
    """The view with its statement fetched and checked again (a page load must not show a
    check made before the stored bytes changed; the live hub keeps one read per block)."""
    if not view.has_statement:
        return view
    settings = load_settings()
    engine = get_engine(settings.database_url)
    check, html = _checked_statement(
        engine, dq.delegate_card(engine, view.address), settings.content_dir
    )
    return replace(
        view,
        status=check.status,
        status_label=STATUS_LABELS[check.status],
        status_note=check.note,
        statement_html=html,
    )


def power_figure(steps: list[tuple[int, int]], now: int | None = None) -> go.Figure:
    """Voting power over time as a step chart, with 30 d / 1 y / all range buttons."""
    figure = go.Figure()
    if steps:
        times = [datetime.fromtimestamp(t, UTC) for t, _ in steps]
        values = [votes / 10**18 for _, votes in steps]
        end = datetime.fromtimestamp(max(now or 0, steps[-1][0]), UTC)
        figure.add_trace(
            go.Scatter(
                x=[*times, end],
                y=[*values, values[-1]],
                mode="lines",
                line={"shape": "hv", "color": "#3e63dd"},
                name="Voting power",
                hovertemplate="%{y:,.2f} COOP<extra>%{x}</extra>",
            )
        )
    figure.update_layout(
        margin={"l": 40, "r": 10, "t": 10, "b": 30},
        yaxis={"title": "COOP", "rangemode": "tozero"},
        xaxis={
            "rangeselector": {
                "buttons": [
                    {"count": 30, "label": "30 d", "step": "day", "stepmode": "backward"},
                    {"count": 1, "label": "1 y", "step": "year", "stepmode": "backward"},
                    {"label": "all", "step": "all"},
                ]
            },
            "type": "date",
        },
        showlegend=False,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return figure


def power_chart_json(steps: list[tuple[int, int]], now: int | None = None) -> dict[str, Any]:
    """power_figure as plotly JSON (what the page's state holds: see state/delegate_profile)."""
    return figure_json(power_figure(steps, now))


def index_now() -> int | None:
    status = index_status(get_engine(load_settings().database_url))
    return status.block_timestamp if status else None


@dataclass(frozen=True)
class VersionDiff:
    lines: list[str]
    note: str = ""


def version_diff(address: str, older: int, newer: int) -> VersionDiff:
    """The diff between two published versions; only verified documents are compared."""
    settings = load_settings()
    engine = get_engine(settings.database_url)
    published = {
        v.version: v for v in dq.statement_versions(engine, address) if v.kind == "published"
    }
    if older not in published or newer not in published:
        return VersionDiff([], "Pick two published versions.")
    texts = []
    for number in (older, newer):
        version = published[number]
        check = load_statement(version.uri, version.digest, settings.content_dir)
        if check.status != "verified":
            return VersionDiff([], f"Version {number}: {check.status} ({check.note})")
        texts.append(check.text)
    lines = statement_diff(texts[0], texts[1], f"v{older}", f"v{newer}")
    return VersionDiff(lines, "" if lines else "The two versions are the same.")


def valid_profile_address(raw: object) -> str | None:
    """The route's address, lowercase, or None when it is not one."""
    if not isinstance(raw, str):
        return None
    try:
        return checksum_address(raw).lower()
    except AuthError:
        return None


PROFILE = LiveView("delegate_profile", read=read_profile)

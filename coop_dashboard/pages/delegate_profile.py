"""A delegate's profile ("/delegates/[address]"): the statement checked against its on-chain
digest, every version and a diff, power over time, the voting record, delegators, and
delegating to them (or writing one's own statement)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import reflex as rx

from coop_dashboard.components.address_chip import address_chip
from coop_dashboard.components.on_screen import on_screen
from coop_dashboard.components.section_card import section_card
from coop_dashboard.pages.registry import dashboard_page
from coop_dashboard.services.delegates.profile import DelegatorLine, RecordLine, VersionRow
from coop_dashboard.state.delegate_profile import DelegateProfileState as S
from coop_dashboard.state.session import SessionState

_STATUS_COLORS = {"verified": "green", "mismatch": "red", "unavailable": "amber"}


def _header() -> rx.Component:
    card = S.view.card
    return rx.vstack(
        rx.hstack(
            rx.heading(rx.cond(card.name != "", card.name, S.view.short), size="7"),
            address_chip(S.view.address),
            rx.cond(card.seeking, rx.badge("Seeking delegation", color_scheme="green")),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        rx.flex(
            rx.text("Voting power ", rx.text.strong(card.power, id="profile-power"), size="2"),
            rx.text("Share ", rx.text.strong(card.share), size="2"),
            rx.text("Delegators ", rx.text.strong(card.delegators), size="2"),
            rx.text("Participation ", rx.text.strong(card.participation), size="2"),
            rx.text("7-day change ", rx.text.strong(card.change), size="2"),
            rx.cond(
                S.view.delegates_to != "",
                rx.text(
                    "Delegates to ",
                    rx.link(S.view.delegates_to, href=S.view.delegates_to_href),
                    size="2",
                    id="profile-delegates-to",
                ),
            ),
            gap="4",
            wrap="wrap",
        ),
        spacing="2",
        width="100%",
    )


def _statement() -> rx.Component:
    badge = rx.badge(
        S.view.status_label,
        color_scheme=rx.match(S.view.status, ("verified", "green"), ("mismatch", "red"), "amber"),
        id="statement-status",
        size="2",
    )
    return section_card(
        "Statement",
        "scroll_text",
        rx.cond(
            S.view.has_statement,
            rx.vstack(
                rx.hstack(
                    badge,
                    rx.cond(
                        S.view.uri_href != "",
                        rx.link(S.view.uri, href=S.view.uri_href, is_external=True, size="1"),
                        rx.code(S.view.uri, size="1"),
                    ),
                    rx.text("sha-256 ", rx.code(S.view.digest, size="1"), size="1"),
                    wrap="wrap",
                    align="center",
                    spacing="2",
                ),
                rx.cond(
                    S.view.status == "verified",
                    rx.box(
                        rx.html(S.view.statement_html),
                        class_name="markdown-body",
                        id="statement-body",
                    ),
                    rx.callout(
                        S.view.status_note,
                        icon="shield_alert",
                        color_scheme="red",
                        id="statement-problem",
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            rx.text("No statement published.", color_scheme="gray", id="statement-none"),
        ),
    )


def _is_own() -> Any:
    # Follows sign-in and sign-out in the browser; the writes check the signer on the server.
    return SessionState.authenticated_address.lower() == S.address


def _table(headers: tuple[str, ...], rows: Any, row: Any, id_: str) -> rx.Component:
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(rx.foreach(rows, row)),
        width="100%",
        id=id_,
    )


def _version_row(version: VersionRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(version.label),
        rx.table.cell(
            rx.cond(
                version.href != "",
                rx.link(version.uri, href=version.href, is_external=True, size="1"),
                rx.code(version.uri, size="1"),
            )
        ),
        rx.table.cell(version.topics),
        class_name="version-row",
    )


def _versions() -> rx.Component:
    picker = rx.hstack(
        rx.select(S.version_numbers, value=S.diff_from, on_change=S.set_diff_from, id="diff-from"),
        rx.select(S.version_numbers, value=S.diff_to, on_change=S.set_diff_to, id="diff-to"),
        rx.button("Compare", on_click=S.show_diff, variant="soft", id="diff-show"),
        spacing="2",
        align="center",
    )
    return section_card(
        "Versions",
        "history",
        _table(("Version", "Document", "Topics"), S.view.versions, _version_row, "versions"),
        picker,
        rx.cond(S.diff_note != "", rx.text(S.diff_note, size="2", id="diff-note")),
        rx.cond(
            S.diff_lines.length() > 0,  # type: ignore[attr-defined]
            rx.box(
                rx.foreach(
                    S.diff_lines,
                    lambda line: rx.text(
                        line,
                        as_="div",
                        font_family="var(--code-font-family)",
                        size="1",
                        white_space="pre-wrap",
                        color=rx.cond(
                            line.startswith("+"),
                            rx.color("green", 11),
                            rx.cond(
                                line.startswith("-"),
                                rx.color("red", 11),
                                rx.color("gray", 12),
                            ),
                        ),
                    ),
                ),
                id="diff-lines",
                width="100%",
            ),
        ),
    )


def _record_row(line: RecordLine) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(line.title, href=line.href)),
        rx.table.cell(line.outcome),
        rx.table.cell(
            rx.badge(line.choice, color_scheme=rx.cond(line.voted, "blue", "gray")),
            class_name="record-choice",
        ),
        rx.table.cell(line.weight),
        rx.table.cell(line.timing),
        rx.table.cell(line.reason),
    )


def _record() -> rx.Component:
    return section_card(
        "Voting record",
        "vote",
        _table(
            ("Proposal", "Outcome", "Choice", "Weight", "When", "Reason"),
            S.view.record,
            _record_row,
            "voting-record",
        ),
    )


def _delegator_row(line: DelegatorLine) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(line.short, href=line.href)),
        rx.table.cell(line.amount),
        rx.table.cell(line.since),
    )


def _delegators() -> rx.Component:
    return section_card(
        "Delegators",
        "users",
        _table(("Account", "Amount", "Since"), S.view.delegators, _delegator_row, "delegators"),
    )


def _power_chart() -> rx.Component:
    return section_card(
        "Voting power over time",
        "chart_line",
        # Plotly's bundle loads only once the chart is on screen.
        on_screen(
            rx.plotly.basic(
                # Plotly JSON (a dict in the state: state/delegate_profile.py says why).
                data=S.figure.to(go.Figure),  # type: ignore[attr-defined]
                width="100%",
                height="260px",
            ),
            min_height="260px",
            id="power-chart",
        ),
    )


def _delegate_panel() -> rx.Component:
    return section_card(
        "Delegate",
        "hand_coins",
        rx.hstack(
            rx.button(
                "Delegate to this address",
                on_click=S.preview_delegation(False),  # type: ignore[operator]
                id="delegate-preview",
            ),
            rx.button(
                "Delegate to myself",
                variant="soft",
                on_click=S.preview_delegation(True),  # type: ignore[operator]
                id="delegate-self-preview",
            ),
            spacing="2",
            wrap="wrap",
        ),
        rx.cond(
            S.delegate_preview.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(
                rx.foreach(S.delegate_preview, lambda line: rx.text(line, size="2")),
                rx.hstack(
                    rx.button(
                        "Sign the delegation in my wallet",
                        on_click=S.delegate(False),  # type: ignore[misc]
                        id="delegate-sign",
                    ),
                    rx.button(
                        "Gasless: sign, the relayer sends it",
                        variant="soft",
                        on_click=S.delegate_gasless(False),  # type: ignore[misc]
                        id="delegate-gasless",
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                id="delegate-effect",
                spacing="2",
            ),
        ),
        rx.cond(
            S.gasless_note != "",
            rx.callout(S.gasless_note, icon="fuel", color_scheme="green", id="gasless-note"),
        ),
        rx.cond(
            S.delegate_notice != "",
            rx.callout(S.delegate_notice, icon="info", color_scheme="amber", id="delegate-notice"),
        ),
        id="delegate",
    )


def _editor() -> rx.Component:
    return section_card(
        "Your statement",
        "pencil",
        # A form: Publish sends the fields as the browser has them (the state's copy is
        # debounced and could lag behind a quick click).
        rx.form(
            rx.vstack(
                rx.text_area(
                    value=S.draft,
                    on_change=S.set_draft,
                    name="statement",
                    placeholder="# Your name\n\nWhat you stand for, how you decide.",
                    rows="10",
                    width="100%",
                    id="statement-editor",
                ),
                rx.input(
                    value=S.draft_topics,
                    on_change=S.set_draft_topics,
                    name="topics",
                    placeholder="Topics, comma-separated (at most 8, 32 bytes each)",
                    width="100%",
                    id="statement-topics",
                ),
                rx.button("Publish", type="submit", id="statement-publish"),
                width="100%",
            ),
            on_submit=S.publish,
            reset_on_submit=False,
            width="100%",
        ),
        rx.hstack(
            rx.foreach(
                S.suggested_topics,
                lambda t: rx.button(t, size="1", variant="soft", on_click=S.add_topic(t)),  # type: ignore[operator]
            ),
            wrap="wrap",
            spacing="1",
        ),
        rx.hstack(
            rx.switch(
                checked=S.draft_seeking, on_change=S.set_draft_seeking, id="statement-seeking"
            ),
            rx.text("Seeking delegation", size="2"),
            rx.spacer(),
            rx.button("Preview", variant="soft", on_click=S.preview_draft, id="statement-preview"),
            rx.cond(
                S.view.has_statement,
                rx.button(
                    rx.cond(S.view.card.seeking, "Stop seeking", "Seek delegation"),
                    variant="soft",
                    on_click=S.toggle_seeking(~S.view.card.seeking),  # type: ignore[misc]
                    id="statement-toggle-seeking",
                ),
            ),
            rx.cond(
                S.view.has_statement,
                rx.button(
                    "Clear",
                    color_scheme="red",
                    variant="soft",
                    on_click=S.clear_statement,
                    id="statement-clear",
                ),
            ),
            align="center",
            spacing="2",
            width="100%",
            wrap="wrap",
        ),
        rx.cond(
            S.editor_notice != "",
            rx.callout(
                S.editor_notice, icon="triangle_alert", color_scheme="red", id="editor-notice"
            ),
        ),
        rx.cond(
            S.draft_preview_html != "",
            rx.box(rx.html(S.draft_preview_html), class_name="markdown-body", id="draft-preview"),
        ),
    )


@dashboard_page(
    route="/delegates/[address]",
    title="Delegate",
    icon="user",
    parent="/delegates",
    description="A delegate's statement, voting record and delegators.",
    on_load=S.load,
)
def delegate_profile() -> rx.Component:
    return rx.vstack(
        rx.link(rx.hstack(rx.icon("arrow_left", size=14), "All delegates"), href="/delegates"),
        rx.cond(
            S.notice != "",
            rx.callout(S.notice, icon="triangle_alert", color_scheme="amber", id="profile-notice"),
        ),
        rx.cond(
            S.loaded,
            rx.cond(
                S.view.found | _is_own(),
                rx.vstack(
                    _header(),
                    _statement(),
                    rx.cond(_is_own(), _editor()),
                    _delegate_panel(),
                    _power_chart(),
                    _record(),
                    _versions(),
                    _delegators(),
                    spacing="4",
                    width="100%",
                ),
                rx.callout(
                    "This address has never had voting power nor a statement.",
                    icon="info",
                    id="profile-unknown",
                ),
            ),
            rx.center(rx.spinner(size="3"), padding_y="3em", width="100%"),
        ),
        spacing="4",
        width="100%",
    )

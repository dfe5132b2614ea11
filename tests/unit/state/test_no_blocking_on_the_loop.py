"""Handlers keep the event loop free: keystrokes, CSV exports and session checks.

Reflex runs plain handlers and computed vars on the event loop of the worker
that serves every tab; one slow render or query there stalls them all. Each
test runs the real handler (or route) in-process while a probe measures how
much CPU the loop's thread spends within one tick of a 5 ms timer on the same
loop (not how late the timer is: on a loaded machine it can be late for
scheduling alone). Work done on the loop shows as tenths of seconds to seconds
(benchmarks/event_loop.py measures the lateness percentiles).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import reflex as rx

from coop_dashboard.api.app import build_api
from coop_dashboard.db.engine import create_tables, make_engine
from coop_dashboard.services import sign_in
from coop_dashboard.services.governance.markdown import DESCRIPTION_MAX_BYTES
from coop_dashboard.state.proposal_builder import ProposalBuilderState
from coop_dashboard.state.session import SessionState
from tests.support.loop_lag import loop_lag
from tests.support.markdown_cases import WORST_CASES
from tests.support.votes import add_proposal_with_votes

MEMBER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
# Before the fixes: a 20,000-vote CSV held the loop ~2 s, a pathological preview 0.4-2 s.
MAX_STALL_S = 0.25
PROPOSAL_ID = 4242
VOTES = 20_000


def _substate(root: rx.State, state_class: type[rx.State]) -> Any:
    return root.get_substate(state_class.get_full_name().split(".")[1:])


@pytest.fixture
def root() -> rx.State:
    return rx.State(_reflex_internal_init=True)


def _sign_in(root: rx.State) -> None:
    _substate(root, SessionState).authenticated_address = MEMBER


def test_builder_keystrokes_never_render_on_the_loop(root: rx.State) -> None:
    """Each worst-case description as a keystroke event, then the delta Reflex sends.

    Before: `preview_html` was a computed var, rendered in the delta on the loop
    (up to 100 KB; `'!['*49000` took ~2 s); it is now rendered in a worker thread.
    """
    _sign_in(root)
    builder = _substate(root, ProposalBuilderState)
    inputs = [text[:DESCRIPTION_MAX_BYTES] for text in WORST_CASES.values()]
    inputs.append("![" * 49_000)  # over the limit: refused, never rendered

    async def keystrokes() -> None:
        async with loop_lag() as lag:
            for text in inputs:
                await ProposalBuilderState.set_field.fn(builder, "body", text)
                root.get_delta()
                root._clean()
                await asyncio.sleep(0)
        assert lag.worst_busy_s < MAX_STALL_S, lag.report()

    asyncio.run(keystrokes())
    assert builder.body == inputs[-2]  # the last accepted text
    assert "limited to 20,000 bytes" in builder.notice


def test_set_field_refuses_unsigned_and_oversized_input(root: rx.State) -> None:
    builder = _substate(root, ProposalBuilderState)

    async def edits() -> None:
        await ProposalBuilderState.set_field.fn(builder, "body", "# Drain the treasury")
        assert builder.body == "" and builder.notice == "Sign in to write a proposal."
        _sign_in(root)
        assert await ProposalBuilderState.set_field.fn(builder, "body", "# Fine") is not None
        assert builder.body == "# Fine"
        await ProposalBuilderState.set_field.fn(
            builder, "body", "é" * (DESCRIPTION_MAX_BYTES // 2 + 1)
        )
        assert builder.body == "# Fine" and "limited to 20,000 bytes" in builder.notice
        await ProposalBuilderState.set_field.fn(builder, "recipient", "0x" + "1" * 5_000)
        assert builder.recipient == "" and "at most 2,000 characters" in builder.notice
        await ProposalBuilderState.set_field.fn(builder, "body", {"not": "text"})
        assert builder.body == "# Fine"
        await ProposalBuilderState.set_field.fn(builder, "_submitted_id", "1")  # not a field
        assert builder._submitted_id is None

    asyncio.run(edits())


@pytest.fixture
def voted_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'votes.db'}"
    engine = make_engine(url)
    create_tables(engine)
    add_proposal_with_votes(engine, PROPOSAL_ID, VOTES)
    monkeypatch.setenv("DATABASE_URL", url)
    yield url


def test_the_csv_export_runs_off_the_loop(voted_database: str) -> None:
    """The page's event only links to the export; the route builds it in worker threads."""

    async def export() -> httpx.Response:
        transport = httpx.ASGITransport(app=build_api())
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://app") as client,
            loop_lag() as lag,
        ):
            response = await client.get(f"/api/proposals/{PROPOSAL_ID}/votes.csv")
        assert lag.worst_busy_s < MAX_STALL_S, lag.report()
        return response

    response = asyncio.run(export())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert len(lines) == VOTES + 1
    assert "'=HYPERLINK" in response.text  # spreadsheet-safe cells
    bad = asyncio.run(_get("/api/proposals/12x/votes.csv"))
    assert bad.status_code == 400


async def _get(path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=build_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        return await client.get(path)


def test_session_checks_never_query_the_database_on_the_loop(
    root: rx.State, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page load's check and the delta it produces touch no database on the loop thread."""
    on_loop: list[str] = []
    real = sign_in.session_address_by_hash

    def recording(*args: Any, **kwargs: Any) -> str | None:
        if threading.current_thread() is threading.main_thread():
            on_loop.append("session_address_by_hash")
        return real(*args, **kwargs)

    monkeypatch.setattr(sign_in, "session_address_by_hash", recording)
    session = _substate(root, SessionState)

    async def page_load() -> None:
        SessionState.check_session.fn(session)
        root.get_delta()

    asyncio.run(page_load())
    assert on_loop == []
    # What the server keeps of a session: the token's hash, never the token.
    # (Before: `session_token`, an rx.LocalStorage var synced into the state store.)
    kept = set(SessionState.__annotations__) | set(SessionState.vars)
    assert "_token_sha256" in kept
    assert not [name for name in kept if "token" in name and name != "_token_sha256"]

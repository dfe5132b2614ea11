"""The scaled configuration, as an operator runs it (README, "Scaled configuration"):
app workers sharing the tabs' state through Redis, PostgreSQL for the index and the
sessions, INDEXER_IN_APP=0 with one `coop index` writing and a second standing by.

Two `coop serve` servers on two ports behind the same Redis and PostgreSQL pin tabs
to different backends: server A runs two granian workers (`--workers 2`), server B
one. A vote signed on one server shows live on the other; then the writing indexer is
killed and the next vote is indexed by the standby; and when every worker of server
A is killed (SIGKILL), granian starts new ones and the tabs carry on with the state
they had (their feed filter, their session), read back from Redis. A compute node's
heartbeat sent to one server shows on the job and provider pages open on the other.
Accounts (anvil indexes, chain/seed.py MEMBERS) are picked among members who have
not voted on the seeded active proposal.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, WebSocket, expect
from web3 import Web3

from coop_dashboard.chain.transact import Sender
from coop_dashboard.cli import STATE_OPLOCK
from coop_dashboard.nodes.app_client import AppClient
from tests.e2e.app_server import ARTIFACTS_DIR, AppServer, chain_settings, start_app_server
from tests.e2e.conftest import _failed as failed
from tests.e2e.flows import STEP_TIMEOUT_MS, expect_signed_in, sign_in
from tests.e2e.governance_flows import governor, member_wallet
from tests.e2e.wallet import TestWallet, anvil_key, install_wallets
from tests.support.chains import SeededChain
from tests.support.databases import postgres_schema_url
from tests.support.indexers import (
    INDEXING_LINE,
    STANDING_BY_LINE,
    IndexerProcess,
    start_indexer,
)
from tests.support.jobs import job_world
from tests.support.processes import child_pids
from tests.support.redis_db import redis_database_url

pytestmark = pytest.mark.e2e

# Pages follow new votes within their refresh interval (or the live-data push).
LIVE_MS = 20_000
# A standby indexer retries the lock every 5 s (indexer/service.py LOCK_RETRY_S).
TAKEOVER_MS = 30_000
SEEDED_MEMBERS = range(1, 13)
TAB_TIMEOUT_MS = 30_000
# Signing in needs no tokens; any member will do.
SIGN_IN_MEMBER = 3
# A job's poster (a seeded member, who has ETH) and its compute provider (an anvil
# account the seed leaves alone: the demo's providers are 14, 16 and 17).
JOB_POSTER = 2
JOB_PROVIDER = 18


@dataclass
class ScaledDeployment:
    chain: SeededChain
    server_a: AppServer  # coop serve --workers 2
    server_b: AppServer  # coop serve --workers 1
    writer: IndexerProcess
    standby: IndexerProcess
    contexts: list[BrowserContext] = field(default_factory=list)


@pytest.fixture(scope="module")
def scaled(
    start_seeded_chain: Callable[[], SeededChain], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ScaledDeployment]:
    chain = start_seeded_chain()
    with postgres_schema_url("scaled") as database_url, redis_database_url() as redis_url:
        environment = {
            **chain_settings(chain),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "INDEXER_IN_APP": "0",
            "RPC_TIMEOUT": "3",
        }

        def data_dir(name: str) -> dict[str, str]:
            return {"COOP_DATA_DIR": str(tmp_path_factory.mktemp(f"scaled-{name}-data"))}

        # The writer first: it migrates the database before the servers read it.
        writer = start_indexer(
            {**environment, **data_dir("writer")}, ARTIFACTS_DIR / "scaled-index-writer.log"
        )
        started: list[AppServer] = []
        standby = None
        try:
            writer.wait_for_line(INDEXING_LINE)
            standby = start_indexer(
                {**environment, **data_dir("standby")}, ARTIFACTS_DIR / "scaled-index-standby.log"
            )
            standby.wait_for_line(STANDING_BY_LINE)
            for name, workers in (("a", "2"), ("b", "1")):
                server = start_app_server(
                    {**environment, **data_dir(name)},
                    name=f"scaled-{name}",
                    work_dir=tmp_path_factory.mktemp(f"scaled-{name}"),
                    coop_serve_args=["--workers", workers],
                )
                print(f"server {name}: {workers} workers at {server.url}, {server.startup_s:.0f} s")
                started.append(server)
            yield ScaledDeployment(chain, started[0], started[1], writer, standby)
        finally:
            for server in started:
                server.stop()
            writer.stop()
            if standby is not None:
                standby.stop()


def _open_tab(browser: Browser, scaled: ScaledDeployment) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # Five app processes, two indexers, anvil and Chromium share this test's cores.
    context.set_default_timeout(TAB_TIMEOUT_MS)
    scaled.contexts.append(context)
    return context.new_page()


@pytest.fixture
def open_tab(
    browser: Browser, scaled: ScaledDeployment, request: pytest.FixtureRequest
) -> Iterator[Callable[[], Page]]:
    """`open_tab()`: a page in a browser context of its own (own storage, own token);
    every tab is photographed when the test fails."""
    yield lambda: _open_tab(browser, scaled)
    for number, context in enumerate(scaled.contexts):
        if failed(request):
            ARTIFACTS_DIR.mkdir(exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{request.node.name}-tab{number}")
            with contextlib.suppress(Exception):  # a broken page must not hide the failure
                context.pages[0].screenshot(path=str(ARTIFACTS_DIR / f"{name}.png"))
        context.close()
    scaled.contexts.clear()


def _voters(chain: SeededChain, proposal_id: int, count: int) -> list[int]:
    """`count` members with voting power at the snapshot who have not voted yet."""
    functions = governor(chain).functions
    snapshot = functions.proposalSnapshot(proposal_id).call()
    token = chain.deployment.contract(chain.w3, "CoopToken").functions
    found = []
    for member in SEEDED_MEMBERS:
        address = Web3.to_checksum_address(anvil_key(member).address)
        if functions.hasVoted(proposal_id, address).call():
            continue
        if token.getPastVotes(address, snapshot).call() > 0:
            found.append(member)
    assert len(found) >= count, f"only {found} can still vote on proposal {proposal_id}"
    return found[:count]


def _for_votes(chain: SeededChain, proposal_id: int) -> str:
    return str(governor(chain).functions.proposalVotes(proposal_id).call()[1])


def _with_wallet(page: Page, chain: SeededChain, member: int) -> TestWallet:
    """Install member `member`'s wallet in `page` (before its first navigation)."""
    wallet = member_wallet(chain, member)
    install_wallets(page, wallet)
    return wallet


def _vote_for(page: Page, timeout_ms: int = STEP_TIMEOUT_MS) -> None:
    """Vote For on the proposal page open in `page`, signed in."""
    expect(page.locator("#vote-panel")).to_be_visible(timeout=STEP_TIMEOUT_MS)
    page.locator("#vote-for").click()
    expect(page.locator("#tx-description")).to_contain_text("Vote For", timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#tx-status")).to_have_attribute("data-phase", "done", timeout=timeout_ms)


def test_votes_and_live_updates_work_on_either_server_and_survive_the_indexer(
    scaled: ScaledDeployment, open_tab: Callable[[], Page]
) -> None:
    chain = scaled.chain
    proposal_id = chain.report.proposals["active"]
    first, second = _voters(chain, proposal_id, 2)
    tab_a, tab_b = open_tab(), open_tab()
    # Wallets go in before the first navigation (init scripts).
    wallet_a, wallet_b = _with_wallet(tab_a, chain, first), _with_wallet(tab_b, chain, second)
    tab_b.goto(f"{scaled.server_b.url}/proposals/{proposal_id}")
    tally_b = tab_b.locator("#proposal-tally")
    expect(tally_b).to_have_attribute("data-for", _for_votes(chain, proposal_id))

    # Signed in and voting on server A: server B's tab follows without a reload.
    tab_a.goto(f"{scaled.server_a.url}/proposals/{proposal_id}")
    expect(tab_a.locator("#proposal-tally")).to_have_attribute(
        "data-for", _for_votes(chain, proposal_id)
    )
    sign_in(tab_a, wallet_a)
    _vote_for(tab_a)
    expect(tally_b).to_have_attribute("data-for", _for_votes(chain, proposal_id), timeout=LIVE_MS)

    # The writing indexer dies; the standby takes the lock and indexes the next vote
    # (the vote's "done" waits for it), signed on server B and followed on server A.
    scaled.writer.kill()
    sign_in(tab_b, wallet_b)
    _vote_for(tab_b, timeout_ms=TAKEOVER_MS)
    expect(tab_a.locator("#proposal-tally")).to_have_attribute(
        "data-for", _for_votes(chain, proposal_id), timeout=LIVE_MS
    )
    assert INDEXING_LINE in scaled.standby.log(), "the standby never took over"


def _count_sockets(page: Page) -> dict[str, int]:
    """Counts of the page's websockets opened and closed from now on."""
    counts = {"opened": 0, "closed": 0}

    def opened(socket: WebSocket) -> None:
        counts["opened"] += 1
        socket.on("close", lambda _socket: counts.__setitem__("closed", counts["closed"] + 1))

    page.on("websocket", opened)
    return counts


def _kill_workers(server: AppServer) -> list[int]:
    """SIGKILL every backend worker of `server` (coop serve -> runner -> workers)."""
    (runner,) = child_pids(server.process.pid)
    workers = child_pids(runner)
    assert workers, "no worker processes found"
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    return workers


def _wait_for_new_workers(server: AppServer, killed: list[int]) -> list[int]:
    (runner,) = child_pids(server.process.pid)
    deadline = time.monotonic() + 60
    while True:
        workers = [pid for pid in child_pids(runner) if pid not in killed]
        if len(workers) >= len(killed):
            return workers
        assert server.process.poll() is None, f"server A stopped:\n{server.log_tail()}"
        assert time.monotonic() < deadline, f"no new workers:\n{server.log_tail()}"
        time.sleep(0.2)


# What `coop serve` sets for the hold (seconds), and Reflex's Redis lock expiry (10 s).
HOLD_MS = int(STATE_OPLOCK["REFLEX_OPLOCK_HOLD_TIME"].removesuffix("s")) * 1000
LOCK_EXPIRY_MS = 10_000 + STEP_TIMEOUT_MS


def test_a_nodes_report_to_one_server_shows_on_a_tab_of_the_other(
    scaled: ScaledDeployment, open_tab: Callable[[], Page]
) -> None:
    """A heartbeat is stored by the server the node talks to, with no block to announce
    it: the tabs showing that job and that provider on the other server show it."""
    chain = scaled.chain
    # A job in progress: posted, bid on by a provider with passes to its data, accepted.
    world = job_world(chain.w3, chain.deployment)
    poster = Sender.unlocked(chain.w3, chain.w3.eth.accounts[JOB_POSTER])
    provider = anvil_key(JOB_PROVIDER)
    worker = Sender.unlocked(chain.w3, provider.address)
    job = world.post(poster)
    world.license(worker)
    world.bid(worker, job)
    poster.call(world.board.functions.acceptBid(job, provider.address), what="accept")
    job_tab, provider_tab = open_tab(), open_tab()
    job_tab.goto(f"{scaled.server_a.url}/jobs/{job}")
    provider_tab.goto(f"{scaled.server_a.url}/providers/{provider.address}")
    expect(job_tab.locator("#job-status")).to_contain_text("In progress", timeout=STEP_TIMEOUT_MS)
    work = job_tab.locator("#job-work")
    expect(job_tab.locator("#job-work", has_text="Worker heartbeat")).to_have_count(0)
    last_beat = provider_tab.locator("#provider-heartbeat")
    expect(last_beat).to_have_text("No heartbeat reported yet.", timeout=STEP_TIMEOUT_MS)
    block = chain.w3.eth.block_number

    node = AppClient.connect(scaled.server_b.url, provider.key.hex())
    node.heartbeat(job, "training", 3, 10, "epoch 3 of 10")

    expect(work).to_contain_text("training 3/10", timeout=LIVE_MS)
    expect(work).to_contain_text("epoch 3 of 10")
    expect(last_beat).to_contain_text(f"training on job #{job}", timeout=LIVE_MS)
    assert chain.w3.eth.block_number == block  # no block carried them


def test_tabs_keep_their_state_when_every_worker_is_killed(
    scaled: ScaledDeployment, open_tab: Callable[[], Page]
) -> None:
    chain = scaled.chain
    seeded = len(chain.report.proposals)
    feed_tab, session_tab = open_tab(), open_tab()
    wallet = _with_wallet(session_tab, chain, SIGN_IN_MEMBER)
    session_tab.goto(scaled.server_a.url)
    sign_in(session_tab, wallet)

    # A filter lives only in the tab's server-side state (not in the URL).
    feed_tab.goto(f"{scaled.server_a.url}/proposals")
    total = feed_tab.locator("#feed-total")
    expect(total).to_have_text(re.compile(rf"^{seeded} proposals"), timeout=STEP_TIMEOUT_MS)
    feed_tab.locator("#feed-state").select_option(label="Defeated")
    expect(total).to_have_text(re.compile(r"^1 proposals"), timeout=STEP_TIMEOUT_MS)
    sockets = {id(tab): _count_sockets(tab) for tab in (feed_tab, session_tab)}
    # A worker keeps a tab's state in memory between its events and writes it to Redis
    # when its hold ends (Reflex's opportunistic lock, `coop serve` with REDIS_URL):
    # what a tab changed in the last hold dies with a worker killed outright.
    feed_tab.wait_for_timeout(HOLD_MS + 1_000)

    killed = _kill_workers(scaled.server_a)
    _wait_for_new_workers(scaled.server_a, killed)
    for tab in (feed_tab, session_tab):
        # Every tab lost its connection and opened a new one to a new worker.
        deadline = time.monotonic() + 30
        while sockets[id(tab)]["opened"] < 1:
            assert time.monotonic() < deadline, "the tab never reconnected"
            tab.wait_for_timeout(200)

    # The next event runs on a fresh worker with the state read from Redis: the
    # sort changes and the Defeated filter still applies (a lost state lists all).
    feed_tab.locator("#feed-sort").select_option(label="Most votes")
    # The dead worker's lock on the tab's state runs out first (Reflex's lock expiry).
    expect(feed_tab.locator("#feed-sort")).to_have_value("most_votes", timeout=LOCK_EXPIRY_MS)
    feed_tab.wait_for_timeout(1_000)
    expect(total).to_have_text(re.compile(r"^1 proposals"), timeout=STEP_TIMEOUT_MS)
    expect(feed_tab.locator("#feed-state")).to_have_value("defeated")
    # A reload keeps the tab's token: the page comes back filtered and sorted.
    feed_tab.reload()
    expect(total).to_have_text(re.compile(r"^1 proposals"), timeout=STEP_TIMEOUT_MS)
    expect(feed_tab.locator("#feed-state")).to_have_value("defeated")
    expect(feed_tab.locator("#feed-sort")).to_have_value("most_votes")

    # The signed-in tab is still signed in, on the new workers and after a reload.
    session_tab.reload()
    expect_signed_in(session_tab, wallet.address)

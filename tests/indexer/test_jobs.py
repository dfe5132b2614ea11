"""Indexing JobBoard: a real chain with jobs in every status (completed, upheld, slashed,
missed delivery, cancelled, challenged, in review, in progress, open in ETH and cUSD),
a hostile evidence CID, withdrawals, on SQLite and PostgreSQL; the read queries checked
against the contract's own views; a reorg that must leave what a clean index gives;
arbiters granted and revoked; the spec service's facts and the board's search over them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector
from sqlalchemy import text
from web3 import Web3

from coop_dashboard.chain import devchain
from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import write_manifest
from coop_dashboard.chain.data_licensing import ETH_CURRENCY, USES
from coop_dashboard.chain.job_board import STATUSES, status_name
from coop_dashboard.chain.transact import Sender
from coop_dashboard.config import Settings
from coop_dashboard.content.cid import cid_for_bytes
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db import job_queries as jq
from coop_dashboard.db.dataset_queries import dataset_lineage
from coop_dashboard.db.job_specs import spec_facts, unread_spec_cids
from coop_dashboard.demo.job_content import digits_spec, wine_spec
from coop_dashboard.indexer.chain_text import REPLACEMENT
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.digest import database_digest
from coop_dashboard.indexer.service import run_once
from coop_dashboard.services.datasets.lineage_graph import lineage_figure, provenance_elements
from coop_dashboard.services.jobs.board_view import BoardKey, read_board_view
from coop_dashboard.services.jobs.display import spec_title
from coop_dashboard.services.jobs.spec import parse
from coop_dashboard.services.jobs.spec_facts import fill_missing_spec_facts
from coop_dashboard.services.treasury.commitments import escrowed_bounties
from tests.indexer.conftest import engine_for, indexer_settings
from tests.support.chains import Chain, deploy, start_chain
from tests.support.datasets import act_as_governance
from tests.support.governance import pass_proposal
from tests.support.jobs import BOUNTY, CHALLENGE_BOND, DAY, STAKE, WINDOW, JobWorld, cid, job_world

HOSTILE_EVIDENCE = b"bafy\xff\x00evidence"
HOSTILE_SPEC = b"bafy\x00spec\xfe"
CUSD_BOUNTY = 5_000 * 10**6


@dataclass
class JobChain:
    chain: Chain
    world: JobWorld
    manifest: Path
    poster: Sender
    alpha: Sender
    beta: Sender
    challenger: Sender
    arbiter: Sender
    governance: Sender


def _start(artifacts: dict[str, Artifact], directory: Path) -> JobChain:
    chain = start_chain(directory)
    deployment = deploy(chain, artifacts)
    manifest = directory / "deployment.json"
    write_manifest(deployment, manifest)
    w3 = chain.w3
    world = job_world(w3, deployment)
    poster, alpha, beta, challenger, arbiter = (
        Sender.unlocked(w3, a) for a in w3.eth.accounts[2:7]
    )
    world.license(alpha)
    world.license(beta)
    governance = act_as_governance(w3, deployment)
    f = world.board.functions
    governance.call(f.grantRole(f.ARBITER_ROLE().call(), arbiter.address), what="arbiter")
    return JobChain(chain, world, manifest, poster, alpha, beta, challenger, arbiter, governance)


def _challenge_raw(jobs: JobChain, job: int, evidence: bytes) -> None:
    """Challenge with evidence of raw bytes (invalid UTF-8, NUL), which web3 would refuse."""
    selector = function_signature_to_4byte_selector("challengeResult(uint256,string)")
    data = selector + encode(["uint256", "bytes"], [job, evidence])
    w3 = jobs.chain.w3
    tx_hash = w3.eth.send_transaction(
        {
            "from": jobs.challenger.address,
            "to": jobs.world.board.address,
            "data": data,
            "value": CHALLENGE_BOND,
            "gas": 300_000,
        }
    )
    assert w3.eth.wait_for_transaction_receipt(tx_hash)["status"] == 1


def _post_raw_spec(jobs: JobChain, spec: bytes) -> int:
    """Post a job whose spec CID is raw bytes (invalid UTF-8, NUL), which web3 would refuse."""
    world, w3 = jobs.world, jobs.chain.w3
    terms = list(world.terms())
    terms[0] = spec
    struct = "(bytes,uint256[],uint8,address,uint256,uint64,uint64,uint96,uint64)"
    signature = "postJob((string,uint256[],uint8,address,uint256,uint64,uint64,uint96,uint64))"
    data = function_signature_to_4byte_selector(signature) + encode([struct], [tuple(terms)])
    tx_hash = w3.eth.send_transaction(
        {
            "from": jobs.poster.address,
            "to": world.board.address,
            "data": data,
            "value": BOUNTY,
            "gas": 500_000,
        }
    )
    assert w3.eth.wait_for_transaction_receipt(tx_hash)["status"] == 1
    return int(world.board.functions.jobCount().call())


def _story(jobs: JobChain) -> dict[str, int]:
    """Jobs in every status; those that need time to pass first."""
    w3, world = jobs.chain.w3, jobs.world
    f = world.board.functions
    poster, alpha, beta = jobs.poster, jobs.alpha, jobs.beta
    # Completed: two bids, one accepted, the other withdrawn, finalized after the window.
    completed = world.post(poster)
    world.bid(alpha, completed, price=BOUNTY * 6 // 10)
    world.bid(beta, completed, price=BOUNTY // 2, stake=2 * STAKE)
    poster.call(f.acceptBid(completed, alpha.address), what="accept")
    beta.call(f.withdrawBid(completed), what="withdraw bid")
    alpha.call(f.submitResult(completed, cid("ckpt"), cid("metrics"), 910_000), what="submit")
    # Upheld and slashed challenges (the slashed one with hostile evidence), missed delivery.
    upheld = world.in_review(poster, alpha)
    jobs.challenger.call(f.challengeResult(upheld, cid("ev")), what="c", value=CHALLENGE_BOND)
    jobs.arbiter.call(f.resolveChallenge(upheld, True, cid("fine")), what="uphold")
    slashed = world.in_review(poster, beta)
    _challenge_raw(jobs, slashed, HOSTILE_EVIDENCE)
    jobs.arbiter.call(f.resolveChallenge(slashed, False, cid("wrong")), what="slash")
    missed = world.post(poster)
    world.bid(beta, missed)
    poster.call(f.acceptBid(missed, beta.address), what="accept")
    devchain.increase_time(w3, 7 * DAY + 1)
    jobs.challenger.call(f.finalizeJob(completed), what="finalize")
    poster.call(f.refundMissedDelivery(missed), what="refund")
    # Now the jobs that stay live.
    cancelled = _post_raw_spec(jobs, HOSTILE_SPEC)
    world.bid(alpha, cancelled)
    poster.call(f.cancelJob(cancelled), what="cancel")
    challenged = world.in_review(poster, alpha)
    jobs.challenger.call(f.challengeResult(challenged, cid("e2")), what="c", value=CHALLENGE_BOND)
    in_review = world.in_review(poster, beta)
    in_progress = world.post(poster)
    world.bid(alpha, in_progress)
    poster.call(f.acceptBid(in_progress, alpha.address), what="accept")
    open_eth = world.post(poster, world.terms(bounty=3 * BOUNTY, spec="open job"))
    world.bid(alpha, open_eth)
    world.bid(beta, open_eth, price=BOUNTY)
    cusd = world.deployment.contract(w3, "MockStablecoin")
    poster.call(cusd.functions.mint(poster.address, CUSD_BOUNTY), what="mint")
    poster.call(cusd.functions.approve(world.board.address, CUSD_BOUNTY), what="approve")
    open_cusd = world.post(
        poster, world.terms(asset=cusd.address, bounty=CUSD_BOUNTY, datasets=world.datasets[:1])
    )
    for who in (alpha, beta, poster):
        who.call(f.withdraw(ETH_CURRENCY), what="withdraw")
    return {
        "completed": completed,
        "upheld": upheld,
        "slashed": slashed,
        "missed": missed,
        "cancelled": cancelled,
        "challenged": challenged,
        "in_review": in_review,
        "in_progress": in_progress,
        "open_eth": open_eth,
        "open_cusd": open_cusd,
    }


@pytest.fixture(scope="module")
def story(
    compiled_artifacts: dict[str, Artifact], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[JobChain, dict[str, int]]]:
    jobs = _start(compiled_artifacts, tmp_path_factory.mktemp("jobs"))
    try:
        yield jobs, _story(jobs)
    finally:
        jobs.chain.stop()


def test_the_index_answers_every_job_question(
    story: tuple[JobChain, dict[str, int]], database_url: str
) -> None:
    jobs, ids = story
    world = jobs.world
    f = world.board.functions
    run_once(indexer_settings(jobs.chain.rpc_url, jobs.manifest, database_url), IndexerConfig())
    engine = engine_for(database_url)
    alpha, beta = jobs.alpha.address.lower(), jobs.beta.address.lower()
    cusd = world.deployment.address("MockStablecoin").lower()

    # Every job's state is the contract's (the queries name statuses and uses as it does).
    assert (jq.STATUSES, jq.USES) == (STATUSES, USES)
    for job in ids.values():
        detail = jq.job_detail(engine, job)
        assert detail is not None
        stored = f.jobOf(job).call()
        assert detail.summary.status == status_name(stored[3]), job
        assert detail.summary.bid_count == f.bidCount(job).call()
        assert detail.summary.bounty == stored[11]
        provider = stored[8].lower() if int(stored[8], 16) else None
        assert detail.summary.provider == provider
        assert detail.summary.model_id == (f.modelOfJob(job).call() or None)
    assert jq.status_counts(engine) == {
        "open": 2,
        "in_progress": 1,
        "in_review": 1,
        "challenged": 1,
        "completed": 2,
        "failed": 2,
        "cancelled": 1,
    }

    # The board: filters, sorts, pages, search.
    page = jq.list_jobs(engine, jq.JobQuery(statuses=("open",), sort="bounty_high"))
    assert [row.job_id for row in page.rows] == [ids["open_eth"], ids["open_cusd"]]
    eth_open = jq.list_jobs(engine, jq.JobQuery(statuses=("open",), asset=ETH_CURRENCY))
    assert [row.job_id for row in eth_open.rows] == [ids["open_eth"]]
    assert eth_open.rows[0].bid_count == 2
    assert eth_open.rows[0].next_deadline == eth_open.rows[0].bidding_deadline
    cusd_jobs = jq.list_jobs(engine, jq.JobQuery(asset=cusd.upper().replace("0X", "0x")))
    assert [row.job_id for row in cusd_jobs.rows] == [ids["open_cusd"]]
    rich = jq.list_jobs(engine, jq.JobQuery(min_bounty=2 * BOUNTY, asset=ETH_CURRENCY))
    assert [row.job_id for row in rich.rows] == [ids["open_eth"]]
    only_first = jq.list_jobs(engine, jq.JobQuery(dataset_id=world.datasets[1]))
    assert ids["open_cusd"] not in {row.job_id for row in only_first.rows}
    assert only_first.total == len(ids) - 1
    paged = jq.list_jobs(engine, jq.JobQuery(page=2, page_size=3))
    assert paged.total == len(ids) and paged.pages == 4 and len(paged.rows) == 3
    by_deadline = jq.list_jobs(engine, jq.JobQuery(sort="deadline", page_size=100)).rows
    waiting = [row.next_deadline for row in by_deadline if row.next_deadline is not None]
    assert waiting == sorted(waiting) and len(waiting) == 5
    assert by_deadline[-1].next_deadline is None
    found = jq.list_jobs(engine, jq.JobQuery(search=cid("open job")[-12:].upper()))
    assert [row.job_id for row in found.rows] == [ids["open_eth"]]
    assert jq.list_jobs(engine, jq.JobQuery(search=f"#{ids['missed']}")).rows[0].status == (
        "failed"
    )
    for bad in (
        jq.JobQuery(sort="cheapest"),
        jq.JobQuery(statuses=("lost",)),
        jq.JobQuery(page=0),
        jq.JobQuery(min_bounty=5, max_bounty=1),
        jq.JobQuery(page_size=1_000),
    ):
        with pytest.raises(jq.JobQueryError):
            jq.list_jobs(engine, bad)
    assert jq.job_detail(engine, 999) is None and jq.job_detail(engine, -1) is None
    assert set(jq.job_assets(engine)) == {ETH_CURRENCY, cusd}

    # The completed job's page: bids, result, timeline, payouts that match the credits.
    detail = jq.job_detail(engine, ids["completed"])
    assert detail is not None
    assert [(b.provider, b.state) for b in detail.bids] == [
        (alpha, "accepted"),
        (beta, "withdrawn"),
    ]
    assert detail.bids[1].stake == 2 * STAKE
    (result,) = detail.results
    assert (result.checkpoint_cid, result.metrics_cid) == (cid("ckpt"), cid("metrics"))
    assert result.claimed_score == 910_000
    kinds = [entry.kind for entry in detail.timeline]
    assert kinds[:3] == ["posted", "bid_placed", "bid_placed"]
    assert kinds.index("bid_accepted") < kinds.index("result_submitted") < kinds.index("finalized")
    assert "model_recorded" in kinds
    price = BOUNTY * 6 // 10
    assert {(c.account, c.reason, c.amount) for c in detail.credits} == {
        (beta, "stake_returned", 2 * STAKE),
        (alpha, "payment", price),
        (alpha, "stake_returned", STAKE),
        (jobs.poster.address.lower(), "bounty_refund", BOUNTY - price),
    }

    # Hostile text: stored, replaced where it was not text (no NUL reaches PostgreSQL).
    hostile = jq.job_detail(engine, ids["cancelled"])
    assert hostile is not None and "\x00" not in hostile.summary.spec_cid
    assert hostile.summary.spec_cid == HOSTILE_SPEC.decode("utf-8", "replace").replace(
        "\x00", REPLACEMENT
    )
    assert f.jobOf(ids["cancelled"]).call()[13] == Web3.keccak(HOSTILE_SPEC)
    # Challenges: the hostile evidence is stored, replaced where it was not text.
    slashed = jq.job_detail(engine, ids["slashed"])
    assert slashed is not None
    (challenge,) = slashed.challenges
    assert REPLACEMENT in challenge.evidence_cid and "\x00" not in challenge.evidence_cid
    assert challenge.resolution is not None and not challenge.resolution.provider_upheld
    (slash,) = slashed.slashes
    assert slash.to_challenger + slash.to_treasury == STAKE
    upheld = jq.job_detail(engine, ids["upheld"])
    assert upheld is not None and upheld.challenges[0].resolution is not None
    assert upheld.challenges[0].resolution.provider_upheld
    pending = jq.job_detail(engine, ids["challenged"])
    assert pending is not None and pending.challenges[0].resolution is None
    assert pending.summary.next_deadline == pending.escalates_at

    # Reputation equals the contract's, earnings included.
    for provider in (jobs.alpha, jobs.beta):
        record = jq.reputations_of(engine, [provider.address])[provider.address.lower()]
        on_chain = tuple(f.reputationOf(provider.address).call())
        counted = (
            record.jobs_completed,
            record.jobs_failed,
            record.disputes_won,
            record.disputes_lost,
        )
        assert counted == on_chain
        earned = f.earnedOf(provider.address, ETH_CURRENCY).call()
        assert record.earned.get(ETH_CURRENCY, 0) == earned
    profile = jq.provider_profile(engine, jobs.beta.address)
    assert {job.job_id for job in profile.jobs} == {
        ids["slashed"],
        ids["missed"],
        ids["in_review"],
    }
    assert [d.job_id for d in profile.disputes] == [ids["slashed"]]
    assert profile.withdrawn[ETH_CURRENCY] == profile.credits[ETH_CURRENCY]
    nobody = jq.provider_profile(engine, "0x" + "ab" * 20)
    assert nobody.reputation.jobs_completed == 0 and nobody.jobs == []

    # Models: CIDs from the result, digests as the chain holds them, license of the datasets.
    models = jq.list_models(engine)
    assert [m.job_id for m in models] == [ids["completed"], ids["upheld"]]  # newest first
    model = jq.model_detail(engine, models[0].model_id)
    assert model is not None and model.summary.checkpoint_cid == cid("ckpt")
    assert model.summary.checkpoint_digest == "0x" + Web3.keccak(text=cid("ckpt")).hex()
    assert [d.dataset_id for d in model.datasets] == list(world.datasets)
    assert (model.license.use, model.license.known) == ("all", True)
    assert jq.model_detail(engine, 99) is None
    assert len(jq.list_models(engine, dataset_id=world.datasets[0])) == 2

    # Pre-flight: providers with a stake and a record, what similar jobs paid.
    stats = jq.preflight_stats(engine, asset=ETH_CURRENCY, purpose="research", minimum_stake=STAKE)
    assert stats.providers_total == 2 and stats.providers_qualified == 2
    assert {s.job_id for s in stats.similar} == {ids["completed"], ids["upheld"]}
    assert stats.median_price == BOUNTY * 6 // 10
    picky = jq.preflight_stats(
        engine, asset=ETH_CURRENCY, purpose="research", minimum_stake=STAKE, min_jobs_completed=1
    )
    assert picky.providers_qualified == 1  # beta completed nothing
    assert (
        jq.preflight_stats(engine, asset=cusd, purpose="research", minimum_stake=STAKE).similar
        == []
    )
    lineage = jq.jobs_of_datasets(engine, [world.datasets[0]])
    assert len(lineage) == len(ids)
    # The dataset page's provenance graph continues to the jobs and their models.
    first = world.datasets[0]
    nodes, edges = provenance_elements(engine, dataset_lineage(engine, first), first)
    keys = {node.key for node in nodes}
    assert {f"job:{job}" for job in ids.values()} <= keys
    assert {"model:1", "model:2"} <= keys
    assert (f"dataset:{first}", f"job:{ids['completed']}", "trained") in {
        (e.source, e.target, e.label) for e in edges
    }
    assert (f"job:{ids['completed']}", "model:2", "produced") in {
        (e.source, e.target, e.label) for e in edges
    }
    figure = lineage_figure(nodes, edges)
    assert f"/jobs/{ids['open_eth']}" in figure.targets[1]

    with engine.connect() as connection:
        settings = connection.execute(
            text("SELECT setting FROM gov_setting_change WHERE setting LIKE 'job%'")
        ).all()
    assert {s for (s,) in settings} >= {"job_challenge_bond", "job_asset_allowed"}


def test_a_reorg_leaves_what_a_clean_index_gives(
    compiled_artifacts: dict[str, Artifact],
    tmp_path: Path,
    database_url: str,
    make_database_url: Callable[[], str],
) -> None:
    jobs = _start(compiled_artifacts, tmp_path)
    try:
        w3, world = jobs.chain.w3, jobs.world
        f = world.board.functions
        settings = indexer_settings(jobs.chain.rpc_url, jobs.manifest, database_url)
        job = world.post(jobs.poster)
        world.bid(jobs.alpha, job)
        run_once(settings, IndexerConfig())
        snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]

        # A branch that takes the job to a model and appoints an arbiter, then gone.
        jobs.governance.call(f.grantRole(f.ARBITER_ROLE().call(), jobs.alpha.address), what="a")
        jobs.poster.call(f.acceptBid(job, jobs.alpha.address), what="accept")
        jobs.alpha.call(f.submitResult(job, cid("c"), cid("m"), 1), what="submit")
        devchain.increase_time(w3, WINDOW + 1)
        jobs.poster.call(f.finalizeJob(job), what="finalize")
        run_once(settings, IndexerConfig())
        engine = engine_for(database_url)
        assert jq.status_counts(engine)["completed"] == 1
        assert jq.is_arbiter(engine, jobs.alpha.address)

        w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
        world.bid(jobs.beta, job)
        devchain.mine(w3, 3)
        run_once(settings, IndexerConfig())

        clean = make_database_url()
        run_once(indexer_settings(jobs.chain.rpc_url, jobs.manifest, clean), IndexerConfig())
        assert database_digest(engine) == database_digest(engine_for(clean))
        detail = jq.job_detail(engine, job)
        assert detail is not None and detail.summary.status == "open"
        assert detail.summary.bid_count == 2 and jq.list_models(engine) == []
        assert jq.arbiters(engine) == [jobs.arbiter.address.lower()]
    finally:
        jobs.chain.stop()


def test_treasury_job_flows_are_filed_and_live_escrows_committed(
    compiled_artifacts: dict[str, Artifact], tmp_path: Path, database_url: str
) -> None:
    """Governance posts two jobs through a proposal (one cancelled in the same execution),
    a member's job loses a challenge (the treasury's share of the stake), then governance
    withdraws its JobBoard credits: escrowed, refunded and slashed are told apart, and
    the live job's bounty is the treasury's escrow."""
    jobs = _start(compiled_artifacts, tmp_path)
    try:
        w3, world = jobs.chain.w3, jobs.world
        board, f = world.board, world.board.functions
        timelock = world.deployment.address("CoopTimelock")
        funder, voter = (Sender.unlocked(w3, a) for a in w3.eth.accounts[10:12])
        funder.send({"from": funder.address, "to": timelock, "value": 3 * BOUNTY}, what="fund")
        slashed = world.in_review(jobs.poster, jobs.beta)
        jobs.challenger.call(f.challengeResult(slashed, cid("e")), what="c", value=CHALLENGE_BOND)
        jobs.arbiter.call(f.resolveChallenge(slashed, False, cid("w")), what="slash")
        to_treasury = f.creditOf(timelock, ETH_CURRENCY).call()
        assert to_treasury > 0

        first = int(f.jobCount().call()) + 1
        terms = world.terms(bidding_in=30 * DAY, delivery_in=60 * DAY)

        def calldata(name: str, *args: object) -> bytes:
            return bytes.fromhex(board.encode_abi(name, args=list(args))[2:])

        actions = [calldata("postJob", terms), calldata("cancelJob", first)]
        actions.append(calldata("postJob", terms))
        pass_proposal(
            w3,
            world.deployment,
            voter,
            [board.address] * 3,
            [BOUNTY, 0, BOUNTY],
            actions,
            "# Fund two jobs\n\nThe first is cancelled at once.",
        )
        withdraw = calldata("withdraw", ETH_CURRENCY)
        pass_proposal(
            w3, world.deployment, voter, [board.address], [0], [withdraw], "# Collect credits"
        )
        assert f.creditOf(timelock, ETH_CURRENCY).call() == 0

        run_once(indexer_settings(jobs.chain.rpc_url, jobs.manifest, database_url), IndexerConfig())
        engine = engine_for(database_url)
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT category, direction, amount FROM treasury_movement "
                    "WHERE asset = 'eth' AND category IN "
                    "('bounty_escrowed', 'bounty_refunded', 'stake_slashed')"
                )
            ).all()
        filed: dict[tuple[str, str], int] = {}
        for category, direction, amount in rows:
            filed[(category, direction)] = filed.get((category, direction), 0) + int(amount)
        assert filed == {
            ("bounty_escrowed", "out"): 2 * BOUNTY,
            ("bounty_refunded", "in"): BOUNTY,
            ("stake_slashed", "in"): to_treasury,
        }
        assert escrowed_bounties(engine) == {"eth": BOUNTY}
        detail = jq.job_detail(engine, first + 1)
        assert detail is not None and detail.summary.poster == timelock.lower()
    finally:
        jobs.chain.stop()


def test_arbiters_follow_grants_revocations_and_renouncements(
    compiled_artifacts: dict[str, Artifact], tmp_path: Path, database_url: str
) -> None:
    jobs = _start(compiled_artifacts, tmp_path)
    try:
        f = jobs.world.board.functions
        role = f.ARBITER_ROLE().call()
        settings = indexer_settings(jobs.chain.rpc_url, jobs.manifest, database_url)
        run_once(settings, IndexerConfig())
        engine = engine_for(database_url)
        arbiter, alpha, beta = (s.address for s in (jobs.arbiter, jobs.alpha, jobs.beta))
        assert jq.arbiters(engine) == [arbiter.lower()]
        assert jq.is_arbiter(engine, arbiter) and not jq.is_arbiter(engine, alpha)

        jobs.governance.call(f.grantRole(role, alpha), what="grant alpha")
        jobs.governance.call(f.grantRole(role, beta), what="grant beta")
        jobs.governance.call(f.revokeRole(role, arbiter), what="revoke the first")
        jobs.beta.call(f.renounceRole(role, beta), what="beta steps down")
        jobs.governance.call(f.grantRole(role, arbiter), what="grant the first again")
        run_once(settings, IndexerConfig())
        expected = sorted(a.lower() for a in (arbiter, alpha))
        assert jq.arbiters(engine) == expected
        assert [a for a in (arbiter, alpha, beta) if f.hasRole(role, a).call()] == [
            arbiter,
            alpha,
        ]
        assert not jq.is_arbiter(engine, beta)
        assert not jq.is_arbiter(engine, jobs.governance.address)  # admin, not arbiter
    finally:
        jobs.chain.stop()


def _count_store_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every content-store read from here on, by method name (the reads still happen)."""
    reads: list[str] = []
    for name in ("has", "size", "get", "iter_content", "iter_blocks"):
        method = getattr(LocalContentStore, name)

        def counted(self: LocalContentStore, *args: Any, _m: Any = method, _n: str = name) -> Any:
            reads.append(_n)
            return _m(self, *args)

        monkeypatch.setattr(LocalContentStore, name, counted)
    return reads


def _board_titles(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, reads: list[str]
) -> dict[int, str]:
    """The board page's titles by job id, through the page's own service; no store reads."""
    monkeypatch.setenv("RPC_URL", settings.rpc_url)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DEPLOYMENT", str(settings.deployment_path))
    monkeypatch.setenv("CONTENT_DIR", str(settings.content_dir))
    before = len(reads)
    view = read_board_view(BoardKey())
    assert reads[before:] == []  # titles come from the index (job_spec), not the store
    return {row.job_id: row.title for row in view.rows}


def test_spec_facts_are_read_once_and_searched_and_hostile_specs_recorded(
    compiled_artifacts: dict[str, Artifact],
    tmp_path: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Specs from the content store: a JobSpec's facts are saved and searched; bytes that
    are no JobSpec and a spec CID that is no CID are saved with the reason; a spec not in
    the store stays unread until its bytes arrive. The board shows each job's title from
    the index, without reading the store: a spec's own, "Training job #N" for one that is
    no JobSpec, the CID short for one not read yet."""
    jobs = _start(compiled_artifacts, tmp_path)
    try:
        world = jobs.world
        store = LocalContentStore(tmp_path / "content")
        settings = replace(
            indexer_settings(jobs.chain.rpc_url, jobs.manifest, database_url),
            content_dir=store.root,
        )

        def post(spec_cid: str) -> int:
            terms = list(world.terms())
            terms[0] = spec_cid
            return world.post(jobs.poster, tuple(terms))

        digits_cid = store.put(digits_spec(world.datasets[0]))
        digits = post(digits_cid)
        junk_cid = store.put(b'{"version": 1, "recipe": "rm -rf /"')
        junk = post(junk_cid)
        unknown = post(store.put(b'{"version": 1, "recipe": "perceptron", "task": "x"}'))
        later_bytes = wine_spec(world.datasets[1])
        later = post(cid_for_bytes(later_bytes))
        hostile = _post_raw_spec(jobs, HOSTILE_SPEC)
        run_once(settings, IndexerConfig())
        engine = engine_for(database_url)
        reads = _count_store_reads(monkeypatch)
        unread = _board_titles(monkeypatch, settings, reads)
        assert unread[digits] == f"Spec {digits_cid[:12]}…"

        assert fill_missing_spec_facts(settings) == 4  # all but the one not stored
        assert reads  # the spec service does read the store
        titles = _board_titles(monkeypatch, settings, reads)
        assert titles[digits] == spec_title(parse(digits_spec(world.datasets[0])), digits)
        assert titles[junk] == f"Training job #{junk}"
        assert titles[unknown] == f"Training job #{unknown}"
        assert titles[later] == f"Spec {cid_for_bytes(later_bytes)[:12]}…"
        assert unread_spec_cids(engine, 10) == [cid_for_bytes(later_bytes)]
        assert fill_missing_spec_facts(settings) == 0

        def found(search: str) -> list[int]:
            return [row.job_id for row in jq.list_jobs(engine, jq.JobQuery(search=search)).rows]

        assert found("logistic") == [digits]
        assert found("LOGISTIC F1 digit") == [digits]
        assert found(f"logistic #{junk}") == []
        assert found("cultivars") == []  # its spec is not read yet
        facts = spec_facts(engine, junk_cid)
        assert facts is not None and facts.recipe is None
        assert facts.problem is not None and "not valid JSON" in facts.problem
        unknown_detail = jq.job_detail(engine, unknown)
        assert unknown_detail is not None
        unknown_facts = spec_facts(engine, unknown_detail.summary.spec_cid)
        assert unknown_facts is not None and unknown_facts.problem
        hostile_detail = jq.job_detail(engine, hostile)
        assert hostile_detail is not None
        hostile_facts = spec_facts(engine, hostile_detail.summary.spec_cid)
        assert hostile_facts is not None and hostile_facts.problem == "Not a content identifier."

        store.put(later_bytes)  # the poster's upload arrives
        assert fill_missing_spec_facts(settings) == 1
        later_title = spec_title(parse(later_bytes), later)
        assert _board_titles(monkeypatch, settings, reads)[later] == later_title
        assert found("cultivars") == [later]
        assert found("neural accuracy") == [later]
    finally:
        jobs.chain.stop()

"""The compute nodes end to end on a real anvil, index, content store and database: a
worker with its own key bids on a posted job, is accepted, downloads the licensed data
through the gated HTTP route, trains, stores and submits; a verifier reproduces the
score (recomputed here independently of the nodes' code) and finalize pays the
worker. A dishonest worker is challenged by the verifier and slashed; bad specs and
a worker without a pass are refused with reasons before any bid."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from skops import io as skops_io
from starlette.testclient import TestClient
from web3.contract import Contract

from coop_dashboard.chain import devchain
from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.data_licensing import ETH_CURRENCY, TierTerms, pass_id
from coop_dashboard.chain.job_board import JobTerms
from coop_dashboard.chain.job_nodes import JobBoardNode
from coop_dashboard.chain.transact import Sender
from coop_dashboard.config import Settings
from coop_dashboard.content.cid import cid_for_bytes, sha256_digest
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.licensing_queries import access_log
from coop_dashboard.db.node_queries import latest_heartbeat, reproductions_of
from coop_dashboard.errors import ChainError
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.service import run_once
from coop_dashboard.nodes.app_client import AppClient, NodeHttpError
from coop_dashboard.nodes.journal import Journal
from coop_dashboard.nodes.verifier import Verifier
from coop_dashboard.nodes.worker import Worker, WorkerConfig
from coop_dashboard.services.datasets import demo
from coop_dashboard.services.jobs.spec import Evaluation, JobSpec, score_units
from tests.support.chains import Chain
from tests.support.datasets import (
    act_as_governance,
    api_client,
    deployed_app,
    emitted,
    register,
    sample_registration,
)
from tests.support.licensing import buy, set_tier

ETHER = 10**18
DAY = 86_400
WINE = demo._wine().csv()
SPEC = JobSpec(
    recipe="logistic_regression",
    params={"C": 0.5},
    training_datasets=(1,),  # replaced by the registered id
    label_column="cultivar",
    evaluation=Evaluation("holdout", test_share=0.25),
    metric="accuracy",
    target_score=0.9,
    tolerance=0.01,
    seed=11,
)


@dataclass
class World:
    chain: Chain
    deployment: Deployment
    settings: Settings
    client: TestClient
    poster: Sender
    worker_key: LocalAccount
    liar_key: LocalAccount
    verifier_key: LocalAccount
    unlicensed_key: LocalAccount
    dataset: int = 0
    tier: int = 0

    @property
    def store(self) -> LocalContentStore:
        return LocalContentStore(self.settings.content_dir)

    def node(self, key: LocalAccount) -> JobBoardNode:
        return JobBoardNode.with_key(self.chain.w3, self.deployment, key.key.hex())

    def app(self, key: LocalAccount) -> AppClient:
        return AppClient(self.client, key.key.hex())

    def index(self) -> None:
        run_once(self.settings, IndexerConfig())

    def post(self, spec_bytes: bytes, datasets: tuple[int, ...] | None = None) -> int:
        spec_cid = self.store.put(spec_bytes)
        return self.post_cid(spec_cid, datasets)

    def post_cid(
        self,
        spec_cid: str,
        datasets: tuple[int, ...] | None = None,
        asset: str = ETH_CURRENCY,
        bounty: int = ETHER,
    ) -> int:
        now = devchain.latest_timestamp(self.chain.w3)
        terms = JobTerms(
            spec_cid=spec_cid,
            dataset_ids=datasets or (self.dataset,),
            bounty=bounty,
            bidding_deadline=now + DAY,
            delivery_deadline=now + 7 * DAY,
            minimum_stake=ETHER // 10,
            challenge_window_s=2 * DAY,
            asset=asset,
        )
        board = self.deployment.contract(self.chain.w3, "JobBoard")
        if asset != ETH_CURRENCY:  # the poster's tokens: minted, then approved to the board
            token = self.stablecoin  # the suite's ERC20 the board allows on a local chain
            self.poster.call(token.functions.mint(self.poster.address, bounty), what="mint")
            self.poster.call(token.functions.approve(board.address, bounty), what="approve")
        receipt = self.poster.call(
            board.functions.postJob(terms.as_struct()), what="post", value=terms.value
        )
        (event,) = emitted(board, "JobPosted", receipt)
        return int(event["args"]["jobId"])

    def accept(self, job: int, provider: str) -> None:
        board = self.deployment.contract(self.chain.w3, "JobBoard")
        self.poster.call(board.functions.acceptBid(job, provider), what="accept")

    @property
    def stablecoin(self) -> Contract:
        return self.deployment.contract(self.chain.w3, "MockStablecoin")

    def spec(self, **changes: object) -> JobSpec:
        return replace(SPEC, training_datasets=(self.dataset,), **changes)  # type: ignore[arg-type]


def _funded(chain: Chain) -> LocalAccount:
    account: LocalAccount = Account.create()
    chain.w3.provider.make_request(  # type: ignore[arg-type]
        "anvil_setBalance", [account.address, hex(10 * ETHER)]
    )
    return account


@pytest.fixture(scope="module")
def world(
    compiled_artifacts: dict[str, Artifact],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[World]:
    directory = tmp_path_factory.mktemp("compute-nodes")
    monkeypatch = pytest.MonkeyPatch()
    with (
        deployed_app(compiled_artifacts, directory) as (chain, deployment, settings),
        api_client(settings, monkeypatch) as client,
    ):
        w3 = chain.w3
        world = World(
            chain,
            deployment,
            settings,
            client,
            Sender.unlocked(w3, w3.eth.accounts[2]),
            *(_funded(chain) for _ in range(4)),
        )
        contributor = Sender.unlocked(w3, w3.eth.accounts[1])
        registration = replace(
            sample_registration("wine"),
            data_cid=world.store.put(WINE),
            content_digest=sha256_digest(WINE),
        )
        registry = deployment.contract(w3, "DatasetRegistry")
        world.dataset, _ = register(registry, contributor, registration)
        licensing = deployment.contract(w3, "DataLicensing")
        world.tier = set_tier(licensing, contributor, world.dataset, TierTerms(price=10**15))
        buyer = Sender.unlocked(w3, w3.eth.accounts[4])
        for holder in (world.worker_key, world.liar_key, world.verifier_key):
            buy(w3, deployment, licensing, buyer, world.dataset, world.tier, holder.address)
        world.index()
        yield world
    monkeypatch.undo()


def _worker(world: World, key: LocalAccount, folder: Path, **config: object) -> Worker:
    return Worker(
        world.node(key),
        world.app(key),
        Journal(folder),
        WorkerConfig(**config),  # type: ignore[arg-type]
    )


def _verifier(world: World, folder: Path) -> Verifier:
    key = world.verifier_key
    return Verifier(world.node(key), world.app(key), Journal(folder))


def _independent_accuracy(model_bytes: bytes, spec: JobSpec) -> float:
    """The holdout accuracy recomputed here: our own CSV reading and split, skops' loader."""
    rows = list(csv.DictReader(io.StringIO(WINE.decode())))
    labels = np.array([row["cultivar"] for row in rows])
    features = np.array([[float(v) for k, v in row.items() if k != "cultivar"] for row in rows])
    rng = np.random.default_rng(spec.seed)
    test = np.zeros(len(rows), dtype=bool)
    for label in sorted(set(labels.tolist())):
        members = np.flatnonzero(labels == label)
        rng.shuffle(members)
        test[members[: round(len(members) * spec.evaluation.test_share)]] = True
    model = skops_io.loads(model_bytes, trusted=skops_io.get_untrusted_types(data=model_bytes))
    return float(np.mean(model.predict(features[test]) == labels[test]))


def test_a_job_is_bid_on_trained_verified_and_paid(world: World, tmp_path: Path) -> None:
    spec = world.spec()
    job = world.post(spec.to_json())
    worker = _worker(world, world.worker_key, tmp_path / "worker")
    worker.step()
    assert worker.journal.job(job)["stage"] == "bid"  # type: ignore[index]
    world.accept(job, world.worker_key.address)
    worker.step()
    entry = worker.journal.job(job)
    assert entry is not None and entry["stage"] == "submitted"
    node = world.node(world.worker_key)
    result = node.result_of(job)
    assert result is not None and node.job_state(job).status == "in_review"
    # The checkpoint in the content store loads, predicts, and scores what was claimed.
    model_bytes = world.store.get(result.checkpoint_cid)
    recomputed = _independent_accuracy(model_bytes, spec)
    assert score_units(recomputed) == result.claimed_units
    metrics = json.loads(world.store.get(result.metrics_cid))
    assert metrics["score"] == pytest.approx(recomputed) and metrics["test_rows"] == 45
    engine = get_engine(world.settings.database_url)
    beat = latest_heartbeat(engine, job, world.worker_key.address)
    assert beat is not None and beat.stage == "submitted"
    # A restarted worker (same journal) does nothing twice.
    again = _worker(world, world.worker_key, tmp_path / "worker")
    again.step()
    assert len(node.submitted_results(0, node.head())) == 1
    verifier = _verifier(world, tmp_path / "verifier")
    verifier.step()
    assert verifier.journal.job(job)["stage"] == "agreed"  # type: ignore[index]
    (reproduction,) = reproductions_of(engine, job)
    assert reproduction.agrees and reproduction.claimed_units == result.claimed_units
    assert reproduction.reproduced_units == result.claimed_units
    assert reproduction.retrained_units == result.claimed_units  # re-training is exact
    balance = node.balance()
    devchain.increase_time(world.chain.w3, 2 * DAY + 1)
    worker.step()
    assert node.job_state(job).status == "completed"
    # Finalized, then price (the whole bounty) + stake withdrawn to the worker's address.
    assert node.credit() == 0 and set((worker.journal.job(job) or {})["withdrawn"]) == {
        ETH_CURRENCY
    }
    gas_allowance = ETHER // 100
    assert node.balance() - balance > ETHER + ETHER // 10 - gas_allowance


USD = 10**6  # MockStablecoin's six decimals


def test_a_token_bounty_is_taken_above_its_minimum_and_withdrawn(
    world: World, tmp_path: Path
) -> None:
    """A cUSD job: bid at its per-asset minimum, delivered, finalized; the price comes
    off the board in cUSD and the stake in ETH. A cUSD job below the minimum is refused."""
    usd = world.stablecoin.address
    worker = _worker(
        world,
        world.worker_key,
        tmp_path / "usd",
        min_prices=((usd.lower(), 10 * USD),),
        from_head=True,  # only the two jobs below, not the module's earlier ones
    )
    worker.step()
    cheap = world.post_cid(world.store.put(world.spec(seed=71).to_json()), asset=usd, bounty=USD)
    job = world.post_cid(world.store.put(world.spec(seed=72).to_json()), asset=usd, bounty=50 * USD)
    worker.step()
    refused = worker.journal.job(cheap) or {}
    assert refused["stage"] == "refused", refused
    assert (
        f"bounty {USD} units of {usd} is below this worker's minimum {10 * USD}"
        in (refused["reason"])
    )
    assert (worker.journal.job(job) or {})["stage"] == "bid"
    world.accept(job, world.worker_key.address)
    worker.step()
    assert (worker.journal.job(job) or {})["stage"] == "submitted"
    node = world.node(world.worker_key)
    tokens_before = world.stablecoin.functions.balanceOf(node.address).call()
    devchain.increase_time(world.chain.w3, 2 * DAY + 1)
    worker.step()
    entry = worker.journal.job(job) or {}
    assert entry["stage"] == "completed" and set(entry["withdrawn"]) == {ETH_CURRENCY, usd.lower()}
    assert node.credit(usd) == 0 and node.credit() == 0
    assert world.stablecoin.functions.balanceOf(node.address).call() - tokens_before == 50 * USD


def test_an_inflated_claim_is_challenged_and_slashed(world: World, tmp_path: Path) -> None:
    job = world.post(world.spec(seed=12).to_json())
    liar = _worker(world, world.liar_key, tmp_path / "liar", dishonest="inflate")
    liar.step()
    world.accept(job, world.liar_key.address)
    liar.step()
    verifier = _verifier(world, tmp_path / "verifier")
    verifier.step()
    entry = verifier.journal.job(job)
    assert entry is not None and entry["stage"] == "challenged", entry
    node = world.node(world.verifier_key)
    assert node.job_state(job).status == "challenged"
    evidence = json.loads(world.store.get(entry["evidence_cid"]))
    assert evidence["agrees"] is False and "outside the tolerance" in evidence["reason"]
    (reproduction,) = reproductions_of(get_engine(world.settings.database_url), job)
    assert not reproduction.agrees
    assert reproduction.claimed_units - reproduction.reproduced_units > SPEC.tolerance_units
    governance = act_as_governance(world.chain.w3, world.deployment)
    board = world.deployment.contract(world.chain.w3, "JobBoard")
    arbiter = Sender.unlocked(world.chain.w3, world.chain.w3.eth.accounts[8])
    role = board.functions.ARBITER_ROLE().call()
    governance.call(board.functions.grantRole(role, arbiter.address), what="grant")
    receipt = arbiter.call(
        board.functions.resolveChallenge(job, False, cid_for_bytes(b"did not reproduce")),
        what="resolve",
    )
    (slashed,) = emitted(board, "ProviderSlashed", receipt)
    assert slashed["args"]["provider"] == world.liar_key.address
    assert node.job_state(job).status == "failed"


def test_a_checkpoint_trained_on_other_data_is_challenged(world: World, tmp_path: Path) -> None:
    job = world.post(world.spec(seed=13).to_json())
    liar = _worker(world, world.liar_key, tmp_path / "liar", dishonest="other_data")
    liar.step()
    world.accept(job, world.liar_key.address)
    liar.step()
    verifier = _verifier(world, tmp_path / "verifier")
    verifier.step()
    entry = verifier.journal.job(job)
    assert entry is not None and entry["stage"] == "challenged", entry


def test_bad_specs_are_refused_before_bidding(world: World, tmp_path: Path) -> None:
    good = json.loads(world.spec(seed=14).to_json())
    unknown_recipe = json.dumps({**good, "recipe": "quantum_annealer"}).encode()
    outside_eval = world.spec(evaluation=Evaluation("dataset", dataset_id=world.dataset + 50))
    jobs = {
        "unknown": world.post(unknown_recipe),
        "eval": world.post(outside_eval.to_json()),
        "unreachable": world.post_cid(cid_for_bytes(b"a spec nobody stored")),
    }
    worker = _worker(world, world.worker_key, tmp_path / "picky", max_concurrent=5)
    worker.step()
    reasons = {name: (worker.journal.job(job) or {}) for name, job in jobs.items()}
    assert all(entry["stage"] == "refused" for entry in reasons.values()), reasons
    assert "Unknown recipe 'quantum_annealer'" in reasons["unknown"]["reason"]
    assert "missing evaluation data" in reasons["eval"]["reason"]
    assert "spec unreachable" in reasons["unreachable"]["reason"]
    board = world.deployment.contract(world.chain.w3, "JobBoard")
    assert all(board.functions.bidCount(job).call() == 0 for job in jobs.values())


def test_a_worker_without_a_pass_neither_bids_nor_downloads(world: World, tmp_path: Path) -> None:
    job = world.post(world.spec(seed=15).to_json())
    worker = _worker(world, world.unlicensed_key, tmp_path / "unlicensed")
    worker.step()
    entry = worker.journal.job(job)
    assert entry is not None and entry["stage"] == "refused"
    assert "no valid research pass" in entry["reason"]
    facts = world.node(world.unlicensed_key).dataset_data(world.dataset)
    with pytest.raises(NodeHttpError, match="holds no access pass to dataset"):
        world.app(world.unlicensed_key).download_dataset(
            world.dataset, facts.data_cid, facts.content_digest
        )


# --- a worker process killed mid-training ----------------------------------------------

SLOW_SPEC_PARAMS = {"hidden_units": 256, "hidden_layers": 2, "max_iter": 2000, "alpha": 0.0}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(settings: Settings, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "COOP_DATA_DIR": str(settings.data_dir),
        "CONTENT_DIR": str(settings.content_dir),
        "DATABASE_URL": settings.database_url,
        "APP_ORIGIN": settings.app_origin,
        "RPC_URL": settings.rpc_url,
        "CHAIN_ID": str(settings.chain_id),
        "DEPLOYMENT": str(settings.deployment_path),
        **extra,
    }


def _wait(
    condition: Callable[[], bool],
    timeout_s: float,
    what: str,
    story: Callable[[], str] = lambda: "",
) -> None:
    """Poll `condition`; on timeout say what was awaited and, from `story`, what the
    node did meanwhile (its journal and log), so a failure under load explains itself."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout_s:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}{story()}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def served_api(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app's HTTP API in its own server process, as a remote worker reaches it."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("api") / "granian.log").open("w")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "granian"),
            "--interface",
            "asgi",
            "--factory",
            "--port",
            str(port),
            "coop_dashboard.api.app:build_api",
        ],
        env=_environment(world.settings),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:

        def answers() -> bool:
            try:
                return httpx.post(f"{url}/api/auth/nonce", json={}).status_code == 400
            except httpx.HTTPError:
                return False

        _wait(answers, 180, "the API server")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _start_worker(world: World, key: LocalAccount, url: str, state: Path, log: Path) -> Any:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "coop_dashboard.cli",
            "worker",
            "--app-url",
            url,
            "--state-dir",
            str(state),
            "--poll",
            "0.3",
            "--recipe",
            "mlp",
        ],
        env=_environment(world.settings, COOP_WORKER_KEY=key.key.hex()),
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )


# Two worker processes each training an MLP for seconds on a loaded 2-core machine.
@pytest.mark.timeout(1200)
def test_a_worker_killed_mid_training_resumes_and_submits_once(
    world: World, served_api: str, tmp_path: Path
) -> None:
    key = _funded(world.chain)
    licensing = world.deployment.contract(world.chain.w3, "DataLicensing")
    buyer = Sender.unlocked(world.chain.w3, world.chain.w3.eth.accounts[4])
    buy(world.chain.w3, world.deployment, licensing, buyer, world.dataset, world.tier, key.address)
    world.index()
    spec = world.spec(recipe="mlp", params=SLOW_SPEC_PARAMS, seed=21)
    job = world.post(spec.to_json())
    state, log = tmp_path / "state", tmp_path / "worker.log"
    journal_path = state / "journal.json"

    def entry() -> dict[str, Any]:
        if not journal_path.exists():
            return {}
        return dict(json.loads(journal_path.read_text())["jobs"].get(str(job), {}))

    def stage() -> str:
        return str(entry().get("stage", ""))

    def story() -> str:
        text = log.read_text() if log.exists() else ""
        tail = "\n".join(text.splitlines()[-25:])
        return (
            f"\njob {job} journal entry: {entry()}\nchain status: "
            f"{world.node(key).job_state(job).status}\nworker log (last lines):\n{tail}"
        )

    worker = _start_worker(world, key, served_api, state, log)
    try:
        _wait(lambda: stage() == "bid", 300, "the bid", story)
        world.accept(job, key.address)
        _wait(lambda: "training mlp" in log.read_text(), 300, "training to start", story)
        # Frozen at once, then checked, then killed: the check and the kill see the same
        # moment. (It used to sleep a second and check a running worker: at load ~12 the
        # MLP, ~4 s unloaded, could finish in between and the check failed.)
        worker.send_signal(signal.SIGSTOP)
        # Mid-training: nothing trained or stored yet (else the stop came too late).
        assert stage() == "downloaded", f"not mid-training when stopped{story()}"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    node = world.node(key)
    assert node.result_of(job) is None, f"a result was on chain before the kill{story()}"
    served_before = len(access_log(get_engine(world.settings.database_url), world.dataset))
    first_run = log.read_text()
    assert first_run.count("downloaded (") == 1, f"not one download before the kill{story()}"
    restarted = _start_worker(world, key, served_api, state, log)
    try:
        _wait(lambda: stage() == "submitted", 600, "the submission after the restart", story)
    finally:
        restarted.terminate()
        restarted.wait(timeout=30)
    second_run = log.read_text()[len(first_run) :]
    # Resumed at training, not at download.
    assert "downloaded (" not in second_run, f"downloaded again after the restart{story()}"
    assert "training mlp" in second_run and "result submitted" in second_run, story()
    served_after = len(access_log(get_engine(world.settings.database_url), world.dataset))
    assert served_after == served_before
    submitted = [r for r in node.submitted_results(0, node.head()) if r.job_id == job]
    assert len(submitted) == 1 and submitted[0].provider == key.address, (
        f"{len(submitted)} results submitted: {submitted}{story()}"
    )
    model = world.store.get(submitted[0].checkpoint_cid)
    assert skops_io.loads(model, trusted=skops_io.get_untrusted_types(data=model)).predict


# --- the nodes' HTTP API refuses forged reports ------------------------------------------


def _token(world: World, key: LocalAccount) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.app(key).sign_in()}"}


def test_node_reports_are_checked_before_anything_is_stored(world: World) -> None:
    job = world.post(world.spec(seed=31).to_json())
    client = world.client
    stranger = _token(world, world.unlicensed_key)
    beat = {"job_id": job, "stage": "training", "done": 1, "total": 2, "detail": "x"}
    assert client.post("/api/nodes/heartbeat", json=beat).status_code == 401
    refused = client.post("/api/nodes/heartbeat", json=beat, headers=stranger)
    assert refused.status_code == 403 and "not the accepted provider" in refused.json()["error"]
    for forged, message in [
        ({**beat, "job_id": True}, '"job_id" must be a whole number'),
        ({**beat, "done": -1}, '"done" must be a whole number'),
        ({**beat, "stage": "<script>"}, '"stage" must be one of'),
        ({**beat, "detail": "x" * 241}, '"detail" must be text'),
        ({**beat, "job_id": 10**6}, "There is no job 1000000"),
        ([beat], "Send a JSON object"),
    ]:
        answer = client.post("/api/nodes/heartbeat", json=forged, headers=stranger)
        assert answer.status_code in (400, 404) and message in answer.json()["error"], forged
    reproduction = {
        "job_id": job,
        "reproduced_units": 900_000,
        "agrees": True,
        "metrics_cid": cid_for_bytes(b"m"),
    }
    early = client.post("/api/nodes/reproduction", json=reproduction, headers=stranger)
    assert early.status_code == 409 and "no submitted result" in early.json()["error"]
    for forged, message in [
        ({**reproduction, "reproduced_units": 1_000_001}, "from 0 to 1000000"),
        ({**reproduction, "agrees": "yes"}, '"agrees" must be true or false'),
        ({**reproduction, "metrics_cid": "not-a-cid"}, '"metrics_cid" must be a CID'),
    ]:
        answer = client.post("/api/nodes/reproduction", json=forged, headers=stranger)
        assert answer.status_code == 400 and message in answer.json()["error"], forged
    assert client.post("/api/nodes/content", content=b"x").status_code == 401
    empty = client.post("/api/nodes/content", content=b"", headers=stranger)
    assert empty.status_code == 400
    stored = client.post("/api/nodes/content", content=b"metrics", headers=stranger)
    assert stored.json()["cid"] == cid_for_bytes(b"metrics")
    assert latest_heartbeat(get_engine(world.settings.database_url), job) is None


def test_the_demo_nodes_start_beside_the_app_and_stop(world: World, served_api: str) -> None:
    """What `coop up --nodes` starts: both processes come up on the chain and the app,
    journal from the head, and stop when asked."""
    from coop_dashboard.nodes.cli import start_demo_nodes, stop_demo_nodes

    processes = start_demo_nodes(world.settings, world.settings.rpc_url, served_api)
    folder = world.settings.data_dir / "nodes"
    try:
        for role in ("worker", "verify"):
            journal = folder / f"demo-{role}" / "journal.json"
            _wait(journal.exists, 300, f"the demo {role}'s journal")
            assert json.loads(journal.read_text())["last_block"] >= 0
        assert all(process.poll() is None for process in processes)
    finally:
        stop_demo_nodes(processes)
    assert all(process.returncode is not None for process in processes)
    log = (folder / "worker.log").read_text()
    assert "worker 0x" in log and served_api in log


def test_a_worker_with_an_expired_or_revoked_pass_is_told_why(world: World, tmp_path: Path) -> None:
    w3 = world.chain.w3
    licensing = world.deployment.contract(w3, "DataLicensing")
    contributor = Sender.unlocked(w3, w3.eth.accounts[1])
    buyer = Sender.unlocked(w3, w3.eth.accounts[4])
    day_tier = set_tier(
        licensing, contributor, world.dataset, TierTerms(price=10**14, duration_s=DAY)
    )
    expired, revoked = _funded(world.chain), _funded(world.chain)
    buy(w3, world.deployment, licensing, buyer, world.dataset, day_tier, expired.address)
    buy(w3, world.deployment, licensing, buyer, world.dataset, world.tier, revoked.address)
    governance = act_as_governance(w3, world.deployment)
    revoked_pass = pass_id(revoked.address, world.dataset, "research")
    governance.call(licensing.functions.revokePass(revoked_pass, "bafymisuse"), what="revoke")
    devchain.increase_time(w3, 2 * DAY)
    world.index()
    job = world.post(world.spec(seed=41).to_json())
    facts = world.node(expired).dataset_data(world.dataset)
    for key, reason in ((expired, "expired on"), (revoked, "was revoked by governance")):
        worker = _worker(world, key, tmp_path / key.address)
        worker.step()
        entry = worker.journal.job(job)
        assert entry is not None and "no valid research pass" in entry["reason"]
        with pytest.raises(NodeHttpError, match=reason):
            worker.app.download_dataset(world.dataset, facts.data_cid, facts.content_digest)


def test_a_reverted_node_transaction_names_the_contract_error(world: World) -> None:
    job = world.post(world.spec(seed=51).to_json())
    node = world.node(world.worker_key)
    deadline = devchain.latest_timestamp(world.chain.w3) + DAY
    with pytest.raises(ChainError, match=r"bid on job \d+ reverted: JobBoardInvalidPrice"):
        node.place_bid(job, 2 * ETHER, deadline, ETHER // 10)
    with pytest.raises(ChainError, match="JobBoardWrongStatus"):
        node.challenge(job, cid_for_bytes(b"evidence"), node.challenge_bond())


def test_the_losing_bidder_takes_its_stake_back(world: World, tmp_path: Path) -> None:
    job = world.post(world.spec(seed=61).to_json())
    winner = _worker(world, world.worker_key, tmp_path / "winner", max_concurrent=20)
    loser = _worker(world, world.liar_key, tmp_path / "loser", max_concurrent=20)
    winner.step()
    loser.step()
    assert (loser.journal.job(job) or {})["stage"] == "bid"
    world.accept(job, world.worker_key.address)
    before = loser.node.credit()
    loser.step()
    entry = loser.journal.job(job) or {}
    assert entry["stage"] == "lost" and entry["reason"] == "job in_progress"
    assert loser.node.credit() - before >= ETHER // 10  # this job's stake, at least
    assert not loser.node.has_bid(job)

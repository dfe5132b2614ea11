"""Gasless voting: signed ballots relayed and counted; replays, tampering, wrong signers,
keys without voting power, second votes and floods refused before any gas is spent;
the relayer's balance floor and hourly budget; the hash returned at once."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from sqlalchemy import Engine, func, select

from coop_dashboard.chain import devchain
from coop_dashboard.chain.contracts import write_manifest
from coop_dashboard.chain.deploy import TOKEN
from coop_dashboard.chain.governance_types import VoteSupport
from coop_dashboard.chain.relay_sender import RelaySender
from coop_dashboard.chain.signed_ballots import BallotChain, SignedBallot
from coop_dashboard.chain.transact import Sender
from coop_dashboard.config import PROJECT_ROOT, Settings
from coop_dashboard.db import relay_ledger
from coop_dashboard.db.engine import create_tables, make_engine
from coop_dashboard.db.relay_tables import RelayEvent
from coop_dashboard.services.governance import gasless
from coop_dashboard.services.governance.relay_policy import (
    RelayPolicy,
    RelayRateLimiter,
    RelayRefused,
)
from coop_dashboard.services.governance.relayer_config import RelayLimits
from coop_dashboard.services.governance.vote_relay import GaslessVoteRelay
from tests.chain.governance.conftest import Coop


class FakeClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@dataclass
class Relaying:
    coop: Coop
    relay: GaslessVoteRelay
    clock: FakeClock
    proposals: list[int]
    engine: Engine
    relayer_key: LocalAccount


def _active_proposal(coop: Coop, title: str) -> int:
    governor = coop.gov.governor.functions
    target = coop.deployment.address("DelegateRegistry")
    data = coop.gov.contract("DelegateRegistry").encode_abi("clearStatement", args=[])
    description = f"# {title}\n"
    coop.alice.call(governor.propose([target], [0], [data], description), what="propose")
    proposal_id: int = governor.hashProposal(
        [target], [0], [bytes.fromhex(data[2:])], keccak(text=description)
    ).call()
    return proposal_id


def _open_proposals(coop: Coop, count: int) -> list[int]:
    proposals = [_active_proposal(coop, f"Gasless {i} {time.time()}") for i in range(count)]
    devchain.increase_time(coop.w3, coop.gov.governor.functions.votingDelay().call() + 1)
    return proposals


def _relay(
    coop: Coop, engine: Engine, key: LocalAccount, limits: RelayLimits, clock: FakeClock
) -> GaslessVoteRelay:
    policy = RelayPolicy(RelaySender(coop.w3, key.key.to_0x_hex()), engine, limits, clock)
    return GaslessVoteRelay(BallotChain(coop.gov), policy)


@pytest.fixture
def setup(coop: Coop, tmp_path: Path) -> Iterator[Relaying]:
    relayer_key = Account.create()
    coop.deployer.transfer_eth(relayer_key.address, 10**18, what="fund relayer")
    clock = FakeClock()
    # The limits' ledger: the app's database (a SQLite file, as by default).
    engine = make_engine(f"sqlite:///{tmp_path / 'relay.db'}")
    create_tables(engine)
    relay = _relay(coop, engine, relayer_key, RelayLimits(max_per_hour=2), clock)
    yield Relaying(coop, relay, clock, _open_proposals(coop, 3), engine, relayer_key)
    engine.dispose()


def _sign(
    ballots: BallotChain,
    voter: LocalAccount,
    proposal_id: int,
    support: VoteSupport,
    reason: str = "",
) -> SignedBallot:
    typed = ballots.ballot_request(voter.address, proposal_id, support, reason)
    signature = bytes(voter.sign_typed_data(full_message=typed).signature)
    return SignedBallot(
        proposal_id, int(support), voter.address, typed["message"]["nonce"], signature, reason
    )


def _relayer_untouched(setup: Relaying, balance: int) -> None:
    w3 = setup.coop.w3
    assert w3.eth.get_balance(setup.relayer_key.address) == balance
    assert w3.eth.get_transaction_count(setup.relayer_key.address, "pending") == 0
    with setup.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(RelayEvent)).scalar() == 0


def test_a_signed_ballot_is_relayed_and_counted(setup: Relaying) -> None:
    coop, relay, proposals = setup.coop, setup.relay, setup.proposals
    carol_eth = coop.w3.eth.get_balance(coop.carol.address)
    result = relay.relay(_sign(relay.ballots, coop.carol, proposals[0], VoteSupport.FOR))
    governor = coop.gov.governor.functions
    assert governor.hasVoted(proposals[0], coop.carol.address).call()
    assert governor.proposalVotes(proposals[0]).call() == [0, 100_000 * 10**18, 0]
    receipt = coop.w3.eth.get_transaction_receipt(result.tx_hash)
    sent = coop.w3.eth.get_transaction(result.tx_hash)
    assert result.relayer == relay.relayer == sent["from"] and receipt["status"] == 1
    assert coop.w3.eth.get_balance(coop.carol.address) == carol_eth  # the voter paid nothing
    # Until it is followed, the ledger counts the most it could cost; then what it cost.
    reserved = relay_ledger.status_of(setup.engine, result.tx_hash)
    assert reserved is not None and reserved[0] == "sent"
    relay.policy.settle(result.tx_hash)
    cost = receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert relay_ledger.status_of(setup.engine, result.tx_hash) == ("succeeded", cost)
    assert 0 < cost < reserved[1]

    # With a reason: an ExtendedBallot, the reason lands in the VoteCast event.
    with_reason = relay.relay(
        _sign(relay.ballots, coop.carol, proposals[1], VoteSupport.AGAINST, "Too soon.")
    )
    logs = coop.gov.governor.events.VoteCast().process_receipt(
        coop.w3.eth.get_transaction_receipt(with_reason.tx_hash)
    )
    assert logs[0]["args"]["reason"] == "Too soon." and logs[0]["args"]["support"] == 0


def test_replayed_tampered_and_foreign_ballots_are_refused(setup: Relaying) -> None:
    coop, relay, proposals = setup.coop, setup.relay, setup.proposals
    ballot = _sign(relay.ballots, coop.carol, proposals[0], VoteSupport.FOR)
    tampered = SignedBallot(ballot.proposal_id, 0, ballot.voter, ballot.nonce, ballot.signature)
    with pytest.raises(RelayRefused) as caught:
        relay.relay(tampered)
    assert caught.value.code == "signer"

    stranger = Account.create()
    typed = relay.ballots.ballot_request(coop.carol.address, proposals[0], VoteSupport.FOR)
    foreign = SignedBallot(
        proposals[0], 1, coop.carol.address, typed["message"]["nonce"],
        bytes(stranger.sign_typed_data(full_message=typed).signature),
    )  # fmt: skip
    with pytest.raises(RelayRefused) as caught:
        relay.relay(foreign)
    assert caught.value.code == "signer" and stranger.address in str(caught.value)

    relay.relay(ballot)
    with pytest.raises(RelayRefused) as caught:
        relay.relay(ballot)  # the very same signed ballot again
    assert caught.value.code == "replayed"
    governor = coop.gov.governor.functions
    assert governor.proposalVotes(proposals[0]).call() == [0, 100_000 * 10**18, 0]


def test_a_key_without_voting_power_is_refused_before_any_transaction(setup: Relaying) -> None:
    coop, relay = setup.coop, setup.relay
    balance = coop.w3.eth.get_balance(setup.relayer_key.address)
    fresh = Account.create()  # signs in fine, holds nothing: its vote would weigh 0
    with pytest.raises(RelayRefused) as caught:
        relay.relay(_sign(relay.ballots, fresh, setup.proposals[0], VoteSupport.FOR))
    assert caught.value.code == "no_power"
    assert "no voting power at this proposal's snapshot" in str(caught.value)
    # A holder who received tokens only after the snapshot is refused the same way.
    coop.deployer.call(
        coop.gov.token.functions.transfer(fresh.address, 10 * TOKEN), what="late tokens"
    )
    with pytest.raises(RelayRefused) as caught:
        relay.relay(_sign(relay.ballots, fresh, setup.proposals[0], VoteSupport.FOR))
    assert caught.value.code == "no_power"
    assert not coop.gov.governor.functions.hasVoted(setup.proposals[0], fresh.address).call()
    _relayer_untouched(setup, balance)


def test_a_voter_who_already_voted_is_refused_before_any_transaction(setup: Relaying) -> None:
    coop, relay = setup.coop, setup.relay
    carol = Sender(coop.w3, coop.carol.address, coop.carol)
    carol.call(coop.gov.governor.functions.castVote(setup.proposals[0], 1), what="vote")
    balance = coop.w3.eth.get_balance(setup.relayer_key.address)
    with pytest.raises(RelayRefused) as caught:
        relay.relay(_sign(relay.ballots, coop.carol, setup.proposals[0], VoteSupport.AGAINST))
    assert caught.value.code == "already_voted" and "already voted" in str(caught.value)
    _relayer_untouched(setup, balance)


def test_the_rate_limit_kicks_in_per_voter(setup: Relaying) -> None:
    coop, relay, proposals = setup.coop, setup.relay, setup.proposals
    relay.relay(_sign(relay.ballots, coop.carol, proposals[0], VoteSupport.FOR))
    relay.relay(_sign(relay.ballots, coop.carol, proposals[1], VoteSupport.FOR))
    third = _sign(relay.ballots, coop.carol, proposals[2], VoteSupport.FOR)
    with pytest.raises(RelayRefused) as caught:
        relay.relay(third)
    assert caught.value.code == "rate_limited" and "try again in 1 hour" in str(caught.value)
    assert not coop.gov.governor.functions.hasVoted(proposals[2], coop.carol.address).call()
    setup.clock.now += 3_601
    relay.relay(third)
    assert coop.gov.governor.functions.hasVoted(proposals[2], coop.carol.address).call()


def test_a_closed_proposal_is_refused_before_gas_is_spent(setup: Relaying) -> None:
    coop, relay, proposals = setup.coop, setup.relay, setup.proposals
    ballot = _sign(relay.ballots, coop.carol, proposals[0], VoteSupport.FOR)
    deadline = coop.gov.governor.functions.proposalDeadline(proposals[0]).call()
    devchain.increase_time(coop.w3, deadline - devchain.latest_timestamp(coop.w3) + 1)
    balance = coop.w3.eth.get_balance(setup.relayer_key.address)
    with pytest.raises(RelayRefused) as caught:
        relay.relay(ballot)
    assert caught.value.code == "would_revert" and "the proposal is defeated" in str(caught.value)
    # No gas spent, so no allowance used: the limiter's event was deleted again.
    _relayer_untouched(setup, balance)


def test_a_database_outage_refuses_with_a_sentence_not_a_traceback(
    setup: Relaying, tmp_path: Path
) -> None:
    coop, relay = setup.coop, setup.relay
    # A database without the relay tables: the limiter's insert fails.
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    relay.policy.limiter = RelayRateLimiter(empty, clock=setup.clock)
    with pytest.raises(RelayRefused) as caught:
        relay.relay(_sign(relay.ballots, coop.carol, setup.proposals[0], VoteSupport.FOR))
    assert caught.value.code == "unavailable" and "Vote from your wallet" in str(caught.value)
    assert not coop.gov.governor.functions.hasVoted(setup.proposals[0], coop.carol.address).call()
    empty.dispose()


def test_a_relayer_below_its_balance_floor_refuses_clearly(
    setup: Relaying, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    coop = setup.coop
    floor = 2 * 10**18  # the relayer holds 1 ETH
    relay = _relay(
        coop, setup.engine, setup.relayer_key, RelayLimits(min_balance_wei=floor), setup.clock
    )
    balance = coop.w3.eth.get_balance(setup.relayer_key.address)
    with pytest.raises(RelayRefused) as caught:
        relay.relay(_sign(relay.ballots, coop.carol, setup.proposals[0], VoteSupport.FOR))
    assert caught.value.code == "low_balance"
    assert str(caught.value) == (
        "Gasless voting is paused: the relayer's balance (1 ETH) is below its floor of 2 ETH. "
        "Vote from your wallet, or ask the cooperative to top the relayer up."
    )
    status = relay.status()
    assert status.paused and status.reason == str(caught.value)
    # What the vote panel shows, configured as the app is (environment).
    monkeypatch.setenv("RELAYER_PRIVATE_KEY", setup.relayer_key.key.to_0x_hex())
    monkeypatch.setenv("RELAYER_MIN_BALANCE_WEI", str(floor))
    panel = gasless.gasless_panel(_settings(coop, tmp_path, str(setup.engine.url)))
    assert panel.paused and panel.reason == str(caught.value)
    _relayer_untouched(setup, balance)


def _settings(coop: Coop, tmp_path: Path, database_url: str) -> Settings:
    manifest = tmp_path / "deployment.json"
    write_manifest(coop.deployment, manifest)
    rpc_url = str(coop.w3.provider.endpoint_uri)  # type: ignore[attr-defined]
    return Settings(
        data_dir=tmp_path,
        rpc_url=rpc_url,
        chain_id=int(coop.w3.eth.chain_id),
        deployment_path=manifest,
        database_url=database_url,
        content_dir=tmp_path / "content",
        contracts_dir=PROJECT_ROOT / "contracts",
        anvil_port=0,
        rpc_timeout_s=5.0,
    )


def _worker_env(settings: Settings, key: LocalAccount, **limits: str) -> dict[str, str]:
    return {
        **os.environ,
        "COOP_DATA_DIR": str(settings.data_dir),
        "RPC_URL": settings.rpc_url,
        "CHAIN_ID": str(settings.chain_id),
        "DEPLOYMENT": str(settings.deployment_path),
        "DATABASE_URL": settings.database_url,
        "RELAYER_PRIVATE_KEY": key.key.to_0x_hex(),
        **limits,
    }


def _ballot_json(ballot: SignedBallot) -> dict[str, object]:
    return {
        "voter": ballot.voter,
        "proposal_id": str(ballot.proposal_id),
        "support": ballot.support,
        "nonce": ballot.nonce,
        "signature": "0x" + ballot.signature.hex(),
    }


def _start_worker(
    ballots: list[SignedBallot], env: dict[str, str], start_at: float, threads: int = 1
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.chain.governance.relay_worker",
            json.dumps([_ballot_json(ballot) for ballot in ballots]),
            str(start_at),
            str(threads),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def _answers(worker: subprocess.Popen[str]) -> list[dict[str, str]]:
    out, _ = worker.communicate(timeout=120)
    assert worker.returncode == 0
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_the_hourly_spend_cap_is_counted_in_the_database_across_processes(
    setup: Relaying, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    coop, proposals = setup.coop, setup.proposals
    first = _sign(setup.relay.ballots, coop.carol, proposals[0], VoteSupport.FOR)
    plan = setup.relay.policy.sender.plan(
        setup.relay.ballots.governor_address, setup.relay.ballots.calldata(first)
    )
    cap = plan.max_cost_wei * 3 // 2  # room for one vote's most possible cost, not two
    relay = _relay(
        coop, setup.engine, setup.relayer_key, RelayLimits(max_wei_per_hour=cap), FakeClock()
    )
    relay.relay(first)
    second = _sign(relay.ballots, coop.carol, proposals[1], VoteSupport.FOR)
    with pytest.raises(RelayRefused) as caught:
        relay.relay(second)
    assert caught.value.code == "spend_cap" and "hourly budget" in str(caught.value)
    assert "resumes in 1 hour" in str(caught.value)  # when the first leaves the window
    assert relay.status().paused

    # Another process on the same database (a second app worker, or the app restarted)
    # sees the same spend and refuses too.
    settings = _settings(coop, tmp_path, str(setup.engine.url))
    env = _worker_env(settings, setup.relayer_key, RELAYER_MAX_WEI_PER_HOUR=str(cap))
    [answer] = _answers(_start_worker([second], env, time.time()))
    assert answer["code"] == "spend_cap", answer
    assert not coop.gov.governor.functions.hasVoted(proposals[1], coop.carol.address).call()
    # With a bigger budget it goes through: the refusal was the cap, nothing else.
    env["RELAYER_MAX_WEI_PER_HOUR"] = str(cap * 10)
    [answer] = _answers(_start_worker([second], env, time.time()))
    assert answer.get("tx_hash"), answer


def _set_automine(coop: Coop, enabled: bool) -> None:
    coop.w3.provider.make_request("evm_setAutomine", [enabled])  # type: ignore[arg-type]


def test_the_relay_returns_the_hash_at_once_and_the_receipt_is_followed_later(
    setup: Relaying, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    coop, proposals = setup.coop, setup.proposals
    settings = _settings(coop, tmp_path, str(setup.engine.url))
    monkeypatch.setenv("RELAYER_PRIVATE_KEY", setup.relayer_key.key.to_0x_hex())
    request = gasless.ballot_request(settings, coop.carol.address, proposals[0], 1, "")
    signature = coop.carol.sign_typed_data(
        full_message=setup.relay.ballots.ballot_request(coop.carol.address, proposals[0], 1)
    ).signature.to_0x_hex()
    assert request.relayer == setup.relayer_key.address
    _set_automine(coop, False)  # blocks come only when the test mines one
    try:
        started = time.monotonic()
        result = gasless.relay_ballot(
            settings, coop.carol.address, proposals[0], 1, "", request.nonce, signature
        )
        elapsed = time.monotonic() - started
        # Waiting for the receipt would hang here (no block comes until the test
        # mines one); 10 s leaves a loaded CI machine room and still catches that.
        assert elapsed < 10.0, f"the relay took {elapsed:.2f} s"
        assert coop.w3.eth.get_transaction(result.tx_hash)["blockNumber"] is None  # pending
        # The same signature again while the first is pending: on its way already.
        with pytest.raises(RelayRefused) as caught:
            gasless.relay_ballot(
                settings, coop.carol.address, proposals[0], 1, "", request.nonce, signature
            )
        assert caught.value.code == "pending"

        async def follow_then_mine() -> bool:
            follow = asyncio.create_task(gasless.follow_relayed_vote(settings, result))
            await asyncio.sleep(1.5)
            assert not follow.done()  # still waiting for a block, without holding a thread
            devchain.mine(coop.w3)
            outcome = await asyncio.wait_for(follow, 30)
            return outcome.succeeded

        assert asyncio.run(follow_then_mine())
    finally:
        _set_automine(coop, True)
    assert coop.gov.governor.functions.hasVoted(proposals[0], coop.carol.address).call()
    status = relay_ledger.status_of(setup.engine, result.tx_hash)
    assert status is not None and status[0] == "succeeded"


def _voters(coop: Coop, count: int) -> list[LocalAccount]:
    """Members with voting power: tokens, gas for their own delegation, self-delegated."""
    token = coop.gov.token.functions
    voters = [Account.create() for _ in range(count)]
    for voter in voters:
        coop.deployer.call(token.transfer(voter.address, 1_000 * TOKEN), what="pay voter")
        coop.deployer.transfer_eth(voter.address, 10**16, what="gas for voter")
        Sender(coop.w3, voter.address, voter).call(
            token.delegate(voter.address), what="self-delegate"
        )
    devchain.increase_time(coop.w3, 1)
    return voters


def test_two_worker_processes_relaying_at_once_never_share_a_nonce_on_postgresql(
    coop: Coop, tmp_path: Path
) -> None:
    from tests.support.databases import postgres_schema_url

    relayer_key = Account.create()
    coop.deployer.transfer_eth(relayer_key.address, 10**18, what="fund relayer")
    voters = _voters(coop, 10)
    [proposal] = _open_proposals(coop, 1)
    ballots = BallotChain(coop.gov)
    signed = [_sign(ballots, voter, proposal, VoteSupport.FOR) for voter in voters]
    with postgres_schema_url("relaynonce") as database_url:
        engine = make_engine(database_url)
        create_tables(engine)
        settings = _settings(coop, tmp_path, database_url)
        env = _worker_env(settings, relayer_key)
        _set_automine(coop, False)  # every transaction stays pending: the node's view lags
        try:
            start_at = time.time() + 4  # both import the app first, then relay together
            workers = [
                _start_worker(signed[:5], env, start_at, threads=3),
                _start_worker(signed[5:], env, start_at, threads=3),
            ]
            answers = [answer for worker in workers for answer in _answers(worker)]
            devchain.mine(coop.w3, 2)
        finally:
            _set_automine(coop, True)
        engine.dispose()
    assert all("tx_hash" in answer for answer in answers), answers
    hashes = [answer["tx_hash"] for answer in answers]
    assert len(set(hashes)) == 10
    sent = [coop.w3.eth.get_transaction(tx_hash) for tx_hash in hashes]
    assert sorted(tx["nonce"] for tx in sent) == list(range(10))  # distinct, no gap
    receipts = [coop.w3.eth.get_transaction_receipt(tx_hash) for tx_hash in hashes]
    assert all(receipt["status"] == 1 for receipt in receipts)  # all mined, none dropped
    governor = coop.gov.governor.functions
    assert all(governor.hasVoted(proposal, voter.address).call() for voter in voters)

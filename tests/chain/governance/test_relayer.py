"""Gasless voting: signed ballots relayed and counted; replays, tampering, wrong signers
and floods refused before any gas is spent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from eth_utils import keccak
from sqlalchemy import func, select

from coop_dashboard.chain import devchain
from coop_dashboard.chain.governance_types import VoteSupport
from coop_dashboard.chain.relayer import ChainRelayer, SignedBallot
from coop_dashboard.chain.transact import Sender
from coop_dashboard.db.engine import create_tables, make_engine
from coop_dashboard.db.relay_tables import RelayEvent
from coop_dashboard.services.governance.relayer import (
    GaslessVoteRelay,
    RelayRateLimiter,
    RelayRefused,
)
from tests.chain.governance.conftest import Coop


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


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


@pytest.fixture
def setup(
    coop: Coop, tmp_path: Path
) -> Iterator[tuple[Coop, GaslessVoteRelay, ChainRelayer, FakeClock, list[int]]]:
    relayer_key = Account.create()
    coop.deployer.transfer_eth(relayer_key.address, 10**18, what="fund relayer")
    chain_relayer = ChainRelayer(
        coop.gov, Sender.from_private_key(coop.w3, relayer_key.key.to_0x_hex())
    )
    clock = FakeClock()
    # The rate limit's ledger: the app's database (a SQLite file, as by default).
    engine = make_engine(f"sqlite:///{tmp_path / 'relay.db'}")
    create_tables(engine)
    relay = GaslessVoteRelay(
        chain_relayer, RelayRateLimiter(engine, max_per_window=2, window_s=3_600, clock=clock)
    )
    proposals = [_active_proposal(coop, f"Gasless {i}") for i in range(3)]
    devchain.increase_time(coop.w3, coop.gov.governor.functions.votingDelay().call() + 1)
    yield coop, relay, chain_relayer, clock, proposals
    engine.dispose()


def _sign(
    coop: Coop, relayer: ChainRelayer, proposal_id: int, support: VoteSupport, reason: str = ""
) -> SignedBallot:
    typed = relayer.ballot_request(coop.carol.address, proposal_id, support, reason)
    signature = bytes(coop.carol.sign_typed_data(full_message=typed).signature)
    return SignedBallot(
        proposal_id, int(support), coop.carol.address, typed["message"]["nonce"], signature, reason
    )


def test_a_signed_ballot_is_relayed_and_counted(setup) -> None:  # type: ignore[no-untyped-def]
    coop, relay, relayer, _, proposals = setup
    carol_eth = coop.w3.eth.get_balance(coop.carol.address)
    result = relay.relay(_sign(coop, relayer, proposals[0], VoteSupport.FOR))
    governor = coop.gov.governor.functions
    assert governor.hasVoted(proposals[0], coop.carol.address).call()
    assert governor.proposalVotes(proposals[0]).call() == [0, 100_000 * 10**18, 0]
    receipt = coop.w3.eth.get_transaction_receipt(result.tx_hash)
    sent = coop.w3.eth.get_transaction(result.tx_hash)
    assert result.relayer == relayer.address == sent["from"] and receipt["status"] == 1
    assert coop.w3.eth.get_balance(coop.carol.address) == carol_eth  # the voter paid nothing

    # With a reason: an ExtendedBallot, the reason lands in the VoteCast event.
    with_reason = relay.relay(_sign(coop, relayer, proposals[1], VoteSupport.AGAINST, "Too soon."))
    logs = coop.gov.governor.events.VoteCast().process_receipt(
        coop.w3.eth.get_transaction_receipt(with_reason.tx_hash)
    )
    assert logs[0]["args"]["reason"] == "Too soon." and logs[0]["args"]["support"] == 0


def test_replayed_tampered_and_foreign_ballots_are_refused(setup) -> None:  # type: ignore[no-untyped-def]
    coop, relay, relayer, _, proposals = setup
    ballot = _sign(coop, relayer, proposals[0], VoteSupport.FOR)
    tampered = SignedBallot(ballot.proposal_id, 0, ballot.voter, ballot.nonce, ballot.signature)
    with pytest.raises(RelayRefused) as caught:
        relay.relay(tampered)
    assert caught.value.code == "signer"

    stranger = Account.create()
    typed = relayer.ballot_request(coop.carol.address, proposals[0], VoteSupport.FOR)
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

    # A fresh, valid signature to vote twice is refused by the simulation, with the reason.
    with pytest.raises(RelayRefused) as caught:
        relay.relay(_sign(coop, relayer, proposals[0], VoteSupport.AGAINST))
    assert caught.value.code == "would_revert"
    assert "has already voted on this proposal" in str(caught.value)
    governor = coop.gov.governor.functions
    assert governor.proposalVotes(proposals[0]).call() == [0, 100_000 * 10**18, 0]


def test_the_rate_limit_kicks_in_per_voter(setup) -> None:  # type: ignore[no-untyped-def]
    coop, relay, relayer, clock, proposals = setup
    relay.relay(_sign(coop, relayer, proposals[0], VoteSupport.FOR))
    relay.relay(_sign(coop, relayer, proposals[1], VoteSupport.FOR))
    third = _sign(coop, relayer, proposals[2], VoteSupport.FOR)
    with pytest.raises(RelayRefused) as caught:
        relay.relay(third)
    assert caught.value.code == "rate_limited" and "try again in 1 hour" in str(caught.value)
    assert not coop.gov.governor.functions.hasVoted(proposals[2], coop.carol.address).call()
    clock.now += 3_601
    relay.relay(third)
    assert coop.gov.governor.functions.hasVoted(proposals[2], coop.carol.address).call()


def test_a_closed_proposal_is_refused_before_gas_is_spent(setup) -> None:  # type: ignore[no-untyped-def]
    coop, relay, relayer, _, proposals = setup
    ballot = _sign(coop, relayer, proposals[0], VoteSupport.FOR)
    deadline = coop.gov.governor.functions.proposalDeadline(proposals[0]).call()
    devchain.increase_time(coop.w3, deadline - devchain.latest_timestamp(coop.w3) + 1)
    relayer_eth = coop.w3.eth.get_balance(relayer.address)
    with pytest.raises(RelayRefused) as caught:
        relay.relay(ballot)
    assert caught.value.code == "would_revert" and "the proposal is defeated" in str(caught.value)
    assert coop.w3.eth.get_balance(relayer.address) == relayer_eth
    # No gas spent, so no allowance used: the limiter's event was deleted again.
    with relay.limiter.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(RelayEvent)).scalar() == 0


def test_a_database_outage_refuses_with_a_sentence_not_a_traceback(  # type: ignore[no-untyped-def]
    setup, tmp_path: Path
) -> None:
    coop, relay, relayer, clock, proposals = setup
    # A database without the relay_event table: the limiter's insert fails.
    relay.limiter = RelayRateLimiter(make_engine(f"sqlite:///{tmp_path / 'empty.db'}"), clock=clock)
    with pytest.raises(RelayRefused) as caught:
        relay.relay(_sign(coop, relayer, proposals[0], VoteSupport.FOR))
    assert caught.value.code == "unavailable" and "Vote from your wallet" in str(caught.value)
    assert not coop.gov.governor.functions.hasVoted(proposals[0], coop.carol.address).call()
    relay.limiter.engine.dispose()

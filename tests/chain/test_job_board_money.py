"""JobBoard's money: re-entry through a malicious receiver and a malicious token, and the
invariant "for each asset the contract holds exactly its escrows, stakes, bonds and
credits" over random action sequences."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3.contract import Contract
from web3.contract.contract import ContractFunction

from coop_dashboard.chain import devchain
from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.data_licensing import ETH_CURRENCY
from coop_dashboard.chain.revert import RevertDecoder
from coop_dashboard.chain.transact import Sender
from tests.support.chains import Chain, deploy, deploy_artifact
from tests.support.datasets import act_as_governance
from tests.support.jobs import BOUNTY, CHALLENGE_BOND, DAY, STAKE, WINDOW, JobWorld, cid, job_world
from tests.support.reverts import decoder_for, revert_of

ACCEPT, REENTER, REJECT = 0, 1, 2
HONEST, FEE_ON_TRANSFER, TOKEN_REENTER = 0, 1, 2


def _data(function: ContractFunction) -> bytes:
    return bytes.fromhex(function._encode_transaction_data()[2:])


def _through(receiver: Contract, board: Contract, function: ContractFunction) -> ContractFunction:
    """`function` of the board called by the receiver contract."""
    return receiver.functions.execute(board.address, _data(function))


@pytest.fixture
def world(chain: Chain, compiled_artifacts: dict[str, Artifact]) -> JobWorld:
    return job_world(chain.w3, deploy(chain, compiled_artifacts))


def test_a_reentering_receiver_is_paid_once_and_a_reverting_one_blocks_nobody(
    world: JobWorld, compiled_artifacts: dict[str, Artifact]
) -> None:
    w3, board = world.w3, world.board
    f = board.functions
    receiver = deploy_artifact(w3, compiled_artifacts["MaliciousJobReceiver"])
    driver = Sender.unlocked(w3, w3.eth.accounts[5])
    honest = Sender.unlocked(w3, w3.eth.accounts[6])

    def as_receiver(function: ContractFunction, value: int = 0) -> None:
        driver.call(_through(receiver, board, function), what="through the receiver", value=value)

    for _ in range(2):
        as_receiver(f.postJob(world.terms()), BOUNTY)
    as_receiver(f.cancelJob(1))
    as_receiver(f.cancelJob(2))
    honest_job = world.post(honest)
    honest.call(f.cancelJob(honest_job), what="honest cancels")
    withdraw = _data(f.withdraw(ETH_CURRENCY))
    driver.call(receiver.functions.setMode(REENTER, board.address, withdraw), what="arm")
    as_receiver(f.withdraw(ETH_CURRENCY))
    assert receiver.functions.reentryAttempts().call() == 1
    assert receiver.functions.reentrySuccesses().call() == 0
    assert w3.eth.get_balance(receiver.address) == 2 * BOUNTY
    assert w3.eth.get_balance(board.address) == BOUNTY == f.accountedBalance(ETH_CURRENCY).call()

    # A receiver that reverts fails only its own withdrawal.
    as_receiver(f.postJob(world.terms()), BOUNTY)
    as_receiver(f.cancelJob(4))
    driver.call(receiver.functions.setMode(REJECT, board.address, b""), what="reject")
    decoder = decoder_for(compiled_artifacts)
    call = receiver.functions.execute(board.address, withdraw)
    decoded = revert_of(decoder, call, driver.address)
    assert decoded is not None and decoded.name == "MaliciousJobReceiverCallFailed"
    honest.call(f.withdraw(ETH_CURRENCY), what="honest withdraws")
    assert f.creditOf(receiver.address, ETH_CURRENCY).call() == BOUNTY
    assert w3.eth.get_balance(board.address) == BOUNTY == f.accountedBalance(ETH_CURRENCY).call()


def test_a_malicious_token_cannot_reenter_and_a_fee_on_transfer_is_refused(
    world: JobWorld, compiled_artifacts: dict[str, Artifact]
) -> None:
    w3, board = world.w3, world.board
    f = board.functions
    token = deploy_artifact(w3, compiled_artifacts["MaliciousJobToken"])
    receiver = deploy_artifact(w3, compiled_artifacts["MaliciousJobReceiver"])
    governance = act_as_governance(w3, world.deployment)
    governance.call(f.setAssetAllowed(token.address, True), what="allow token")
    driver = Sender.unlocked(w3, w3.eth.accounts[5])
    decoder = decoder_for(compiled_artifacts)
    amount = 1_000 * 10**18
    terms = world.terms(asset=token.address, bounty=amount)

    def through_receiver(function: ContractFunction) -> ContractFunction:
        return _through(receiver, board, function)

    driver.call(token.functions.mint(receiver.address, 3 * amount), what="mint")
    approve = token.functions.approve(board.address, 3 * amount)
    driver.call(receiver.functions.execute(token.address, _data(approve)), what="approve")
    # Fee on transfer: less arrives than the bounty, refused.
    driver.call(token.functions.setMode(FEE_ON_TRANSFER, board.address, b""), what="fee")
    decoded = revert_of(decoder, through_receiver(f.postJob(terms)), driver.address)
    assert decoded is not None and decoded.name == "MaliciousJobReceiverCallFailed"
    assert decoder.decode("0x" + bytes(decoded.args[0]).hex()).name == "JobBoardShortTransfer"  # type: ignore[union-attr]
    driver.call(token.functions.setMode(HONEST, board.address, b""), what="honest")
    driver.call(through_receiver(f.postJob(terms)), what="post")
    driver.call(through_receiver(f.cancelJob(1)), what="cancel")  # credit: amount

    # Every transfer now re-enters withdraw as the receiver (which has a real credit).
    reenter = _data(through_receiver(f.withdraw(token.address)))
    driver.call(token.functions.setMode(TOKEN_REENTER, receiver.address, reenter), what="arm")
    driver.call(through_receiver(f.postJob(terms)), what="post while re-entering")
    driver.call(through_receiver(f.withdraw(token.address)), what="withdraw")
    assert token.functions.reentryAttempts().call() == 2
    assert token.functions.reentrySuccesses().call() == 0
    assert token.functions.balanceOf(receiver.address).call() == 2 * amount
    held = token.functions.balanceOf(board.address).call()
    assert held == amount == f.accountedBalance(token.address).call()


# ---------------------------------------------------------------- invariant


@dataclass
class Actors:
    world: JobWorld
    governance: Sender
    arbiter: Sender
    posters: list[Sender]
    providers: list[Sender]
    token: Contract
    decoder: RevertDecoder


KINDS = [
    *(["advance"] * 8),
    "post_eth",
    "post_token",
    "bid",
    "withdraw_bid",
    "accept",
    "cancel",
    "submit",
    "challenge",
    "resolve_up",
    "resolve_down",
    "finalize",
    "reopen",
    "refund",
    "withdraw",
    "wait",
]
Action = tuple[str, int, int]
ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.integers(min_value=0, max_value=1_000),
        st.integers(min_value=0, max_value=3),
    ),
    min_size=8,
    max_size=14,
)


@pytest.fixture(scope="module")
def actors(chain: Chain, compiled_artifacts: dict[str, Artifact]) -> Iterator[Actors]:
    w3 = chain.w3
    world = job_world(w3, deploy(chain, compiled_artifacts))
    governance = act_as_governance(w3, world.deployment)
    f = world.board.functions
    arbiter = Sender.unlocked(w3, w3.eth.accounts[8])
    governance.call(f.grantRole(f.ARBITER_ROLE().call(), arbiter.address), what="grant")
    posters = [Sender.unlocked(w3, a) for a in w3.eth.accounts[2:4]]
    providers = [Sender.unlocked(w3, a) for a in w3.eth.accounts[4:7]]
    for provider in providers:
        world.license(provider)
    token = world.deployment.contract(w3, "MockStablecoin")
    # One allowance far above what any sequence can escrow (at most ~15 posts of
    # 10**8 + 1,000 units), and every example reverts to this snapshot, allowance
    # included: a random sequence never runs out of it (unlike an approve of exactly
    # one bounty, which a second post would lack: ERC20InsufficientAllowance).
    for poster in posters:
        poster.call(token.functions.mint(poster.address, 10**15), what="mint")
        poster.call(token.functions.approve(world.board.address, 10**15), what="approve")
    yield Actors(
        world, governance, arbiter, posters, providers, token, decoder_for(compiled_artifacts)
    )


def _call_for(actors: Actors, action: Action) -> tuple[ContractFunction, Sender, int] | None:
    """The call an action makes (None: nothing to do, e.g. time passing)."""
    world, f = actors.world, actors.world.board.functions
    kind, choice, amount = action
    jobs = int(f.jobCount().call())
    poster = actors.posters[choice % len(actors.posters)]
    provider = actors.providers[choice % len(actors.providers)]
    # Mostly a job in the status the action needs (so sequences go deep), else any job
    # (so refusals are exercised too).
    wanted = [j for j in range(1, jobs + 1) if f.jobOf(j).call()[3] == NEEDS.get(kind)]
    pool = wanted if wanted and choice % 5 else list(range(1, jobs + 1))
    job = pool[choice % len(pool)] if pool else 0
    if kind == "accept" and job:
        bidders = [p for p in actors.providers if f.bidOf(job, p.address).call()[3]]
        provider = bidders[choice % len(bidders)] if bidders else provider
    if kind == "post_eth":
        return f.postJob(world.terms(bounty=BOUNTY + amount)), poster, BOUNTY + amount
    if kind == "post_token":
        terms = world.terms(asset=actors.token.address, bounty=10**8 + amount)
        return f.postJob(terms), poster, 0
    if not jobs:
        return None
    if kind == "advance":
        return _advance(actors, choice, amount)
    stored = f.jobOf(job).call()
    owner = Sender.unlocked(world.w3, stored[0])
    if kind == "bid":
        price = stored[11] * (amount + 1) // 4
        return f.placeBid(job, price, stored[2]), provider, STAKE + amount
    if kind == "withdraw_bid":
        return f.withdrawBid(job), provider, 0
    if kind == "accept":
        return f.acceptBid(job, provider.address), owner, 0
    if kind == "cancel":
        return f.cancelJob(job), owner, 0
    if kind == "submit":
        chosen = Sender.unlocked(world.w3, stored[8]) if int(stored[8], 16) else provider
        return f.submitResult(job, cid("ckpt"), cid("metrics"), amount), chosen, 0
    if kind == "challenge":
        return f.challengeResult(job, cid("evidence")), poster, CHALLENGE_BOND + amount
    if kind in ("resolve_up", "resolve_down"):
        resolver = actors.governance if amount == 3 else actors.arbiter
        return f.resolveChallenge(job, kind == "resolve_up", cid("why")), resolver, 0
    if kind == "finalize":
        return f.finalizeJob(job), provider, 0
    if kind == "reopen":
        now = devchain.latest_timestamp(world.w3)
        return f.reopenJob(job, now + DAY, now + 7 * DAY), owner, 0
    if kind == "refund":
        return f.refundMissedDelivery(job), owner, 0
    if kind == "withdraw":
        everyone = [*actors.posters, *actors.providers, actors.governance]
        assets = (ETH_CURRENCY, actors.token.address)
        owed = [(a, x) for a in everyone for x in assets if f.creditOf(a.address, x).call()]
        who, asset = owed[choice % len(owed)] if owed else (poster, assets[amount % 2])
        return f.withdraw(asset), who, 0
    return None


# The job status each action needs (JobBoard.Status index).
NEEDS = {
    "bid": 0,
    "accept": 0,
    "cancel": 0,
    "reopen": 1,
    "refund": 1,
    "submit": 1,
    "challenge": 2,
    "finalize": 2,
    "resolve_up": 3,
    "resolve_down": 3,
}
OPEN_ESCROW = {0, 1, 2, 3}  # Open, InProgress, InReview, Challenged hold the bounty


def _advance(
    actors: Actors, choice: int, amount: int
) -> tuple[ContractFunction, Sender, int] | None:
    """The next step of a live job's life (so random sequences reach every status)."""
    f, w3 = actors.world.board.functions, actors.world.w3
    live = [j for j in range(1, int(f.jobCount().call()) + 1) if f.jobOf(j).call()[3] <= 3]
    if not live:
        return None
    # Mostly the oldest live job, so that one job goes far in a short sequence.
    job = live[0] if choice % 4 else live[choice % len(live)]
    stored = f.jobOf(job).call()
    status, owner = stored[3], Sender.unlocked(w3, stored[0])
    if status == 0:
        bidders = [p for p in actors.providers if f.bidOf(job, p.address).call()[3]]
        idle = [p for p in actors.providers if p not in bidders]
        if amount == 3 and bidders:
            return f.cancelJob(job), owner, 0
        if bidders and (amount or not idle):
            return f.acceptBid(job, bidders[choice % len(bidders)].address), owner, 0
        price = stored[11] * (amount + 1) // 4
        return f.placeBid(job, price, stored[2]), idle[choice % len(idle)], STAKE + amount
    if status == 1:
        provider = Sender.unlocked(w3, stored[8])
        if amount < 3:
            return f.submitResult(job, cid("ckpt"), cid("metrics"), amount), provider, 0
        devchain.increase_time(w3, stored[2] - devchain.latest_timestamp(w3) + 1)
        if choice % 2:
            now = devchain.latest_timestamp(w3)
            return f.reopenJob(job, now + DAY, now + 7 * DAY), owner, 0
        return f.refundMissedDelivery(job), owner, 0
    if status == 2:
        if amount < 2:
            devchain.increase_time(w3, WINDOW + 1)
            return f.finalizeJob(job), actors.arbiter, 0
        challenger = actors.posters[choice % len(actors.posters)]
        return f.challengeResult(job, cid("evidence")), challenger, CHALLENGE_BOND
    resolver = actors.arbiter
    if amount == 3:
        devchain.increase_time(w3, int(f.escalationPeriod().call()) + 1)
        resolver = actors.governance
    return (
        f.resolveChallenge(job, amount % 2 == 0, cid("why")),
        resolver,
        0,
    )  # Open, InProgress, InReview, Challenged hold the bounty


def _owed(actors: Actors, asset: str) -> int:
    """What the contract owes in `asset`, summed from its views (not from its total)."""
    f = actors.world.board.functions
    accounts = [*actors.posters, *actors.providers, actors.governance]
    owed = sum(int(f.creditOf(a.address, asset).call()) for a in accounts)
    challenger_ids = {a.address for a in actors.posters}
    assert all(int(f.creditOf(a, asset).call()) == 0 for a in [actors.arbiter.address])
    for job in range(1, int(f.jobCount().call()) + 1):
        stored = f.jobOf(job).call()
        if stored[5] == asset and stored[3] in OPEN_ESCROW:
            owed += int(stored[11])
        if asset == ETH_CURRENCY:
            owed += int(stored[9])
            owed += sum(int(f.bidOf(job, p.address).call()[2]) for p in actors.providers)
            if stored[3] == 3:
                challenge = f.challengeOf(job).call()
                assert challenge[0] in challenger_ids
                owed += int(challenge[2])
    return owed


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=ACTIONS)
def test_each_asset_held_equals_escrows_stakes_bonds_and_credits(
    chain: Chain, actors: Actors, actions: list[Action]
) -> None:
    w3 = chain.w3
    board = actors.world.board
    token = actors.token.address
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    try:
        # Two live jobs to start from (one per asset): the actions then go deep quickly.
        actors.world.post(actors.posters[0])
        actors.world.post(actors.posters[1], actors.world.terms(asset=token, bounty=10**8))
        for action in actions:
            if action[0] == "wait":
                devchain.increase_time(w3, (action[2] + 1) * WINDOW)
            else:
                call = _call_for(actors, action)
                if call is not None:
                    function, sender, value = call
                    # Refused actions must move nothing; allowed ones are sent.
                    if revert_of(actors.decoder, function, sender.address, value) is None:
                        sender.call(function, what=action[0], value=value)
            eth_held = w3.eth.get_balance(board.address)
            token_held = actors.token.functions.balanceOf(board.address).call()
            assert eth_held == board.functions.accountedBalance(ETH_CURRENCY).call()
            assert token_held == board.functions.accountedBalance(token).call()
        # The total the contract keeps matches the sum of what each view says it owes.
        assert w3.eth.get_balance(board.address) == _owed(actors, ETH_CURRENCY)
        assert actors.token.functions.balanceOf(board.address).call() == _owed(actors, token)
    finally:
        w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]

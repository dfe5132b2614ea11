"""JobBoard: every transition of a job and every refusal, on a real anvil."""

from __future__ import annotations

import pytest
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError

from coop_dashboard.chain import devchain, job_board
from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.data_licensing import ETH_CURRENCY
from coop_dashboard.chain.revert import RevertDecoder
from coop_dashboard.chain.transact import Sender
from coop_dashboard.evm import ZERO_ADDRESS
from tests.support.chains import Chain
from tests.support.datasets import act_as_governance, emitted
from tests.support.governance import pass_proposal
from tests.support.jobs import (
    BOUNTY,
    CHALLENGE_BOND,
    DAY,
    STAKE,
    WINDOW,
    JobWorld,
    cid,
    job_world,
)
from tests.support.reverts import decoder_for, revert_of


@pytest.fixture
def world(chain: Chain, deployment: Deployment) -> JobWorld:
    return job_world(chain.w3, deployment)


@pytest.fixture
def decoder(compiled_artifacts: dict[str, Artifact]) -> RevertDecoder:
    return decoder_for(compiled_artifacts)


def _people(world: JobWorld) -> tuple[Sender, Sender, Sender, Sender]:
    """Poster, two providers (licensed for research) and a challenger."""
    accounts = world.w3.eth.accounts
    poster, alpha, beta, challenger = (Sender.unlocked(world.w3, a) for a in accounts[2:6])
    world.license(alpha)
    world.license(beta)
    return poster, alpha, beta, challenger


def _challenged(world: JobWorld) -> tuple[int, tuple[Sender, Sender, Sender, Sender, Sender]]:
    """A job in review and challenged, with an arbiter appointed by governance:
    (job, (poster, provider, challenger, arbiter, governance))."""
    f = world.board.functions
    poster, alpha, _, challenger = _people(world)
    governance = act_as_governance(world.w3, world.deployment)
    arbiter = Sender.unlocked(world.w3, world.w3.eth.accounts[8])
    governance.call(f.grantRole(f.ARBITER_ROLE().call(), arbiter.address), what="grant")
    job = world.in_review(poster, alpha)
    challenger.call(f.challengeResult(job, cid("evidence")), what="challenge", value=CHALLENGE_BOND)
    return job, (poster, alpha, challenger, arbiter, governance)


def _with_datasets(terms: tuple[object, ...], datasets: list[int]) -> tuple[object, ...]:
    """`terms` naming `datasets` as given (JobTerms.as_struct would sort them)."""
    return (terms[0], datasets, *terms[2:])


def _refused(
    decoder: RevertDecoder, function: ContractFunction, sender: str, value: int = 0
) -> str:
    decoded = revert_of(decoder, function, sender, value)
    assert decoded is not None, "the call succeeded"
    return decoded.name


def test_a_job_goes_from_post_to_model_and_every_payment_reconciles(world: JobWorld) -> None:
    w3, board = world.w3, world.board
    f = board.functions
    poster, alpha, beta, _ = _people(world)
    job = world.post(poster)
    assert world.status(job) == "open"
    # The spec's CID travels in the event; only its digest is stored.
    assert f.jobOf(job).call()[13] == Web3.keccak(text=cid("spec"))
    world.bid(alpha, job, price=BOUNTY * 6 // 10)
    world.bid(beta, job, price=BOUNTY // 2, stake=2 * STAKE)
    assert f.bidCount(job).call() == 2
    accepted = poster.call(f.acceptBid(job, alpha.address), what="accept")
    (event,) = emitted(board, "BidAccepted", accepted)
    assert event["args"]["provider"] == alpha.address
    assert world.status(job) == "in_progress"
    beta.call(f.withdrawBid(job), what="withdraw bid")
    assert f.creditOf(beta.address, ETH_CURRENCY).call() == 2 * STAKE
    submitted = alpha.call(f.submitResult(job, cid("ckpt"), cid("metrics"), 9_100), what="submit")
    (result,) = emitted(board, "ResultSubmitted", submitted)
    assert result["args"]["checkpointCid"] == cid("ckpt")
    assert world.status(job) == "in_review"
    devchain.increase_time(w3, WINDOW + 1)
    finalized = Sender.unlocked(w3, w3.eth.accounts[9]).call(f.finalizeJob(job), what="final")
    (model,) = emitted(board, "ModelRecorded", finalized)
    assert model["args"]["modelId"] == 1 and model["args"]["jobId"] == job
    assert list(model["args"]["datasetIds"]) == list(world.datasets)
    # The CIDs travel in ResultSubmitted; the model's record names them by their digests.
    assert result["args"]["metricsCid"] == cid("metrics")
    digests = (Web3.keccak(text=cid("ckpt")), Web3.keccak(text=cid("metrics")))
    assert (model["args"]["checkpointDigest"], model["args"]["metricsDigest"]) == digests
    assert f.modelOfJob(job).call() == 1
    assert tuple(f.modelOf(1).call()) == (job, alpha.address)
    assert tuple(f.resultOf(job).call())[:3] == (*digests, 9_100)
    assert world.status(job) == "completed"
    price = BOUNTY * 6 // 10
    assert f.creditOf(alpha.address, ETH_CURRENCY).call() == price + STAKE
    assert f.creditOf(poster.address, ETH_CURRENCY).call() == BOUNTY - price
    assert tuple(f.reputationOf(alpha.address).call()) == (1, 0, 0, 0)
    assert f.earnedOf(alpha.address, ETH_CURRENCY).call() == price
    # Everything held is owed, and withdrawing empties the contract.
    assert w3.eth.get_balance(board.address) == f.accountedBalance(ETH_CURRENCY).call()
    for who in (alpha, beta, poster):
        who.call(f.withdraw(ETH_CURRENCY), what="withdraw")
    assert w3.eth.get_balance(board.address) == 0 == f.accountedBalance(ETH_CURRENCY).call()


def test_a_second_finalize_and_late_actions_are_refused(
    world: JobWorld, decoder: RevertDecoder
) -> None:
    f = world.board.functions
    poster, alpha, _, challenger = _people(world)
    job = world.in_review(poster, alpha)
    # Too early to finalize while the window runs.
    assert _refused(decoder, f.finalizeJob(job), poster.address) == "JobBoardChallengeWindowOpen"
    assert _refused(decoder, f.challengeResult(job, cid("e")), alpha.address, CHALLENGE_BOND) == (
        "JobBoardSelfChallenge"
    )
    assert _refused(decoder, f.challengeResult(job, cid("e")), challenger.address, 1) == (
        "JobBoardBondTooLow"
    )
    devchain.increase_time(world.w3, WINDOW + 1)
    assert _refused(
        decoder, f.challengeResult(job, cid("e")), challenger.address, CHALLENGE_BOND
    ) == ("JobBoardChallengeWindowClosed")
    poster.call(f.finalizeJob(job), what="finalize")
    assert _refused(decoder, f.finalizeJob(job), poster.address) == "JobBoardWrongStatus"
    assert _refused(decoder, f.withdraw(ETH_CURRENCY), challenger.address) == (
        "JobBoardNothingToWithdraw"
    )
    assert _refused(decoder, f.modelOf(2), poster.address) == "JobBoardUnknownModel"
    assert _refused(decoder, f.jobOf(0), poster.address) == "JobBoardUnknownJob"


def test_posting_refuses_bad_terms(world: JobWorld, decoder: RevertDecoder) -> None:
    f = world.board.functions
    poster = Sender.unlocked(world.w3, world.w3.eth.accounts[2]).address
    cases = [
        (world.terms(bidding_in=-10), "JobBoardInvalidDeadlines"),  # in the past
        (world.terms(bidding_in=5 * DAY, delivery_in=DAY), "JobBoardInvalidDeadlines"),
        (world.terms(bidding_in=DAY, delivery_in=DAY), "JobBoardInvalidDeadlines"),
        (world.terms(delivery_in=400 * DAY), "JobBoardInvalidDeadlines"),
        (world.terms(minimum_stake=0), "JobBoardZeroMinimumStake"),
        (world.terms(window=0), "JobBoardInvalidChallengeWindow"),
        (world.terms(window=31 * DAY), "JobBoardInvalidChallengeWindow"),
        (world.terms(datasets=()), "JobBoardInvalidDatasetCount"),
        (world.terms(datasets=tuple(range(1, 18))), "JobBoardInvalidDatasetCount"),
        (_with_datasets(world.terms(), [2, 1]), "JobBoardDatasetsNotSorted"),
        (_with_datasets(world.terms(), [1, 1]), "JobBoardDatasetsNotSorted"),
        (world.terms(datasets=(1, 99)), "JobBoardUnknownDataset"),
        (world.terms(bounty=0), "JobBoardZeroBounty"),
        (world.terms(asset=world.w3.eth.accounts[7]), "JobBoardAssetNotAllowed"),
    ]
    for terms, expected in cases:
        assert _refused(decoder, f.postJob(terms), poster, BOUNTY) == expected, terms
    bad_cid = list(world.terms())
    bad_cid[0] = ""
    assert _refused(decoder, f.postJob(tuple(bad_cid)), poster, BOUNTY) == "JobBoardInvalidCid"
    bad_cid[0] = "b" * 129
    assert _refused(decoder, f.postJob(tuple(bad_cid)), poster, BOUNTY) == "JobBoardInvalidCid"
    assert _refused(decoder, f.postJob(world.terms()), poster, BOUNTY - 1) == "JobBoardWrongValue"


def test_an_erc20_bounty_is_escrowed_and_refused_above_allowance_or_balance(
    world: JobWorld, decoder: RevertDecoder
) -> None:
    w3 = world.w3
    f = world.board.functions
    token = world.deployment.contract(w3, "MockStablecoin")
    poster = Sender.unlocked(w3, w3.eth.accounts[2])
    bounty = 500 * 10**6
    terms = world.terms(asset=token.address, bounty=bounty)
    poster.call(token.functions.mint(poster.address, bounty - 1), what="mint")
    assert _refused(decoder, f.postJob(terms), poster.address) == "JobBoardInsufficientAllowance"
    poster.call(token.functions.approve(world.board.address, bounty), what="approve")
    assert _refused(decoder, f.postJob(terms), poster.address) == "JobBoardInsufficientBalance"
    poster.call(token.functions.mint(poster.address, 1), what="mint")
    assert _refused(decoder, f.postJob(terms), poster.address, 1) == "JobBoardWrongValue"
    job = world.post(poster, terms)
    assert token.functions.balanceOf(world.board.address).call() == bounty
    assert f.accountedBalance(token.address).call() == bounty
    poster.call(f.cancelJob(job), what="cancel")
    assert world.status(job) == "cancelled"
    poster.call(f.withdraw(token.address), what="withdraw")
    assert token.functions.balanceOf(poster.address).call() == bounty


def test_bids_are_refused_above_the_bounty_under_the_stake_and_after_the_deadline(
    world: JobWorld, decoder: RevertDecoder
) -> None:
    f = world.board.functions
    poster, alpha, _, _ = _people(world)
    job = world.post(poster)
    deadline = f.jobOf(job).call()[2]
    cases = [
        (f.placeBid(job, BOUNTY + 1, deadline), STAKE, "JobBoardInvalidPrice"),
        (f.placeBid(job, 0, deadline), STAKE, "JobBoardInvalidPrice"),
        (f.placeBid(job, BOUNTY, deadline), STAKE - 1, "JobBoardStakeTooLow"),
        (f.placeBid(job, BOUNTY, deadline + 1), STAKE, "JobBoardInvalidDeliveryTime"),
        (f.placeBid(99, BOUNTY, deadline), STAKE, "JobBoardUnknownJob"),
    ]
    for function, stake, expected in cases:
        assert _refused(decoder, function, alpha.address, stake) == expected
    world.bid(alpha, job, price=BOUNTY)
    assert _refused(decoder, f.placeBid(job, BOUNTY, deadline), alpha.address, STAKE) == (
        "JobBoardAlreadyBid"
    )
    devchain.increase_time(world.w3, DAY + 1)
    assert _refused(decoder, f.placeBid(job, BOUNTY, deadline), poster.address, STAKE) == (
        "JobBoardBiddingClosed"
    )
    # Accepting after the bidding deadline is refused too.
    assert _refused(decoder, f.acceptBid(job, alpha.address), poster.address) == (
        "JobBoardBiddingClosed"
    )


def test_acceptance_needs_the_poster_and_every_pass_for_the_purpose(
    world: JobWorld, decoder: RevertDecoder
) -> None:
    w3 = world.w3
    f = world.board.functions
    poster, alpha, _, _ = _people(world)
    unlicensed = Sender.unlocked(w3, w3.eth.accounts[7])
    job = world.post(poster)
    world.bid(unlicensed, job)
    world.bid(alpha, job)
    assert _refused(decoder, f.acceptBid(job, alpha.address), alpha.address) == (
        "JobBoardNotPoster"
    )
    assert _refused(decoder, f.acceptBid(job, poster.address), poster.address) == "JobBoardNoBid"
    assert _refused(decoder, f.acceptBid(job, unlicensed.address), poster.address) == (
        "JobBoardMissingAccess"
    )
    # A pass for another purpose does not count.
    world.license(unlicensed, purpose="evaluation")
    assert _refused(decoder, f.acceptBid(job, unlicensed.address), poster.address) == (
        "JobBoardMissingAccess"
    )
    poster.call(f.acceptBid(job, alpha.address), what="accept")
    assert _refused(decoder, f.cancelJob(job), poster.address) == "JobBoardWrongStatus"
    assert _refused(decoder, f.withdrawBid(job), alpha.address) == "JobBoardNoBid"
    args = (job, cid("c"), cid("m"), 1)
    assert _refused(decoder, f.submitResult(*args), unlicensed.address) == "JobBoardNotProvider"
    assert _refused(decoder, f.submitResult(job, "", cid("m"), 1), alpha.address) == (
        "JobBoardInvalidCid"
    )
    # The score is stored beside the submission time in one slot: 216 bits.
    too_high = f.submitResult(job, cid("c"), cid("m"), 2**216)
    assert _refused(decoder, too_high, alpha.address) == "JobBoardAmountTooHigh"
    devchain.increase_time(w3, 7 * DAY + 1)
    assert _refused(decoder, f.submitResult(*args), alpha.address) == "JobBoardDeliveryClosed"


def test_a_challenge_upheld_pays_the_bond_to_the_provider_and_completes_the_job(
    world: JobWorld, decoder: RevertDecoder
) -> None:
    f = world.board.functions
    job, (poster, alpha, challenger, arbiter, governance) = _challenged(world)
    assert world.status(job) == "challenged"
    resolve = f.resolveChallenge(job, True, cid("reason"))
    assert _refused(decoder, resolve, challenger.address) == "JobBoardNotResolver"
    assert _refused(decoder, resolve, governance.address) == "JobBoardNotResolver"
    arbiter.call(resolve, what="resolve")
    assert world.status(job) == "completed"
    assert f.creditOf(alpha.address, ETH_CURRENCY).call() == BOUNTY // 2 + STAKE + CHALLENGE_BOND
    assert tuple(f.reputationOf(alpha.address).call()) == (1, 0, 1, 0)
    assert f.modelCount().call() == 1
    assert _refused(decoder, f.finalizeJob(job), poster.address) == "JobBoardWrongStatus"


def test_a_challenge_lost_slashes_the_stake_and_refunds_the_poster(world: JobWorld) -> None:
    w3 = world.w3
    f = world.board.functions
    job, (poster, alpha, challenger, arbiter, _) = _challenged(world)
    receipt = arbiter.call(f.resolveChallenge(job, False, cid("reason")), what="resolve")
    (slashed,) = emitted(world.board, "ProviderSlashed", receipt)
    share = STAKE * f.challengerShareBps().call() // 10_000
    assert slashed["args"]["toChallenger"] == share
    assert world.status(job) == "failed"
    assert f.creditOf(challenger.address, ETH_CURRENCY).call() == CHALLENGE_BOND + share
    treasury = world.deployment.address("CoopTimelock")
    assert f.creditOf(treasury, ETH_CURRENCY).call() == STAKE - share
    assert f.creditOf(poster.address, ETH_CURRENCY).call() == BOUNTY
    assert f.creditOf(alpha.address, ETH_CURRENCY).call() == 0
    assert tuple(f.reputationOf(alpha.address).call()) == (0, 1, 0, 1)
    assert f.modelCount().call() == 0
    assert w3.eth.get_balance(world.board.address) == f.accountedBalance(ETH_CURRENCY).call()


def test_an_unresolved_challenge_escalates_to_governance_alone(
    world: JobWorld, decoder: RevertDecoder
) -> None:
    w3 = world.w3
    f = world.board.functions
    job, (_, _, _, arbiter, governance) = _challenged(world)
    devchain.increase_time(w3, f.escalationPeriod().call() + 1)
    resolve = f.resolveChallenge(job, False, cid("reason"))
    assert _refused(decoder, resolve, arbiter.address) == "JobBoardNotResolver"
    receipt = governance.call(resolve, what="governance resolves")
    (event,) = emitted(world.board, "ChallengeResolved", receipt)
    assert event["args"]["byGovernance"] is True
    assert world.status(job) == "failed"


def test_a_missed_delivery_slashes_and_the_poster_reopens_or_refunds(
    world: JobWorld, decoder: RevertDecoder
) -> None:
    w3 = world.w3
    f = world.board.functions
    poster, alpha, beta, _ = _people(world)
    treasury = world.deployment.address("CoopTimelock")
    reopened = world.post(poster)
    refunded = world.post(poster)
    for job in (reopened, refunded):
        world.bid(alpha, job)
        poster.call(f.acceptBid(job, alpha.address), what="accept")
    assert _refused(decoder, f.refundMissedDelivery(refunded), poster.address) == (
        "JobBoardDeliveryOpen"
    )
    devchain.increase_time(w3, 7 * DAY + 1)
    now = devchain.latest_timestamp(w3)
    assert _refused(decoder, f.reopenJob(reopened, now + DAY, now + 2 * DAY), alpha.address) == (
        "JobBoardNotPoster"
    )
    assert _refused(decoder, f.reopenJob(reopened, now + DAY, now + DAY), poster.address) == (
        "JobBoardInvalidDeadlines"
    )
    poster.call(f.reopenJob(reopened, now + DAY, now + 3 * DAY), what="reopen")
    assert world.status(reopened) == "open"
    assert f.jobOf(reopened).call()[8] == ZERO_ADDRESS
    world.bid(beta, reopened)
    poster.call(f.acceptBid(reopened, beta.address), what="accept again")
    poster.call(f.refundMissedDelivery(refunded), what="refund")
    assert world.status(refunded) == "failed"
    assert f.creditOf(treasury, ETH_CURRENCY).call() == 2 * STAKE
    assert f.creditOf(poster.address, ETH_CURRENCY).call() == BOUNTY
    assert tuple(f.reputationOf(alpha.address).call()) == (0, 2, 0, 0)
    assert w3.eth.get_balance(world.board.address) == f.accountedBalance(ETH_CURRENCY).call()


def test_cancel_and_reopen_of_an_open_job(world: JobWorld, decoder: RevertDecoder) -> None:
    w3 = world.w3
    f = world.board.functions
    poster, alpha, _, _ = _people(world)
    job = world.post(poster)
    now = devchain.latest_timestamp(w3)
    # Bidding still open: nothing to reopen.
    assert _refused(decoder, f.reopenJob(job, now + DAY, now + 2 * DAY), poster.address) == (
        "JobBoardBiddingOpen"
    )
    assert _refused(decoder, f.cancelJob(job), alpha.address) == "JobBoardNotPoster"
    world.bid(alpha, job)
    devchain.increase_time(w3, DAY + 1)
    now = devchain.latest_timestamp(w3)
    poster.call(f.reopenJob(job, now + DAY, now + 2 * DAY), what="reopen")
    # The old bid promised a delivery after the new deadline: it cannot be accepted.
    assert _refused(decoder, f.acceptBid(job, alpha.address), poster.address) == (
        "JobBoardInvalidDeliveryTime"
    )
    receipt = poster.call(f.cancelJob(job), what="cancel")
    (event,) = emitted(world.board, "JobCancelled", receipt)
    assert event["args"]["refunded"] == BOUNTY
    alpha.call(f.withdrawBid(job), what="withdraw bid")
    assert f.creditOf(alpha.address, ETH_CURRENCY).call() == STAKE


def test_governance_posts_a_job_with_the_treasury_s_ether_through_a_proposal(
    world: JobWorld,
) -> None:
    """Fund a training job: an executed proposal calls postJob with the bounty as value."""
    w3 = world.w3
    board = world.board
    timelock = world.deployment.address("CoopTimelock")
    funder = Sender.unlocked(w3, w3.eth.accounts[9])
    funder.send({"from": funder.address, "to": timelock, "value": 2 * BOUNTY}, what="fund")
    # Deadlines far enough ahead to still be in the future when the proposal executes.
    terms = world.terms(bidding_in=30 * DAY, delivery_in=60 * DAY)
    calldata = bytes.fromhex(board.encode_abi("postJob", args=[terms])[2:])
    voter = Sender.unlocked(w3, w3.eth.accounts[6])
    pass_proposal(
        w3, world.deployment, voter, [board.address], [BOUNTY], [calldata], "# Fund a job"
    )
    job = int(board.functions.jobCount().call())
    assert job == 1
    assert board.functions.jobOf(job).call()[0] == timelock
    assert w3.eth.get_balance(board.address) == BOUNTY
    assert w3.eth.get_balance(timelock) == BOUNTY


def test_governance_settings_are_bounded(world: JobWorld, decoder: RevertDecoder) -> None:
    f = world.board.functions
    governance = act_as_governance(world.w3, world.deployment)
    who = governance.address
    assert _refused(decoder, f.setChallengerShare(10_001), who) == "JobBoardInvalidShare"
    assert _refused(decoder, f.setEscalationPeriod(0), who) == "JobBoardInvalidEscalationPeriod"
    assert _refused(decoder, f.setAssetAllowed(ZERO_ADDRESS, False), who) == "JobBoardZeroAddress"
    token = world.deployment.address("MockStablecoin")
    assert _refused(decoder, f.setAssetAllowed(token, True), who) == "JobBoardAssetUnchanged"
    governance.call(f.setAssetAllowed(token, False), what="disallow")
    assert not f.isAssetAllowed(token).call()
    governance.call(f.setChallengeBond(1), what="bond")
    assert f.challengeBond().call() == 1


def test_a_token_job_pays_the_price_in_the_token_and_returns_the_stake_in_ether(
    world: JobWorld,
) -> None:
    w3 = world.w3
    f = world.board.functions
    token = world.deployment.contract(w3, "MockStablecoin")
    poster, alpha, _, _ = _people(world)
    bounty = 800 * 10**6
    poster.call(token.functions.mint(poster.address, bounty), what="mint")
    poster.call(token.functions.approve(world.board.address, bounty), what="approve")
    job = world.post(poster, world.terms(asset=token.address, bounty=bounty))
    world.bid(alpha, job, price=bounty * 3 // 4)
    poster.call(f.acceptBid(job, alpha.address), what="accept")
    alpha.call(f.submitResult(job, cid("ckpt"), cid("metrics"), 1), what="submit")
    devchain.increase_time(w3, WINDOW + 1)
    poster.call(f.finalizeJob(job), what="finalize")
    assert f.creditOf(alpha.address, token.address).call() == bounty * 3 // 4
    assert f.creditOf(alpha.address, ETH_CURRENCY).call() == STAKE
    assert f.creditOf(poster.address, token.address).call() == bounty // 4
    assert f.earnedOf(alpha.address, token.address).call() == bounty * 3 // 4
    assert f.earnedOf(alpha.address, ETH_CURRENCY).call() == 0
    alpha.call(f.withdraw(token.address), what="withdraw")
    poster.call(f.withdraw(token.address), what="withdraw")
    assert token.functions.balanceOf(world.board.address).call() == 0
    assert token.functions.balanceOf(alpha.address).call() == bounty * 3 // 4


def test_challenge_and_resolution_need_a_cid(world: JobWorld, decoder: RevertDecoder) -> None:
    f = world.board.functions
    job, (_, _, challenger, arbiter, _) = _challenged(world)
    assert _refused(decoder, f.resolveChallenge(job, True, ""), arbiter.address) == (
        "JobBoardInvalidCid"
    )
    other = world.in_review(*_people(world)[:2])
    assert _refused(
        decoder, f.challengeResult(other, "x" * 129), challenger.address, CHALLENGE_BOND
    ) == ("JobBoardInvalidCid")


def test_the_constructor_refuses_zero_addresses_and_bad_settings(
    chain: Chain, deployment: Deployment, compiled_artifacts: dict[str, Artifact]
) -> None:
    w3 = chain.w3
    artifact = compiled_artifacts["JobBoard"]
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    licensing = deployment.address("DataLicensing")
    timelock = deployment.address("CoopTimelock")
    decoder = decoder_for(compiled_artifacts)
    cases = [
        ((ZERO_ADDRESS, timelock, timelock, 1, 5_000, DAY, []), "JobBoardZeroAddress"),
        ((licensing, ZERO_ADDRESS, timelock, 1, 5_000, DAY, []), "JobBoardZeroAddress"),
        ((licensing, timelock, ZERO_ADDRESS, 1, 5_000, DAY, []), "JobBoardZeroAddress"),
        ((licensing, timelock, timelock, 1, 5_000, DAY, [ZERO_ADDRESS]), "JobBoardZeroAddress"),
        ((licensing, timelock, timelock, 1, 10_001, DAY, []), "JobBoardInvalidShare"),
        ((licensing, timelock, timelock, 1, 5_000, 0, []), "JobBoardInvalidEscalationPeriod"),
        (
            (licensing, timelock, timelock, 1, 5_000, 91 * DAY, []),
            "JobBoardInvalidEscalationPeriod",
        ),
    ]
    deployer = w3.eth.accounts[0]
    for args, expected in cases:
        # An explicit gas limit skips estimation: the call below is what reverts.
        tx = factory.constructor(*args).build_transaction({"from": deployer, "gas": 6_000_000})
        with pytest.raises(ContractCustomError) as refused:
            w3.eth.call({"from": deployer, "data": tx["data"]})
        decoded = decoder.decode(str(refused.value.data))
        assert decoded is not None and decoded.name == expected, args


def test_the_python_vocabulary_matches_the_contract(world: JobWorld) -> None:
    f = world.board.functions
    assert f.MAX_DATASETS().call() == job_board.MAX_DATASETS
    assert f.MAX_CID_LENGTH().call() == job_board.MAX_CID_LENGTH
    assert f.MAX_JOB_DURATION().call() == job_board.MAX_JOB_DURATION_S
    assert f.MAX_CHALLENGE_WINDOW().call() == job_board.MAX_CHALLENGE_WINDOW_S
    assert f.MAX_ESCALATION_PERIOD().call() == job_board.MAX_ESCALATION_PERIOD_S
    # Every credit reason the contract emits has a name here.
    poster, alpha, _, _ = _people(world)
    world.in_review(poster, alpha)
    devchain.increase_time(world.w3, WINDOW + 1)
    receipt = poster.call(f.finalizeJob(1), what="finalize")
    reasons = [e["args"]["reason"] for e in emitted(world.board, "PayoutCredited", receipt)]
    assert [job_board.credit_reason_name(r) for r in reasons] == [
        "payment",
        "stake_returned",
        "bounty_refund",
    ]
    assert job_board.status_name(world.board.functions.jobOf(1).call()[3]) == "completed"
    assert job_board.status_name(99) == "unknown"

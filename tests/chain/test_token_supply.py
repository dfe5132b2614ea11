"""CoopToken's issuance is bounded and its owner (governance) cannot be removed.

At most one mint per 365 days of at most 2% of the supply; ownership moves in two
steps and cannot be renounced. Each refusal is a decoded custom error. The tests
move the clock a year, so they run on their own anvil, not the shared one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from web3.contract import Contract

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.deploy import TOKEN
from coop_dashboard.chain.revert import RevertDecoder
from coop_dashboard.chain.transact import Sender
from tests.support.chains import Chain, deploy, start_chain
from tests.support.reverts import decoder_for, revert_of

YEAR = 365 * 86_400


@pytest.fixture(scope="module")
def own_chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chain]:
    """Not the session's anvil: these tests move the clock a whole year."""
    running = start_chain(tmp_path_factory.mktemp("anvil-token"))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def suite(own_chain: Chain, compiled_artifacts: dict[str, Artifact]) -> Deployment:
    return deploy(own_chain, compiled_artifacts)


@pytest.fixture
def decoder(compiled_artifacts: dict[str, Artifact]) -> RevertDecoder:
    return decoder_for(compiled_artifacts)


def _as_timelock(chain: Chain, suite: Deployment) -> Sender:
    """The timelock sending directly (what an executed proposal does), impersonated on anvil."""
    timelock = suite.address("CoopTimelock")
    chain.w3.provider.make_request("anvil_impersonateAccount", [timelock])  # type: ignore[arg-type]
    chain.w3.provider.make_request("anvil_setBalance", [timelock, hex(10**18)])  # type: ignore[arg-type]
    return Sender.unlocked(chain.w3, timelock)


def _advance(chain: Chain, seconds: int) -> None:
    chain.w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def _token(chain: Chain, suite: Deployment) -> Contract:
    return suite.contract(chain.w3, "CoopToken")


def _refusal(decoder: RevertDecoder, function: Any, sender: str) -> tuple[str, tuple[Any, ...]]:
    decoded = revert_of(decoder, function, sender)
    assert decoded is not None, "the call succeeded"
    return decoded.name, tuple(decoded.args)


def test_a_mint_above_two_percent_of_the_supply_is_refused(
    own_chain: Chain, suite: Deployment, decoder: RevertDecoder
) -> None:
    token = _token(own_chain, suite)
    cap = token.functions.totalSupply().call() * 2 // 100
    member = own_chain.w3.eth.accounts[5]
    timelock = suite.address("CoopTimelock")
    name, args = _refusal(decoder, token.functions.mint(member, cap + 1), timelock)
    assert (name, args) == ("CoopTokenMintAboveCap", (cap + 1, cap))
    assert revert_of(decoder, token.functions.mint(member, cap), timelock) is None


def test_one_mint_per_year_then_the_cap_follows_the_new_supply(
    own_chain: Chain, suite: Deployment, decoder: RevertDecoder
) -> None:
    token = _token(own_chain, suite)
    member = own_chain.w3.eth.accounts[5]
    supply = token.functions.totalSupply().call()
    governance = _as_timelock(own_chain, suite)
    governance.call(token.functions.mint(member, supply * 2 // 100), what="first mint")
    next_mint = token.functions.nextMintAt().call()
    assert next_mint == own_chain.w3.eth.get_block("latest")["timestamp"] + YEAR

    name, args = _refusal(decoder, token.functions.mint(member, 1 * TOKEN), governance.address)
    assert (name, args) == ("CoopTokenMintTooSoon", (next_mint,))
    _advance(own_chain, YEAR - 120)  # still inside the period
    name, _ = _refusal(decoder, token.functions.mint(member, 1 * TOKEN), governance.address)
    assert name == "CoopTokenMintTooSoon"

    _advance(own_chain, 240)  # the period is over
    new_supply = token.functions.totalSupply().call()
    assert new_supply == supply + supply * 2 // 100
    over = new_supply * 2 // 100 + 1
    name, _ = _refusal(decoder, token.functions.mint(member, over), governance.address)
    assert name == "CoopTokenMintAboveCap"
    governance.call(token.functions.mint(member, over - 1), what="second year's mint")


def test_ownership_cannot_be_renounced(
    own_chain: Chain, suite: Deployment, decoder: RevertDecoder
) -> None:
    token = _token(own_chain, suite)
    name, _ = _refusal(decoder, token.functions.renounceOwnership(), suite.address("CoopTimelock"))
    assert name == "CoopTokenRenounceDisabled"
    assert token.functions.owner().call() == suite.address("CoopTimelock")


def test_ownership_moves_only_when_the_new_owner_accepts(
    own_chain: Chain, suite: Deployment, decoder: RevertDecoder
) -> None:
    token = _token(own_chain, suite)
    governance = _as_timelock(own_chain, suite)
    new_owner, stranger = own_chain.w3.eth.accounts[6], own_chain.w3.eth.accounts[7]
    governance.call(token.functions.transferOwnership(new_owner), what="offer ownership")
    assert token.functions.owner().call() == governance.address  # not yet moved
    assert token.functions.pendingOwner().call() == new_owner
    name, args = _refusal(decoder, token.functions.acceptOwnership(), stranger)
    assert (name, args) == ("OwnableUnauthorizedAccount", (stranger,))
    Sender.unlocked(own_chain.w3, new_owner).call(
        token.functions.acceptOwnership(), what="accept ownership"
    )
    assert token.functions.owner().call() == new_owner


def test_only_the_owner_mints(own_chain: Chain, suite: Deployment, decoder: RevertDecoder) -> None:
    token = _token(own_chain, suite)
    for outsider in (suite.deployer, own_chain.w3.eth.accounts[5]):
        name, args = _refusal(decoder, token.functions.mint(outsider, 1), outsider)
        assert (name, args) == ("OwnableUnauthorizedAccount", (outsider,))

"""The job page's withdraw buttons on a real chain: every asset JobBoard holds for the
account (ETH, a third token governance allowed), amounts from creditOf, and a token's
symbol()/decimals() read as hostile data (huge, non-ASCII, reverting, looping, posing
as ETH) before it names a button or a withdrawal."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from web3 import Web3

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.data_licensing import ETH_CURRENCY
from coop_dashboard.chain.token_claims import TokenClaims, read_token_claims
from coop_dashboard.chain.transact import Sender
from coop_dashboard.evm import ZERO_ADDRESS
from coop_dashboard.services.display import short_address
from coop_dashboard.services.jobs.asset_labels import asset_label, forget_asset_labels
from coop_dashboard.services.jobs.chain_reads import JobReads
from coop_dashboard.services.jobs.inputs import JobActionRefused
from coop_dashboard.services.jobs.viewer import job_credits
from coop_dashboard.services.jobs.writes import prepare_bid, prepare_withdraw
from coop_dashboard.services.transactions import ChainContext
from tests.support.chains import Chain, deploy_artifact
from tests.support.datasets import act_as_governance
from tests.support.jobs import BOUNTY, DAY, job_world

TOKENS = 1_000 * 10**18
SYMBOL_SLOT = 4  # OpenZeppelin ERC20: _balances, _allowances, _totalSupply, _name, _symbol


def _rpc(w3: Web3, method: str, *params: Any) -> None:
    response = w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
    assert "error" not in response, response


def _returning(w3: Web3, answer: bytes, address: str) -> str:
    """Code at `address` that answers every call with `answer` (CODECOPY of its tail)."""
    prefix = bytes.fromhex("600b38038060 0b5f395ff3".replace(" ", ""))
    _rpc(w3, "anvil_setCode", address, "0x" + (prefix + answer).hex())
    return address


def _abi_string(raw: bytes) -> bytes:
    padded = raw + b"\0" * (-len(raw) % 32)
    return (32).to_bytes(32, "big") + len(raw).to_bytes(32, "big") + padded


def test_hostile_token_metadata_is_no_claim(
    chain: Chain, context: ChainContext, compiled_artifacts: dict[str, Artifact]
) -> None:
    w3 = chain.w3
    honest = deploy_artifact(w3, compiled_artifacts["MaliciousJobToken"])
    assert read_token_claims(w3, honest.address) == TokenClaims("EVILJ", 18)
    hostile = {
        "huge string": _abi_string(b"A" * 5_000),
        "bidi override": _abi_string("ETH\u202e".encode()),
        "space and quotes": _abi_string(b'ETH "x"'),
        "length beyond the data": (32).to_bytes(32, "big") + (31).to_bytes(32, "big"),
        "odd size": b"\x01" * 33,
        "empty": b"",
    }
    for n, (case, answer) in enumerate(hostile.items()):
        address = _returning(w3, answer, "0x" + f"{0xBAD0 + n:040x}")
        claims = read_token_claims(w3, address)
        assert claims.symbol is None, case
        label = asset_label(context, address)
        assert label.amount_text(12_345) == f"12,345 base units of token {short_address(address)}"
    # bytes32 symbols (older tokens) are read; decimals must be one word of at most 36.
    old_style = _returning(w3, b"MKR".ljust(32, b"\0"), "0x" + f"{0xB0B1:040x}")
    assert read_token_claims(w3, old_style) == TokenClaims("MKR", None)
    many_decimals = _returning(w3, (255).to_bytes(32, "big"), "0x" + f"{0xB0B2:040x}")
    assert read_token_claims(w3, many_decimals).decimals is None
    # A revert, an endless loop (stopped by the call's gas budget) and no code at all.
    for n, code in enumerate(("5f5ffd", "5b5f56")):
        address = "0x" + f"{0xC0DE + n:040x}"
        _rpc(w3, "anvil_setCode", address, "0x" + code)
        assert read_token_claims(w3, address) == TokenClaims(None, None)
    assert read_token_claims(w3, "0x" + f"{0xE0E0:040x}") == TokenClaims(None, None)


def test_every_credited_asset_gets_a_withdrawal_named_safely(
    chain: Chain,
    deployment: Deployment,
    context: ChainContext,
    compiled_artifacts: dict[str, Artifact],
) -> None:
    w3 = chain.w3
    world = job_world(w3, deployment)
    f = world.board.functions
    token = deploy_artifact(w3, compiled_artifacts["MaliciousJobToken"])
    act_as_governance(w3, deployment).call(
        f.setAssetAllowed(token.address, True), what="allow token"
    )
    poster = Sender.unlocked(w3, w3.eth.accounts[2])
    poster.call(token.functions.mint(poster.address, TOKENS), what="mint")
    poster.call(token.functions.approve(world.board.address, TOKENS), what="approve")
    in_token = world.post(poster, world.terms(asset=token.address, bounty=TOKENS))
    in_eth = world.post(poster)
    for job in (in_token, in_eth):
        poster.call(f.cancelJob(job), what="cancel")  # the bounty is credited back
    reads = JobReads(context)
    address = token.address.lower()

    # Without the index's word that a job was posted in the token, only ETH is found.
    assert [c.symbol for c in job_credits(context, reads, poster.address, [])] == ["ETH"]
    credits = job_credits(context, reads, poster.address.lower(), [token.address])
    assert [(c.asset, c.symbol, c.text) for c in credits] == [
        (ZERO_ADDRESS, "ETH", "1 ETH"),
        (address, "EVILJ", f"1,000 EVILJ (token {short_address(address)})"),
    ]
    assert f.creditOf(poster.address, ETH_CURRENCY).call() == BOUNTY

    write = prepare_withdraw(context.settings, poster.address, address)
    assert write.description.startswith("Withdraw 1,000 EVILJ (token 0x")
    assert prepare_withdraw(context.settings, poster.address, ZERO_ADDRESS).description == (
        "Withdraw 1 ETH from the job board"
    )

    # A bid on a job in the token: its price is read in the token's checked decimals.
    bidder = Sender.unlocked(w3, w3.eth.accounts[3])
    poster.call(token.functions.mint(poster.address, TOKENS), what="mint again")
    poster.call(token.functions.approve(world.board.address, TOKENS), what="approve again")
    bid_on = world.post(poster, world.terms(asset=token.address, bounty=TOKENS))
    delivery = datetime.fromtimestamp(reads.now() + 2 * DAY, UTC).strftime("%Y-%m-%dT%H:%M")
    bid = prepare_bid(context.settings, bidder.address, bid_on, "2.5", delivery, "0.1")
    assert bid.description.startswith(f"Bid 2.5 EVILJ (token {short_address(address)}) on job")
    assert world.board.decode_function_input(bid.tx.data)[1]["price"] == 25 * 10**17
    with pytest.raises(JobActionRefused, match="more than the bounty"):
        prepare_bid(context.settings, bidder.address, bid_on, "1000.5", delivery, "0.1")

    # The token renames itself "ETH" (its own storage). Its claims were read once: the
    # label it had stays (it cannot come to pose as ETH); read afresh, it is no longer
    # trusted: base units and its address.
    word = b"ETH".ljust(31, b"\0") + bytes([2 * 3])
    _rpc(w3, "anvil_setStorageAt", token.address, hex(SYMBOL_SLOT), "0x" + word.hex())
    assert token.functions.symbol().call() == "ETH"
    assert job_credits(context, reads, poster.address, [address])[-1].symbol == "EVILJ"
    forget_asset_labels()
    posing = job_credits(context, reads, poster.address, [address])[-1]
    assert posing.symbol == short_address(address)
    assert posing.text == f"{TOKENS:,} base units of token {short_address(address)}"

    # What a forged event may send: not an address, or an asset with nothing credited.
    for forged, words in [
        ("ETH", "not an address"),
        (["0x"], "not text"),
        (deployment.address("MockStablecoin"), "holds no cUSD"),
    ]:
        with pytest.raises(JobActionRefused, match=words):
            prepare_withdraw(context.settings, poster.address, forged)

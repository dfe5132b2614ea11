"""The job page's own rules (pure functions): when the poster is offered reopen and a
missed-delivery refund (JobBoard.reopenJob's rule on the chain's clock), and how a
timeline entry words its amount in its own asset."""

from __future__ import annotations

from dataclasses import replace

import pytest

from coop_dashboard.config import load_settings
from coop_dashboard.db.job_queries import TimelineEntry
from coop_dashboard.evm import ZERO_ADDRESS
from coop_dashboard.services.jobs.asset_labels import AssetLabel
from coop_dashboard.services.jobs.job_view import (
    bid_acceptable,
    bidding_open,
    challenge_open,
    delivery_missed,
    reopen_allowed,
    timeline_row,
)

BIDDING, DELIVERY = 1_800_000_000, 1_800_600_000
ACCOUNT = "0x" + "a1" * 20
TOKEN = "0x" + "7e" * 20


@pytest.mark.parametrize(
    ("status", "now", "allowed"),
    [
        ("open", BIDDING - 1, False),  # bidding still open: the contract says BiddingOpen
        ("open", BIDDING, False),  # the deadline itself still belongs to bidding
        ("open", BIDDING + 1, True),  # closed without an accepted bid
        ("in_progress", DELIVERY, False),  # the provider may still deliver
        ("in_progress", DELIVERY + 1, True),  # missed: reopen slashes and reopens
        ("in_review", DELIVERY + 1, False),
        ("challenged", DELIVERY + 1, False),
        ("completed", DELIVERY + 1, False),
        ("failed", DELIVERY + 1, False),
        ("cancelled", BIDDING + 1, False),
    ],
)
def test_reopen_is_offered_when_the_contract_would_take_it(
    status: str, now: int, allowed: bool
) -> None:
    assert reopen_allowed(status, BIDDING, DELIVERY, now) is allowed


def test_a_missed_delivery_is_one_of_a_job_in_progress_past_its_deadline() -> None:
    assert delivery_missed("in_progress", DELIVERY, DELIVERY + 1)
    assert not delivery_missed("in_progress", DELIVERY, DELIVERY)
    assert not delivery_missed("in_review", DELIVERY, DELIVERY + 1)
    assert not reopen_allowed("open", BIDDING, DELIVERY, 0)  # nothing indexed yet: no offer


@pytest.mark.parametrize(
    ("status", "now", "offered"),
    [
        ("open", BIDDING - 1, True),
        ("open", BIDDING, True),  # JobBoard.placeBid takes the deadline itself
        ("open", BIDDING + 1, False),  # JobBoardBiddingClosed
        ("open", 0, False),  # nothing indexed yet: the page does not know the chain's time
        ("in_progress", BIDDING - 1, False),
        ("cancelled", BIDDING - 1, False),
    ],
)
def test_the_bid_form_is_offered_while_the_contract_takes_bids(
    status: str, now: int, offered: bool
) -> None:
    assert bidding_open(status, BIDDING, now) is offered


def test_accept_is_offered_for_an_active_bid_while_bidding_is_open_and_delivery_ahead() -> None:
    delivers = BIDDING + 500
    assert bid_acceptable("open", "active", BIDDING, delivers, BIDDING)
    assert not bid_acceptable("open", "active", BIDDING, delivers, BIDDING + 1)  # bidding closed
    assert not bid_acceptable("open", "active", BIDDING + 1_000, delivers, delivers)  # passed
    assert not bid_acceptable("open", "withdrawn", BIDDING, delivers, BIDDING - 1)
    assert not bid_acceptable("in_progress", "accepted", BIDDING, delivers, BIDDING - 1)


def test_the_challenge_form_is_offered_only_inside_the_window() -> None:
    ends = DELIVERY + 2 * 86_400
    assert challenge_open("in_review", ends, ends - 1)
    assert not challenge_open("in_review", ends, ends)  # JobBoardChallengeWindowClosed at ends
    assert not challenge_open("in_review", None, DELIVERY)
    assert not challenge_open("in_review", ends, 0)
    assert not challenge_open("challenged", ends, ends - 1)


def _entry(kind: str, amount: int | None, asset: str | None = None) -> TimelineEntry:
    return TimelineEntry(
        1, 0, BIDDING, kind, ACCOUNT, amount, f"{kind} detail", "0x" + "0" * 64, asset
    )


CUSD = AssetLabel("0x" + "c5" * 20, "cUSD", 6, True)
ETH = AssetLabel(ZERO_ADDRESS, "ETH", 18, True)


def test_timeline_credits_show_their_amount_in_their_own_asset() -> None:
    # No chain here: a token outside the manifest cannot be read, so base units + address.
    settings = replace(load_settings(), rpc_url="http://127.0.0.1:9", rpc_timeout_s=0.5)
    # A stake returned in ETH on a cUSD job; a bounty refund in a token outside the manifest.
    stake = timeline_row(settings, CUSD, _entry("credited", 10**17, ZERO_ADDRESS))
    assert stake.what == "credited detail 0.1 ETH to 0xa1a1…a1a1"
    refund = timeline_row(settings, CUSD, _entry("credited", 2_500, TOKEN))
    assert refund.what == ("credited detail 2,500 base units of token 0x7e7e…7e7e to 0xa1a1…a1a1")
    # The job's own asset for what the job's bounty pays; ETH for stakes and bonds.
    posted = timeline_row(settings, ETH, _entry("posted", 10**18))
    assert posted.what == "posted detail 1 ETH by 0xa1a1…a1a1"
    bond = timeline_row(settings, CUSD, _entry("challenged", 5 * 10**16))
    assert bond.what == "challenged detail 0.05 ETH by 0xa1a1…a1a1"
    assert timeline_row(settings, ETH, _entry("credited", 7)).what == (
        "credited detail to 0xa1a1…a1a1"  # no asset named: no amount guessed
    )

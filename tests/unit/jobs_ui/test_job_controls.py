"""The job pages' controls as a browser may forge them: board keys, action names, forms."""

from __future__ import annotations

import pytest

from coop_dashboard.evm import ZERO_ADDRESS
from coop_dashboard.services.jobs.asset_labels import AssetLabel, address_label
from coop_dashboard.services.jobs.board_view import (
    AssetOption,
    BoardInputError,
    BoardKey,
    asset_option,
    changed_key,
)
from coop_dashboard.services.jobs.inputs import JobActionRefused
from coop_dashboard.services.jobs.page_actions import ACTIONS, form_of, job_action
from coop_dashboard.state.jobs_page import job_id_from_path
from coop_dashboard.state.providers import address_from_path


def test_board_controls_build_keys_and_refuse_what_they_do_not_take() -> None:
    key = changed_key(BoardKey(page=4), "status", "challenged")
    assert key.status == "challenged" and key.page == 1
    key = changed_key(key, "dataset", "#12")
    assert key.dataset == 12
    key = changed_key(changed_key(key, "asset", "cUSD"), "min_bounty", "2,500.5")
    assert key.min_bounty == 2_500_500_000
    assert changed_key(key, "asset", "ETH").min_bounty == 0  # another asset: another scale
    assert changed_key(key, "page", 3).page == 3
    for control, value, words in [
        ("status", "paid", "Unknown status"),
        ("status", ["open"], "Unknown status"),
        ("dataset", "0", "a dataset number"),
        ("dataset", "1 OR 1=1", "a dataset number"),
        ("asset", "BTC", "Asset: one of"),
        ("min_bounty", "-1", "negative"),
        ("sort", "job_id; drop", "Unknown sort"),
        ("page", 0, "Not a page number"),
        ("page", True, "Not a page number"),
        ("page", "2", "Not a page number"),
        ("search", "x" * 101, "at most 100"),
        ("search", {"$ne": 1}, "not text"),
        ("owner", "me", "Unknown control"),
    ]:
        with pytest.raises(BoardInputError, match=words):
            changed_key(key, control, value)
    with pytest.raises(BoardInputError, match="Choose an asset"):
        changed_key(BoardKey(), "min_bounty", "1")


def test_the_board_filters_by_any_offered_token_in_its_checked_decimals() -> None:
    claimed, unnamed, forged = "0x" + "7e" * 20, "0x" + "5a" * 20, "0x" + "66" * 20
    offered = {claimed: 8, unnamed: None}  # BoardView.asset_options: address -> decimals
    key = changed_key(BoardKey(), "asset", claimed, offered)
    assert changed_key(key, "min_bounty", "2.5", offered).min_bounty == 250_000_000
    key = changed_key(key, "asset", unnamed, offered)
    assert changed_key(key, "min_bounty", "2,500", offered).min_bounty == 2_500  # base units
    with pytest.raises(BoardInputError, match="not a number|decimal|digits"):
        changed_key(key, "min_bounty", "2.5", offered)
    with pytest.raises(BoardInputError, match="Asset: one of"):
        changed_key(key, "asset", forged, offered)  # not an asset any job was posted in
    # How the filter offers them: suite assets by symbol, other tokens by address.
    assert asset_option(AssetLabel(ZERO_ADDRESS, "ETH", 18, True)) == AssetOption("ETH", "ETH", 18)
    assert asset_option(AssetLabel(claimed, "EVILJ", 8, False)) == AssetOption(
        claimed, "EVILJ (0x7e7e…7e7e)", 8
    )
    assert asset_option(address_label(unnamed)) == AssetOption(
        unnamed, "0x5a5a…5a5a (base units)", None
    )


def test_only_listed_actions_run_and_forms_are_bounded() -> None:
    assert set(ACTIONS) == {
        "bid", "withdraw_bid", "accept", "cancel", "reopen", "refund",
        "submit", "challenge", "resolve", "finalize",
    }  # fmt: skip
    for name in ["withdraw", "setAssetAllowed", "", None, ["bid"], "__class__"]:
        with pytest.raises(JobActionRefused, match="Unknown job action"):
            job_action(name)
    assert form_of({"price": "1"}) == {"price": "1"}
    assert form_of("price=1") == {}
    assert form_of({str(i): i for i in range(33)}) == {}


def test_paths_name_a_job_or_an_address_or_nothing() -> None:
    assert job_id_from_path("/jobs/12") == 12
    assert job_id_from_path("/jobs/12/") == 12
    for path in ["/jobs/new", "/jobs/0", "/jobs/-1", "/jobs/1e3", "/jobs/" + "9" * 30]:
        assert job_id_from_path(path) is None
    address = "0x" + "ab" * 20
    assert address_from_path(f"/providers/{address}") == address
    assert address_from_path("/providers/0x" + "Ab" * 20) is None  # a wrong EIP-55 checksum
    assert address_from_path("/providers/0x123") is None
    assert address_from_path("/providers/<script>") is None

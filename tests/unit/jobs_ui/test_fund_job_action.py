"""Proposal action "Fund a training job": ETH posts in one call, cUSD approves then posts;
the spec must be stored and parse; deadlines must fall after the earliest execution."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from eth_abi import decode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.governance_types import KnownContract, TokenInfo
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.services.governance.actions import ActionContext, decode_actions
from coop_dashboard.services.governance.builder import TreasuryAsset
from coop_dashboard.services.governance.job_actions import JobFundingForm, fund_job, stored_spec
from coop_dashboard.services.governance.validation import InvalidInput
from coop_dashboard.services.jobs.spec import Evaluation, JobSpec

NOW = 1_800_000_000
EARLIEST = NOW + 8 * 86_400
SPEC = JobSpec(
    recipe="logistic_regression",
    training_datasets=(3, 1),
    label_column="cultivar",
    evaluation=Evaluation("holdout", test_share=0.2),
    metric="accuracy",
    target_score=0.9,
    tolerance=0.01,
)


def _utc(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture(scope="module")
def contracts(compiled_artifacts: dict[str, Artifact]) -> dict[str, KnownContract]:
    return {
        name: KnownContract(
            name, to_checksum_address(f"0x{i + 1:040x}"), compiled_artifacts[name].abi
        )
        for i, name in enumerate(("JobBoard", "MockStablecoin"))
    }


def _form(**changes: str) -> JobFundingForm:
    base = JobFundingForm(
        spec_cid="bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
        asset="ETH",
        bounty="2",
        purpose="research",
        bidding_deadline=_utc(EARLIEST + 86_400),
        delivery_deadline=_utc(EARLIEST + 10 * 86_400),
        minimum_stake="0.1",
        challenge_window="2 days",
    )
    return JobFundingForm(**{**base.__dict__, **changes})


def test_an_eth_bounty_is_one_post_carrying_the_bounty(contracts: dict[str, KnownContract]) -> None:
    eth = TreasuryAsset("ETH", 18, 5 * 10**18)
    (post,) = fund_job(contracts["JobBoard"], eth, _form(), SPEC, earliest_execution=EARLIEST)
    assert post.target == contracts["JobBoard"].address
    assert post.value == 2 * 10**18
    selector = function_signature_to_4byte_selector(
        "postJob((string,uint256[],uint8,address,uint256,uint64,uint64,uint96,uint64))"
    )
    assert post.calldata[:4] == selector
    (terms,) = decode(
        ["(string,uint256[],uint8,address,uint256,uint64,uint64,uint96,uint64)"],
        post.calldata[4:],
    )
    assert list(terms[1]) == [1, 3]  # the spec's datasets, sorted
    assert terms[4] == 2 * 10**18 and terms[7] == 10**17 and terms[8] == 2 * 86_400


def test_a_cusd_bounty_approves_the_board_then_posts(contracts: dict[str, KnownContract]) -> None:
    cusd = TreasuryAsset("cUSD", 6, 10_000 * 10**6, contracts["MockStablecoin"])
    approve, post = fund_job(
        contracts["JobBoard"], cusd, _form(asset="cUSD", bounty="1500"), SPEC,
        earliest_execution=EARLIEST,
    )  # fmt: skip
    assert approve.target == contracts["MockStablecoin"].address and approve.value == 0
    spender, amount = decode(["address", "uint256"], approve.calldata[4:])
    assert spender.lower() == contracts["JobBoard"].address.lower() and amount == 1_500 * 10**6
    assert post.value == 0


def test_refusals_name_their_fields(contracts: dict[str, KnownContract]) -> None:
    eth = TreasuryAsset("ETH", 18, 10**18)
    with pytest.raises(InvalidInput) as refused:
        fund_job(
            contracts["JobBoard"],
            eth,
            _form(bounty="3", bidding_deadline=_utc(NOW + 3600), challenge_window="40 days"),
            SPEC,
            earliest_execution=EARLIEST,
        )
    fields = {p.field: p.message for p in refused.value.problems}
    assert "more than the treasury holds" in fields["job_bounty"]
    assert "after the proposal can execute" in fields["job_bidding_deadline"]
    assert "at most 30 days" in fields["job_challenge_window"]
    with pytest.raises(InvalidInput, match="Delivery deadline: must come after"):
        fund_job(
            contracts["JobBoard"], eth,
            _form(delivery_deadline=_utc(EARLIEST + 3600)), SPEC, earliest_execution=EARLIEST,
        )  # fmt: skip
    with pytest.raises(InvalidInput, match="Asset: choose one"):
        fund_job(contracts["JobBoard"], None, _form(), SPEC, earliest_execution=EARLIEST)


def test_the_spec_must_be_stored_and_parse(tmp_path: Path) -> None:
    store = LocalContentStore(tmp_path)
    cid = store.put(SPEC.to_json())
    assert stored_spec(tmp_path, f"ipfs://{cid}").all_datasets == (3, 1)
    with pytest.raises(InvalidInput, match="Spec: not a CID"):
        stored_spec(tmp_path, "hello")
    missing = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
    with pytest.raises(InvalidInput, match="Spec: Not in this dashboard's content store"):
        stored_spec(tmp_path, missing)
    junk = store.put(b'{"version": 1, "version": 2}')
    with pytest.raises(InvalidInput, match="Spec: "):
        stored_spec(tmp_path, junk)


def test_voters_read_what_the_funding_does(contracts: dict[str, KnownContract]) -> None:
    cusd = TreasuryAsset("cUSD", 6, 10_000 * 10**6, contracts["MockStablecoin"])
    calls = fund_job(
        contracts["JobBoard"], cusd, _form(asset="cUSD", bounty="1500"), SPEC,
        earliest_execution=EARLIEST,
    )  # fmt: skip
    context = ActionContext.for_contracts(
        list(contracts.values()),
        treasury=to_checksum_address("0x" + "77" * 20),
        tokens={contracts["MockStablecoin"].address: TokenInfo("cUSD", 6)},
    )
    approve, post = decode_actions(
        [c.target for c in calls], [c.value for c in calls], [c.calldata for c in calls], context
    )
    assert "1,500 cUSD" in approve.summary
    assert post.summary.startswith("Fund a training job with 1,500 cUSD from the treasury: spec ")
    assert "datasets #1, #3, for research" in post.summary
    assert f"bids until {datetime.fromtimestamp(EARLIEST + 86_400, UTC):%Y-%m-%d %H:%M} UTC" in (
        post.summary
    )
    assert "stake at least 0.1 ETH, challenge window 2 days" in post.summary

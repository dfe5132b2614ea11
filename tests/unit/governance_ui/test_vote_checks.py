"""Vote refusals the page gives before any wallet prompt, the relayer's settings and the
feed card's figures."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from eth_account import Account

from coop_dashboard.config import load_settings
from coop_dashboard.db.engine import create_tables, get_engine
from coop_dashboard.db.queries import ProposalSummary
from coop_dashboard.services.governance.feed_view import proposal_card, votes_label
from coop_dashboard.services.governance.proposal_writes import (
    check_vote_input,
    prepare_lifecycle,
    prepare_vote,
    refusing_unexpected,
)
from coop_dashboard.services.governance.relayer_config import (
    RelayerConfigError,
    load_relayer_config,
)
from coop_dashboard.services.transactions import PreparedWrite, WriteRefused
from tests.unit.governance_ui.feed_rows import NOW, add_proposal, add_vote, set_now

VOTER = "0x" + "aa" * 20


def test_vote_input_is_checked() -> None:
    assert check_vote_input(1, "  because  ") == "because"
    with pytest.raises(WriteRefused, match="For, Against or Abstain"):
        check_vote_input(3, "")
    with pytest.raises(WriteRefused, match="too long"):
        check_vote_input(0, "x" * 2_001)


def test_a_second_vote_is_refused_from_the_index(tmp_path: Path) -> None:
    settings = dataclasses.replace(
        load_settings(), database_url=f"sqlite:///{tmp_path / 'votes.db'}"
    )
    engine = get_engine(settings.database_url)
    create_tables(engine)
    set_now(engine)
    add_proposal(engine, 7, block=1, title="T", vote_start=NOW - 10, vote_end=NOW + 10)
    add_vote(engine, 7, VOTER, block=2, weight=5)
    # Refused before the chain is asked anything (the RPC in these settings is not running).
    with pytest.raises(WriteRefused, match="You already voted For on this proposal"):
        prepare_vote(settings, VOTER.upper().replace("0X", "0x"), 7, 0, "")


def test_only_the_proposer_may_cancel_checked_on_the_server(tmp_path: Path) -> None:
    # The page hides Cancel from others; this is the check a crafted event would meet.
    settings = dataclasses.replace(
        load_settings(), database_url=f"sqlite:///{tmp_path / 'cancel.db'}"
    )
    engine = get_engine(settings.database_url)
    create_tables(engine)
    set_now(engine)
    proposer = "0x" + "22" * 20
    add_proposal(
        engine, 9, block=1, title="T", vote_start=NOW + 10, vote_end=NOW + 99, proposer=proposer
    )
    with pytest.raises(WriteRefused, match=r"Only the proposer \(0x2222…2222\) can cancel it"):
        prepare_lifecycle(settings, VOTER, 9, "cancel")
    with pytest.raises(WriteRefused, match="Unknown step"):
        prepare_lifecycle(settings, proposer, 9, "veto")
    with pytest.raises(WriteRefused, match="not in the index"):
        prepare_lifecycle(settings, proposer, 10, "cancel")


def test_relayer_defaults_to_anvil_account_19_on_the_local_chain_only() -> None:
    local = load_relayer_config(31337, {})
    assert local.enabled and local.max_per_hour == 20
    assert local.private_key is not None
    assert Account.from_key(local.private_key).address == (
        "0x8626f6940E2eb28930eFb4CeF49B2d1F2C9C1199"
    )
    assert not load_relayer_config(1, {}).enabled
    key = "0x" + "11" * 32
    config = load_relayer_config(1, {"RELAYER_PRIVATE_KEY": key, "RELAYER_MAX_PER_HOUR": "3"})
    assert (config.private_key, config.max_per_hour) == (key, 3)


@pytest.mark.parametrize(
    "environ",
    [
        {"RELAYER_PRIVATE_KEY": "0x1234"},
        {"RELAYER_MAX_PER_HOUR": "many"},
        {"RELAYER_MAX_PER_HOUR": "0"},
    ],
)
def test_bad_relayer_settings_are_refused(environ: dict[str, str]) -> None:
    with pytest.raises(RelayerConfigError):
        load_relayer_config(31337, environ)


def test_feed_card_figures() -> None:
    summary = ProposalSummary(
        proposal_id=2**255,
        title="Fund GPUs",
        proposer=VOTER,
        state="active",
        created_block=1,
        created_at=NOW - 100,
        vote_start=NOW - 50,
        deadline=NOW + 3_600,
        eta=None,
        for_votes=3 * 10**18,
        against_votes=10**18,
        abstain_votes=0,
        vote_count=2,
        quorum=8 * 10**18,
        turnout=0.1,
    )
    card = proposal_card(summary, NOW)
    assert card.proposal_id == str(2**255)  # a string: JS numbers would round it
    assert (card.state, card.for_bp, card.against_bp, card.abstain_bp) == ("Active", 7500, 2500, 0)
    assert card.quorum_bp == 3750 and not card.quorum_reached
    assert card.timing.endswith("left")
    assert card.for_exact == str(3 * 10**18)


def test_votes_label() -> None:
    assert [votes_label(n) for n in (0, 1, 2, 1200)] == [
        "No votes",
        "1 vote",
        "2 votes",
        "1,200 votes",
    ]


def test_encoding_errors_become_refusals() -> None:
    @refusing_unexpected
    def prepare() -> PreparedWrite:
        raise ValueError("web3.py only accepts checksum addresses")

    with pytest.raises(WriteRefused, match="could not be built"):
        prepare()


def test_relayer_key_never_shows_in_repr() -> None:
    key = "0x" + "ab" * 32
    config = load_relayer_config(1, {"RELAYER_PRIVATE_KEY": key})
    assert config.enabled and config.private_key == key
    assert key not in repr(config) and key[2:] not in str(config)

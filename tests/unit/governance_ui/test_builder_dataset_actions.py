"""The builder's dataset-registry actions (kind "dataset"): each typed form is checked
against the index and becomes the call the proposal page phrases back; bad input is
refused field by field before anything is signed or stored."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from web3 import Web3

from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.transact import Sender
from coop_dashboard.config import Settings
from coop_dashboard.content.cid import cid_for_bytes
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.service import run_once
from coop_dashboard.services.governance.builder_flow import (
    ActionForm,
    add_action,
    dataset_options,
    field_problem,
)
from coop_dashboard.services.governance.dataset_actions import (
    CURATOR_ROLE,
    MAX_REASON_TEXT_BYTES,
    delist_reason,
)
from tests.support.chains import Chain
from tests.support.datasets import (
    act_as_governance,
    deployed_settings,
    register,
    sample_registration,
)

CURATOR = "0x" + "c1" * 20
NEWCOMER = "0x" + "d2" * 20
OLD_REASON = cid_for_bytes(b"# Withdrawn\n")


@dataclass(frozen=True)
class Indexed:
    settings: Settings
    active: int  # "wine-raw": can be delisted
    delisted: int


@pytest.fixture
def indexed(chain: Chain, deployment: Deployment, tmp_path: Path) -> Iterator[Indexed]:
    w3 = chain.w3
    registry = deployment.contract(w3, "DatasetRegistry")
    contributor = Sender.unlocked(w3, w3.eth.accounts[3])
    active, _ = register(registry, contributor, sample_registration("wine-raw"))
    delisted, _ = register(registry, contributor, sample_registration("leaky"))
    governance = act_as_governance(w3, deployment)
    curator = Web3.to_checksum_address(CURATOR)
    governance.call(registry.functions.grantRole(CURATOR_ROLE, curator), what="grant")
    governance.call(registry.functions.delist(delisted, OLD_REASON), what="delist")
    settings = deployed_settings(chain, deployment, tmp_path)
    run_once(settings, IndexerConfig())
    yield Indexed(settings, active, delisted)


def _dataset(action: str, **fields: str) -> ActionForm:
    return ActionForm(kind="dataset", dataset_action=action, **fields)


def _short(address: str) -> str:
    checksummed = Web3.to_checksum_address(address)
    return f"{checksummed[:6]}…{checksummed[-4:]}"


def test_each_dataset_action_is_added_with_the_proposal_pages_sentence(
    indexed: Indexed,
) -> None:
    reason = "It contains personal data.\n\nSee the report."
    reason_cid = cid_for_bytes(f"{reason}\n".encode())
    forms_and_sentences = [
        (_dataset("grant_curator", curator=NEWCOMER), f"Make {_short(NEWCOMER)} a dataset curator"),
        (_dataset("revoke_curator", curator=CURATOR.upper().replace("0X", "0x")), "curator"),
        (_dataset("minimum_bond", minimum_bond="0.25"), "Set the minimum dataset bond to 0.25 ETH"),
        (
            _dataset("bond_waiting_period", bond_waiting_period="7"),
            "Set the dataset bond waiting period to 7 days",
        ),
        (
            _dataset("delist", dataset=f"#{indexed.active}", reason=f"  {reason} "),
            f"Delist dataset #{indexed.active} for good (reason: ipfs://{reason_cid})",
        ),
        (
            _dataset("delist", dataset=str(indexed.active), reason=f"ipfs://{OLD_REASON}"),
            f"(reason: ipfs://{OLD_REASON})",
        ),
    ]
    for form, sentence in forms_and_sentences:
        result = add_action(indexed.settings, form, 0)
        assert result.field_errors == {}, form
        assert result.added is not None
        assert sentence in result.added.summary
        assert result.added.form == form  # kept as typed: rebuilt and checked again on use


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (dict(dataset_action="grant_curator", curator="0x12"), "curator", "Curator"),
        (dict(dataset_action="grant_curator", curator=CURATOR), "curator", "already a curator"),
        (dict(dataset_action="revoke_curator", curator=NEWCOMER), "curator", "not a curator"),
        (dict(dataset_action="minimum_bond", minimum_bond="0"), "minimum_bond", "more than 0"),
        (dict(dataset_action="minimum_bond", minimum_bond="-1"), "minimum_bond", "Minimum bond"),
        (dict(dataset_action="minimum_bond", minimum_bond="5000"), "minimum_bond", "at most"),
        (dict(dataset_action="minimum_bond", minimum_bond="0.1"), "minimum_bond", "already"),
        (
            dict(dataset_action="bond_waiting_period", bond_waiting_period="731"),
            "bond_waiting_period",
            "at most",
        ),
        (
            dict(dataset_action="bond_waiting_period", bond_waiting_period="soon"),
            "bond_waiting_period",
            "Bond waiting period",
        ),
        (dict(dataset_action="delist", dataset="abc", reason="x"), "dataset", "number"),
        (dict(dataset_action="delist", dataset="999", reason="x"), "dataset", "no dataset #999"),
        (dict(dataset_action="delist", dataset="{delisted}", reason="x"), "dataset", "already"),
        (dict(dataset_action="delist", dataset="{active}", reason="  "), "reason", "write why"),
        (
            dict(dataset_action="delist", dataset="{active}", reason="y" * MAX_REASON_TEXT_BYTES),
            "reason",
            "at most 10,000 bytes",
        ),
        (
            dict(dataset_action="delist", dataset="{active}", reason="ipfs://bafy-no"),
            "reason",
            "not a CID",
        ),
        (dict(dataset_action="delist", dataset="{active}", reason="\ud800"), "reason", "not text"),
        (dict(dataset_action="explode"), "dataset_action", "choose one"),
    ],
)
def test_bad_dataset_actions_are_refused_next_to_their_field(
    indexed: Indexed, fields: dict[str, str], field: str, message: str
) -> None:
    ids = {"active": indexed.active, "delisted": indexed.delisted}
    typed = {
        name: value.format(**ids) if name == "dataset" else value for name, value in fields.items()
    }
    result = add_action(indexed.settings, ActionForm(kind="dataset", **typed), 0)
    assert result.added is None
    assert field in result.field_errors, result.field_errors
    assert message in result.field_errors[field]


def test_a_delisting_reports_the_dataset_and_the_reason_at_once(indexed: Indexed) -> None:
    result = add_action(indexed.settings, _dataset("delist", dataset="12345", reason=""), 0)
    assert set(result.field_errors) == {"dataset", "reason"}
    oversize = _dataset("delist", dataset="0", reason="z" * (MAX_REASON_TEXT_BYTES + 1))
    errors = add_action(indexed.settings, oversize, 0).field_errors
    assert set(errors) == {"dataset", "reason"}
    assert "write why" not in errors["reason"]  # one message for the reason: the size


def test_the_dataset_search_offers_only_datasets_that_can_be_delisted(indexed: Indexed) -> None:
    # By number here: names come from the cards, which this index has not read.
    found = dataset_options(indexed.settings, str(indexed.active))
    assert [(o.dataset_id, o.status) for o in found] == [(indexed.active, "active")]
    # The search also matches digits inside CIDs: the delisted one is never offered.
    offered = dataset_options(indexed.settings, str(indexed.delisted))
    assert indexed.delisted not in {o.dataset_id for o in offered}


def test_the_reason_field_takes_a_written_reason_up_to_its_own_limit() -> None:
    assert field_problem("reason", "r" * 5_000) is None
    assert field_problem("recipient", "r" * 5_000) is not None
    assert "10,000 bytes" in str(field_problem("reason", "r" * (MAX_REASON_TEXT_BYTES + 1)))
    assert field_problem("reason", 12) == "The field takes text."


def test_a_reason_is_a_cid_or_a_document_to_store() -> None:
    assert delist_reason(f"ipfs://{OLD_REASON}").document is None
    assert delist_reason(OLD_REASON).cid == OLD_REASON
    written = delist_reason("Because.")
    assert written.document == b"Because.\n"
    assert written.cid == cid_for_bytes(b"Because.\n")


def test_an_unseeded_form_kind_is_not_blank_once_typed() -> None:
    assert _dataset("delist").is_blank()
    assert not _dataset("delist", reason="why").is_blank()
    assert _dataset("minimum_bond", curator=NEWCOMER).is_blank()
    assert not replace(_dataset("minimum_bond"), minimum_bond="1").is_blank()

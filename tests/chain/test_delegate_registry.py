"""Delegate statements: publish, update, flag, clear; events carry what the dashboard needs."""

from __future__ import annotations

import pytest
from web3.contract import Contract

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.transact import Sender
from coop_dashboard.content.cid import cid_for_bytes, sha256_digest
from tests.support.chains import Chain
from tests.support.reverts import decoder_for, revert_of

DOCUMENT = b"# Amara\n\nI vote for open weights.\n"


@pytest.fixture
def registry(chain: Chain, deployment: Deployment) -> Contract:
    return deployment.contract(chain.w3, "DelegateRegistry")


@pytest.fixture
def delegate(chain: Chain) -> Sender:
    return Sender.unlocked(chain.w3, chain.w3.eth.accounts[3])


def _publish(registry: Contract, who: Sender, document: bytes, topics: list[str], seeking: bool):
    uri = f"ipfs://{cid_for_bytes(document)}"
    receipt = who.call(
        registry.functions.publishStatement(uri, sha256_digest(document), topics, seeking),
        what="publish",
    )
    return uri, receipt


def test_publish_update_flag_and_clear(chain: Chain, registry: Contract, delegate: Sender) -> None:
    uri, receipt = _publish(registry, delegate, DOCUMENT, ["open-weights", "treasury"], True)
    (event,) = registry.events.StatementPublished().process_receipt(receipt)
    assert event["args"]["delegate"] == delegate.address
    assert event["args"]["uri"] == uri
    assert event["args"]["digest"] == sha256_digest(DOCUMENT)
    assert event["args"]["topics"] == ["open-weights", "treasury"]
    assert event["args"]["seekingDelegation"] is True
    assert event["args"]["version"] == 1

    # Storage keeps what a contract may read: digest, flag, time, version (URI and
    # topics are only in the event).
    digest, seeking, updated_at, version = registry.functions.statementOf(delegate.address).call()
    assert digest == sha256_digest(DOCUMENT) and seeking is True and version == 1
    assert updated_at == chain.w3.eth.get_block(receipt["blockNumber"])["timestamp"]

    updated = DOCUMENT + b"\nUpdated.\n"
    new_uri, receipt = _publish(registry, delegate, updated, ["datasets"], False)
    (event,) = registry.events.StatementPublished().process_receipt(receipt)
    assert event["args"]["version"] == 2 and event["args"]["uri"] == new_uri
    assert event["args"]["topics"] == ["datasets"]
    assert registry.functions.statementOf(delegate.address).call()[0] == sha256_digest(updated)

    receipt = delegate.call(registry.functions.setSeekingDelegation(True), what="flag")
    (event,) = registry.events.SeekingDelegationChanged().process_receipt(receipt)
    assert (event["args"]["previous"], event["args"]["current"]) == (False, True)

    receipt = delegate.call(registry.functions.clearStatement(), what="clear")
    (event,) = registry.events.StatementCleared().process_receipt(receipt)
    assert event["args"]["delegate"] == delegate.address and event["args"]["lastVersion"] == 2
    assert not registry.functions.hasStatement(delegate.address).call()
    assert registry.functions.statementOf(delegate.address).call()[:2] == (b"\0" * 32, False)

    # Versions never repeat, even after clearing.
    _, receipt = _publish(registry, delegate, DOCUMENT, [], False)
    (event,) = registry.events.StatementPublished().process_receipt(receipt)
    assert event["args"]["version"] == 3


@pytest.mark.parametrize(
    ("uri", "digest", "topics", "error"),
    [
        ("", b"\1" * 32, [], "DelegateRegistryEmptyUri"),
        ("ipfs://" + "a" * 250, b"\1" * 32, [], "DelegateRegistryUriTooLong"),
        ("ipfs://x", b"\0" * 32, [], "DelegateRegistryEmptyDigest"),
        ("ipfs://x", b"\1" * 32, [f"t{i}" for i in range(9)], "DelegateRegistryTooManyTopics"),
        ("ipfs://x", b"\1" * 32, ["ok", ""], "DelegateRegistryInvalidTopic"),
        ("ipfs://x", b"\1" * 32, ["x" * 33], "DelegateRegistryInvalidTopic"),
    ],
)
def test_bad_statements_are_refused(
    registry: Contract,
    delegate: Sender,
    compiled_artifacts: dict[str, Artifact],
    uri: str,
    digest: bytes,
    topics: list[str],
    error: str,
) -> None:
    function = registry.functions.publishStatement(uri, digest, topics, False)
    decoded = revert_of(decoder_for(compiled_artifacts), function, delegate.address)
    assert decoded is not None and decoded.name == error


def test_cannot_change_a_missing_statement(
    registry: Contract, delegate: Sender, compiled_artifacts: dict[str, Artifact]
) -> None:
    decoder = decoder_for(compiled_artifacts)
    for function in (
        registry.functions.clearStatement(),
        registry.functions.setSeekingDelegation(True),
    ):
        decoded = revert_of(decoder, function, delegate.address)
        assert decoded is not None and decoded.name == "DelegateRegistryNoStatement"
        assert decoded.args == (delegate.address,)


def test_publishing_with_three_topics_costs_at_most_80k_gas(
    registry: Contract, delegate: Sender
) -> None:
    """URI and topics are in the event only: two storage slots for a first statement."""
    topics = ["datasets", "treasury", "open-weights"]
    _, first = _publish(registry, delegate, DOCUMENT, topics, True)
    _, edit = _publish(registry, delegate, DOCUMENT + b"Edited.\n", topics, True)
    assert first["gasUsed"] <= 80_000
    assert edit["gasUsed"] < first["gasUsed"]

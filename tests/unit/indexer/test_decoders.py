"""The topic0 decoder table against eth_abi's own decoding of the same logs."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi import encode

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.indexer.chain_text import exact_bytes
from coop_dashboard.indexer.decoders import FOREIGN_ERC20, DecoderTable, EventDecoder

GOVERNOR = "0x" + "11" * 20
TOKEN = "0x" + "22" * 20
REGISTRY = "0x" + "33" * 20
VOTER = "0x" + "ab" * 20


@pytest.fixture(scope="module")
def table(compiled_artifacts: dict[str, Artifact]) -> DecoderTable:
    return DecoderTable(
        [
            ("CoopGovernor", GOVERNOR, compiled_artifacts["CoopGovernor"].abi),
            ("CoopToken", TOKEN, compiled_artifacts["CoopToken"].abi),
            ("DelegateRegistry", REGISTRY, compiled_artifacts["DelegateRegistry"].abi),
        ]
    )


def _event(artifact: Artifact, name: str) -> dict[str, Any]:
    return next(e for e in artifact.abi if e.get("type") == "event" and e["name"] == name)


def _topic(address: str) -> str:
    return "0x" + "0" * 24 + address[2:]


def _log(address: str, topics: list[str], data: bytes) -> dict[str, Any]:
    return {
        "address": address,
        "topics": topics,
        "data": "0x" + data.hex(),
        "blockNumber": "0x10",
        "logIndex": "0x2",
        "blockHash": "0x" + "cd" * 32,
        "blockTimestamp": "0x65000000",
        "transactionHash": "0x" + "ef" * 32,
        "transactionIndex": "0x1",
    }


def test_vote_cast_with_a_reason(
    table: DecoderTable, compiled_artifacts: dict[str, Artifact]
) -> None:
    decoder = EventDecoder(_event(compiled_artifacts["CoopGovernor"], "VoteCast"))
    data = encode(
        ["uint256", "uint8", "uint256", "string"], [2**255 + 7, 2, 10**24, "ünïcødé ✓ reason"]
    )
    decoded = table.decode(_log(GOVERNOR, [decoder.topic0, _topic(VOTER)], data))
    assert (decoded.contract, decoded.event) == ("CoopGovernor", "VoteCast")
    assert decoded.args == {
        "voter": VOTER,
        "proposalId": 2**255 + 7,
        "support": 2,
        "weight": 10**24,
        "reason": "ünïcødé ✓ reason",
    }
    assert (decoded.block_number, decoded.log_index, decoded.tx_index) == (16, 2, 1)
    assert decoded.block_timestamp == 0x65000000


def test_proposal_created_matches_eth_abi(
    table: DecoderTable, compiled_artifacts: dict[str, Artifact]
) -> None:
    abi = _event(compiled_artifacts["CoopGovernor"], "ProposalCreated")
    decoder = EventDecoder(abi)
    values = [
        12345,
        VOTER,
        [TOKEN, REGISTRY],
        [0, 10**18],
        ["", "transfer(address,uint256)"],
        [b"\x01\x02", b""],
        1_700_000_000,
        1_700_086_400,
        "# Title\n\nBody with\ttabs",
    ]
    data = encode([i["type"] for i in abi["inputs"]], values)
    fast = table.decode(_log(GOVERNOR, [decoder.topic0], data)).args
    assert fast == dict(
        zip(decoder.data_names, decoder._abi_decode("0x" + data.hex()), strict=True)
    )
    assert fast["targets"] == [TOKEN, REGISTRY]
    assert fast["calldatas"] == ["0x0102", "0x"]
    assert fast["description"] == "# Title\n\nBody with\ttabs"


def test_statement_published_matches_eth_abi(
    table: DecoderTable, compiled_artifacts: dict[str, Artifact]
) -> None:
    abi = _event(compiled_artifacts["DelegateRegistry"], "StatementPublished")
    decoder = EventDecoder(abi)
    data = encode(
        ["string", "bytes32", "string[]", "bool", "uint32"],
        ["ipfs://bafy", b"\x07" * 32, ["a", "b" * 32, ""], True, 3],
    )
    decoded = table.decode(_log(REGISTRY, [decoder.topic0, _topic(VOTER)], data))
    assert decoded.args == {
        "delegate": VOTER,
        "uri": "ipfs://bafy",
        "digest": "0x" + "07" * 32,
        "topics": ["a", "b" * 32, ""],
        "seekingDelegation": True,
        "version": 3,
    }


def test_a_log_that_does_not_fit_its_abi_is_kept_raw(
    table: DecoderTable, compiled_artifacts: dict[str, Artifact]
) -> None:
    decoder = EventDecoder(_event(compiled_artifacts["CoopToken"], "Transfer"))
    log = _log(TOKEN, [decoder.topic0, _topic(VOTER)], b"")  # one topic short, no data
    decoded = table.decode(log)
    assert decoded.event is None and decoded.contract is None
    assert decoded.topics == log["topics"] and decoded.data == "0x"


def test_invalid_utf8_in_a_string_is_replaced_and_its_bytes_kept(
    table: DecoderTable, compiled_artifacts: dict[str, Artifact]
) -> None:
    decoder = EventDecoder(_event(compiled_artifacts["CoopGovernor"], "VoteCast"))
    data = encode(["uint256", "uint8", "uint256", "bytes"], [1, 1, 1, b"\xffab\x00"])
    decoded = table.decode(_log(GOVERNOR, [decoder.topic0, _topic(VOTER)], data))
    assert (decoded.event, decoded.altered_text) == ("VoteCast", True)
    reason = decoded.args["reason"]
    assert reason == "\ufffdab\ufffd" and exact_bytes(reason) == b"\xffab\x00"


def test_valid_text_is_a_plain_string(
    table: DecoderTable, compiled_artifacts: dict[str, Artifact]
) -> None:
    decoder = EventDecoder(_event(compiled_artifacts["CoopGovernor"], "VoteCast"))
    data = encode(["uint256", "uint8", "uint256", "string"], [1, 1, 1, "ok ✓"])
    decoded = table.decode(_log(GOVERNOR, [decoder.topic0, _topic(VOTER)], data))
    assert decoded.altered_text is False and type(decoded.args["reason"]) is str


def test_strings_in_arrays_and_the_eth_abi_path_are_sanitised_too(
    compiled_artifacts: dict[str, Artifact],
) -> None:
    decoder = EventDecoder(_event(compiled_artifacts["DelegateRegistry"], "StatementPublished"))
    values = [b"ipfs://\x00", b"\x11" * 32, [b"ok", b"\xc3("], True, 3]
    data = encode(["bytes", "bytes32", "bytes[]", "bool", "uint32"], values)
    topics = [decoder.topic0, _topic(VOTER)]
    by_hand = decoder.decode(topics, "0x" + data.hex())
    by_eth_abi = dict(zip(decoder.data_names, decoder._abi_decode("0x" + data.hex()), strict=True))
    for args in (by_hand, by_eth_abi):
        assert args["uri"] == "ipfs://\ufffd" and exact_bytes(args["uri"]) == b"ipfs://\x00"
        assert args["topics"] == ["ok", "\ufffd("]
        assert [exact_bytes(t) for t in args["topics"]] == [b"ok", b"\xc3("]


def test_transfers_of_unknown_tokens_decode_as_erc20(table: DecoderTable) -> None:
    foreign = "0x" + "99" * 20
    data = encode(["uint256"], [5])
    log = _log(foreign, [table.erc20_transfer_topic0, _topic(VOTER), _topic(TOKEN)], data)
    decoded = table.decode(log)
    assert (decoded.contract, decoded.event) == (FOREIGN_ERC20, "Transfer")
    assert decoded.args == {"from": VOTER, "to": TOKEN, "value": 5}


def test_unknown_events_are_kept_raw(table: DecoderTable) -> None:
    decoded = table.decode(_log(TOKEN, ["0x" + "12" * 32], b"\x00" * 32))
    assert decoded.event is None and decoded.data == "0x" + "00" * 32

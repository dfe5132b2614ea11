"""Balances from eth_getProof checked against the block's state root, on a real anvil:
every account (present or absent) at every block, and a proof refused under another
block's root (what a read served from the next block's state looks like)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from coop_dashboard.chain.account_proof import ProofMismatchError, proven_balance
from coop_dashboard.chain.node import start_anvil
from tests.support.chains import CONTRACTS_DIR

RECEIVERS = ["0x" + f"{0xAA + i:040x}" for i in range(12)]
ABSENT = "0x" + "de" * 20


@pytest.fixture(scope="module")
def node() -> Iterator[httpx.Client]:
    node = start_anvil(CONTRACTS_DIR)
    try:
        with httpx.Client(base_url=node.rpc_url, timeout=10) as client:
            yield client
    finally:
        node.stop()


def _rpc(client: httpx.Client, method: str, *params: Any) -> Any:
    request = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
    reply = client.post("", json=request).json()
    assert "error" not in reply, reply
    return reply["result"]


def test_proven_balances_equal_the_nodes_and_a_wrong_root_is_refused(node: httpx.Client) -> None:
    senders = _rpc(node, "eth_accounts")[:3]
    for index, receiver in enumerate(RECEIVERS):
        tx = {"from": senders[index % 3], "to": receiver, "value": hex(10**15 + index)}
        _rpc(node, "eth_sendTransaction", tx)
    head = int(_rpc(node, "eth_blockNumber"), 16)
    checked = 0
    for number in range(1, head + 1):
        root = _rpc(node, "eth_getBlockByNumber", hex(number), False)["stateRoot"]
        for account in [*senders, *RECEIVERS, ABSENT]:
            proof = _rpc(node, "eth_getProof", account, [], hex(number))
            expected = int(_rpc(node, "eth_getBalance", account, hex(number)), 16)
            assert proven_balance(proof, root, account) == expected
            checked += 1
        if number > 1:
            earlier_root = _rpc(node, "eth_getBlockByNumber", hex(number - 1), False)["stateRoot"]
            proof = _rpc(node, "eth_getProof", RECEIVERS[0], [], hex(number))
            with pytest.raises(ProofMismatchError):
                proven_balance(proof, earlier_root, RECEIVERS[0])
    assert checked == head * (len(senders) + len(RECEIVERS) + 1)


def test_an_unreadable_proof_is_refused() -> None:
    with pytest.raises(ProofMismatchError):
        proven_balance({"accountProof": ["0xzz"]}, "0x" + "00" * 32, ABSENT)
    with pytest.raises(ProofMismatchError):
        proven_balance({}, "0x" + "00" * 32, ABSENT)

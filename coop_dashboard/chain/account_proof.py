"""An account's balance checked against a block's state root (eth_getProof, EIP-1186).

Why: a node may answer "the balance at block N" from a state that is not N's.
anvil does, for its newest block: while it executes block N+1 its working
state already holds N+1's transfers, and a read "at N" (still the head) is
served from that state until N+1 is published. A Merkle proof settles it:
the account proof must hash up to block N's `stateRoot`, so the balance read
from the proof's leaf is the balance in block N, or the proof is refused.
"""

from __future__ import annotations

from typing import Any

import rlp
from eth_utils import keccak

from coop_dashboard.errors import ChainError

_BRANCH_WIDTH = 17


class ProofMismatchError(ChainError):
    """The proof does not lead from the block's state root to the account."""


def get_proof_call(address: str, number: int) -> tuple[str, list[Any]]:
    """An eth_getProof request (account only, no storage keys) for `RpcClient.batch`."""
    return "eth_getProof", [address, [], hex(number)]


def _nibbles(data: bytes) -> list[int]:
    return [half for byte in data for half in (byte >> 4, byte & 0x0F)]


def _path_of(encoded: bytes) -> tuple[list[int], bool]:
    """Hex-prefix decoding: (nibbles, is_leaf)."""
    nibbles = _nibbles(encoded)
    flag = nibbles[0]
    return nibbles[2:] if flag in (0, 2) else nibbles[1:], flag >= 2


def proven_balance(proof: dict[str, Any], state_root: str, address: str) -> int:
    """The balance the proof shows for `address` under `state_root` (0 for an absent account).

    Raises ProofMismatchError when a node's hash is not the one its parent names,
    the path leaves the account's key, or the proof ends early.
    """
    key = _nibbles(keccak(bytes.fromhex(address.removeprefix("0x"))))
    expected: Any = bytes.fromhex(state_root.removeprefix("0x"))
    position = 0
    try:
        nodes = [bytes.fromhex(str(item).removeprefix("0x")) for item in proof["accountProof"]]
    except (KeyError, TypeError, ValueError) as error:
        raise ProofMismatchError(f"unreadable eth_getProof answer: {error}") from error
    for encoded in nodes:
        # A parent names a child by its hash (a node of 32 bytes or more) or embeds it.
        if isinstance(expected, list):
            node = expected
        elif keccak(encoded) == expected:
            node = rlp.decode(encoded)
        else:
            raise ProofMismatchError("the proof does not hash to the block's state root")
        while True:
            if len(node) == _BRANCH_WIDTH:
                if position == len(key):
                    raise ProofMismatchError("the proof ends at a branch, not at the account")
                expected = node[key[position]]
                position += 1
                if expected == b"":
                    return 0  # no such account in this state
            elif len(node) == 2:
                path, is_leaf = _path_of(node[0])
                if key[position : position + len(path)] != path:
                    return 0  # the trie holds another key here: the account is absent
                position += len(path)
                if is_leaf:
                    if position != len(key):
                        raise ProofMismatchError("the proof's leaf is not the account's")
                    account = rlp.decode(node[1])
                    return int.from_bytes(account[1], "big")
                expected = node[1]
            else:
                raise ProofMismatchError("the proof holds a node of an unknown shape")
            if not isinstance(expected, list):
                break
            node = expected  # an embedded child: keep walking without a hash check
    raise ProofMismatchError("the proof ends before the account's leaf")

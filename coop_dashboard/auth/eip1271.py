"""EIP-1271: asking a contract wallet (Safe, smart account) whether it signed a message.

siwe 4.4 can do this itself, but only through an `HTTPProvider` it wraps in a
new Web3 each time, it assumes a 0x prefix, and it lets connection errors
escape raw. Here the check is a plain callable, so verification can use the
app's own web3 instance (or a stub in tests) and every failure has a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from eth_abi import encode as abi_encode
from eth_utils import to_checksum_address

from coop_dashboard.errors import AuthError

if TYPE_CHECKING:
    from web3 import Web3

# bytes4(keccak256("isValidSignature(bytes32,bytes)")): the selector, which is
# also the "magic value" a contract returns to say yes.
EIP1271_MAGIC_VALUE = bytes.fromhex("1626ba7e")

# (account, EIP-191 message hash, signature bytes) -> did the account sign it?
# Returns False for "no" (including "not a contract"); raises AuthError only
# when the question could not be asked (node unreachable).
ContractSignatureCheck = Callable[[str, bytes, bytes], bool]

_UNREACHABLE = (
    "Could not reach the chain to check the contract wallet's signature; try again in a moment."
)


def is_valid_signature_call_data(message_hash: bytes, signature: bytes) -> bytes:
    """Calldata of `isValidSignature(bytes32 hash, bytes signature)`."""
    return EIP1271_MAGIC_VALUE + abi_encode(["bytes32", "bytes"], [message_hash, signature])


def is_magic_value(return_data: bytes) -> bool:
    """True iff `return_data` is the ABI encoding of bytes4 0x1626ba7e.

    The whole 32-byte word is compared (as OpenZeppelin's SignatureChecker does),
    so a contract answering with garbage that merely starts with the magic
    bytes is not taken as a yes.
    """
    return bytes(return_data[:32]) == EIP1271_MAGIC_VALUE.ljust(32, b"\0")


def web3_contract_signature_check(w3: Web3) -> ContractSignatureCheck:
    """A ContractSignatureCheck that asks the node behind `w3` (eth_getCode + eth_call)."""
    # Imported here so that merely importing the auth package does not pull in
    # web3's provider machinery; only a caller that has a Web3 pays for it.
    from web3.exceptions import ContractLogicError, Web3Exception

    def check(account: str, message_hash: bytes, signature: bytes) -> bool:
        call: Any = {"to": account, "data": is_valid_signature_call_data(message_hash, signature)}
        try:
            # An account without code is an EOA: eth_call to it "succeeds" with
            # empty output, so ask explicitly instead of reading that as a no.
            if len(w3.eth.get_code(to_checksum_address(account))) == 0:
                return False
            return_data = w3.eth.call(call)
        except ContractLogicError:
            return False  # the wallet reverted: it does not vouch for the signature
        except (Web3Exception, OSError, ValueError) as exc:
            raise AuthError(_UNREACHABLE) from exc
        return is_magic_value(return_data)

    return check


def as_contract_signature_check(
    source: ContractSignatureCheck | Web3 | None,
) -> ContractSignatureCheck | None:
    """Normalise what callers may pass: nothing, a Web3 instance, or a ready check."""
    if source is None:
        return None
    from web3 import Web3

    if isinstance(source, Web3):
        return web3_contract_signature_check(source)
    return source

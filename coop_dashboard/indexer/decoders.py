"""Log decoding: a (address, topic0) -> event decoder table built once from the ABIs.

Raw logs come straight from JSON-RPC (hex strings). Indexed static arguments
are sliced out of their topics, and data made only of static 32-byte words
(the common case: amounts, addresses, flags) is sliced word by word; anything
else (strings, bytes, arrays) goes through `eth_abi.decode`. Both give the same
values: addresses lowercase 0x-hex, ints as int, bytes as 0x-hex strings, and
strings through `chain_text` (anyone writes them: invalid UTF-8 or NUL must not
keep an event out of its table; see chain_text.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak

from coop_dashboard.chain.rpc import RawLog
from coop_dashboard.indexer.chain_text import chain_text, is_altered

# The name under which Transfer logs of tokens outside the manifest are decoded
# (only ever fetched when they move the treasury's funds).
FOREIGN_ERC20 = "ERC20"
ERC20_TRANSFER_SIGNATURE = "Transfer(address,address,uint256)"

_STATIC_WORD = re.compile(r"^(address|bool|u?int\d*|bytes([1-9]|[12]\d|3[0-2]))$")
# `string` is encoded exactly like `bytes`: eth_abi reads strings as bytes (it
# would refuse invalid UTF-8) and `chain_text` turns them into text.
_STRING_TYPE = re.compile(r"\bstring\b")

WordDecoder = Callable[[str], Any]


@dataclass(slots=True)
class DecodedLog:
    """One log with its position in the chain and its decoded arguments."""

    block_number: int
    log_index: int
    block_hash: str
    block_timestamp: int
    tx_hash: str
    tx_index: int
    address: str  # lowercase
    contract: str | None  # manifest name, FOREIGN_ERC20, or None if not decodable
    event: str | None
    args: dict[str, Any] = field(default_factory=dict)
    topics: list[str] = field(default_factory=list)
    data: str = "0x"
    # A string argument held invalid UTF-8 or NUL: its text was sanitised (the
    # exact bytes are in `data`, which the store keeps for such logs).
    altered_text: bool = False


def _canonical_type(param: Mapping[str, Any]) -> str:
    kind = str(param["type"])
    if kind.startswith("tuple"):
        inner = ",".join(_canonical_type(c) for c in param.get("components", []))
        return f"({inner}){kind[len('tuple') :]}"
    return kind


def event_signature(abi_event: Mapping[str, Any]) -> str:
    types = ",".join(_canonical_type(p) for p in abi_event.get("inputs", []))
    return f"{abi_event['name']}({types})"


def topic0_of(signature: str) -> str:
    return "0x" + keccak(text=signature).hex()


def _word_decoder(abi_type: str) -> WordDecoder:
    """Decode one 32-byte word given as 64 hex characters (no 0x)."""
    if abi_type == "address":
        return lambda word: "0x" + word[24:].lower()
    if abi_type == "bool":
        return lambda word: int(word, 16) != 0
    if abi_type.startswith("uint"):
        return lambda word: int(word, 16)
    if abi_type.startswith("int"):
        bits = int(abi_type[3:] or 256)

        def signed(word: str) -> int:
            value = int(word, 16) & ((1 << bits) - 1)
            return value - (1 << bits) if value >> (bits - 1) else value

        return signed
    size = int(abi_type[5:])  # bytesN: left-aligned in the word
    return lambda word: "0x" + word[: 2 * size].lower()


def _word_at(hex_data: str, position: int) -> str:
    """The 32-byte word starting at byte `position` of the data (hex without 0x)."""
    word = hex_data[2 * position : 2 * position + 64]
    if len(word) != 64:
        raise ValueError("data too short")
    return word


def _dynamic_decoder(abi_type: str) -> Callable[[str, int], Any] | None:
    """Decoder of a dynamic value whose tail starts at byte `offset`, or None if not handled.

    Covers what events of the suite carry: string, bytes, arrays of static words,
    string[] and bytes[]. Tuples and fixed-size arrays go through eth_abi.
    """

    def read_bytes(hex_data: str, offset: int) -> bytes:
        length = int(_word_at(hex_data, offset), 16)
        start = 2 * (offset + 32)
        chunk = hex_data[start : start + 2 * length]
        if len(chunk) != 2 * length:
            raise ValueError("data too short")
        return bytes.fromhex(chunk)

    if abi_type == "string":
        return lambda hex_data, offset: chain_text(read_bytes(hex_data, offset))
    if abi_type == "bytes":
        return lambda hex_data, offset: "0x" + read_bytes(hex_data, offset).hex()
    if not abi_type.endswith("[]"):
        return None
    element = abi_type[:-2]
    if _STATIC_WORD.match(element):
        decode_word = _word_decoder(element)

        def static_array(hex_data: str, offset: int) -> list[Any]:
            length = int(_word_at(hex_data, offset), 16)
            return [decode_word(_word_at(hex_data, offset + 32 * (1 + i))) for i in range(length)]

        return static_array
    decode_element = _dynamic_decoder(element) if element in ("string", "bytes") else None
    if decode_element is None:
        return None

    def dynamic_array(hex_data: str, offset: int) -> list[Any]:
        length = int(_word_at(hex_data, offset), 16)
        base = offset + 32  # element offsets count from the first offset word
        return [
            decode_element(hex_data, base + int(_word_at(hex_data, base + 32 * i), 16))
            for i in range(length)
        ]

    return dynamic_array


DataDecoder = Callable[[str, dict[str, Any]], None]


def _data_decoder(names: list[str], types: list[str]) -> DataDecoder | None:
    """Writes the values of a log's data (hex without 0x) into `args`, or None (use eth_abi)."""
    static: list[tuple[str, WordDecoder, int, int]] = []
    dynamic: list[tuple[str, Callable[[str, int], Any], int, int]] = []
    for index, (name, abi_type) in enumerate(zip(names, types, strict=True)):
        if _STATIC_WORD.match(abi_type):
            static.append((name, _word_decoder(abi_type), 64 * index, 64 * index + 64))
            continue
        decode_tail = _dynamic_decoder(abi_type)
        if decode_tail is None:
            return None
        dynamic.append((name, decode_tail, 64 * index, 64 * index + 64))
    head_length = 64 * len(types)

    def decode_data(hex_data: str, args: dict[str, Any]) -> None:
        if len(hex_data) < head_length:
            raise ValueError("data too short")
        for name, decode_word, start, end in static:
            args[name] = decode_word(hex_data[start:end])
        for name, decode_tail, start, end in dynamic:
            args[name] = decode_tail(hex_data, int(hex_data[start:end], 16))

    return decode_data


def _value_normalizer(param: Mapping[str, Any]) -> Callable[[Any], Any]:
    """A function putting eth_abi's value of `param` into the indexer's conventions."""
    kind = str(param["type"])
    if kind.endswith("]"):
        element = dict(param) | {"type": kind[: kind.rindex("[")]}
        normalize_element = _value_normalizer(element)
        return lambda values: [normalize_element(value) for value in values]
    if kind == "tuple":
        components = [_value_normalizer(c) for c in param.get("components", [])]
        return lambda values: [
            normalize(value) for normalize, value in zip(components, values, strict=True)
        ]
    if kind == "address":
        return lambda value: str(value).lower()  # eth_abi hands back checksummed addresses
    if kind == "string":
        return lambda value: chain_text(bytes(value))  # decoded as bytes (_STRING_TYPE)
    if kind.startswith("bytes"):
        return lambda value: "0x" + bytes(value).hex()
    return lambda value: value


def _word_expression(abi_type: str, word: str, helpers: dict[str, Any]) -> str:
    """Python source decoding one 32-byte word, `word` being source for its 64 hex chars."""
    if abi_type == "address":
        return f'"0x" + {word}[24:].lower()'
    if abi_type == "bool":
        return f"int({word}, 16) != 0"
    if abi_type.startswith("uint"):
        return f"int({word}, 16)"
    if abi_type.startswith("int"):
        name = f"_signed_{abi_type}"
        helpers[name] = _word_decoder(abi_type)
        return f"{name}({word})"
    size = int(abi_type[5:])
    return f'"0x" + {word}[: {2 * size}].lower()'


def _compiled_decoder(
    topics: list[tuple[str, str]], data: list[tuple[str, str]]
) -> Callable[[list[str], str], dict[str, Any]] | None:
    """A decoder of one event specialised by generating its Python source.

    One dict display with inline slices instead of a loop of per-argument calls:
    about twice as fast, which matters at tens of thousands of logs per second.
    None when the data holds types only eth_abi handles (tuples, fixed arrays).
    """
    helpers: dict[str, Any] = {"_word_at": _word_at}
    items: list[str] = []
    for position, (name, abi_type) in enumerate(topics, start=1):
        kind = abi_type if _STATIC_WORD.match(abi_type) else "bytes32"  # hashed dynamic value
        items.append(f"{name!r}: {_word_expression(kind, f'topics[{position}][2:]', helpers)}")
    for index, (name, abi_type) in enumerate(data):
        word = f"data[{2 + 64 * index}:{66 + 64 * index}]"
        if _STATIC_WORD.match(abi_type):
            items.append(f"{name!r}: {_word_expression(abi_type, word, helpers)}")
            continue
        tail = _dynamic_decoder(abi_type)
        if tail is None:
            return None
        helpers[f"_tail_{index}"] = tail
        items.append(f"{name!r}: _tail_{index}(data[2:], int({word}, 16))")
    source = (
        "def decode_args(topics, data):\n"
        f"    if len(topics) != {1 + len(topics)}:\n"
        "        raise ValueError('wrong number of topics')\n"
        f"    if len(data) < {2 + 64 * len(data)}:\n"
        "        raise ValueError('data too short')\n"
        f"    return {{{', '.join(items)}}}\n"
    )
    namespace = dict(helpers)
    exec(compile(source, "<event decoder>", "exec"), namespace)  # noqa: S102 - source built above
    decoder: Callable[[list[str], str], dict[str, Any]] = namespace["decode_args"]
    return decoder


class EventDecoder:
    """Decodes the logs of one ABI event."""

    def __init__(self, abi_event: Mapping[str, Any]) -> None:
        self.name = str(abi_event["name"])
        self.signature = event_signature(abi_event)
        self.topic0 = topic0_of(self.signature)
        inputs = list(abi_event.get("inputs", []))
        self.topic_names: list[str] = []
        self.topic_decoders: list[WordDecoder] = []
        for param in (p for p in inputs if p.get("indexed")):
            kind = _canonical_type(param)
            self.topic_names.append(str(param["name"]))
            # Indexed dynamic values are stored as their keccak: keep the hash.
            self.topic_decoders.append(
                _word_decoder(kind) if _STATIC_WORD.match(kind) else _word_decoder("bytes32")
            )
        data_params = [p for p in inputs if not p.get("indexed")]
        self.data_names = [str(p["name"]) for p in data_params]
        self.data_types = [_canonical_type(p) for p in data_params]
        self._eth_abi_types = [_STRING_TYPE.sub("bytes", kind) for kind in self.data_types]
        # Arguments holding text: checked for sanitised strings after decoding.
        self.text_fields = [
            name
            for name, kind in zip(self.data_names, self.data_types, strict=True)
            if _STRING_TYPE.search(kind)
        ]
        self._normalizers = [_value_normalizer(p) for p in data_params]
        self._data_decoder = (
            _data_decoder(self.data_names, self.data_types) if self.data_types else None
        )
        self.topic_count = 1 + len(self.topic_names)
        self._compiled = _compiled_decoder(
            [(p["name"], _canonical_type(p)) for p in inputs if p.get("indexed")],
            [(p["name"], _canonical_type(p)) for p in data_params],
        )
        self._topic_plan = [
            (name, decode_word, position + 1)
            for position, (name, decode_word) in enumerate(
                zip(self.topic_names, self.topic_decoders, strict=True)
            )
        ]

    def _abi_decode(self, data: str) -> list[Any]:
        values = abi_decode(self._eth_abi_types, bytes.fromhex(data[2:]))
        return [
            normalize(value) for normalize, value in zip(self._normalizers, values, strict=True)
        ]

    def decode(self, topics: list[str], data: str) -> dict[str, Any]:
        """Arguments by ABI name; ValueError if the log does not fit the event."""
        if self._compiled is not None:
            try:
                return self._compiled(topics, data)
            except ValueError:
                if len(topics) != self.topic_count:
                    raise
                # Not the canonical layout: eth_abi decides below (accepts or raises).
        return self._decode_slowly(topics, data)

    def _decode_slowly(self, topics: list[str], data: str) -> dict[str, Any]:
        if len(topics) != self.topic_count:
            raise ValueError(f"{self.name}: {len(topics)} topics, expected {self.topic_count}")
        args: dict[str, Any] = {
            name: decode_word(topics[position][2:])
            for name, decode_word, position in self._topic_plan
        }
        if self._data_decoder is not None:
            try:
                self._data_decoder(data[2:], args)
            except ValueError:
                # Not the canonical layout: let eth_abi decide (it accepts or raises).
                args.update(zip(self.data_names, self._abi_decode(data), strict=True))
        elif self.data_types:
            args.update(zip(self.data_names, self._abi_decode(data), strict=True))
        return args


@dataclass(frozen=True)
class _Entry:
    contract: str
    decoder: EventDecoder


class DecoderTable:
    """(address, topic0) -> decoder for every event of every contract in the manifest.

    Dispatch includes the address: two contracts may share a topic0 with
    different indexed layouts (ERC20 vs ERC721 Transfer).
    """

    def __init__(self, contracts: Iterable[tuple[str, str, list[dict[str, Any]]]]) -> None:
        self._by_address: dict[tuple[str, str], _Entry] = {}
        for name, address, abi in contracts:
            for item in abi:
                if item.get("type") != "event" or item.get("anonymous"):
                    continue
                decoder = EventDecoder(item)
                self._by_address[(address.lower(), decoder.topic0)] = _Entry(name, decoder)
        self._erc20_transfer = EventDecoder(
            {
                "name": "Transfer",
                "inputs": [
                    {"name": "from", "type": "address", "indexed": True},
                    {"name": "to", "type": "address", "indexed": True},
                    {"name": "value", "type": "uint256", "indexed": False},
                ],
            }
        )

        self._foreign_transfer = _Entry(FOREIGN_ERC20, self._erc20_transfer)

    @property
    def erc20_transfer_topic0(self) -> str:
        return self._erc20_transfer.topic0

    def decode(self, log: RawLog, block_timestamp: int | None = None) -> DecodedLog:
        """Decode a raw log; an undecodable one keeps its topics and data (event None)."""
        address: str = log["address"].lower()
        topics: list[str] = log["topics"]
        data: str = log["data"]
        contract: str | None = None
        event: str | None = None
        args: dict[str, Any] = {}
        altered = False
        if topics:
            entry = self._by_address.get((address, topics[0]))
            if entry is None and topics[0] == self._erc20_transfer.topic0 and len(topics) == 3:
                entry = self._foreign_transfer
            if entry is not None:
                try:
                    args = entry.decoder.decode(topics, data)
                    contract, event = entry.contract, entry.decoder.name
                    text_fields = entry.decoder.text_fields
                    if text_fields:
                        altered = any(is_altered(args[name]) for name in text_fields)
                except (ValueError, IndexError, DecodingError):
                    pass  # a log that does not fit its ABI is kept raw, not fatal
        return DecodedLog(
            int(log["blockNumber"], 16),
            int(log["logIndex"], 16),
            log["blockHash"],
            int(log["blockTimestamp"], 16) if block_timestamp is None else block_timestamp,
            log["transactionHash"],
            int(log["transactionIndex"], 16),
            address,
            contract,
            event,
            args,
            topics,
            data,
            altered,
        )
